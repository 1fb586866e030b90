"""Fit: dataset -> features -> classifier, with decision thresholds tuned on held-out predictions.

For the topic task, gold dev articles join the training set through cross-fitting: the features are
fitted once on the training and dev texts (no labels involved), then for each of K folds of dev the
classifier is fitted on weak-labeled train + the other dev folds and predicts the held-out fold. The
out-of-fold dev scores set the thresholds; the final classifier is fitted on train + all of dev.
Gold test is never seen.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from train.config import TrainConfig
from train.pipeline import assemble, build_estimator, build_features
from wirecat.text import document


@dataclass
class FitResult:
    pipeline: object
    labels: list[str]
    thresholds: dict[str, float]
    multilabel: bool
    counts: dict[str, int]
    seconds: float
    tuning: dict = field(default_factory=dict)


def docs_of(split, title_repeat: int) -> list[str]:
    return [document(t, x, title_repeat) for t, x in zip(split["title"], split["text"])]


def label_space(cfg: TrainConfig, manifest: dict, train) -> list[str]:
    if cfg.data.task == "topics":
        return list(cfg.data.labels)
    if cfg.data.task == "reuters_modapte":
        return list(manifest["categories"])
    return sorted({lab for labs in train["labels"] for lab in labs})


def binarize(label_lists, labels: list[str]) -> np.ndarray:
    """0/1 matrix (articles x labels) in the order of ``labels``; other labels are ignored."""
    import warnings

    from sklearn.preprocessing import MultiLabelBinarizer

    with warnings.catch_warnings():  # labels outside the task's label space are dropped on purpose
        warnings.filterwarnings("ignore", "unknown class", UserWarning)
        return MultiLabelBinarizer(classes=labels).fit(
            [labels]).transform(label_lists).astype(np.int8)


def tune_thresholds(scores: np.ndarray, Y: np.ndarray, labels: list[str], cfg: TrainConfig) -> dict[str, float]:
    """Per label, a score threshold that maximizes F1 on held-out predictions."""
    from sklearn.metrics import precision_recall_curve

    out = {}
    for k, lab in enumerate(labels):
        if cfg.thresholds.mode == "fixed" or Y[:, k].sum() == 0:
            out[lab] = cfg.thresholds.fixed
            continue
        p, r, t = precision_recall_curve(Y[:, k], scores[:, k])
        f1 = 2 * p[:-1] * r[:-1] / np.maximum(p[:-1] + r[:-1], 1e-12)
        # the arg-max of F1 on a few hundred articles is a noisy point; take the middle of the plateau
        # of thresholds within `plateau` of the best F1 instead
        near_best = t[f1 >= f1.max() - cfg.thresholds.plateau]
        out[lab] = float(max(np.median(near_best), cfg.thresholds.minimum))
    return out


def recall_point(scores: np.ndarray, Y: np.ndarray, labels: list[str], target: float) -> dict[str, float]:
    """Per label, the highest threshold whose recall on held-out predictions still reaches ``target``
    (the triage operating point: few positives missed, more to read)."""
    from sklearn.metrics import precision_recall_curve

    out = {}
    for k, lab in enumerate(labels):
        if Y[:, k].sum() == 0:
            continue
        _, r, t = precision_recall_curve(Y[:, k], scores[:, k])
        out[lab] = float(t[r[:-1] >= target].max())
    return out


def outlets_of(split) -> np.ndarray:
    """Each article's outlet (its corpus when the corpus is one outlet): the groups of grouped CV."""
    import json

    return np.array([json.loads(m).get("outlet") or s for m, s in zip(split["meta"], split["source"])])


def dev_folds(cfg: TrainConfig, train, dev):
    """The cross-fitting folds of gold dev as (rest, held, train rows the fold may learn from), and
    their description. Grouped by outlet, a fold learns from no article (gold or weak) of the outlets
    it scores; else random folds, all of train in each."""
    from sklearn.model_selection import GroupKFold, KFold

    if cfg.training.cross_fit == "outlet":
        dev_groups, train_groups = outlets_of(dev), outlets_of(train)
        n = min(cfg.training.cross_fit_folds, len(set(dev_groups)))
        folds = ((rest, held, np.flatnonzero(~np.isin(train_groups, dev_groups[held])))
                 for rest, held in GroupKFold(n).split(np.zeros(len(dev)), groups=dev_groups))
        return folds, f"out-of-fold gold dev ({n} folds, grouped by outlet)"
    n = cfg.training.cross_fit_folds
    everything = np.arange(len(train))
    folds = ((rest, held, everything) for rest, held in KFold(n, shuffle=True, random_state=cfg.seed).split(np.zeros(len(dev))))
    return folds, f"out-of-fold gold dev ({n} folds)"


def _oof_summary(scores, Y, labels, thresholds, recall_thresholds) -> dict:
    """Micro precision/recall/F1 of out-of-fold predictions at both operating points."""
    from sklearn.metrics import precision_recall_fscore_support

    from wirecat.decide import decisions

    out = {}
    for point, cut in (("f1", thresholds), ("recall", recall_thresholds)):
        if set(cut) == set(labels):
            p, r, f, _ = precision_recall_fscore_support(Y, decisions(scores, labels, cut), average="micro", zero_division=0)
            out[point] = {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4)}
    return out


