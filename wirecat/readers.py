"""Article readers: JSONL (file or stdin), CSV, Parquet, a directory of .txt files. One stack, used
by `wirecat classify` and by the dataset build for a user's own corpus.

Each reader yields, in input order, either an :class:`Article` or a :class:`Rejected` record with its
position and the reason, so that read = classified + rejected always holds.
"""
from __future__ import annotations

import csv
import io
import json
import json.scanner
import sys
from collections import deque
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterator

# the record types live in wirecat.records; importers of wirecat.readers find them here too
from wirecat.records import MAX_ARTICLE_BYTES, Article, Fields, Rejected, check_row, has_surrogates, not_utf8  # noqa: F401

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

_scan_json = json.scanner.make_scanner(json.JSONDecoder())


def _json_object(line: str):
    """``json.loads(line)``, without its whitespace regexes when the value starts the line (the usual
    case); anything unusual, and every error message, goes through json.loads itself."""
    try:
        value, end = _scan_json(line, 0)
    except StopIteration:
        return json.loads(line)
    if end != len(line) and line[end:].strip(" \t\n\r"):  # JSON whitespace only
        return json.loads(line)  # raises "Extra data"
    return value


def read_jsonl(stream, where: str, fields: Fields, max_bytes: int, id_prefix: str = "",
               keep_meta: bool = False, start: int = 1) -> Iterator[Article | Rejected]:
    """Records of JSONL lines; ``start``: the first line's number (for a batch from the middle of a file)."""
    for line_no, raw in enumerate(stream, start=start):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark is no part of the record
            raw = raw[3:]
        if not raw or raw.isspace():
            yield Rejected(where, line_no, "empty line")
            continue
        if len(raw) > max_bytes * 2:  # reject before parsing: JSON escapes can at most double the size
            yield Rejected(where, line_no, f"line of {len(raw):,} bytes exceeds the limit of {max_bytes:,}")
            continue
        try:
            row = _json_object(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Rejected(where, line_no, not_utf8(exc))
            continue
        except ValueError as exc:
            yield Rejected(where, line_no, f"invalid JSON ({exc})")
            continue
        except RecursionError:
            yield Rejected(where, line_no, "invalid JSON (nested too deeply)")
            continue
        if not isinstance(row, dict):
            yield Rejected(where, line_no, f"JSON {type(row).__name__}, not an object")
            continue
        yield check_row(row, fields, line_no, where, max_bytes, f"{id_prefix}{line_no}", keep_meta)


@dataclass
class JsonlLines:
    """A batch of unparsed JSONL lines, so that a worker process parses them (with ``--jobs`` > 1 the
    parent then only reads lines and writes results); ``records()`` gives what read_jsonl gives."""
    where: str
    first_line: int
    lines: list[bytes]
    fields: Fields
    max_bytes: int
    id_prefix: str

    def records(self) -> Iterator[Article | Rejected]:
        return read_jsonl(self.lines, self.where, self.fields, self.max_bytes, self.id_prefix, start=self.first_line)


def jsonl_batches(stream, where: str, fields: Fields, max_bytes: int, id_prefix: str, size: int) -> Iterator[JsonlLines]:
    line = 1
    while lines := list(islice(stream, size)):
        yield JsonlLines(where, line, lines, fields, max_bytes, id_prefix)
        line += len(lines)


MAX_RECORD_LINES = 1000  # a quoted CSV field open for longer than this is malformed


def _csv_records(fh, max_bytes: int) -> Iterator[tuple[int, str | None]]:
    """(first line, record text) per CSV record, or (first line, None) for a record whose quoted field
    stays open past MAX_RECORD_LINES lines, ``max_bytes`` bytes or the end of the file; reading then
    resumes on the line after that record's first, so one bad quote costs one record."""
    lines = enumerate(fh, start=1)
    pending: deque = deque()  # lines read ahead for a record that turned out malformed
    while (first := (pending.popleft() if pending else next(lines, None))) is not None:
        taken, quotes, size = [first], first[1].count('"'), len(first[1])
        while quotes % 2 and len(taken) <= MAX_RECORD_LINES and size <= max_bytes:
            line = pending.popleft() if pending else next(lines, None)
            if line is None:
                break
            taken.append(line)
            quotes, size = quotes + line[1].count('"'), size + len(line[1])
        if quotes % 2:
            pending.extendleft(reversed(taken[1:]))
            yield first[0], None
        else:
            yield first[0], "".join(text for _, text in taken)


def read_csv(path: Path, fields: Fields, max_bytes: int, id_prefix: str = "",
             keep_meta: bool = False) -> Iterator[Article | Rejected]:
    csv.field_size_limit(sys.maxsize)  # big fields are read, then rejected by size with a clear reason
    where = str(path)
    # utf-8-sig: a byte-order mark is dropped; bytes that are not UTF-8 reject their row, not the file
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as fh:
        records = _csv_records(fh, max_bytes)
        first = next(records, None)
        if first is None or first[1] is None:
            return
        header = next(csv.reader([first[1]]), [])
        if fields.text not in header:
            raise ValueError(f"{path}:1: no column {fields.text!r} in header {header} (use --text-field)")
        for line, text in records:
            if text is None:
                yield Rejected(where, line, f"unterminated quoted field (open past {MAX_RECORD_LINES} lines, "
                                            f"{max_bytes:,} bytes or the end of the file)")
                continue
            for row in csv.reader(io.StringIO(text)):
                if len(row) != len(header):
                    yield Rejected(where, line, f"expected {len(header)} fields, got {len(row)}")
                    continue
                record = dict(zip(header, row))
                bad = next((k for k, v in record.items() if has_surrogates(v)), None)
                if bad is not None:
                    yield Rejected(where, line, f"not UTF-8 (field {bad!r})")
                    continue
                yield check_row(record, fields, line, where, max_bytes, f"{id_prefix}{line}", keep_meta)


def read_parquet(path: Path, fields: Fields, max_bytes: int, id_prefix: str = "", keep_meta: bool = False,
                 batch_size: int = 4096) -> Iterator[Article | Rejected]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise ValueError(f"{path}: unreadable Parquet file ({exc})") from None
    if fields.text not in pf.schema_arrow.names:
        raise ValueError(f"{path}: no column {fields.text!r} in {pf.schema_arrow.names} (use --text-field)")
    position = 0
    for group in range(pf.num_row_groups):
        rows = pf.metadata.row_group(group).num_rows
        done = 0
        try:
            for batch in pf.iter_batches(batch_size=batch_size, row_groups=[group]):
                for row in batch.to_pylist():
                    done += 1
                    yield check_row(row, fields, position + done, str(path), max_bytes, f"{id_prefix}{position + done}",
                                    keep_meta)
        except Exception as exc:  # noqa: BLE001  (a corrupt page: pyarrow raises several types)
            for k in range(done + 1, rows + 1):  # every row it holds is reported, the next group is read
                yield Rejected(str(path), position + k, f"unreadable Parquet row group {group} ({type(exc).__name__}: {exc})")
        position += rows


def read_txt_dir(path: Path, max_bytes: int) -> Iterator[Article | Rejected]:
    """Each .txt file is an article: first line the title, the rest the text; the id is the file name."""
    try:
        files = sorted(path.rglob("*.txt"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot list the directory ({exc.strerror or exc})") from None
    for n, file in enumerate(files, start=1):
        where = str(file)
        try:
            if not file.is_file():
                raise IsADirectoryError(0, "not a regular file")
            title, _, text = file.read_bytes().decode("utf-8").partition("\n")
        except OSError as exc:  # a directory named x.txt, a symlink loop, no permission
            yield Rejected(where, n, f"unreadable ({exc.strerror or exc})")
        except UnicodeDecodeError as exc:
            yield Rejected(where, n, not_utf8(exc))
        else:
            yield check_row({"id": str(file.relative_to(path)), "title": title.strip(), "text": text}, Fields(), n,
                            where, max_bytes, f"{where}:{n}")


def read_file(path: Path, fmt: str, fields: Fields, max_bytes: int = MAX_ARTICLE_BYTES, id_prefix: str = "",
              keep_meta: bool = False, batch_lines: int = 0) -> Iterator[Article | Rejected | JsonlLines]:
    """One JSONL, CSV or Parquet file (``fmt``: jsonl, csv, parquet); ``batch_lines`` > 0: JSONL comes
    as unparsed batches of that many lines."""
    if fmt == "jsonl":
        with open(path, "rb") as fh:
            if batch_lines:
                yield from jsonl_batches(fh, str(path), fields, max_bytes, id_prefix, batch_lines)
            else:
                yield from read_jsonl(fh, str(path), fields, max_bytes, id_prefix, keep_meta)
    elif fmt == "csv":
        yield from read_csv(path, fields, max_bytes, id_prefix, keep_meta)
    else:
        yield from read_parquet(path, fields, max_bytes, id_prefix, keep_meta)


def read_inputs(inputs: list[str], fields: Fields, max_bytes: int = MAX_ARTICLE_BYTES,
                batch_lines: int = 0) -> Iterator[Article | Rejected | JsonlLines]:
    """All inputs in order. '-' is standard input (JSONL). A record without an id gets
    'INPUT:POSITION' (e.g. 'in.jsonl:3', '<stdin>:3'): never a bare number that a real id could be.
    ``batch_lines`` > 0: JSONL inputs come as unparsed batches (JsonlLines) for worker processes."""
    for name in inputs:
        if name == "-":
            if sys.stdin is None or sys.stdin.closed:
                raise ValueError("-: standard input is closed")
            if batch_lines:
                yield from jsonl_batches(sys.stdin.buffer, "<stdin>", fields, max_bytes, "<stdin>:", batch_lines)
            else:
                yield from read_jsonl(sys.stdin.buffer, "<stdin>", fields, max_bytes, "<stdin>:")
            continue
        prefix = f"{name}:"
        path = Path(name)
        if path.is_dir():
            yield from read_txt_dir(path, max_bytes)
        elif not path.exists():
            raise FileNotFoundError(f"{path}: no such file or directory")
        elif path.suffix in FORMATS:
            yield from read_file(path, FORMATS[path.suffix], fields, max_bytes, prefix, batch_lines=batch_lines)
        else:
            raise ValueError(f"{path}: unknown input format {path.suffix!r}; use .jsonl, .csv, .parquet, "
                             "a directory of .txt files, or - for JSONL on standard input")
