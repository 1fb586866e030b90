"""Dataset build: sources -> normalize -> dedup -> weak labels -> a versioned Hugging Face DatasetDict.

Output: ``data/processed/<version>/`` (the DatasetDict plus ``manifest.json``). The version is a
content hash of the records, their labels, the labeling code and the config, so any change makes a
new version. A cache index keyed by the input files' checksums, the code and the config lets an
unchanged rebuild return the existing version without loading any source.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from data.labeling import LABELS as LABELS_ALL
from data.records import capped_ids
from data.sources import DEFAULT_SOURCES, KNOWN_FILES, UNSEEN_SOURCES, Fields, Loaded, load_source, source_checksum
from wirecat import readers
from wirecat.files import REPO_ROOT, remove_stale_temps, sha256_bytes, sha256_code, temp_dir, write_atomic

PROCESSED = REPO_ROOT / "data" / "processed"
DATA_CODE = Path(__file__).resolve().parent


class SourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    path: str | None = None  # for a user's own corpus; relative paths are looked up like corpus files
    format: Literal["jsonl", "csv", "parquet"] | None = None
    fields: dict[str, str] = Field(default_factory=dict)  # id/title/text/date -> the file's field names
    # at most this many articles per outlet (meta "outlet"), chosen by a stable hash of the id; gold
    # articles are always kept: caps a large weak-labeled pool while keeping every outlet in it
    max_per_outlet: int | None = Field(None, ge=1)


class DataConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Literal["topics", "agnews", "reuters_modapte"] = "topics"
    corpus_dir: str | None = None
    sources: list[SourceSpec] = Field(default_factory=lambda: [
        SourceSpec(name=n) for n in DEFAULT_SOURCES])
    labels: list[str] = Field(default_factory=lambda: list(LABELS_ALL), min_length=1)
    aggregation: Literal["majority", "weighted"] = "weighted"
    dedup: bool = True
    # topics task: also build the unseen-outlets test (WMT newstest, BBC 2025, held-out AllSides outlets)
    unseen_test: bool = True
    test_size: float = Field(0.2, gt=0, lt=1)  # agnews task: stratified hold-out
    split_seed: int = 42

    @field_validator("sources", mode="before")
    @classmethod
    def _names_to_specs(cls, value):
        return [{"name": v} if isinstance(v, str) else v for v in value]

    @field_validator("labels")
    @classmethod
    def _known_labels(cls, value):
        unknown = set(value) - set(LABELS_ALL)
        if unknown:
            raise ValueError(f"unknown label(s) {sorted(unknown)}; allowed: {list(LABELS_ALL)}")
        return value


def code_hash() -> str:
    """Hash of the data code (loaders, the readers of users' files, normalization, labeling
    functions, gold split)."""
    return sha256_code([*DATA_CODE.glob("*.py"), Path(readers.__file__), Path(readers.__file__).with_name("records.py")])


def _unseen_sources(cfg: DataConfig) -> list[str]:
    """The unseen-outlets test's corpora that this build reads for that test only."""
    if cfg.task != "topics" or not cfg.unseen_test:
        return []
    return [name for name in UNSEEN_SOURCES if name not in {spec.name for spec in cfg.sources}]


def _input_checksums(cfg: DataConfig) -> dict[str, str]:
    sums = {spec.name: source_checksum(spec.name, cfg.corpus_dir, spec.path)[1] for spec in cfg.sources}
    return sums | {name: source_checksum(name, cfg.corpus_dir)[1] for name in _unseen_sources(cfg)}


def unseen_outlet(rec: dict) -> bool:
    """An article of the unseen-outlets test's outlets: training must never read it."""
    return rec["source"] in ("wmt_newstest", "bbc_2025") or (rec["source"] == "allsides" and rec["meta"].get("held_out"))


def _gold_ids() -> set[str]:
    from data import gold as gold_files

    return set(gold_files.load_gold()) | set(gold_files.load_gold(gold_files.UNSEEN_FILE, split="unseen"))


def _capped(records: list[dict], cap: int) -> list[dict]:
    """At most ``cap`` articles per outlet (a stable hash of the id decides which); gold articles, those
    of the unseen-outlets test included, are always kept."""
    keep = capped_ids(((r["id"], r["meta"].get("outlet") or r["source"]) for r in records), cap, _gold_ids())
    return [r for r in records if r["id"] in keep]


