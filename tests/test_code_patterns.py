"""Pattern features (wirecat.patterns): Hyperscan fires exactly where Python's re fires, on odd input and
on real articles; the matcher round-trips through the data-only artifact and is safe across threads."""
from __future__ import annotations

import pickle
import re
import threading

import numpy as np
import pytest

from data.labeling import LFS, word_not_starting
from tests.conftest import needs_mirror
from train.pipeline import pattern_features
from wirecat import artifact
from wirecat.patterns import PatternMatcher

FEATURE_PATTERNS = pattern_features().patterns


def reference(patterns: list[str], texts: list[str]) -> np.ndarray:
    """The semantics PatternMatcher promises: Python re on the UTF-8 bytes."""
    compiled = [re.compile(p.encode()) for p in patterns]
    return np.array([[bool(c.search(t.encode("utf-8", "surrogatepass"))) for c in compiled] for t in texts], dtype=bool)


def matched(patterns: list[str], texts: list[str]) -> np.ndarray:
    return PatternMatcher(patterns).fit_transform(texts).toarray().astype(bool)


ODD_TEXTS = [
    "", ".", "the police arrested three men.", "three men were arrested", "was\n\narrested",
    "the arrest of the decline", "the arrest of the fallout of it", "the arrest of thé", "the arrest of é",
    "a arrest of ", "the arrest of the", "consular access was denied", "embassy \u00e9vacuated the building",
    "the embassy " + "x" * 5000 + " closed", "\ufeffvisa rules changed", "lone \udcff surrogate: visas were revoked",
    "charge d\u2019affaires was summoned", "nul\x00byte: travel warning", "\u0130stanbul police detained 5 people",
    "visa " * 100_000,  # half a megabyte of one word
]


def test_lookaround_rewrite_is_the_same_language():
    lookahead = re.compile(r"arrests? of (?!the (decline|slide|fall))\w+")
    rewritten = re.compile(r"arrests? of " + word_not_starting("the decline", "the slide", "the fall"))
    tails = ["the decline", "the declines", "the fallout", "the man", "th", "t", "", "the f", "the", "the\n",
             "theft", "thé", "é", "the s", "the sl.", "5", "the slider", "the  decline", "_x", "-x"]
    for tail in tails:
        text = "the arrest of " + tail
        assert bool(lookahead.search(text)) == bool(rewritten.search(text)), tail


def test_no_feature_pattern_uses_lookaround():
    assert FEATURE_PATTERNS and not any("(?=" in p or "(?!" in p or "(?<" in p for p in FEATURE_PATTERNS)


def test_matcher_equals_python_re_on_odd_texts():
    assert (matched(FEATURE_PATTERNS, ODD_TEXTS) == reference(FEATURE_PATTERNS, ODD_TEXTS)).all()
    assert matched(FEATURE_PATTERNS, ODD_TEXTS).any(axis=1).sum() >= 8  # the fixtures do fire


def test_matcher_output_shape_and_values():
    X = PatternMatcher([r"\bvisas?\b", r"arrest"]).fit_transform(["visa arrest", "nothing", "arrested visas"])
    assert X.shape == (3, 2) and X.dtype == np.float32
    assert X.toarray().tolist() == [[1, 1], [0, 0], [1, 1]]
    assert PatternMatcher(["a"]).fit([]).transform([]).shape == (0, 1)
    assert PatternMatcher(["a"]).fit([]).transform(iter(["a", "b"])).toarray().tolist() == [[1], [0]]


def test_bad_patterns_fail_at_fit():
    with pytest.raises(ValueError):
        PatternMatcher([]).fit([])
    with pytest.raises(Exception, match="(?i)unsupported|lookaround|assert"):
        PatternMatcher([r"a(?=b)"]).fit([])


def test_round_trip_pickle_and_threads():
    fitted = PatternMatcher(FEATURE_PATTERNS).fit(ODD_TEXTS)
    fitted.transform(ODD_TEXTS)  # a compiled database now hangs on the instance: it must not be stored
    expected = fitted.transform(ODD_TEXTS).toarray()
    loaded = artifact.loads(artifact.dumps(fitted))
    assert type(loaded) is PatternMatcher and loaded.patterns_ == FEATURE_PATTERNS
    assert (loaded.transform(ODD_TEXTS).toarray() == expected).all()
    assert (pickle.loads(pickle.dumps(fitted)).transform(ODD_TEXTS).toarray() == expected).all()
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append((loaded.transform(ODD_TEXTS).toarray() == expected).all())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80 and all(results)


@needs_mirror("bbc", "travel_advisories")
def test_matcher_equals_python_re_on_real_articles():
    """A sample of the mirror here (the whole mirror: python -m bench.pattern_equivalence)."""
    from data.sources import load_source
    from wirecat.text import document

    texts = []
    for name, n in (("bbc", 800), ("travel_advisories", 200)):
        texts += [document(r["title"], r["text"]).lower() for r in load_source(name).records[:n]]
    got, want = matched(FEATURE_PATTERNS, texts), reference(FEATURE_PATTERNS, texts)
    assert want.sum() > 300  # the patterns do fire on news
    assert (got == want).all(), np.argwhere(got != want)[:5]


def test_feature_patterns_are_the_labeling_functions_and_named_after_them():
    by_name = {lf.name: lf.pattern.pattern for lf in LFS}
    matcher = pattern_features().fit([])
    names = list(matcher.get_feature_names_out())
    assert [by_name[n] for n in names] == FEATURE_PATTERNS
    with pytest.raises(ValueError, match="names"):
        PatternMatcher(["a", "b"], names=["only one"]).fit([])
