"""Model-selection probes that are not config options, judged like the config rows of the README's
"Model selection" table: grouped out-of-fold micro-F1 on gold dev (folds by outlet), with gold test
and the unseen-outlets test shown for information only.

    python -m bench.transfer passages [WORDS STRIDE]   # max over word windows, mixed with the document
    python -m bench.transfer pattern-counts             # pattern features as counts instead of 0/1

Each prints one JSON line per variant. Slow (1-3 minutes a variant): not part of `make bench`.
"""
from __future__ import annotations

import json
import re
import sys

import numpy as np


def setup(overrides: list[str]):
    from data.build import build, load_dataset_dir
    from train.config import load_config
    from train.fit import binarize, docs_of
    from train.job import training_view

    cfg = load_config("configs/default.yaml", overrides)
    ds, _ = load_dataset_dir(build(cfg.data, log=lambda m: None))
    view = training_view(ds)
    splits = {"train": view["train"], "dev": view["dev"], "test": ds["test"], "unseen": ds["unseen"]}
    docs = {name: docs_of(s, cfg.features.title_repeat) for name, s in splits.items()}
    Y = {name: binarize(s["labels"], list(cfg.data.labels)) for name, s in splits.items()}
    return cfg, splits, docs, Y


def matrices(features, docs: dict[str, list[str]]) -> dict:
    """Feature rows per split: fitted on train + dev texts (no labels involved, as fit does), then
    applied to test and unseen."""
    both = features.fit_transform(docs["train"] + docs["dev"]).tocsr()
    X = {"train": both[: len(docs["train"])], "dev": both[len(docs["train"]):]}
    return X | {s: features.transform(docs[s]) for s in ("test", "unseen")}


def fold_models(cfg, splits, X, Y):
    """(held-out dev rows, classifier) per grouped fold, then (None, classifier on train + all dev)."""
    import scipy.sparse as sp

    from train.fit import _fit_classifier, dev_folds

    for part in ("train", "dev"):  # as transform() gives them; liblinear would sort a read-only copy in the workers
        X[part].sort_indices()
    w_train = np.ones(X["train"].shape[0])
    w_dev = np.full(X["dev"].shape[0], cfg.training.gold_weight)
    folds, _ = dev_folds(cfg, splits["train"], splits["dev"])
    for rest, held, keep in folds:
        yield held, _fit_classifier(cfg, sp.vstack([X["train"][keep], X["dev"][rest]]),
                                    np.vstack([Y["train"][keep], Y["dev"][rest]]), np.concatenate([w_train[keep], w_dev[rest]]), True)
    yield None, _fit_classifier(cfg, sp.vstack([X["train"], X["dev"]]), np.vstack([Y["train"], Y["dev"]]),
                                np.concatenate([w_train, w_dev]), True)


def report(name: str, cfg, oof: np.ndarray, scores: dict[str, np.ndarray], Y) -> dict:
    """Thresholds tuned on the out-of-fold scores (as fit does), then micro-F1 everywhere."""
    from sklearn.metrics import f1_score

    from train.fit import tune_thresholds
    from wirecat.decide import decisions

    labels = list(cfg.data.labels)
    cuts = tune_thresholds(oof, Y["dev"], labels, cfg)
    decide = lambda S: decisions(S, labels, cuts)  # noqa: E731
    line = {"variant": name, "grouped_cv": round(f1_score(Y["dev"], decide(oof), average="micro"), 4)}
    for split, S in scores.items():
        line[split] = round(f1_score(Y[split], decide(S), average="micro"), 4)
        line[split + "_per_label"] = dict(zip(labels, (round(f, 3) for f in f1_score(Y[split], decide(S), average=None))))
    print(json.dumps(line), flush=True)
    return line