def _load_all(cfg: DataConfig) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for spec in cfg.sources:
        if spec.path is None and spec.name not in KNOWN_FILES:
            raise ValueError(f"data.sources: {spec.name!r} is no mirrored corpus ({sorted(KNOWN_FILES)}); "
                             "give path and format for your own corpus")
        # AllSides applies the cap itself, before normalizing its 36,670 texts (the same articles, sooner)
        early = {"cap": (spec.max_per_outlet, _gold_ids())} if spec.name == "allsides" and spec.max_per_outlet and spec.path is None else {}
        loaded: Loaded = load_source(spec.name, cfg.corpus_dir, path=spec.path, fmt=spec.format,
                                     fields=Fields(**spec.fields) if spec.fields else None, **early)
        records += _capped(loaded.records, spec.max_per_outlet) if spec.max_per_outlet and not early else loaded.records
        problems += [str(p) for p in loaded.problems]
    if _unseen_sources(cfg):
        from data.gold import UNSEEN_FILE, load_gold

        wanted = set(load_gold(UNSEEN_FILE, split="unseen"))
        for name in _unseen_sources(cfg):  # only the annotated articles: the rest is never used
            keep = {i.split(":", 1)[1] for i in wanted if i.startswith(f"{name}:")}
            loaded = load_source(name, cfg.corpus_dir, keep=keep) if name == "allsides" else load_source(name, cfg.corpus_dir)
            records += [r for r in loaded.records if r["id"] in wanted]
            problems += [str(p) for p in loaded.problems]
    return records, problems


def _check_gold_ids(gold: dict[str, dict], records: list[dict], read: set[str]) -> None:
    """Refuse gold ids that exist in no corpus of ``read`` (ids of corpora this build does not read
    are left alone: a config may train on fewer corpora)."""
    have = {r["id"] for r in records}
    for article_id, g in gold.items():
        source = article_id.split(":", 1)[0]
        if source not in KNOWN_FILES and source not in read:
            raise ValueError(f"{g['file']}:{g['line']}: id {article_id!r} names no corpus ({sorted(KNOWN_FILES)})")
        if source in read and article_id not in have:
            raise ValueError(f"{g['file']}:{g['line']}: id {article_id!r} exists in no article of corpus {source!r}")


def _topic_splits(cfg: DataConfig, records: list[dict]) -> tuple[dict[str, list[dict]], dict]:
    """train: weak labels on non-gold articles; dev/test: gold labels (weak labels kept alongside);
    unseen: the unseen-outlets test. No article of an unseen outlet enters train or dev."""
    import numpy as np
    from data.dedup import deduplicate
    from data import gold as gold_files
    from data.labeling import LABELS, LFS, aggregate, apply_lfs, lf_weights

    UNSEEN_FILE = gold_files.UNSEEN_FILE
    trained = {spec.name for spec in cfg.sources}
    gold = gold_files.load_gold()
    _check_gold_ids(gold, records, trained)
    if cfg.unseen_test:
        unseen = gold_files.load_gold(UNSEEN_FILE, split="unseen")
        _check_gold_ids(unseen, records, trained | set(_unseen_sources(cfg)))
        both = set(gold) & set(unseen)
        if both:
            raise ValueError(f"{UNSEEN_FILE}: ids also in the gold set ({', '.join(p.name for p in gold_files.GOLD_FILES)}): "
                             f"{sorted(both)[:5]}")
        gold = gold | unseen
    read = len(records)
    records = [r for r in records if r["id"] in gold or not unseen_outlet(r)]  # the rest of those outlets: never used
    removed = []
    if cfg.dedup:
        records, removed = deduplicate(records, prefer=set(gold))
    votes = apply_lfs(records, n_jobs=min(2, os.cpu_count() or 1))
    dev_idx = [i for i, r in enumerate(records) if gold.get(r["id"], {}).get("split") == "dev"]
    dev_truth = np.array([[lab in gold[records[i]["id"]]["labels"] for lab in LABELS] for i in dev_idx], dtype=int)
    weights = lf_weights(votes[dev_idx], dev_truth)
    weak = aggregate(votes, cfg.aggregation, weights)
    splits: dict[str, list[dict]] = {"train": [], "dev": [], "test": []} | ({"unseen": []} if cfg.unseen_test else {})
    for rec, row in zip(records, weak):
        weak_names = [lab for lab, on in zip(LABELS, row) if on and lab in cfg.labels]
        g = gold.get(rec["id"])
        split = g["split"] if g else "train"
        if split == "dev" and unseen_outlet(rec):
            raise ValueError(f"{g['file']}:{g['line']}: {rec['id']} is from an unseen outlet; it belongs in {UNSEEN_FILE.name}")
        labels = [lab for lab in g["labels"] if lab in cfg.labels] if g else weak_names
        splits[split].append({**rec, "labels": labels, "weak_labels": weak_names})
    info = {"duplicates_removed": len(removed), "duplicates": removed, "unseen_outlet_articles_left_out": read - len(records),
            "split_sha256": {name: gold_files.split_sha256(splits[name]) for name in ("test", "unseen") if name in splits},
            "lf_weights": dict(zip([lf.name for lf in LFS], weights.round(3).tolist()))}
    return splits, info


def _agnews_splits(cfg: DataConfig, records: list[dict]) -> tuple[dict[str, list[dict]], dict]:
    from sklearn.model_selection import train_test_split

    records = [{**r, "labels": [r["meta"]["category"]], "weak_labels": []} for r in records if r["source"] == "ag_news"]
    train, test = train_test_split(records, test_size=cfg.test_size, random_state=cfg.split_seed,
                                   stratify=[r["labels"][0] for r in records])
    return {"train": train, "test": test}, {}


