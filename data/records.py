"""What every corpus loader shares: the record shape, problems, dates and archive reading."""
from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from data.text import normalize
from wirecat.readers import Rejected


class CorpusError(RuntimeError):
    """A source cannot be read at all: missing, corrupt or failing its checksum."""


@dataclass
class Loaded:
    records: list[dict] = field(default_factory=list)
    problems: list[Rejected] = field(default_factory=list)



def record(source: str, key: str, title: str, text: str, date: str | None, **meta) -> dict:
    return {"id": f"{source}:{key}", "source": source, "title": normalize(title),
            "text": normalize(text), "date": date, "meta": meta}


def parse_date(value: str, formats: tuple[str, ...]) -> str | None:
    value = value.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def csv_rows(path: Path, expected_header: list[str]):
    """Yield (line number, row) for a CSV file whose header must match; wrong widths are problems."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != expected_header:
            raise CorpusError(f"{path}:1: header {header} is not {expected_header}")
        for row in reader:
            yield reader.line_num, row



def zip_members(path: Path, pattern: str):
    """(match, 'archive!member', text) for each member whose name matches, in name order; a corrupt or
    unreadable archive stops with its path."""
    member = re.compile(pattern)
    try:
        zf = zipfile.ZipFile(path)
        bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorpusError(f"{path}: unreadable zip archive ({exc})") from exc
    if bad:
        raise CorpusError(f"{path}: corrupt member {bad}")
    with zf:
        for name in sorted(zf.namelist()):
            m = member.match(name)
            if m:
                data = zf.read(name)
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = data.decode("latin-1")  # a few BBC files are Latin-1
                yield m, f"{path}!{name}", text


def capped_ids(items, cap: int, always: set[str] = frozenset()) -> set[str]:
    """Of (id, outlet) pairs, the ids kept with at most ``cap`` per outlet (a stable hash of the id
    decides which); ids in ``always`` are always kept (and ranked first)."""
    from wirecat.files import sha256_bytes

    by_outlet: dict[str, list[str]] = {}
    for rid, outlet in items:
        by_outlet.setdefault(outlet, []).append(rid)
    keep = set()
    for ids in by_outlet.values():
        ranked = sorted(ids, key=lambda i: (i not in always, sha256_bytes(i.encode())))
        keep |= set(ranked[:cap]) | {i for i in ids if i in always}
    return keep
