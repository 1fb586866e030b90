"""Labeling functions on sentences written for these tests: positives and look-alikes per label."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import needs_mirror
from data.labeling import LABELS, LFS, aggregate, apply_lfs, lf_weights


def weak(title: str, text: str = "", source: str = "test") -> set[str]:
    votes = apply_lfs([{"title": title, "text": text, "source": source}])
    return {lab for lab, on in zip(LABELS, aggregate(votes)[0]) if on}


@pytest.mark.parametrize("title,text,label", [
    ("Police arrest three men after raid", "Police arrested three men on Tuesday in the capital.", "arrest"),
    ("Activist held", "The activist was detained at the airport and taken into custody.", "arrest"),
    ("Court acts", "A court issued an arrest warrant for the former minister.", "arrest"),
    ("Suspect to face US court", "The suspect will be extradited to the United States next week.", "arrest"),
    ("Beijing warns Washington", "China warned the United States of serious consequences if it sells arms to Taiwan.", "diplomatic_warning"),
    ("Envoy summoned", "The foreign ministry summoned the French ambassador to protest against the remarks.", "diplomatic_warning"),
    ("Britain advises against travel", "The Foreign Office advised its citizens against all but essential travel to the region.", "diplomatic_warning"),
    ("Embassy closed", "The United States closed its embassy in the capital after threats.", "consular"),
    ("Diplomats expelled", "The government expelled four diplomats and recalled its ambassador.", "consular"),
    ("New visa rules", "Student visas will now require an interview at the consulate.", "consular"),
    ("Detained national", "The embassy was seeking consular access to the detained man.", "consular"),
])
def test_positive_sentences_get_their_label(title, text, label):
    assert label in weak(title, text)


@pytest.mark.parametrize("title,text,label", [
    ("Footballer recovers", "The striker suffered a cardiac arrest during training but is recovering.", "arrest"),
    ("Shares rally", "Measures to arrest the decline in the share price were announced.", "arrest"),
    ("Card payments grow", "Visa International said card spending rose 12 percent this quarter.", "consular"),
    ("Earnings", "Consul Energy reported higher quarterly profit.", "consular"),
    ("Retailer issues profit warning", "The company warned that sales would fall.", "diplomatic_warning"),
    ("Court verdict", "The former mayor was sentenced to five years for fraud after a long trial.", "arrest"),
    ("Ambassador at gala", "The ambassador attended the opening night of the film festival.", "consular"),
])
def test_look_alikes_do_not_get_the_label(title, text, label):
    assert label not in weak(title, text)


def test_every_travel_advisory_is_a_warning_by_its_source():
    assert "diplomatic_warning" in weak("Narnia Travel Advisory", "Exercise normal precautions.", source="travel_advisories")
    assert "diplomatic_warning" not in weak("Narnia tourism page", "Exercise normal precautions.", source="ag_news")


def test_lf_names_are_unique_and_each_label_has_lfs():
    names = [lf.name for lf in LFS]
    assert len(set(names)) == len(names)
    assert {lf.label for lf in LFS} == set(LABELS)


def test_weighted_vote_turns_an_imprecise_lf_against_its_label():
    votes = np.array([[1, 0], [1, 0], [1, 1], [1, 0]], dtype=np.int8)  # LF0 fires everywhere, LF1 once
    gold = np.array([[0], [0], [1], [0]])
    lfs = [lf for lf in LFS if lf.label == "diplomatic_warning"][:2]
    w = lf_weights(votes, np.hstack([gold, gold, gold]), lfs)
    assert w[0] < 0 < w[1]
    full = np.zeros((4, len(lfs)), dtype=np.int8)
    full[:] = votes
    majority = aggregate(full, "majority", lfs=lfs)[:, 0]
    weighted = aggregate(full, "weighted", w, lfs=lfs)[:, 0]
    assert majority.tolist() == [1, 1, 1, 1]
    assert weighted.tolist() == [0, 0, 1, 0]


def test_unknown_aggregation_is_refused():
    with pytest.raises(ValueError, match="majority"):
        aggregate(np.zeros((1, len(LFS)), dtype=np.int8), "snorkel")


@needs_mirror("bbc")
def test_votes_in_two_processes_equal_votes_in_one():
    from data.sources import load_source

    records = load_source("bbc").records[:1200]
    parallel = apply_lfs(records, n_jobs=2)
    assert (parallel == apply_lfs(records)).all() and (parallel != 0).any()
