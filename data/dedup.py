"""Exact and near-duplicate detection across and within sources."""
from __future__ import annotations

import hashlib

import numpy as np

from data.text import fingerprint_tokens

NEAR_DUPLICATE_COSINE = 0.8  # cosine of binary word-trigram sets; reposted wire stories score above 0.9


def _exact_key(record: dict) -> str:
    return hashlib.sha1(" ".join(fingerprint_tokens(record["title"] + " " + record["text"])).encode()).hexdigest()


def duplicate_groups(records: list[dict], threshold: float = NEAR_DUPLICATE_COSINE) -> list[list[int]]:
    """Groups (of record indices, size >= 2) of exact or near-duplicate articles."""
    from scipy.sparse.csgraph import connected_components
    from scipy.sparse import coo_matrix
    from sklearn.feature_extraction.text import HashingVectorizer

    n = len(records)
    rows, cols = [], []
    first_of: dict[str, int] = {}
    for i, rec in enumerate(records):
        j = first_of.setdefault(_exact_key(rec), i)
        if j != i:
            rows.append(j), cols.append(i)
    shingles = HashingVectorizer(analyzer="word", ngram_range=(3, 3), binary=True, norm="l2",
                                 n_features=2**20, alternate_sign=False, token_pattern=r"[a-z0-9]+")
    docs = [r["title"] + " " + r["text"] for r in records]
    if n >= 2000:  # hashing is stateless: halves hashed in two processes, stacked, equal the whole
        from joblib import Parallel, delayed
        from scipy.sparse import vstack

        halves = Parallel(n_jobs=2)(delayed(shingles.transform)(docs[k::2]) for k in (0, 1))  # interleaved: even shares
        X = vstack(halves).tocsr()[np.argsort(np.r_[np.arange(0, n, 2), np.arange(1, n, 2)], kind="stable")]
    else:
        X = shingles.transform(docs).tocsr()
    for start in range(0, n, 2000):
        sim = (X[start:start + 2000] @ X.T).tocoo()
        keep = (sim.data >= threshold) & (sim.row + start < sim.col)
        rows.extend(sim.row[keep] + start), cols.extend(sim.col[keep])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(component):
        groups.setdefault(c, []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def deduplicate(records: list[dict], prefer: set[str] = frozenset()) -> tuple[list[dict], list[dict]]:
    """Keep one article per duplicate group (an id in ``prefer``, i.e. a gold article, if the group has
    one, else the first); return (kept, removed) where each removed entry names what it duplicates."""
    drop: dict[int, str] = {}
    for group in duplicate_groups(records):
        keeper = next((i for i in group if records[i]["id"] in prefer), group[0])
        for i in group:
            if i != keeper:
                drop[i] = records[keeper]["id"]
    kept = [r for i, r in enumerate(records) if i not in drop]
    removed = [{"id": records[i]["id"], "duplicate_of": keeper} for i, keeper in sorted(drop.items())]
    return kept, removed