def windows(docs: list[str], words: int, stride: int) -> tuple[list[str], np.ndarray]:
    """Word windows of the articles longer than one window, and the article each comes from."""
    texts, owner = [], []
    for i, doc in enumerate(docs):
        w = doc.split()
        if len(w) > words:
            for start in range(0, len(w) - words + stride, stride):
                texts.append(" ".join(w[start:start + words]))
                owner.append(i)
    return texts, np.array(owner, dtype=int)


def passages(words: int = 60, stride: int = 30) -> None:
    """Passage-level scoring: the document model scores each word window; an article's passage score is
    its best window's (short articles: the document's), mixed with the document score on the logit scale."""
    from scipy.special import expit, logit

    from train.pipeline import build_features

    cfg, splits, docs, Y = setup([])
    features = build_features(cfg)
    X = matrices(features, docs)

    def best_window(est, batch: list[str], whole: np.ndarray) -> np.ndarray:
        texts, owner = windows(batch, words, stride)
        out = whole.copy()
        if texts:
            P = est.predict_proba(features.transform(texts))
            out[np.unique(owner)] = -np.inf
            for k in range(P.shape[1]):
                np.maximum.at(out[:, k], owner, P[:, k])
        return out

    oof_doc, oof_win, final = np.zeros(Y["dev"].shape), np.zeros(Y["dev"].shape), {}
    for held, est in fold_models(cfg, splits, X, Y):
        if held is None:
            whole = {s: est.predict_proba(X[s]) for s in ("test", "unseen")}
            final = {s: (d, best_window(est, docs[s], d)) for s, d in whole.items()}
        else:
            oof_doc[held] = est.predict_proba(X["dev"][held])
            oof_win[held] = best_window(est, [docs["dev"][i] for i in held], oof_doc[held])
    clipped = lambda p: np.clip(p, 1e-6, 1 - 1e-6)  # noqa: E731
    mix = lambda d, w, a: expit((1 - a) * logit(clipped(d)) + a * logit(clipped(w)))  # noqa: E731
    for a in (0.0, 0.25, 0.5, 0.75, 1.0):
        report(f"passages {words}/{stride} words, window weight {a}", cfg, mix(oof_doc, oof_win, a),
               {s: mix(d, w, a) for s, (d, w) in final.items()}, Y)


def pattern_counts() -> None:
    """The labeling functions' patterns as 0/1 (the default), log counts, or 0/1 plus counts per 100 words
    (a topic with a paragraph of its own matches more often than a passing mention)."""
    import scipy.sparse as sp

    from train.pipeline import build_features, pattern_features

    cfg, splits, docs, Y = setup(["features.patterns=false"])
    patterns = [re.compile(p.encode()) for p in pattern_features().patterns]  # re on bytes = the runtime's semantics
    count = lambda batch: np.array([[len(p.findall(d.lower().encode())) for p in patterns] for d in batch], dtype=np.float32)  # noqa: E731
    counts = {s: count(d) for s, d in docs.items()}
    lengths = {s: np.array([len(d.split()) for d in ds], dtype=np.float32)[:, None] for s, ds in docs.items()}
    W = matrices(build_features(cfg), docs)
    variants = {"0/1 (default)": lambda c, n: c > 0, "log(1 + count)": lambda c, n: np.log1p(c),
                "0/1 + log(1 + count per 100 words)": lambda c, n: np.hstack([c > 0, np.log1p(c * 100 / np.maximum(n, 100))])}
    for name, encode in variants.items():
        X = {s: sp.hstack([W[s], sp.csr_matrix(encode(counts[s], lengths[s]).astype(np.float32))]).tocsr() for s in W}
        oof, final = np.zeros(Y["dev"].shape), {}
        for held, est in fold_models(cfg, splits, X, Y):
            if held is None:
                final = {s: est.predict_proba(X[s]) for s in ("test", "unseen")}
            else:
                oof[held] = est.predict_proba(X["dev"][held])
        report(f"patterns as {name}", cfg, oof, final, Y)


if __name__ == "__main__":
    probe, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    {"passages": passages, "pattern-counts": pattern_counts}[probe](*args)
