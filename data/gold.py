"""The hand-annotated gold sets: ids and labels only (the text stays in the corpus mirror).

- ``gold/labels.jsonl`` (the drawn sample, ``data/sample_gold.py``) and ``gold/active_learning.jsonl``
  (rows added by ``wirecat data suggest`` / ``import-labels``): together the gold set, articles of the
  training corpora split into dev (trained on through cross-fitting) and test (never trained on); an
  id is in at most one of them. Each row's split is its own: the ``split`` field when the row has one
  (every row annotated before stable splits was frozen that way), else a stable hash of the article's
  id. Adding rows never moves an existing article.
- ``gold/unseen_labels.jsonl``: the unseen-outlets test (outlets and years training never reads).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from data.labeling import LABELS

GOLD_FILE = Path(__file__).resolve().parent / "gold" / "labels.jsonl"
ACTIVE_LEARNING_FILE = GOLD_FILE.with_name("active_learning.jsonl")
GOLD_FILES = (GOLD_FILE, ACTIVE_LEARNING_FILE)  # the gold set
UNSEEN_FILE = Path(__file__).resolve().parent / "gold" / "unseen_labels.jsonl"
SPLITS = ("dev", "test")


def split_of(article_id: str) -> str:
    """dev or test by a stable hash of the id alone."""
    return SPLITS[int(hashlib.sha256(article_id.encode()).hexdigest(), 16) % 2]


def load_gold(path: Path | tuple[Path, ...] | None = None, split: str | None = None) -> dict[str, dict]:
    """id -> {"labels", "split", "drawn_by", "file", "line"} from a file, or from several (default: the
    gold set, ``GOLD_FILES``) in which an id may appear once. ``split`` given: every row gets it (the
    unseen test); else each row's own or :func:`split_of`. Bad rows are refused with file and line."""
    path = GOLD_FILES if path is None else path
    if isinstance(path, tuple):
        gold: dict[str, dict] = {}
        for one in path:
            for article_id, g in load_gold(one, split).items():
                if article_id in gold:
                    raise ValueError(f"{one}:{g['line']}: duplicate id {article_id} (also {gold[article_id]['file']}:"
                                     f"{gold[article_id]['line']})")
                gold[article_id] = g
        return gold
    gold = {}
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            try:
                row = json.loads(line)
                labels, article_id = row["labels"], row["id"]
                assert isinstance(article_id, str) and isinstance(labels, list)
            except (ValueError, KeyError, TypeError, AssertionError) as exc:
                raise ValueError(f"{path}:{line_no}: not a gold row with id and labels ({exc})") from None
            unknown = set(labels) - set(LABELS)
            if unknown:
                raise ValueError(f"{path}:{line_no}: unknown label(s) {sorted(unknown)}; allowed: {list(LABELS)}")
            if article_id in gold:
                raise ValueError(f"{path}:{line_no}: duplicate id {article_id}")
            own = row.get("split")
            if own is not None and own not in SPLITS:
                raise ValueError(f"{path}:{line_no}: split {own!r} is not one of {list(SPLITS)}")
            gold[article_id] = {"labels": labels, "split": split or own or split_of(article_id),
                                "drawn_by": row.get("drawn_by"), "file": path, "line": line_no}
    return gold


def split_sha256(rows: list[dict]) -> str:
    """Identity of an evaluation split: its ids and labels, in id order."""
    digest = hashlib.sha256()
    for r in sorted(rows, key=lambda r: r["id"]):
        digest.update(json.dumps([r["id"], sorted(r["labels"])]).encode())
    return digest.hexdigest()
