"""Grouped cross-fitting and the recall operating point (on articles written for the test)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from train.fit import recall_point

TEXTS = {"arrest": "Police arrested two men after the raid.", "consular": "The embassy closed its consular section.",
         "diplomatic_warning": "The foreign ministry warned of consequences.", "": "The team won the cup final."}


def dataset(outlets: list[str]):
    from datasets import Dataset, DatasetDict

    def rows(prefix):
        return [{"id": f"{prefix}{k}{o}", "title": "", "text": f"{TEXTS[lab]} ({o} {k})", "labels": [lab] if lab else [],
                 "source": "allsides", "meta": json.dumps({"outlet": o})}
                for o in outlets for k, lab in enumerate(TEXTS)]
    return DatasetDict({"train": Dataset.from_list(rows("t")), "dev": Dataset.from_list(rows("d"))})


@pytest.mark.parametrize("cross_fit,expected", [("outlet", [8 + 8, 8 + 8, 8 + 8]), ("kfold", [12 + 8] * 3)])
def test_grouped_cross_fitting_keeps_the_scored_outlets_out_of_each_fold(monkeypatch, cross_fit, expected):
    from train import fit as fit_module
    from train.config import load_config

    seen = []
    real = fit_module._fit_classifier
    monkeypatch.setattr(fit_module, "_fit_classifier", lambda cfg, X, Y, w, m: (seen.append(X.shape[0]), real(cfg, X, Y, w, m))[1])
    cfg = load_config(None, [f"training.cross_fit={cross_fit}", "training.cross_fit_folds=3", "features.word.min_df=1",
                             "features.patterns=false", "training.n_jobs=1"])
    result = fit_module.fit(cfg, dataset(["A", "B", "C"]), {})
    assert seen[:-1] == expected  # per fold: weak train + gold dev rows it may learn from (then the final fit)
    assert seen[-1] == 24
    assert "grouped by outlet" in result.tuning["on"] if cross_fit == "outlet" else "grouped" not in result.tuning["on"]
    assert set(result.tuning["recall_thresholds"]) == set(result.labels)
    assert set(result.tuning["out_of_fold"]) == {"f1", "recall"}


def test_recall_point_is_the_highest_threshold_reaching_the_target():
    scores = np.array([[0.9], [0.8], [0.7], [0.6], [0.2], [0.1]])
    Y = np.array([[1], [0], [1], [0], [1], [0]])
    assert recall_point(scores, Y, ["arrest"], 0.6) == {"arrest": 0.7}  # 2 of 3 positives at >= 0.7
    assert recall_point(scores, Y, ["arrest"], 0.9) == {"arrest": 0.2}


def test_model_operating_points_and_the_classify_flag(tmp_path, monkeypatch):
    import subprocess
    import sys

    from test_code_registry import tiny_version
    from wirecat import Model

    monkeypatch.setenv("WIRECAT_MODELS_DIR", str(tmp_path / "models"))
    tiny_version("topics", "aaa111")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "football match ends"}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "wirecat.cli", "classify", str(src), "--operating-point", "recall"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "has no 'recall' operating point" in proc.stderr
    path = tmp_path / "models" / "topics" / "aaa111" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["operating_points"] = {"recall": {"diplomatic_warning": 0.01, "arrest": 0.01, "consular": 0.01}}
    path.write_text(json.dumps(manifest))
    assert Model.load("topics@aaa111", operating_point="recall").thresholds["arrest"] == 0.01
    assert Model.load("topics@aaa111", {"arrest": 0.5}, operating_point="recall").thresholds["arrest"] == 0.5
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "wirecat.cli", "classify", str(src), "--operating-point", "recall",
                               "--jobs", jobs], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["labels"] == ["diplomatic_warning", "arrest", "consular"]


def test_label_audit_flags_labels_that_confident_predictions_contradict():
    from train.audit import label_issues

    rng = np.random.default_rng(0)
    Y = (rng.random((200, 3)) < 0.3).astype(int)
    probs = np.clip(Y * 0.8 + (1 - Y) * 0.1 + rng.normal(0, 0.05, Y.shape), 0.01, 0.99)
    wrong = np.flatnonzero(Y[:, 1])[:3]
    probs[wrong, 1] = 0.99
    Y[wrong, 1] = 0  # three positives left out, which confident predictions contradict
    flagged = list(label_issues(Y, probs))
    assert set(flagged[:3]) == set(wrong) and len(flagged) <= 6


def test_audit_scores_every_gold_and_weak_article_out_of_fold():
    from train.audit import audit, out_of_fold
    from train.config import load_config

    cfg = load_config(None, ["training.cross_fit=outlet", "training.cross_fit_folds=3", "features.word.min_df=1",
                             "features.patterns=false", "training.n_jobs=2"])  # 2: labels fitted in worker processes
    ds = dataset(["A", "B", "C"])
    labels = ["diplomatic_warning", "arrest", "consular"]
    oof = out_of_fold(cfg, ds, labels)
    assert {k: v[1].shape for k, v in oof.items()} == {"dev": (12, 3), "train": (12, 3)}
    assert (oof["dev"][1] > 0).all() and (oof["train"][1] > 0).all()  # every article was scored
    rows = audit(cfg, ds, labels)
    assert all(set(r) == {"id", "split", "outlet", "given", "predicted"} for r in rows)
