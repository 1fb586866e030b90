"""The numeric kernels of the runtime's own transformers, free of scikit-learn so that the scorer
(wirecat.scorer) can run a model without importing it: word counts from str.split tokens, TF-IDF
weighting as scikit-learn's TfidfTransformer computes it, and Hyperscan pattern matching."""
from __future__ import annotations

import threading
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp


def split_counts(docs: list[str], vocabulary: dict[str, int], dtype, binary: bool = False) -> sp.csr_matrix:
    """Counts of the ``str.split`` words of each text that are in ``vocabulary`` (CSR, sorted indices):
    the words are looked up by C-level map over the whole batch, not a per-word Python loop."""
    tokens = list(map(str.split, docs))
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    ids = np.fromiter(map(vocabulary.get, chain.from_iterable(tokens), repeat(-1)), dtype=np.int64,
                      count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = ids >= 0
    X = sp.csr_matrix((np.ones(int(known.sum()), dtype=dtype), (rows[known], ids[known])),
                      shape=(len(docs), len(vocabulary)), dtype=dtype)
    X.sum_duplicates()  # a word's occurrences become its count; indices sorted as CountVectorizer leaves them
    if binary:
        X.data.fill(1)
    return X


def tfidf(X: sp.csr_matrix, idf: np.ndarray | None, sublinear_tf: bool, norm: str | None) -> sp.csr_matrix:
    """TfidfTransformer.transform, in place: log-scaled counts, idf weights, then rows of unit L2 norm
    (the sum of squares accumulated in double precision, as scikit-learn's Cython loop does)."""
    if sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    if idf is not None:
        X.data *= idf[X.indices]
    if norm == "l2":
        squares = (X.data * X.data).astype(np.float64)
        lengths = np.diff(X.indptr)
        sums = np.zeros(X.shape[0])
        filled = lengths > 0
        sums[filled] = np.add.reduceat(squares, X.indptr[:-1][filled])
        norms = np.sqrt(sums)
        norms[norms == 0] = 1.0  # empty rows stay empty
        np.divide(X.data, np.repeat(norms, lengths), out=X.data, casting="unsafe")
    elif norm is not None:
        raise ValueError(f"norm {norm!r} is not supported here")
    return X


def compile_patterns(patterns: list[str]):
    """One Hyperscan database for all patterns (byte semantics: ASCII \\b and \\w, [^.] counts bytes)."""
    import hyperscan

    if not all(isinstance(p, str) for p in patterns):
        raise ValueError("patterns must be strings")
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    flags = [hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY] * len(patterns)
    db.compile(expressions=[p.encode() for p in patterns], ids=list(range(len(patterns))),
               elements=len(patterns), flags=flags)
    return db


class CompiledPatterns:
    """Patterns compiled on first use, once per thread (a Hyperscan scratch space is not shareable);
    ``matrix(texts)`` is :func:`pattern_matrix` with this thread's database."""

    def __init__(self, patterns: list[str]):
        self.patterns = list(patterns)
        self._local = threading.local()

    def database(self):
        if getattr(self._local, "db", None) is None:
            self._local.db = compile_patterns(self.patterns)
        return self._local.db

    def matrix(self, texts) -> sp.csr_matrix:
        return pattern_matrix(self.database(), texts, len(self.patterns))


def pattern_matrix(db, texts, n_patterns: int) -> sp.csr_matrix:
    """0/1 float32 CSR: column j is 1 where pattern j occurs in the text, one scan per text."""
    rows: list[int] = []
    cols: list[int] = []
    hits: list[int] = []
    found = hits.append

    def on_match(pattern_id, start, end, flags, context):
        found(pattern_id)  # SINGLEMATCH: at most once per pattern and text

    n = 0
    for n, text in enumerate(texts, start=1):
        db.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=on_match)
        if hits:
            rows.extend([n - 1] * len(hits))
            cols.extend(hits)
            hits.clear()
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                         shape=(n, n_patterns), dtype=np.float32)
