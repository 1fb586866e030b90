"""Labeling-function analysis (what Snorkel's LFAnalysis reports): coverage, overlaps, conflicts,
and precision/recall against gold dev; then the aggregated weak labels' per-label scores."""
from __future__ import annotations

import numpy as np

from data.labeling import ABSTAIN, LABELS, LFS, POSITIVE, aggregate, apply_lfs, lf_weights


def lf_table(votes: np.ndarray, dev_votes: np.ndarray, dev_truth: np.ndarray) -> list[dict]:
    """One row per LF. Coverage/overlap/conflict on all records; precision/recall on gold dev.
    For a negative LF, precision is the share of its firings where the label is truly absent."""
    rows = []
    fired = votes != ABSTAIN
    for j, lf in enumerate(LFS):
        same = [k for k, other in enumerate(LFS) if other.label == lf.label and k != j]
        others_fired = fired[:, same].any(axis=1)
        disagree = ((votes[:, same] != ABSTAIN) & (votes[:, same] != votes[:, [j]])).any(axis=1)
        dev_fired = dev_votes[:, j] != ABSTAIN
        truth = dev_truth[:, LABELS.index(lf.label)].astype(bool)
        hits = (truth if lf.vote == POSITIVE else ~truth)[dev_fired].sum()
        rows.append({
            "lf": lf.name, "label": lf.label, "vote": "+" if lf.vote == POSITIVE else "-",
            "coverage": fired[:, j].mean(), "overlaps": (fired[:, j] & others_fired).mean(),
            "conflicts": (fired[:, j] & disagree).mean(), "dev_fired": int(dev_fired.sum()),
            "precision": hits / dev_fired.sum() if dev_fired.sum() else float("nan"),
            "recall": (dev_fired & truth).sum() / truth.sum() if lf.vote == POSITIVE and truth.sum() else float("nan"),
        })
    return rows


def weak_label_scores(pred: np.ndarray, truth: np.ndarray) -> list[dict]:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(truth, pred, average=None, zero_division=0)
    rows = [{"label": lab, "precision": p[k], "recall": r[k], "f1": f[k], "support": int(s[k])} for k, lab in enumerate(LABELS)]
    p, r, f, _ = precision_recall_fscore_support(truth, pred, average="micro", zero_division=0)
    rows.append({"label": "micro", "precision": p, "recall": r, "f1": f, "support": int(truth.sum())})
    return rows


def analyse(train_records: list[dict], dev_records: list[dict]) -> dict:
    """LF table and weak-label scores (majority and weighted) on gold dev."""
    votes = apply_lfs(train_records + dev_records)
    dev_votes = votes[len(train_records):]
    truth = np.array([[lab in r["labels"] for lab in LABELS] for r in dev_records], dtype=int)
    weights = lf_weights(dev_votes, truth)
    return {
        "lfs": lf_table(votes, dev_votes, truth),
        "majority": weak_label_scores(aggregate(dev_votes, "majority"), truth),
        "weighted": weak_label_scores(aggregate(dev_votes, "weighted", weights), truth),
        "weights": dict(zip([lf.name for lf in LFS], weights)),
        "dev_size": len(dev_records),
    }
