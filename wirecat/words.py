"""Word features with no per-token Python work: ``SplitTfidfVectorizer`` is scikit-learn's
``TfidfVectorizer`` (fitted the same way, same vocabulary and idf) whose ``transform`` looks the
``str.split`` tokens up in the vocabulary with C-level ``map`` over all articles of a batch, and builds
the count matrix with numpy, instead of the per-token Python loop of ``CountVectorizer._count_vocab``.
The result equals ``TfidfVectorizer.transform`` (tests/test_code_words.py); other analyzers fall back
to it. Its state in the artifact is the stock vectorizer's: vocabulary, idf and parameters.
"""
from __future__ import annotations

from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted


class SplitTfidfVectorizer(TfidfVectorizer):
    def _split_counts(self, docs: list[str]) -> sp.csr_matrix:
        vocabulary = self.vocabulary_
        tokens = list(map(str.split, docs))
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = np.fromiter(map(vocabulary.get, chain.from_iterable(tokens), repeat(-1)), dtype=np.int64,
                          count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        known = ids >= 0
        X = sp.csr_matrix((np.ones(int(known.sum()), dtype=self.dtype), (rows[known], ids[known])),
                          shape=(len(docs), len(vocabulary)), dtype=self.dtype)
        X.sum_duplicates()  # a word's occurrences become its count; indices sorted as _count_vocab leaves them
        if self.binary:
            X.data.fill(1)
        return X

    def transform(self, raw_documents):
        if self.analyzer is not str.split or self.input != "content":
            return super().transform(raw_documents)
        check_is_fitted(self, msg="The TF-IDF vectorizer is not fitted")
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        docs = raw_documents if isinstance(raw_documents, list) else list(raw_documents)
        if not all(map(isinstance, docs, repeat(str))):
            return super().transform(docs)  # bytes or other input: the stock path decodes and checks it
        return self._tfidf.transform(self._split_counts(docs), copy=False)
