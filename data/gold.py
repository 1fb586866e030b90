"""The hand-annotated gold set: ids and labels only (the text stays in the corpus mirror)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from data.labeling import LABELS

GOLD_FILE = Path(__file__).resolve().parent / "gold" / "labels.jsonl"


def _hash(article_id: str) -> int:
    return int(hashlib.sha256(article_id.encode()).hexdigest(), 16)


def assign_splits(gold: dict[str, dict]) -> None:
    """Split gold into dev and test, stratified by (source, label set): within each stratum, ids in
    hash order alternate between dev and test Deterministic and independent of the file's order."""
    strata: dict[tuple, list[str]] = {}
    for article_id, row in gold.items():
        strata.setdefault((article_id.split(":")[0], tuple(sorted(row["labels"]))), []).append(article_id)
    n = 0  # one running count across strata, so that odd-sized strata do not all favour dev
    for key in sorted(strata):
        for article_id in sorted(strata[key], key=_hash):
            gold[article_id]["split"] = "dev" if n % 2 == 0 else "test"
            n += 1


def load_gold(path: Path = GOLD_FILE) -> dict[str, dict]:
    """id -> {"labels": [...], "split": "dev"|"test", "drawn_by": ...}; rejects unknown labels by line."""
    gold: dict[str, dict] = {}
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            try:
                row = json.loads(line)
                labels, article_id = row["labels"], row["id"]
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{line_no}: not a gold row with id and labels ({exc})") from exc
            unknown = set(labels) - set(LABELS)
            if unknown:
                raise ValueError(f"{path}:{line_no}: unknown label(s) {sorted(unknown)}; allowed: {list(LABELS)}")
            if article_id in gold:
                raise ValueError(f"{path}:{line_no}: duplicate id {article_id}")
            gold[article_id] = {"labels": labels, "drawn_by": row.get("drawn_by")}
    assign_splits(gold)
    return gold
