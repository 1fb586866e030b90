"""Word features with no per-token Python work: ``SplitTfidfVectorizer`` is scikit-learn's
``TfidfVectorizer`` (fitted the same way, same vocabulary and idf) whose ``transform`` looks the
``str.split`` tokens up in the vocabulary with C-level ``map`` over all articles of a batch, and builds
the count matrix with numpy, instead of the per-token Python loop of ``CountVectorizer._count_vocab``.
The result equals ``TfidfVectorizer.transform`` (tests/test_code_words.py); other analyzers fall back
to it. Its state in the artifact is the stock vectorizer's: vocabulary, idf and parameters.
"""
from __future__ import annotations

from itertools import repeat

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from wirecat.kernels import split_counts


class SplitTfidfVectorizer(TfidfVectorizer):
    def transform(self, raw_documents):
        if self.analyzer is not str.split or self.input != "content":
            return super().transform(raw_documents)
        check_is_fitted(self, msg="The TF-IDF vectorizer is not fitted")
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        docs = raw_documents if isinstance(raw_documents, list) else list(raw_documents)
        if not all(map(isinstance, docs, repeat(str))):
            return super().transform(docs)  # bytes or other input: the stock path decodes and checks it
        return self._tfidf.transform(split_counts(docs, self.vocabulary_, self.dtype, self.binary), copy=False)
