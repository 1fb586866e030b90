"""Output of classification: rows as JSONL, CSV or Parquet (by extension) or JSONL on standard
output, and the rejected records beside them; both written atomically, committed or discarded together.

Outputs that would destroy an input (the same file by path, symlink or hard link) are refused before
anything is read. A symlink is followed (its target is replaced, the link stays); a FIFO or device
is written directly, never renamed over.
"""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from wirecat.files import AtomicFile, remove_stale_temps

_to_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps' work without its per-call set-up


def jsonl_lines(rows: list[dict]) -> str:
    """Rows as JSONL text, each line ``json.dumps(row, ensure_ascii=False)``. (The usual rows of a
    JSONL output are formatted straight from the scores by wirecat.engine.jsonl_for; this is the
    path for the others: explanations, non-finite scores.)"""
    return "".join(_to_json(r) + "\n" for r in rows)


class OutputError(ValueError):
    """An output path that cannot or must not be written."""


def errors_path(output: Path) -> Path:
    return output.with_name(output.name + ".errors.jsonl")


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def is_stream(path: Path) -> bool:
    """A FIFO, character device or socket: written directly, not through a temporary file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def check_output(output: Path, inputs: list[str]) -> Path:
    """The path to write ``output`` to; refuses a directory and any output or errors path that is one
    of the inputs (compared by device and inode, so symlinks and hard links count)."""
    if output.is_dir():
        raise OutputError(f"{output}: is a directory (give an output file)")
    files = [Path(i) for i in inputs if i != "-"]
    for target in (output, errors_path(output)):
        for src in files:
            if _same_file(target, src) or target.resolve() == src.resolve():
                raise OutputError(f"{target}: is the input {src}; refusing to overwrite an input")
    return output.resolve() if output.is_symlink() else output


class RowWriter:
    """Writes output rows as JSONL, CSV or Parquet (by extension), or JSONL to standard output."""

    def __init__(self, path: Path | None, labels: list[str]):
        self.path, self.labels = path, labels
        self.kind = "jsonl" if path is None else {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(path.suffix, "jsonl")
        mode = "wb" if self.kind == "parquet" else "w"
        self.file = None if path is None or is_stream(path) else AtomicFile(path, mode)
        self.fh = self.file.fh if self.file else sys.stdout if path is None else open(path, mode)
        self._parquet = None
        if self.kind == "csv":
            import csv
            self._csv = csv.writer(self.fh)
            self._csv.writerow(["id", "labels", "scores", "model"])

    def write(self, rows: list[dict]) -> None:
        if self.kind == "jsonl":
            self.fh.write(jsonl_lines(rows))
        elif self.kind == "csv":
            for r in rows:
                self._csv.writerow([r["id"], json.dumps(r["labels"]), json.dumps(r["scores"]), r["model"]])
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist(rows, schema=self._schema(pa))
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.fh, table.schema)
            self._parquet.write_table(table)

    def write_text(self, text: str) -> None:
        """Rows already encoded as JSONL (by jsonl_lines, in a worker)."""
        self.fh.write(text)

    def _schema(self, pa):
        return pa.schema([("id", pa.string()), ("labels", pa.list_(pa.string())),
                          ("scores", pa.struct([(lab, pa.float64()) for lab in self.labels])), ("model", pa.string())])

    def commit(self) -> None:
        if self.kind == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self._parquet is None:  # no rows: still a valid, empty Parquet file
                self._parquet = pq.ParquetWriter(self.fh, self._schema(pa))
            self._parquet.close()
        if self.file:
            self.file.commit()
        else:
            self.fh.flush()
            self.fh is sys.stdout or self.fh.close()

    def discard(self) -> None:
        if self.file:
            self.file.discard()
        elif self.fh is not sys.stdout:
            self.fh.close()


class Outputs:
    """The rows and the rejected records of one run. Without an output file (standard output, a FIFO,
    a device), rejected records go to standard error. Leftover temporary files of killed runs for the
    same output are removed first."""

    def __init__(self, output: Path | None, labels: list[str]):
        to_file = output is not None and not is_stream(output)
        if to_file:
            for path in (output, errors_path(output)):
                remove_stale_temps(path.parent, path.name)
        self.rows = RowWriter(output, labels)
        self._errors = AtomicFile(errors_path(output)) if to_file else None
        self.errors = self._errors.fh if self._errors else sys.stderr

    def commit(self, rows: bool = True) -> None:
        """Put the files under their final names; ``rows=False``: the errors only (an aborted run)."""
        self.rows.commit() if rows else self.rows.discard()
        if self._errors:
            self._errors.commit()

    def discard(self) -> None:
        self.rows.discard()
        if self._errors:
            self._errors.discard()
