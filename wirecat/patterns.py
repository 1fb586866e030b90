"""Pattern features in one pass per article: which of many regular expressions occur in a text.

``PatternMatcher`` is a scikit-learn transformer (list of texts -> sparse 0/1 matrix, a column per
pattern) that scans each article once with Hyperscan, a multi-pattern engine that matches all the
patterns together in compiled code. The reference semantics are Python's ``re`` on the text's UTF-8
bytes (``re.compile(p.encode()).search(text.encode())``): ``\\b`` and ``\\w`` are ASCII and ``[^.]{0,80}``
counts bytes, which is what Hyperscan implements without lookaround; tests/test_code_patterns.py and
``python -m bench.pattern_equivalence`` check that the two fire on the same articles.

The fitted state is the pattern strings only, so the artifact stores it as data; the compiled
database is rebuilt on first use, once per thread (a Hyperscan scratch space is not shareable).
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from wirecat.kernels import CompiledPatterns


def _compiled(matcher) -> CompiledPatterns:
    compiled = matcher.__dict__.get("_local")  # not stored in the artifact or a pickle: made on first use
    return compiled if compiled is not None else matcher.__dict__.setdefault("_local", CompiledPatterns(matcher.patterns_))


class PatternMatcher(BaseEstimator, TransformerMixin):
    """A stock-style estimator: ``fit`` returns self, ``transform`` returns a float32 CSR matrix whose
    column j is 1 where pattern j occurs in the text. Texts are matched as given (lower-case them
    first if the patterns are lower-case)."""

    def __init__(self, patterns=None, names=None):
        self.patterns = patterns
        self.names = names  # the columns' names for explanations (default pattern0, pattern1, ...)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_local"}  # compiled per process and thread

    def fit(self, texts=None, y=None):
        if not self.patterns:
            raise ValueError("PatternMatcher needs at least one pattern")
        self.patterns_ = [str(p) for p in self.patterns]
        self.n_features_out_ = len(self.patterns_)
        if self.names is not None and len(self.names) != self.n_features_out_:
            raise ValueError(f"{len(self.names)} names for {self.n_features_out_} patterns")
        self.__dict__.pop("_local", None)
        _compiled(self).database()  # a pattern Hyperscan cannot compile fails here, at fit time
        return self

    def fit_transform(self, texts, y=None):
        return self.fit(texts, y).transform(texts)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        names = getattr(self, "names", None)
        names = names if names is not None else [f"pattern{j}" for j in range(self.n_features_out_)]
        return np.array([str(n) for n in names], dtype=object)

    def transform(self, texts):
        return _compiled(self).matrix(texts)
