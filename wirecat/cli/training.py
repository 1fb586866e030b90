"""`wirecat train` and `wirecat evaluate`: shells over the training code in the repository's
``train/`` and ``data/`` packages (a clone of the repository, not the installed runtime)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from wirecat.cli.common import ConfigOption, ModelOption, SetOption, console, fail

DEFAULT_CONFIG = Path("configs/default.yaml")


def require_training_code() -> None:
    """An `error:` line when the repository's data/ and train/ packages are not importable."""
    from importlib.util import find_spec

    if find_spec("train") is None or find_spec("data") is None:
        fail("training runs from a clone of the wirecat repository (its data/ and train/ packages are not "
             "part of the installed runtime): cd into the clone and run `make train`")


def config_or_fail(path: Optional[Path], overrides: Optional[list[str]]):
    """The validated TrainConfig, or an `error:` line naming the file and key."""
    require_training_code()
    from train.config import ConfigError, load_config

    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    try:
        return load_config(path, overrides or [])
    except ConfigError as exc:
        fail(str(exc))


class _Steps:
    """A progress line on standard error for the steps of a long job (quiet when not a terminal)."""

    def __init__(self, err_console):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=err_console, transient=True)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def __call__(self, description: str) -> None:
        if self.task is None:
            self.task = self.progress.add_task(description)
        self.progress.update(self.task, description=description)
        self.progress.console.log(description)


def summary_table(metrics: dict, title: str):
    """Per-label precision, recall, F1 (and the weak labels' F1 beside them) as a rich table."""
    from rich.table import Table

    m = metrics["model"]
    weak = metrics.get("weak_labels")
    t = Table(title=title)
    for col in ("label", "precision", "recall", "F1", "support") + (("weak-label F1",) if weak else ()):
        t.add_column(col, justify="right")
    rows = list(m["per_label"].items())
    for lab, s in rows[:15]:
        t.add_row(lab, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", str(s["support"]),
                  *([f"{weak['per_label'][lab]['f1']:.3f}"] if weak else []))
    if len(rows) > 15:
        t.add_row(f"… {len(rows) - 15} more labels", "", "", "", "", *([""] if weak else []))
    if "accuracy" in m:
        t.add_row("accuracy", "", "", f"{m['accuracy']:.4f}", "")
        t.add_row("macro-F1", "", "", f"{m['macro_f1']:.4f}", "")
        return t
    t.add_row("micro", f"{m['micro']['precision']:.3f}", f"{m['micro']['recall']:.3f}", f"{m['micro']['f1']:.3f}", "",
              *([f"{weak['micro']['f1']:.3f}"] if weak else []))
    t.add_row("macro-F1", "", "", f"{m['macro_f1']:.3f}", "", *([f"{weak['macro_f1']:.3f}"] if weak else []))
    return t


def train_cmd(config: ConfigOption = None, set_: SetOption = None,
              force: Annotated[bool, typer.Option(help="Retrain even when this version exists.")] = False):
    """Dataset (cached) -> fit -> threshold tuning -> evaluation on gold test -> registration."""
    import time

    cfg = config_or_fail(config, set_)
    from data.sources import CorpusError
    from train.job import train
    from wirecat import registry

    started = time.time()
    err = console(stderr=True)
    try:
        with _Steps(err) as steps:
            name, version, reused = train(cfg, force=force, log=lambda m: err.log(m), progress=steps)
    except (CorpusError, registry.RegistryError, ValueError) as exc:  # corpus, gold file, registry
        fail(str(exc))
    manifest = registry.read_manifest(name, version)
    out = console()
    out.print(f"model [bold]{name}@{version}[/bold] "
              + ("(already registered: nothing changed)" if reused else f"registered in {time.time() - started:.1f}s"))
    for split, title in (("test", "gold test"), ("unseen", "unseen outlets")):
        if split in manifest["metrics"]:
            out.print(summary_table(manifest["metrics"][split],
                                    f"{name}@{version} on {title} ({manifest['metrics'][split]['documents']} documents)"))
    out.print(f"report: {registry.version_dir(name, version) / 'report.md'}")


def evaluate_cmd(model: ModelOption = None,
                 split: Annotated[Literal["dev", "test", "unseen"], typer.Option(
                     help="dev, test or unseen (the unseen-outlets test; dev was trained on through cross-fitting).")] = "test",
                 out: Annotated[Optional[Path], typer.Option(
                     help="Report directory (default: reports/NAME@VERSION/SPLIT).")] = None,
                 allow_changed_split: Annotated[bool, typer.Option(
                     help="Evaluate even when the split's articles or labels changed since registration.")] = False):
    """Evaluate a registered model on a gold split: metrics, weak-label baseline, per-source scores,
    strongest terms, PR curves and confusion figures, report.md and metrics.json."""
    require_training_code()
    from data.build import build, load_dataset_dir
    from data.gold import split_sha256
    from train.config import TrainConfig
    from train.evaluate import evaluate, top_terms, write_report
    from wirecat import registry

    try:
        pipeline, manifest = registry.load(model)
    except registry.RegistryError as exc:
        fail(str(exc))
    cfg = TrainConfig.model_validate(manifest["config"])
    ds, _ = load_dataset_dir(build(cfg.data, log=lambda m: typer.echo(m, err=True)))
    if split not in ds:
        fail(f"dataset {manifest['dataset_version']} has no {split} split (splits: {', '.join(ds)})")
    registered = manifest.get("split_sha256", {}).get(split)
    if registered and registered != split_sha256(list(ds[split])) and not allow_changed_split:
        fail(f"the {split} split changed since {manifest['name']}@{manifest['version']} was registered (articles or "
             "labels were added, removed or changed): its scores would not compare with the registered ones; "
             "retrain, or pass --allow-changed-split")
    if split == "dev" and cfg.training.gold_dev_in_training:
        typer.echo("note: dev articles were in training (cross-fitting): dev scores are optimistic", err=True)
    labels = manifest["labels"]
    result = evaluate(pipeline, labels, manifest["thresholds"], ds[split], manifest["title_repeat"],
                      manifest["multilabel"], with_weak=manifest["task"] == "topics")
    spec = f"{manifest['name']}@{manifest['version']}"
    out = out or Path("reports") / spec / split
    metrics = write_report(out, spec, split, result, labels, top_terms(pipeline, labels), manifest["multilabel"])
    console().print(summary_table(metrics, f"{spec} on {split}"))
    typer.echo(f"report: {out / 'report.md'}")
