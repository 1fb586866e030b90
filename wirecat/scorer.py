"""Score articles with a model without importing scikit-learn (about 2 s of start-up per process).

The artifact's description is read into plain nodes (class name + state; wirecat.artifact with
``plain=True``: nothing is instantiated, the allowlist still applies) and, when the pipeline has the
shape the topic models have - stdlib FunctionTransformers, Pipelines, a FeatureUnion of
SplitTfidfVectorizer and PatternMatcher branches, a one-vs-rest logistic regression - it is run with
numpy, scipy and wirecat.kernels. Any other shape returns None and the model uses the scikit-learn
pipeline. Scores equal the pipeline's up to floating-point summation order (tests/test_code_scorer.py:
within 1e-6 and the same decisions on real articles).
"""
from __future__ import annotations

from functools import reduce

import numpy as np

PIPELINE, UNION = "sklearn.pipeline.Pipeline", "sklearn.pipeline.FeatureUnion"
FUNCTION = "sklearn.preprocessing._function_transformer.FunctionTransformer"
WORDS, PATTERNS = "wirecat.words.SplitTfidfVectorizer", "wirecat.patterns.PatternMatcher"
ONE_VS_REST, LOGISTIC = "sklearn.multiclass.OneVsRestClassifier", "sklearn.linear_model._logistic.LogisticRegression"


class Unsupported(Exception):
    """A pipeline part the scorer does not run (the scikit-learn pipeline will)."""


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise Unsupported(what)


def _function(state: dict):
    _need(not state.get("validate") and not state.get("kw_args") and callable(state.get("func")), "FunctionTransformer")
    return state["func"]


def _words(state: dict):
    _need(state.get("analyzer") is str.split and state.get("input") == "content", "vectorizer analyzer")
    from wirecat.kernels import split_counts, tfidf

    vocabulary, dtype, binary = state["vocabulary_"], state["dtype"], bool(state["binary"])
    weighting = state["_tfidf"]
    _need(weighting.name == "sklearn.feature_extraction.text.TfidfTransformer", "TF-IDF weighting")
    t = weighting.state
    _need(t.get("norm") in (None, "l2"), "TF-IDF norm")
    idf, sublinear, norm = t.get("idf_") if t.get("use_idf") else None, bool(t.get("sublinear_tf")), t.get("norm")

    def transform(docs):
        docs = docs if isinstance(docs, list) else list(docs)
        _need(all(isinstance(d, str) for d in docs), "non-string texts")
        return tfidf(split_counts(docs, vocabulary, dtype, binary), idf, sublinear, norm)
    return transform


def _patterns(state: dict):
    from wirecat.kernels import CompiledPatterns

    return CompiledPatterns(state["patterns_"]).matrix


def _union(state: dict):
    _need(state.get("transformer_weights") is None, "FeatureUnion weights")
    branches = [_transform(node) for _, node in state["transformer_list"]]

    def transform(texts):
        import scipy.sparse as sp

        return sp.hstack([branch(texts) for branch in branches]).tocsr()
    return transform


def _pipeline(state: dict):
    steps = [_transform(node) for _, node in state["steps"]]
    return lambda x: reduce(lambda acc, step: step(acc), steps, x)


def _transform(node):
    kinds = {FUNCTION: _function, WORDS: _words, PATTERNS: _patterns, UNION: _union, PIPELINE: _pipeline}
    _need(getattr(node, "name", None) in kinds, f"step {getattr(node, 'name', type(node).__name__)}")
    return kinds[node.name](node.state)


def _one_vs_rest(node):
    """Per label, expit(X @ coef.T + intercept), as LogisticRegression.predict_proba[:, 1] computes it."""
    _need(node.name == ONE_VS_REST, "classifier")
    binarizer = node.state["label_binarizer_"]
    _need(str(binarizer.state.get("y_type_", "")).startswith("multilabel"), "single-label classifier")
    estimators = node.state["estimators_"]
    _need(len(estimators) > 1 and all(e.name == LOGISTIC and len(e.state["classes_"]) == 2 for e in estimators),
          "estimators")
    weights = [(e.state["coef_"].T, e.state["intercept_"]) for e in estimators]

    def predict_proba(X):
        from scipy.special import expit

        return np.array([expit((X @ coef_t + intercept).reshape(-1)) for coef_t, intercept in weights]).T
    return predict_proba


def compile_scorer(tree):
    """texts -> scores (articles x labels) for a plain artifact tree of the supported shape, else None."""
    try:
        _need(getattr(tree, "name", None) == PIPELINE and len(tree.state["steps"]) == 2, "pipeline")
        (_, features), (_, classifier) = tree.state["steps"]
        transform, predict_proba = _transform(features), _one_vs_rest(classifier)
    except (Unsupported, KeyError, TypeError, ValueError, AttributeError):
        return None
    return lambda texts: predict_proba(transform(texts))