def _reuters_splits(cfg: DataConfig, records: list[dict]) -> tuple[dict[str, list[dict]], dict]:
    """ModApte: TOPICS="YES", LEWISSPLIT TRAIN/TEST; the 90 categories with >= 1 train and >= 1 test
    document; documents with none of them are left out (as in Yang & Liu 1999)."""
    mod = [r for r in records if r["source"] == "reuters21578" and r["meta"]["has_topics"]
           and r["meta"]["lewissplit"] in ("TRAIN", "TEST")]
    in_split = {s: {t for r in mod if r["meta"]["lewissplit"] == s for t in r["meta"]["topics"]} for s in ("TRAIN", "TEST")}
    categories = in_split["TRAIN"] & in_split["TEST"]
    splits: dict[str, list[dict]] = {"train": [], "test": []}
    for r in mod:
        labels = sorted(set(r["meta"]["topics"]) & categories)
        if labels:
            splits[r["meta"]["lewissplit"].lower()].append({**r, "labels": labels, "weak_labels": []})
    return splits, {"categories": sorted(categories)}


SPLITTERS = {"topics": _topic_splits, "agnews": _agnews_splits, "reuters_modapte": _reuters_splits}


def _version(splits: dict[str, list[dict]], cfg: DataConfig, code: str) -> str:
    digest = hashlib.sha256()
    for name in sorted(splits):
        for r in splits[name]:
            digest.update(json.dumps([name, r["id"], r["title"], r["text"], r["labels"], r["weak_labels"]],
                                     ensure_ascii=False).encode())
    digest.update(code.encode())
    digest.update(cfg.model_dump_json().encode())
    return digest.hexdigest()[:12]


def _cache_key(cfg: DataConfig, code: str, inputs: dict[str, str]) -> str:
    from data import gold as gold_files

    parts = [cfg.model_dump_json(), code, json.dumps(inputs, sort_keys=True),
             *(sha256_bytes(path.read_bytes()) for path in (*gold_files.GOLD_FILES, gold_files.UNSEEN_FILE))]
    return sha256_bytes("\n".join(parts).encode())


def build(cfg: DataConfig, out_root: Path = PROCESSED, force: bool = False, log=print) -> Path:
    """Build (or reuse) the dataset; return its directory."""
    started = time.time()
    out_root.mkdir(parents=True, exist_ok=True)
    index_path = out_root / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    code, inputs = code_hash(), _input_checksums(cfg)  # once: the inputs are hashed in full
    key = _cache_key(cfg, code, inputs)
    cached = index.get(key)
    if cached and not force and (out_root / cached / "manifest.json").exists():
        log(f"dataset {cached} (cached, inputs unchanged)")
        return out_root / cached

    from datasets import Dataset, DatasetDict

    records, problems = _load_all(cfg)
    for p in problems[:5]:
        log(f"skipped malformed record: {p}")
    if len(problems) > 5:
        log(f"... and {len(problems) - 5} more malformed records (all listed in the dataset manifest)")
    splits, info = SPLITTERS[cfg.task](cfg, records)
    version = _version(splits, cfg, code)
    final = out_root / version
    if not final.exists():
        remove_stale_temps(out_root)  # leftovers of killed builds
        tmp = temp_dir(final)
        try:
            ds = DatasetDict({name: Dataset.from_list(
                [{**r, "meta": json.dumps(r["meta"], ensure_ascii=False)} for r in rows]) for name, rows in splits.items()})
            ds.save_to_disk(str(tmp / "dataset"))
            counts = {name: {"documents": len(rows), **Counter(lab for r in rows for lab in r["labels"] or ["other"])} for name, rows in splits.items()}
            manifest = {
                "version": version, "task": cfg.task, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": round(time.time() - started, 2), "config": cfg.model_dump(),
                "inputs": inputs, "labeling_code_sha256": code, "counts": counts,
                "malformed_records": problems, **info}
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
            try:
                os.replace(tmp, final)
            except OSError:
                if not (final / "manifest.json").exists():  # else a concurrent build of the same version won
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    index[key] = version
    write_atomic(index_path, json.dumps(index, indent=1))
    log(f"dataset {version} built in {time.time() - started:.1f}s: "
        + ", ".join(f"{n} {len(r)}" for n, r in splits.items())
        + (f"; {info['duplicates_removed']} duplicates removed" if "duplicates_removed" in info else "")
        + (f"; {len(problems)} malformed records reported" if problems else ""))
    return final


def load_dataset_dir(path: Path):
    """The DatasetDict and manifest of a built dataset."""
    from datasets import load_from_disk

    return load_from_disk(str(path / "dataset")), json.loads((path / "manifest.json").read_text())
