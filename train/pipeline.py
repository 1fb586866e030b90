"""The model: a plain scikit-learn Pipeline of stock estimators, built from the config.

features (TF-IDF words [+ characters] or hashing) -> classifier (one-vs-rest for multi-label).
Nothing project-specific goes inside, so ``joblib.load`` needs scikit-learn alone.
"""
from __future__ import annotations

from train.config import TrainConfig


def document(title: str, text: str, title_repeat: int = 1) -> str:
    """The string the pipeline reads for an article (the same in training and classification)."""
    return ". ".join([title] * title_repeat + [text]) if title else text


def build_features(cfg: TrainConfig):
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    f = cfg.features
    if f.kind == "hashing":
        word = Pipeline([
            ("hash", HashingVectorizer(ngram_range=tuple(f.word.ngram_range), n_features=f.hashing_features,
                                       token_pattern=f.word.token_pattern, alternate_sign=False, norm=None,
                                       stop_words=f.word.stop_words)),
            ("tfidf", TfidfTransformer(sublinear_tf=f.word.sublinear_tf))])
    else:
        word = TfidfVectorizer(ngram_range=tuple(f.word.ngram_range), min_df=f.word.min_df, max_df=f.word.max_df,
                               sublinear_tf=f.word.sublinear_tf, max_features=f.word.max_features,
                               token_pattern=f.word.token_pattern, stop_words=f.word.stop_words,
                               dtype=np.float32)
    if not f.char.enabled:
        return word
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(f.char.ngram_range), min_df=f.char.min_df,
                           max_df=f.char.max_df, sublinear_tf=f.char.sublinear_tf, max_features=f.char.max_features,
                           dtype=np.float32)
    return FeatureUnion([("word", word), ("char", char)])


def build_estimator(cfg: TrainConfig, multilabel: bool = True):
    """The classifier; sample weights are requested so that per-source and gold weights reach it."""
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
        est = CalibratedClassifierCV(LinearSVC(C=c.C, class_weight=c.class_weight, max_iter=c.max_iter,
                                               random_state=cfg.seed), cv=c.calibration_folds, method="sigmoid")
    elif c.type == "sgd":
        est = SGDClassifier(loss="modified_huber", alpha=c.alpha, class_weight=c.class_weight,
                            max_iter=c.max_iter, random_state=cfg.seed)
    elif c.type == "complement_nb":
        est = ComplementNB(alpha=max(c.alpha, 1e-3))
    else:
        est = CalibratedClassifierCV(RidgeClassifier(alpha=c.alpha, class_weight=c.class_weight),
                                     cv=c.calibration_folds, method="sigmoid")
    est.set_fit_request(sample_weight=True)
    return OneVsRestClassifier(est, n_jobs=None) if multilabel else est


def assemble(features, classifier):
    """Join fitted features and a fitted classifier into the artifact Pipeline."""
    from sklearn.pipeline import Pipeline

    return Pipeline([("features", features), ("classifier", classifier)])
