"""Dataset build on the real corpus: splits, no leakage, versions and the cache."""
from __future__ import annotations

import json

import pytest

from conftest import needs_mirror
from data.build import DataConfig, build, load_dataset_dir
from data.sources import load_source
from data.dedup import duplicate_groups

pytestmark = needs_mirror("ag_news", "reuters_isot", "bbc", "travel_advisories", "wmt_newstest", "bbc_2025", "allsides")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("processed")
    return root, build(DataConfig(), out_root=root, log=lambda m: None)


def test_splits_hold_weak_train_and_gold_dev_test_without_leakage(built):
    _, path = built
    ds, manifest = load_dataset_dir(path)
    assert set(ds) == {"train", "dev", "test", "unseen"}
    train_ids, dev_ids, test_ids = (set(ds[s]["id"]) for s in ("train", "dev", "test"))
    assert not (train_ids & dev_ids) and not (train_ids & test_ids) and not (dev_ids & test_ids)
    assert len(dev_ids) > 400 and len(test_ids) > 400
    records = [dict(r) for s in ("train", "test") for r in ds[s]]
    crossing = [g for g in duplicate_groups(records) if len({records[i]["id"] in test_ids for i in g}) > 1]
    assert crossing == []
    assert manifest["duplicates_removed"] > 0
    assert manifest["counts"]["train"]["documents"] == len(train_ids)
    assert set(manifest["inputs"]) == {"ag_news", "reuters_isot", "bbc", "travel_advisories",
                                       "wmt_newstest", "bbc_2025", "allsides"}  # the last three for the unseen test only


def test_rebuild_reuses_the_cache_and_a_forced_rebuild_gives_the_same_version(built):
    root, path = built
    messages = []
    assert build(DataConfig(), out_root=root, log=messages.append) == path
    assert "cached" in messages[0]
    assert build(DataConfig(), out_root=root, force=True, log=lambda m: None).name == path.name


def test_a_config_change_makes_a_new_version(built):
    root, path = built
    other = build(DataConfig(aggregation="majority", labels=["arrest"]), out_root=root, log=lambda m: None)
    assert other.name != path.name
    ds, _ = load_dataset_dir(other)
    assert {lab for labs in ds["test"]["labels"] for lab in labs} == {"arrest"}


def test_manifest_records_checksums_counts_and_code_hash(built):
    _, path = built
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["version"] == path.name
    assert manifest["inputs"]["ag_news"] == "72b844642f92fb74fe397f0d1dd8a46d4cfd6fff60bc5c1a214fe40c44708fd7"
    assert len(manifest["labeling_code_sha256"]) == 64 and manifest["build_seconds"] > 0
    for split in ("train", "dev", "test"):
        assert manifest["counts"][split]["documents"] > 0


def test_the_unseen_outlets_test_is_built_and_training_splits_hold_none_of_its_outlets(built):
    from data.build import unseen_outlet
    from train.job import training_view

    _, path = built
    ds, manifest = load_dataset_dir(path)
    unseen = ds["unseen"]
    assert len(unseen) >= 1200 and {s for s in unseen["source"]} == {"allsides", "wmt_newstest", "bbc_2025"}
    for label in ("diplomatic_warning", "arrest", "consular"):
        assert manifest["counts"]["unseen"][label] >= 60, label
    for split in ("train", "dev"):
        assert not [r["id"] for r in ds[split] if unseen_outlet({**r, "meta": json.loads(r["meta"])})]
    assert set(training_view(ds)) == {"train", "dev"}  # all that fitting is given
    assert set(manifest["split_sha256"]) == {"test", "unseen"}


def test_a_gold_id_that_exists_in_no_corpus_is_refused(built, tmp_path, monkeypatch):
    from data import gold as gold_files

    root, _ = built
    bad = tmp_path / "labels.jsonl"
    bad.write_text(gold_files.GOLD_FILE.read_text() + '{"id": "bbc:tech/999", "labels": []}\n')
    monkeypatch.setattr(gold_files, "GOLD_FILES", (bad, gold_files.ACTIVE_LEARNING_FILE))
    n = len(bad.read_text().splitlines())
    with pytest.raises(ValueError, match=rf"labels.jsonl:{n}: id 'bbc:tech/999' exists in no article of corpus 'bbc'"):
        build(DataConfig(), out_root=root, log=lambda m: None)
    bad.write_text(bad.read_text().replace("bbc:tech/999", "nytimes:1"))
    with pytest.raises(ValueError, match=r"id 'nytimes:1' names no corpus"):
        build(DataConfig(), out_root=root, log=lambda m: None)


def test_with_allsides_as_a_training_source_its_held_out_outlets_never_reach_train_or_dev():
    """The exclusion when AllSides trains: real AllSides articles (the annotated held-out ones plus a
    sample of every outlet) go through the split; held-out outlets end in the unseen test or nowhere."""
    import gzip

    from data.build import _topic_splits, unseen_outlet
    from data.gold import UNSEEN_FILE, load_gold
    from data.sources import KNOWN_FILES, locate

    gold_ids = set(load_gold(UNSEEN_FILE, split="unseen")) | set(load_gold())
    annotated = {i.split(":", 1)[1] for i in gold_ids if i.startswith("allsides:")}  # unseen test and gold dev
    with gzip.open(locate(KNOWN_FILES["allsides"][0]), "rt") as fh:
        sample = {json.loads(line)["ID"] for k, line in enumerate(fh) if k % 40 == 0}
    from data.sources import DEFAULT_SOURCES

    records = [r for name in DEFAULT_SOURCES for r in load_source(name).records]
    records += (load_source("allsides", keep=annotated | sample).records + load_source("wmt_newstest").records
                + load_source("bbc_2025").records)
    splits, _ = _topic_splits(DataConfig(sources=[*DEFAULT_SOURCES, "allsides"]), records)
    trained = splits["train"] + splits["dev"]
    assert len([r for r in trained if r["source"] == "allsides"]) > 600  # the other outlets do train
    assert not [r["id"] for r in trained if unseen_outlet(r)]
    held_out_sampled = {f"allsides:{k}" for k in sample - annotated} & {r["id"] for r in records if unseen_outlet(r)}
    assert held_out_sampled and not held_out_sampled & {r["id"] for s in splits.values() for r in s}
    assert len(splits["unseen"]) >= 1200
