"""Dataset build on the real corpus: splits, no leakage, versions and the cache."""
from __future__ import annotations

import json

import pytest

from conftest import needs_mirror
from data.build import DataConfig, build, load_dataset_dir
from data.dedup import duplicate_groups

pytestmark = needs_mirror("ag_news", "reuters_isot", "bbc", "travel_advisories")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("processed")
    return root, build(DataConfig(), out_root=root, log=lambda m: None)


def test_splits_hold_weak_train_and_gold_dev_test_without_leakage(built):
    _, path = built
    ds, manifest = load_dataset_dir(path)
    assert set(ds) == {"train", "dev", "test"}
    train_ids, dev_ids, test_ids = (set(ds[s]["id"]) for s in ("train", "dev", "test"))
    assert not (train_ids & dev_ids) and not (train_ids & test_ids) and not (dev_ids & test_ids)
    assert len(dev_ids) > 400 and len(test_ids) > 400
    records = [dict(r) for s in ("train", "test") for r in ds[s]]
    crossing = [g for g in duplicate_groups(records) if len({records[i]["id"] in test_ids for i in g}) > 1]
    assert crossing == []
    assert manifest["duplicates_removed"] > 0
    assert manifest["counts"]["train"]["documents"] == len(train_ids)
    assert set(manifest["inputs"]) == {"ag_news", "reuters_isot", "bbc", "travel_advisories"}


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
