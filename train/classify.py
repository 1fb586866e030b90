"""Batch classification: the Python API (:class:`Model`) and the streaming, parallel engine behind
`wirecat classify`.

Records are read, classified and written in chunks, so memory stays bounded whatever the input
size; chunks go to worker processes (joblib/loky), each of which loads the model once, and come back
in input order. Output and error files are written under temporary names and renamed at the end.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from train.pipeline import document
from train.readers import Article, Rejected

EXIT_OK, EXIT_REJECTED, EXIT_ABORTED = 0, 3, 4  # documented in the README


def check_threshold_labels(thresholds: dict[str, float], labels: list[str]) -> None:
    unknown = set(thresholds) - set(labels)
    if unknown:
        raise ValueError(f"--threshold for unknown label(s) {sorted(unknown)}; labels: {labels}")


class Model:
    """A registered model, loaded after its checksum was verified.

    >>> m = Model.load("topics@production")
    >>> m.predict(["Police arrested three men at the embassy ..."])
    [['arrest', 'consular']]
    """

    def __init__(self, pipeline, manifest: dict, thresholds: dict[str, float] | None = None):
        self._pipeline, self.manifest = pipeline, manifest
        self.labels: list[str] = manifest["labels"]
        self.thresholds = {**manifest["thresholds"], **(thresholds or {})}
        self.spec = f"{manifest['name']}@{manifest['version']}"
        self._cut = np.array([self.thresholds[lab] for lab in self.labels]) if manifest["multilabel"] else None
        self._weights = None

    @classmethod
    def load(cls, spec: str | None = None, thresholds: dict[str, float] | None = None, lazy: bool = False) -> "Model":
        """Load a registered model. ``lazy``: verify the checksum and read the manifest now, unpickle the
        pipeline (verifying again) only when first used - for a parent process whose workers classify."""
        from train import registry

        if lazy:
            pipeline, manifest = None, registry.verified(spec)[2]
        else:
            pipeline, manifest = registry.load(spec)
        check_threshold_labels(thresholds or {}, manifest["labels"])
        return cls(pipeline, manifest, thresholds)

    @property
    def pipeline(self):
        if self._pipeline is None:
            from train import registry

            self._pipeline, _ = registry.load(self.spec)
        return self._pipeline

    def _docs(self, texts: Iterable) -> list[str]:
        rep = self.manifest.get("title_repeat", 1)
        return [document(t.get("title") or "", t["text"], rep) if isinstance(t, dict) else t for t in texts]

    def scores(self, texts: Iterable) -> np.ndarray:
        return self.pipeline.predict_proba(self._docs(texts))

    def predict_proba(self, texts: Iterable) -> list[dict[str, float]]:
        """Per text, label -> probability. Texts are strings or dicts with 'title' and 'text'."""
        return [dict(zip(self.labels, map(float, row))) for row in self.scores(texts)]

    def decide(self, scores: np.ndarray) -> list[list[str]]:
        if self._cut is None:  # single-label model: the most probable class
            return [[self.labels[int(k)]] for k in scores.argmax(axis=1)]
        return [[lab for lab, on in zip(self.labels, row) if on] for row in scores >= self._cut]

    def predict(self, texts: Iterable) -> list[list[str]]:
        """Per text, the list of predicted labels ([] = other)."""
        return self.decide(self.scores(texts))

    def features(self, texts: Iterable):
        """The pipeline's feature rows (CSR) for the texts: what the classifier and explain read."""
        return self.pipeline.named_steps["features"].transform(self._docs(texts)).tocsr()

    def explain(self, text, k: int = 10) -> dict[str, list[tuple[str, float]]]:
        """Per label, the k terms of this text that push its score up most (tf-idf value x weight)."""
        return self.explain_row(self.features([text]), k)

    def explain_row(self, x, k: int = 10) -> dict[str, list[tuple[str, float]]]:
        """:meth:`explain` for one row of :meth:`features`."""
        from train.evaluate import label_weights

        if self._weights is None:
            self._weights = label_weights(self.pipeline)
            if self._weights is None:
                raise ValueError(f"{self.spec}: explanations need named features (not hashing)")
        names, W = self._weights
        out = {}
        for j, lab in enumerate(self.labels[: W.shape[0]]):
            contrib = x.data * W[j, x.indices]
            order = np.argsort(-contrib)[:k]
            out[lab] = [(str(names[x.indices[i]]), round(float(contrib[i]), 4)) for i in order if contrib[i] > 0]
        return out


