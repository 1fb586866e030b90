"""The model: a plain scikit-learn Pipeline of stock estimators, built from the config.

features (TF-IDF words [+ characters] or hashing) -> classifier (one-vs-rest for multi-label).
Nothing project-specific goes inside: the artifact (``wirecat.artifact``) stores it as data and
rebuilds it from stock parts.
"""
from __future__ import annotations

import string
from functools import partial
from operator import itemgetter, methodcaller

import numpy as np

from train.config import TrainConfig

# tokenizer "split": typographic punctuation, then ASCII punctuation becomes a space (the latter on the
# UTF-8 bytes: bytes.translate is ~15x faster than str.translate), then str.split cuts the words
TYPOGRAPHIC_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb"
ASCII_PUNCTUATION_TO_SPACE = bytes.maketrans(string.punctuation.encode(), b" " * len(string.punctuation))


def build_features(cfg: TrainConfig):
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    f = cfg.features
    split = f.word.tokenizer == "split"
    # split: the text arrives lower-cased (below) with punctuation made space; str.split is the analyzer
    words = dict(analyzer=str.split) if split else dict(
        ngram_range=tuple(f.word.ngram_range), token_pattern=f.word.token_pattern, stop_words=f.word.stop_words)
    if f.kind == "hashing":
        word = Pipeline([
            ("hash", HashingVectorizer(n_features=f.hashing_features, alternate_sign=False, norm=None, **words)),
            ("tfidf", TfidfTransformer(sublinear_tf=f.word.sublinear_tf))])
    else:
        from wirecat.words import SplitTfidfVectorizer

        # split words: the runtime's TfidfVectorizer whose transform looks the words up in C (wirecat.words)
        word = (SplitTfidfVectorizer if split else TfidfVectorizer)(min_df=f.word.min_df, max_df=f.word.max_df, sublinear_tf=f.word.sublinear_tf,
                               max_features=f.word.max_features, dtype=np.float32, **words)
    if split:
        # each step maps a C function over the articles, lazily; list() materializes once at the end
        steps = [(f"space_u{ord(c):04x}", FunctionTransformer(partial(map, methodcaller("replace", c, " "))))
                 for c in TYPOGRAPHIC_PUNCTUATION]
        steps += [("utf8", FunctionTransformer(partial(map, str.encode))),
                  ("ascii_punctuation", FunctionTransformer(partial(map, methodcaller("translate", ASCII_PUNCTUATION_TO_SPACE)))),
                  ("text", FunctionTransformer(partial(map, bytes.decode))),
                  ("materialize", FunctionTransformer(list)), ("vectorizer", word)]
        word = Pipeline(steps)
    branches = [("word", word)]
    if f.char.enabled:
        branches.append(("char", TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(f.char.ngram_range), min_df=f.char.min_df, max_df=f.char.max_df,
            sublinear_tf=f.char.sublinear_tf, max_features=f.char.max_features, dtype=np.float32)))
    if f.patterns:
        branches.append(("patterns", pattern_features()))
    if f.lead_chars:
        # the headline and first sentences in a vocabulary of their own: a topic there is the article's
        # main event, the same words deep in the body may be a passing mention
        lead = [("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32))]
        if f.patterns:
            lead.append(("patterns", pattern_features()))
        branches.append(("lead", Pipeline([
            ("cut", FunctionTransformer(partial(map, itemgetter(slice(0, f.lead_chars))))),
            ("materialize", FunctionTransformer(list)), ("union", FeatureUnion(lead))])))
    union = FeatureUnion(branches) if len(branches) > 1 else word
    if not (f.patterns or f.lead_chars or split):
        return union
    # patterns and split words read lower-case text: lower-case once, up front (stdlib callables only,
    # so the artifact loads with scikit-learn alone)
    return Pipeline([("lowercase", FunctionTransformer(partial(map, str.lower))), ("materialize", FunctionTransformer(list)),
                     ("union", union)])


def pattern_features():
    """The labeling functions' context patterns as binary features, matched in one Hyperscan pass per
    article by the runtime's ``PatternMatcher`` (stored as its pattern strings). Source-based,
    case-sensitive and field-specific LFs are left out: the first would teach the model a genre."""
    from data.labeling import LFS
    from wirecat.patterns import PatternMatcher

    lfs = [lf for lf in LFS if lf.source is None and not lf.cased and lf.field == "both"]
    return PatternMatcher([lf.pattern.pattern for lf in lfs], names=[lf.name for lf in lfs])


def build_estimator(cfg: TrainConfig, multilabel: bool = True):
    """The classifier; sample weights are requested (also by the calibrated estimators inside) so that
    per-source and gold weights reach it. Call within metadata routing (see fit._fit_classifier)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    c = cfg.classifier
    if c.type == "logistic_regression":
        est = LogisticRegression(C=c.C, class_weight=c.class_weight, max_iter=c.max_iter, solver="liblinear"
                                 if multilabel else "lbfgs", random_state=cfg.seed)
    elif c.type == "linear_svm":
        svm = LinearSVC(C=c.C, class_weight=c.class_weight, max_iter=c.max_iter, random_state=cfg.seed)
        est = CalibratedClassifierCV(svm.set_fit_request(sample_weight=True), cv=c.calibration_folds, method="sigmoid")
    elif c.type == "sgd":
        est = SGDClassifier(loss="modified_huber", alpha=c.alpha, class_weight=c.class_weight,
                            max_iter=c.max_iter, random_state=cfg.seed)
    elif c.type == "complement_nb":
        est = ComplementNB(alpha=max(c.alpha, 1e-3))
    else:
        ridge = RidgeClassifier(alpha=c.alpha, class_weight=c.class_weight).set_fit_request(sample_weight=True)
        est = CalibratedClassifierCV(ridge, cv=c.calibration_folds, method="sigmoid")
    est.set_fit_request(sample_weight=True)
    return OneVsRestClassifier(est, n_jobs=cfg.training.n_jobs) if multilabel else est


def assemble(features, classifier):
    """Join fitted features and a fitted classifier into the artifact Pipeline."""
    from sklearn.pipeline import Pipeline

    return Pipeline([("features", features), ("classifier", classifier)])
