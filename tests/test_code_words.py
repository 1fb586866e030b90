"""SplitTfidfVectorizer (wirecat.words): the same matrix as scikit-learn's TfidfVectorizer, faster;
it round-trips through the artifact and falls back to the stock path where it does not apply."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.conftest import needs_mirror
from wirecat import artifact
from wirecat.words import SplitTfidfVectorizer

FIT = ["the police arrested three men", "the embassy closed", "visa rules changed", "the the the men men"]
ODD = ["", "   ", "unknown words only", "the  the\tthe\nmen", "\u00e9l\u00e8ve the", "the " * 50_000, "x"]


def pair(**params):
    ours = SplitTfidfVectorizer(analyzer=str.split, dtype=np.float32, **params).fit(FIT)
    stock = TfidfVectorizer(analyzer=str.split, dtype=np.float32, **params).fit(FIT)
    return ours, stock


def same(a, b) -> bool:
    return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape and a.has_sorted_indices
            and (a.indptr == b.indptr).all() and (a.indices == b.indices).all() and np.array_equal(a.data, b.data))


@pytest.mark.parametrize("params", [{}, {"sublinear_tf": True}, {"binary": True}, {"norm": None}, {"use_idf": False},
                                    {"min_df": 2, "max_df": 0.9}])
def test_same_matrix_as_the_stock_vectorizer(params):
    ours, stock = pair(**params)
    assert ours.vocabulary_ == stock.vocabulary_
    assert same(ours.transform(ODD + FIT), stock.transform(ODD + FIT))
    assert same(ours.transform(iter(FIT)), stock.transform(FIT))  # any iterable
    for vectorizer in (ours, stock):  # no articles: the same error as the stock path
        with pytest.raises(ValueError, match="0 sample"):
            vectorizer.transform([])


def test_other_inputs_take_the_stock_path():
    ours, stock = pair()
    assert same(ours.transform([b"the men", "visa"]), stock.transform([b"the men", "visa"]))
    with pytest.raises(ValueError, match="string object received"):
        ours.transform("the men")
    regex = SplitTfidfVectorizer().fit(FIT)  # the default analyzer: stock transform
    assert same(regex.transform(FIT), TfidfVectorizer().fit(FIT).transform(FIT))


def test_round_trip_through_the_artifact():
    ours, _ = pair(sublinear_tf=True)
    loaded = artifact.loads(artifact.dumps(ours))
    assert type(loaded) is SplitTfidfVectorizer and loaded.analyzer is str.split
    assert same(loaded.transform(ODD), ours.transform(ODD))


@needs_mirror("bbc")
def test_same_matrix_on_real_articles():
    from data.sources import load_source
    from train.config import load_config
    from train.pipeline import build_features

    texts = [r["title"] + ". " + r["text"] for r in load_source("bbc").records[:1500]]
    fitted = build_features(load_config("configs/default.yaml")).fit(texts[:1000])
    word = fitted.named_steps["union"].transformer_list[0][1]  # lowercase -> union(word, patterns)
    vectorizer = word[-1]
    assert isinstance(vectorizer, SplitTfidfVectorizer)
    prepared = list(word[:-1].transform(fitted[:-1].transform(texts)))
    stock = TfidfVectorizer(**vectorizer.get_params()).fit(prepared[:1000])
    assert same(vectorizer.transform(prepared), stock.transform(prepared))