def _fit_classifier(cfg, X, Y, w, multilabel):
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        est = build_estimator(cfg, multilabel)
        est.fit(X, Y, sample_weight=w)
    return est


def fit(cfg: TrainConfig, dataset, manifest: dict, progress=None) -> FitResult:
    """Fit the pipeline; ``progress(step_description)`` is called as steps start."""
    import scipy.sparse as sp
    from sklearn.model_selection import KFold

    step = progress or (lambda msg: None)
    started = time.time()
    multilabel = cfg.data.task != "agnews"
    train = dataset["train"]
    labels = label_space(cfg, manifest, train)
    dev = dataset["dev"] if "dev" in dataset else None
    use_dev = dev is not None and cfg.training.gold_dev_in_training
    rep = cfg.features.title_repeat

    train_docs = docs_of(train, rep)
    dev_docs = docs_of(dev, rep) if dev is not None else []
    y_train = binarize(train["labels"], labels) if multilabel else np.array([labs[0] for labs in train["labels"]])
    w_train = np.array([cfg.training.source_weights.get(s, 1.0) for s in train["source"]], dtype=float)

    step("fitting features")
    features = build_features(cfg)
    if use_dev:  # one pass over the texts: fit and transform together, then split the rows
        X_both = features.fit_transform(train_docs + dev_docs).tocsr()
        X_both.sort_indices()  # as transform() gives them; liblinear would sort a read-only copy in the workers
        X_train, X_dev = X_both[: len(train_docs)], X_both[len(train_docs):]
    else:
        X_train = features.fit_transform(train_docs).tocsr()
        X_train.sort_indices()
        X_dev = features.transform(dev_docs) if dev is not None else None
    Y_dev = binarize(dev["labels"], labels) if dev is not None else None
    w_dev = np.full(len(dev_docs), cfg.training.gold_weight)

    thresholds: dict[str, float] = {}
    tuning: dict = {}
    if multilabel and cfg.thresholds.mode == "tune":
        if use_dev:
            # cross-fitting: out-of-fold scores for every dev article. Grouped by outlet, a fold's model
            # sees no article (gold or weak) of the outlets it scores: the estimate of transfer
            oof = np.zeros(Y_dev.shape)
            folds, tuning["on"] = dev_folds(cfg, train, dev)
            for n, (rest, held, keep) in enumerate(folds, start=1):
                step(f"cross-fitting fold {n} ({tuning['on']})")
                est = _fit_classifier(cfg, sp.vstack([X_train[keep], X_dev[rest]]), np.vstack([y_train[keep], Y_dev[rest]]),
                                      np.concatenate([w_train[keep], w_dev[rest]]), multilabel)
                oof[held] = est.predict_proba(X_dev[held])
            tune_scores, tune_Y = oof, Y_dev
        elif dev is not None:
            step("fitting on train for threshold tuning")
            est = _fit_classifier(cfg, X_train, y_train, w_train, multilabel)
            tune_scores, tune_Y, tuning["on"] = est.predict_proba(X_dev), Y_dev, "gold dev"
        else:
            # no dev split (published benchmarks): out-of-fold predictions on train
            oof = np.zeros(y_train.shape)
            folds = KFold(3, shuffle=True, random_state=cfg.seed)
            for n, (rest, held) in enumerate(folds.split(X_train), start=1):
                step(f"threshold tuning fold {n}/3")
                est = _fit_classifier(cfg, X_train[rest], y_train[rest], w_train[rest], multilabel)
                oof[held] = est.predict_proba(X_train[held])
            tune_scores, tune_Y, tuning["on"] = oof, y_train, "out-of-fold train (3 folds)"
        thresholds = tune_thresholds(tune_scores, tune_Y, labels, cfg)
        tuning["recall_thresholds"] = recall_point(tune_scores, tune_Y, labels, cfg.thresholds.recall_target)
        tuning["out_of_fold"] = _oof_summary(tune_scores, tune_Y, labels, thresholds, tuning["recall_thresholds"])
    elif multilabel:
        thresholds = {lab: cfg.thresholds.fixed for lab in labels}

    step("fitting final classifier")
    if use_dev:
        X_all, y_all = sp.vstack([X_train, X_dev]), np.vstack([y_train, Y_dev])
        w_all = np.concatenate([w_train, w_dev])
    else:
        X_all, y_all, w_all = X_train, y_train, w_train
    est = _fit_classifier(cfg, X_all, y_all, w_all, multilabel)
    counts = {"train_documents": len(train_docs), "gold_dev_documents_in_training": len(dev_docs) if use_dev else 0,
              "features": int(X_train.shape[1])}
    return FitResult(assemble(features, est), labels, thresholds, multilabel, counts,
                     round(time.time() - started, 2), tuning)
