"""Label audit: gold and weak labels that out-of-fold predictions contradict with confidence.

Every article is scored by a model that never saw its label: gold dev by the cross-fitting folds
(grouped by outlet when the config says so), weak-labeled train by K folds of train, each fitted on
the rest of train plus all of gold dev. cleanlab's ``find_label_issues`` (multi-label) then ranks the
labels the predictions contradict most; a person re-reads the flagged articles.
"""
from __future__ import annotations

import numpy as np

from train.config import TrainConfig
from train.fit import _fit_classifier, binarize, dev_folds, docs_of, outlets_of
from train.pipeline import build_features


def out_of_fold(cfg: TrainConfig, dataset, labels: list[str], progress=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """split -> (labels matrix, out-of-fold probabilities) for dev (gold) and train (weak)."""
    import scipy.sparse as sp
    from sklearn.model_selection import KFold

    step = progress or (lambda msg: None)
    train, dev = dataset["train"], dataset["dev"]
    rep = cfg.features.title_repeat
    step("fitting features")
    X = build_features(cfg).fit_transform(docs_of(train, rep) + docs_of(dev, rep)).tocsr()
    X.sort_indices()  # liblinear in the one-vs-rest workers would otherwise sort a read-only copy
    X_train, X_dev = X[: len(train)], X[len(train):]
    Y_train, Y_dev = binarize(train["labels"], labels), binarize(dev["labels"], labels)
    w_train = np.array([cfg.training.source_weights.get(s, 1.0) for s in train["source"]], dtype=float)
    w_dev = np.full(len(dev), cfg.training.gold_weight)
    oof_dev, oof_train = np.zeros(Y_dev.shape), np.zeros(Y_train.shape)
    folds, _ = dev_folds(cfg, train, dev)
    for n, (rest, held, keep) in enumerate(folds, start=1):
        step(f"gold dev fold {n}")
        est = _fit_classifier(cfg, sp.vstack([X_train[keep], X_dev[rest]]), np.vstack([Y_train[keep], Y_dev[rest]]),
                              np.concatenate([w_train[keep], w_dev[rest]]), True)
        oof_dev[held] = est.predict_proba(X_dev[held])
    for n, (rest, held) in enumerate(KFold(3, shuffle=True, random_state=cfg.seed).split(X_train), start=1):
        step(f"weak train fold {n}/3")
        est = _fit_classifier(cfg, sp.vstack([X_train[rest], X_dev]), np.vstack([Y_train[rest], Y_dev]),
                              np.concatenate([w_train[rest], w_dev]), True)
        oof_train[held] = est.predict_proba(X_train[held])
    return {"dev": (Y_dev, oof_dev), "train": (Y_train, oof_train)}


def label_issues(Y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Indices of articles whose labels the predictions contradict, most confident first (cleanlab)."""
    from cleanlab.filter import find_label_issues

    given = [list(np.flatnonzero(row)) for row in Y]
    return find_label_issues(labels=given, pred_probs=probs, multi_label=True, return_indices_ranked_by="self_confidence")


def audit(cfg: TrainConfig, dataset, labels: list[str], progress=None) -> list[dict]:
    """One row per flagged article: id, split, outlet, given labels, out-of-fold probabilities."""
    rows = []
    for split, (Y, probs) in out_of_fold(cfg, dataset, labels, progress).items():
        outlets = outlets_of(dataset[split])
        for i in label_issues(Y, probs):
            rows.append({"id": dataset[split][int(i)]["id"], "split": split, "outlet": str(outlets[i]),
                         "given": [lab for lab, on in zip(labels, Y[i]) if on],
                         "predicted": {lab: round(float(p), 3) for lab, p in zip(labels, probs[i])}})
    return rows
