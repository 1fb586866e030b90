"""The training job behind `make train`: dataset (cached) -> fit -> evaluate -> register."""
from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path

from data.build import build, load_dataset_dir
from train.config import TrainConfig
from wirecat import registry
from wirecat.files import REPO_ROOT, sha256_bytes, sha256_code, sha256_file

LICENSES = {
    "ag_news": "AG's News: research and non-commercial use",
    "reuters_isot": "ISOT Fake News dataset (true half, Reuters text): research use",
    "bbc": "BBC News (Greene & Cunningham 2006): copyright BBC, research use",
    "travel_advisories": "U.S. State Department travel advisories: public domain",
    "reuters21578": "Reuters-21578 Distribution 1.0: free for research use",
    "allsides": "Article-Bias-Prediction (Baly et al. 2020), AllSides articles: Apache-2.0 repository; "
                "article text belongs to its outlets",
}


def _git() -> dict:
    def run(*args):
        try:
            return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": run("rev-parse", "HEAD") or None, "dirty": bool(run("status", "--porcelain", "--", "data", "train", "configs"))}


def _versions() -> dict:
    """What the artifact needs to load and behave the same: the libraries and the runtime's own
    transformers (wirecat.patterns, wirecat.words) at this wirecat version."""
    from importlib.metadata import PackageNotFoundError, version

    import numpy
    import sklearn

    out = {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": numpy.__version__}
    for package in ("wirecat", "hyperscan", "scipy"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


def model_card(name: str, manifest: dict, metrics: dict, unseen: dict | None = None) -> str:
    labels = manifest["labels"]
    m = metrics["model"]
    headline = (f"accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}" if "accuracy" in m
                else f"micro-F1 {m['micro']['f1']:.3f}, macro-F1 {m['macro_f1']:.3f}")
    sources = [s["name"] for s in manifest["config"]["data"]["sources"]]
    weak = ""
    if "weak_labels" in metrics:
        weak = f" The labeling functions alone reach micro-F1 {metrics['weak_labels']['micro']['f1']:.3f} on the same articles."
    unseen_text = ""
    if unseen:
        per_label = ", ".join(f"{lab} {s['f1']:.3f}" for lab, s in unseen["model"]["per_label"].items())
        unseen_text = (f"\n\n**Unseen outlets** ({unseen['documents']} articles of WMT newstest 2007-2014, BBC 2025 and "
                 f"AllSides outlets held out of training): micro-F1 {unseen['model']['micro']['f1']:.3f} ({per_label}); "
                 f"labeling functions {unseen['weak_labels']['micro']['f1']:.3f}. This is what to expect on news from "
                 "outlets the model has never seen. Report: `unseen/report.md`.")
    return f"""# Model card: {name}@{manifest['version']}

## Intended use
Flags news articles for analysts who watch world news for risks to people abroad: labels
{', '.join(f'`{lab}`' for lab in labels[:12])}{' …' if len(labels) > 12 else ''} (none = other), as defined in
`labeling-guidelines.md`. A triage aid that ranks and filters articles for a human to read; not a
basis for decisions about individuals.

## Training data
Dataset version `{manifest['dataset_version']}` built from: {', '.join(sources)}.
{chr(10).join(f'- {LICENSES.get(s, s)}' for s in sources)}
Topic labels come from labeling functions (weak labels) on the training articles, plus the gold dev
articles (hand-annotated) through cross-fitting; gold test articles are never trained on.

## Metrics ({metrics.get('split', 'test')}, {metrics['documents']} documents)
{headline}.{weak} Full table: `report.md`; per-source scores there show where a source is weak.{unseen_text}

## Limitations
- Diplomatic warnings are rare in news, and the travel advisories are a genre of their own: watch
  each label's precision and recall per source in `report.md`.
- English only; news of 1987 and 2004-2020 (AllSides: about 400 US outlets, 2012-2020) plus
  advisories of 2024-2026; newer events and other outlets may use other words.
- Scores are calibrated only roughly; thresholds were tuned for F1 on gold dev.

## How to load
```python
from wirecat import Model         # checks sha256 {manifest['artifact']['sha256']}, then loads
model = Model.load("{name}@{manifest['version']}")
model.predict(["Article text ..."])
```
`model.npz` is data only (arrays and a JSON description of a stock scikit-learn pipeline, no
pickle): `wirecat.artifact.loads(open("model.npz", "rb").read())` rebuilds the pipeline without
running anything from the file.
"""


def code_hash() -> str:
    """Hash of the training code, part of a version's identity."""
    here = Path(__file__).resolve().parent
    return sha256_code(here / name for name in ("config.py", "fit.py", "pipeline.py"))


def version_key(config_json: str, dataset_version: str) -> str:
    """Content address of a version: config + dataset version + training code."""
    return sha256_bytes(f"{config_json}\n{dataset_version}\n{code_hash()}".encode())[:12]


TRAINING_SPLITS = ("train", "dev")  # all that fitting may read
EVALUATION_SPLITS = ("test", "unseen")  # never trained on


def training_view(ds):
    """The dataset as fitting sees it: the training splits only, so that no test or unseen-outlets
    article can reach a fitted parameter, a threshold or a feature vocabulary."""
    from datasets import DatasetDict

    return DatasetDict({name: ds[name] for name in TRAINING_SPLITS if name in ds})


def train(cfg: TrainConfig, force: bool = False, log=print, progress=None) -> tuple[str, str, bool]:
    """Run the job; returns (name, version, reused). ``progress(step)`` reports long steps."""
    from wirecat import artifact

    name = cfg.registry.name
    dataset_dir = build(cfg.data, log=log)
    dataset_version = dataset_dir.name
    config_json = cfg.model_dump_json()
    version = version_key(config_json, dataset_version)
    if registry.existing(name, version) and not force:
        return name, version, True

    from train.evaluate import at_operating_point, evaluate, top_terms, write_report
    from train.fit import fit

    ds, data_manifest = load_dataset_dir(dataset_dir)
    result = fit(cfg, training_view(ds), data_manifest, progress)
    evaluations = {}
    for split in EVALUATION_SPLITS:
        if split in ds:
            if progress:
                progress(f"evaluating on {split}")
            evaluations[split] = evaluate(result.pipeline, result.labels, result.thresholds, ds[split],
                                          cfg.features.title_repeat, result.multilabel, with_weak=cfg.data.task == "topics")
            if result.tuning.get("recall_thresholds") and set(result.tuning["recall_thresholds"]) == set(result.labels):
                evaluations[split]["recall_point"] = at_operating_point(evaluations[split], result.labels,
                                                                        result.tuning["recall_thresholds"])
    terms = top_terms(result.pipeline, result.labels)

    def write(tmp: Path) -> None:
        (tmp / artifact.FILE).write_bytes(artifact.dumps(result.pipeline))
        metrics = {split: write_report(tmp if split == "test" else tmp / split, f"{name}@{version}", split, evaluation,
                                       result.labels, terms, result.multilabel)
                   for split, evaluation in evaluations.items()}
        manifest = {
            "name": name, "version": version, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "git": _git(), "config": json.loads(config_json), "dataset_version": dataset_version,
            "task": cfg.data.task, "multilabel": result.multilabel, "labels": result.labels,
            "thresholds": result.thresholds, "title_repeat": cfg.features.title_repeat,
            "metrics": {split: {k: v for k, v in m.items() if k != "figures"} for split, m in metrics.items()},
            "split_sha256": data_manifest.get("split_sha256", {}),
            "threshold_tuning": result.tuning.get("on"), "versions": _versions(),
            "operating_points": {"f1": result.thresholds, "recall": result.tuning.get("recall_thresholds", {})},
            "cross_validation": result.tuning.get("out_of_fold", {}),
            "sklearn_version_policy": cfg.registry.sklearn_version_policy,
            "artifact": {"file": artifact.FILE, "format": artifact.FORMAT, "sha256": sha256_file(tmp / artifact.FILE),
                         "size": (tmp / artifact.FILE).stat().st_size},
            "training_seconds": result.seconds, "documents": result.counts,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        (tmp / "card.md").write_text(model_card(name, manifest, {"split": "test", **metrics["test"]}, metrics.get("unseen")))

    registry.register(name, version, write)
    return name, version, False
