"""Output of classification: rows as JSONL, CSV or Parquet (by extension) or JSONL on standard
output, and the rejected records beside them; both written atomically, committed or discarded together."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from wirecat.files import AtomicFile


def errors_path(output: Path) -> Path:
    return output.with_name(output.name + ".errors.jsonl")


class RowWriter:
    """Writes output rows as JSONL, CSV or Parquet (by extension), or JSONL to standard output."""

    def __init__(self, path: Path | None, labels: list[str]):
        self.path, self.labels = path, labels
        self.kind = "jsonl" if path is None else {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(path.suffix, "jsonl")
        self.file = None if path is None else AtomicFile(path, "wb" if self.kind == "parquet" else "w")
        self._parquet = None
        if self.kind == "csv":
            import csv
            self._csv = csv.writer(self.file.fh)
            self._csv.writerow(["id", "labels", "scores", "model"])

    def write(self, rows: list[dict]) -> None:
        if self.kind == "jsonl":
            out = self.file.fh if self.file else sys.stdout
            out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        elif self.kind == "csv":
            for r in rows:
                self._csv.writerow([r["id"], json.dumps(r["labels"]), json.dumps(r["scores"]), r["model"]])
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist(rows, schema=self._schema(pa))
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.file.fh, table.schema)
            self._parquet.write_table(table)

    def _schema(self, pa):
        return pa.schema([("id", pa.string()), ("labels", pa.list_(pa.string())),
                          ("scores", pa.struct([(lab, pa.float64()) for lab in self.labels])), ("model", pa.string())])

    def commit(self) -> None:
        if self.kind == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self._parquet is None:  # no rows: still a valid, empty Parquet file
                self._parquet = pq.ParquetWriter(self.file.fh, self._schema(pa))
            self._parquet.close()
        if self.file:
            self.file.commit()
        else:
            sys.stdout.flush()

    def discard(self) -> None:
        if self.file:
            self.file.discard()


class Outputs:
    """The rows and the rejected records of one run. Without an output path, rows go to standard
    output and rejected records to standard error."""

    def __init__(self, output: Path | None, labels: list[str]):
        self.rows = RowWriter(output, labels)
        self._errors = AtomicFile(errors_path(output)) if output else None
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
