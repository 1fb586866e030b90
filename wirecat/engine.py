"""The local engine behind `wirecat classify`: streaming, parallel, order-preserving.

Records are read, classified and written in chunks, so memory stays bounded whatever the input
size; chunks go to worker processes (joblib/loky), each of which loads the model once, and come back
in input order. Output and error files are written under temporary names and renamed at the end.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterator

from wirecat.model import Model
from wirecat.readers import Article, Rejected
from wirecat.writers import Outputs

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED, EXIT_ABORTED = 0, 1, 2, 3, 4  # documented in the README

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

    @property
    def exit_code(self) -> int:
        return EXIT_ABORTED if self.aborted else EXIT_REJECTED if self.rejected else EXIT_OK

    def line(self) -> str:
        return (f"read {self.read}, classified {self.classified}, rejected {self.rejected}, "
                f"{self.seconds:.1f} s, {self.rate:,.0f} articles/s" + (" (aborted: --max-errors reached)" if self.aborted else ""))


def _chunks(records: Iterator[Article | Rejected], size: int) -> Iterator[list[Article | Rejected]]:
    while chunk := list(islice(records, size)):
        yield chunk


def classify_stream(records: Iterator[Article | Rejected], model: Model, writer, errors,
                    jobs: int = 1, chunk_size: int = 2000, max_errors: int | None = None, explain: int = 0,
                    on_progress=None) -> Summary:
    """Classify records chunk by chunk (in parallel when jobs > 1), writing rows in input order to
    ``writer`` and rejected records to ``errors`` (a text stream). Returns the counts."""
    from joblib import Parallel, delayed

    from wirecat import registry

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


def classify_to(output: Path | None, records: Iterator[Article | Rejected], model: Model, **options) -> Summary:
    """:func:`classify_stream` into ``output`` (and its errors file): both appear under their final
    names only when the run ends; an aborted run keeps the errors only, a failed one neither."""
    outputs = Outputs(output, model.labels)
    try:
        summary = classify_stream(records, model, outputs.rows, outputs.errors, **options)
    except BaseException:
        outputs.discard()  # failed or interrupted: nothing under the final names
        raise
    outputs.commit(rows=not summary.aborted)
    return summary
