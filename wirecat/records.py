"""What an article record is, and how one input row becomes one: an :class:`Article`, or a
:class:`Rejected` record naming where it was and why (shared by every reader in wirecat.readers)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_ARTICLE_BYTES = 1_000_000  # 1 MB of text: far beyond any news article; bigger inputs are rejected


@dataclass
class Fields:
    """Field names in the input."""
    id: str = "id"
    title: str = "title"
    text: str = "text"
    date: str = "date"


@dataclass
class Article:
    id: str
    title: str
    text: str
    date: str | None = None
    meta: dict = field(default_factory=dict)  # the other fields, when the reader was asked to keep them


@dataclass
class Rejected:
    input: str
    position: int | None  # line (JSONL, CSV), row (Parquet), file index (directory); None: a whole member
    reason: str

    def as_dict(self) -> dict:
        return {"input": self.input, "position": self.position, "reason": self.reason}

    def __str__(self) -> str:
        where = f"{self.input}:{self.position}" if self.position is not None else self.input
        return f"{where}: {self.reason}"


def check_row(row: dict, fields: Fields, position: int, where: str, max_bytes: int, default_id: str,
              keep_meta: bool = False) -> Article | Rejected:
    """One input row to an Article, or the reason it cannot be one."""
    text = row.get(fields.text)
    if fields.text not in row or text is None:
        return Rejected(where, position, f"missing field {fields.text!r}")
    if not isinstance(text, str):
        return Rejected(where, position, f"field {fields.text!r} is {type(text).__name__}, not a string")
    if not text or text.isspace():
        return Rejected(where, position, f"empty field {fields.text!r}")
    title = row.get(fields.title)
    if title is None:
        title = ""
    if not isinstance(title, str):
        return Rejected(where, position, f"field {fields.title!r} is {type(title).__name__}, not a string")
    try:  # ASCII (most news): the length is the size, no copy needed
        size = (len(text) if text.isascii() else len(text.encode("utf-8"))) + (
            len(title) if title.isascii() else len(title.encode("utf-8")))
    except UnicodeEncodeError as exc:  # a lone surrogate ("\ud800" is valid JSON, but no character)
        return Rejected(where, position, f"not valid Unicode (lone surrogate at character {exc.start})")
    if size > max_bytes:
        return Rejected(where, position, f"article of {size:,} bytes exceeds the limit of {max_bytes:,}")
    rid = row.get(fields.id)
    if rid is None or rid == "":
        rid = default_id
    elif not isinstance(rid, (str, int)) or isinstance(rid, bool):
        return Rejected(where, position, f"field {fields.id!r} is {type(rid).__name__}, not a string or integer")
    elif isinstance(rid, str) and has_surrogates(rid):
        return Rejected(where, position, f"field {fields.id!r} is not valid Unicode (lone surrogate)")
    if not keep_meta:
        return Article(str(rid), title, text)
    date = row.get(fields.date)
    meta = {k: v for k, v in row.items() if k not in (fields.id, fields.title, fields.text, fields.date)}
    return Article(str(rid), title, text, str(date) if date else None, json.loads(json.dumps(meta, default=str)))


def not_utf8(exc: UnicodeDecodeError) -> str:
    return f"not UTF-8 ({exc.reason} at byte {exc.start})"


def has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True
