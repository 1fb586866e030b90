"""The gold set: ids and labels only, enough positives, a deterministic dev/test split."""
import json

import pytest

from conftest import needs_mirror
from data.gold import ACTIVE_LEARNING_FILE, GOLD_FILE, GOLD_FILES, UNSEEN_FILE, load_gold, split_of, split_sha256
from data.labeling import LABELS


def test_gold_has_enough_articles_and_positives_per_label():
    gold = load_gold()
    assert len(gold) >= 800
    for label in LABELS:
        assert sum(label in g["labels"] for g in gold.values()) >= 40, label


def test_gold_rows_hold_ids_and_labels_not_article_text():
    held_aside = GOLD_FILE.with_name("held_aside.jsonl")  # annotated, not read by the build (README)
    for line in [line for path in (*GOLD_FILES, held_aside) for line in path.read_text().splitlines()]:
        row = json.loads(line)
        assert set(row) <= {"id", "labels", "split", "drawn_by", "annotation", "note"}
        assert len(row.get("note", "")) <= 400
    aside = load_gold(held_aside)  # valid gold rows, none of them also in the gold file
    assert aside and not set(aside) & set(load_gold())


def test_split_is_deterministic_balanced_and_disjoint():
    a, b = load_gold(), load_gold()
    assert {k: v["split"] for k, v in a.items()} == {k: v["split"] for k, v in b.items()}
    dev = {k for k, v in a.items() if v["split"] == "dev"}
    test = {k for k, v in a.items() if v["split"] == "test"}
    assert dev and test and not dev & test and len(dev | test) == len(a)
    drawn = {k for k, v in a.items() if not (v["drawn_by"] or "").startswith("active_learning")}
    for label in LABELS:  # the drawn sample is balanced; active-learning rows all go to dev
        n_dev = sum(label in a[k]["labels"] for k in dev & drawn)
        n_test = sum(label in a[k]["labels"] for k in test & drawn)
        assert abs(n_dev - n_test) <= 4, label
    assert all(a[k]["split"] == "dev" for k in set(a) - drawn)


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
    rows = [json.loads(line) for line in GOLD_FILE.read_text().splitlines()]
    gold = {r["id"]: r["drawn_by"] for r in rows if not r["drawn_by"].startswith("active_learning")}
    assert drawn == gold  # the active-learning rows were drawn by `wirecat data suggest` from AllSides


def test_gold_set_is_both_files_and_an_id_may_be_in_only_one(tmp_path):
    drawn, picked = load_gold(GOLD_FILE), load_gold(ACTIVE_LEARNING_FILE)
    assert load_gold() == drawn | picked and len(load_gold()) == len(drawn) + len(picked)
    assert all((g["drawn_by"] or "").startswith("active_learning") for g in picked.values())
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"id": "a:1", "labels": []}\n')
    b.write_text('{"id": "a:2", "labels": []}\n{"id": "a:1", "labels": ["arrest"]}\n')
    with pytest.raises(ValueError, match=r"b.jsonl:2: duplicate id a:1 \(also .*a.jsonl:1\)"):
        load_gold((a, b))


def test_adding_rows_never_moves_an_existing_article(tmp_path):
    before = load_gold(GOLD_FILE)
    grown = tmp_path / "labels.jsonl"
    extra = "".join(f'{{"id": "bbc:new/{k}", "labels": []}}\n' for k in range(200))
    grown.write_text(GOLD_FILE.read_text() + extra)
    after = load_gold(grown)
    assert {k: after[k]["split"] for k in before} == {k: v["split"] for k, v in before.items()}
    assert [after[f"bbc:new/{k}"]["split"] for k in range(200)] == [split_of(f"bbc:new/{k}") for k in range(200)]
    assert 70 < sum(after[f"bbc:new/{k}"]["split"] == "dev" for k in range(200)) < 130  # the hash splits evenly
    rows = [{"id": k, "labels": v["labels"]} for k, v in before.items() if v["split"] == "test"]
    assert split_sha256(rows) == split_sha256(list(reversed(rows)))
    assert split_sha256(rows) != split_sha256(rows + [{"id": "bbc:new/0", "labels": []}])


def test_unseen_outlets_test_is_large_enough_annotated_twice_and_apart_from_gold():
    unseen = load_gold(UNSEEN_FILE, split="unseen")
    assert len(unseen) >= 1200
    for label in LABELS:
        assert sum(label in g["labels"] for g in unseen.values()) >= 60, label
    assert not set(unseen) & set(load_gold())
    assert {k.split(":")[0] for k in unseen} == {"allsides", "wmt_newstest", "bbc_2025"}
    rows = [json.loads(line) for line in UNSEEN_FILE.read_text().splitlines()]
    assert all(set(r) <= {"id", "labels", "drawn_by", "annotation", "note"} and len(r["note"]) <= 400 for r in rows)
    assert {r["annotation"] for r in rows} == {"agreed", "adjudicated"}


@needs_mirror("allsides", "wmt_newstest", "bbc_2025")
def test_the_documented_unseen_draw_reproduces_the_unseen_ids():
    from data.sample_unseen import draw, unseen_records

    drawn = {r["id"]: r["drawn_by"] for r in draw(unseen_records())}
    rows = [json.loads(line) for line in UNSEEN_FILE.read_text().splitlines()]
    assert drawn == {r["id"]: r["drawn_by"] for r in rows}