# ---- the streaming engine ------------------------------------------------------------------------

_WORKER_MODEL: dict[str, Model] = {}


def _worker_model(spec: str, models_dir: str, thresholds: dict) -> Model:
    """The model in this worker process, loaded (and checksum-verified) once per process."""
    key = f"{models_dir}|{spec}|{sorted(thresholds.items())}"
    if key not in _WORKER_MODEL:
        os.environ["WIRECAT_MODELS_DIR"] = models_dir
        _WORKER_MODEL[key] = Model.load(spec, thresholds)
    return _WORKER_MODEL[key]


def rows_for(model: Model, articles: list[Article], explain: int = 0) -> list[dict]:
    """Output rows for a chunk of articles: exactly id, labels, scores, model (+ explanation if asked)."""
    texts = [{"title": a.title, "text": a.text} for a in articles]
    if explain:  # the features once, for the scores and the explanations
        X = model.features(texts)
        scores = model.pipeline.named_steps["classifier"].predict_proba(X)
    else:
        scores = model.scores(texts)
    rows = []
    for i, (a, row, labels) in enumerate(zip(articles, scores, model.decide(scores))):
        out = {"id": a.id, "labels": labels, "scores": {lab: round(float(s), 6) for lab, s in zip(model.labels, row)},
               "model": model.spec}
        if explain:
            terms = model.explain_row(X[i], explain)
            out["explanation"] = {lab: [t for t, _ in terms[lab]] for lab in labels}
        rows.append(out)
    return rows


def classify_chunk(spec: str, models_dir: str, thresholds: dict, articles: list[Article], explain: int = 0) -> list[dict]:
    """rows_for in a worker process, with the model loaded once per process."""
    return rows_for(_worker_model(spec, models_dir, thresholds), articles, explain)


@dataclass
class Summary:
    read: int = 0
    classified: int = 0
    rejected: int = 0
    seconds: float = 0.0
    aborted: bool = False

    @property
    def rate(self) -> float:
        return self.classified / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"read {self.read}, classified {self.classified}, rejected {self.rejected}, "
                f"{self.seconds:.1f} s, {self.rate:,.0f} articles/s" + (" (aborted: --max-errors reached)" if self.aborted else ""))


def _chunks(records: Iterator[Article | Rejected], size: int) -> Iterator[list[Article | Rejected]]:
    while True:
        chunk = list(islice(records, size))
        if not chunk:
            return
        yield chunk


class AtomicFile:
    """A file written under a temporary name in the same directory, renamed on commit; removed on failure."""

    def __init__(self, path: Path, mode: str = "w"):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
        self.fh = open(self.tmp, mode, encoding=None if "b" in mode else "utf-8")

    def commit(self) -> None:
        self.fh.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.fh.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


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


def classify_stream(records: Iterator[Article | Rejected], model: Model, writer: RowWriter, errors,
                    jobs: int = 1, chunk_size: int = 2000, max_errors: int | None = None, explain: int = 0,
                    on_progress=None) -> Summary:
    """Classify records chunk by chunk (in parallel when jobs > 1), writing rows in input order and
    rejected records to ``errors`` (a text stream). Returns the counts."""
    from joblib import Parallel, delayed

    from train import registry

    summary = Summary()
    started = time.time()
    models_dir = str(registry.models_dir())
    overrides = {lab: t for lab, t in model.thresholds.items() if model.manifest["thresholds"].get(lab) != t}

    def articles_of(chunks):
        for chunk in chunks:
            good = []
            for rec in chunk:
                summary.read += 1
                if isinstance(rec, Rejected):
                    summary.rejected += 1
                    errors.write(json.dumps(rec.as_dict(), ensure_ascii=False) + "\n")
                else:
                    good.append(rec)
            if max_errors is not None and summary.rejected > max_errors:
                summary.aborted = True
                return
            if good:
                yield good

    chunks = articles_of(_chunks(records, chunk_size))
    if jobs == 1:
        results = (rows_for(model, arts, explain) for arts in chunks)
    else:
        work = (delayed(classify_chunk)(model.spec, models_dir, overrides, arts, explain) for arts in chunks)
        results = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs", batch_size=1)(work)
    for rows in results:
        writer.write(rows)
        summary.classified += len(rows)
        if on_progress:
            on_progress(summary)
    summary.seconds = time.time() - started
    return summary
