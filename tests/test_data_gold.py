"""The gold set: ids and labels only, enough positives, a deterministic dev/test split."""
import json

import pytest

from conftest import needs_mirror
from data.gold import GOLD_FILE, load_gold
from data.labeling import LABELS


def test_gold_has_enough_articles_and_positives_per_label():
    gold = load_gold()
    assert len(gold) >= 800
    for label in LABELS:
        assert sum(label in g["labels"] for g in gold.values()) >= 40, label


def test_gold_rows_hold_ids_and_labels_not_article_text():
    for line in GOLD_FILE.read_text().splitlines():
        row = json.loads(line)
        assert set(row) <= {"id", "labels", "drawn_by", "note"}
        assert len(row.get("note", "")) <= 400


def test_split_is_deterministic_balanced_and_disjoint():
    a, b = load_gold(), load_gold()
    assert {k: v["split"] for k, v in a.items()} == {k: v["split"] for k, v in b.items()}
    dev = {k for k, v in a.items() if v["split"] == "dev"}
    test = {k for k, v in a.items() if v["split"] == "test"}
    assert dev and test and not dev & test and len(dev | test) == len(a)
    for label in LABELS:
        n_dev = sum(label in a[k]["labels"] for k in dev)
        n_test = sum(label in a[k]["labels"] for k in test)
        assert abs(n_dev - n_test) <= 4, label


def test_bad_gold_rows_are_refused_with_file_and_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "a:1", "labels": ["arrest"]}\n{"id": "a:2", "labels": ["espionage"]}\n')
    with pytest.raises(ValueError, match=r"labels.jsonl:2: unknown label\(s\) \['espionage'\]"):
        load_gold(path)


@needs_mirror("ag_news", "reuters_isot", "bbc", "travel_advisories")
def test_the_documented_sample_draw_reproduces_the_gold_ids():
    from data.sample_gold import ROUNDS, draw
    from data.sources import DEFAULT_SOURCES, load_source

    records = [r for s in DEFAULT_SOURCES for r in load_source(s).records]
    drawn = {s["id"]: s["drawn_by"] for k in range(1, len(ROUNDS) + 1) for s in draw(records, k)}
    gold = {json.loads(line)["id"]: json.loads(line)["drawn_by"] for line in GOLD_FILE.read_text().splitlines()}
    assert drawn == gold
