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
from itertools import repeat
from json.encoder import encode_basestring
from pathlib import Path
from typing import Iterator

import numpy as np

from wirecat.model import Model
from wirecat.readers import Article, JsonlLines, Rejected
from wirecat.text import document
from wirecat.writers import Outputs, jsonl_lines

EXIT_OK, EXIT_FAILED, EXIT_REJECTED, EXIT_ABORTED = 0, 1, 3, 4  # documented in the README; 2 (usage) is cli.common.fail's
EXIT_INTERRUPTED = 130  # SIGINT or SIGTERM: nothing under the final names

_WORKER_MODEL: dict[str, Model] = {}


def _key(models_dir: str, spec: str, thresholds: dict) -> str:
    return f"{models_dir}|{spec}|{sorted(thresholds.items())}"


def _worker_model(spec: str, models_dir: str, thresholds: dict) -> Model:
    """The model in this worker process: inherited from the parent, else loaded (and checksum-verified)
    once per process."""
    key = _key(models_dir, spec, thresholds)
    if key not in _WORKER_MODEL:
        os.environ["WIRECAT_MODELS_DIR"] = models_dir
        _WORKER_MODEL[key] = Model.load(spec, thresholds)
    return _WORKER_MODEL[key]


def _scores(model: Model, articles: list[Article]) -> np.ndarray:
    rep = model.manifest.get("title_repeat", 1)
    return model.scores([document(a.title, a.text, rep) for a in articles])


def rows_for(model: Model, articles: list[Article], explain: int = 0) -> list[dict]:
    """Output rows for a chunk of articles: exactly id, labels, scores, model (+ explanation if asked)."""
    if explain:  # the features once, for the scores and the explanations
        X = model.features([{"title": a.title, "text": a.text} for a in articles])
        scores = model.pipeline.named_steps["classifier"].predict_proba(X)
    else:
        scores = _scores(model, articles)
    rows, names, spec = [], model.labels, model.spec
    for i, (a, row, labels) in enumerate(zip(articles, scores.tolist(), model.decide(scores))):
        out = {"id": a.id, "labels": labels, "scores": dict(zip(names, map(round, row, repeat(6)))), "model": spec}
        if explain:
            terms = model.explain_row(X[i], explain)
            out["explanation"] = {lab: [t for t, _ in terms[lab]] for lab in labels}
        rows.append(out)
    return rows


def jsonl_for(model: Model, articles: list[Article]) -> str:
    """What ``jsonl_lines(rows_for(model, articles))`` gives, formatted straight from the scores (no
    row dicts): the JSONL output's hot path. Non-finite scores take the json module's path."""
    scores = _scores(model, articles)
    if not np.isfinite(scores).all():
        return jsonl_lines(rows_for(model, articles))
    keys = [encode_basestring(lab) + ": " for lab in model.labels]
    tail = '}, "model": ' + encode_basestring(model.spec) + "}\n"
    label_json: dict[tuple, str] = {}
    lines = []
    for a, row, labels in zip(articles, scores.tolist(), model.decide(scores)):
        labels = tuple(labels)
        if labels not in label_json:
            label_json[labels] = "[" + ", ".join(map(encode_basestring, labels)) + "]"
        lines.append('{"id": ' + encode_basestring(a.id) + ', "labels": ' + label_json[labels] + ', "scores": {'
                     + ", ".join(map(str.__add__, keys, map(repr, map(round, row, repeat(6))))) + tail)
    return "".join(lines)


@dataclass
class Done:
    """A classified unit of work: records read here (0 when the parent read them), the rejected ones
    (as error-file rows, in input order), and the rows (dicts, or already JSONL text)."""
    read: int
    rejected: list[dict]
    classified: int
    rows: list[dict] | str


def classify_unit(model: Model, unit: list[Article] | JsonlLines, explain: int = 0, as_jsonl: bool = False) -> Done:
    """Classify a chunk of articles, or parse and classify a batch of JSONL lines."""
    read, rejected = 0, []
    if isinstance(unit, JsonlLines):
        records = list(unit.records())
        read, unit = len(records), [r for r in records if not isinstance(r, Rejected)]
        rejected = [r.as_dict() for r in records if isinstance(r, Rejected)]
    if not unit:
        return Done(read, rejected, 0, "" if as_jsonl else [])
    if as_jsonl and not explain:
        return Done(read, rejected, len(unit), jsonl_for(model, unit))
    rows = rows_for(model, unit, explain)
    return Done(read, rejected, len(rows), jsonl_lines(rows) if as_jsonl else rows)


def classify_chunk(spec: str, models_dir: str, thresholds: dict, unit: list[Article] | JsonlLines, explain: int = 0,
                   as_jsonl: bool = False) -> Done:
    """classify_unit in a worker process, with the model loaded once per process; ``as_jsonl``: the rows
    come back encoded, so that the parent only writes them."""
    return classify_unit(_worker_model(spec, models_dir, thresholds), unit, explain, as_jsonl)


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


def _die_with_parent() -> None:
    """Worker initializer: the kernel kills this worker when its parent dies, even by SIGKILL (Linux);
    Ctrl-C (SIGINT to the whole process group) is the parent's to handle: it stops the workers."""
    import ctypes
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _in_workers(jobs: int, calls: Iterator[tuple], model: Model, key: str) -> Iterator[Done]:
    """classify_chunk(*call) for each call on ``jobs`` worker processes, results in order, at most
    2 x jobs chunks in flight. The workers are forked from this process once it has loaded the model
    (and compiled its patterns), so they start at once with the model in memory, shared copy-on-write.
    On any exit (done, error, interrupt) no worker outlives the run."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    model.scores(["warm-up: the scorer and its compiled patterns, inherited by the workers"])
    _WORKER_MODEL[key] = model
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_die_with_parent)
    pending: deque = deque()
    try:
        for call in calls:
            pending.append(executor.submit(classify_chunk, *call))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        raise
    finally:
        _WORKER_MODEL.pop(key, None)
    executor.shutdown(wait=True)


def classify_stream(records: Iterator[Article | Rejected], model: Model, writer, errors,
                    jobs: int = 1, chunk_size: int = 2000, max_errors: int | None = None, explain: int = 0,
                    on_progress=None) -> Summary:
    """Classify records chunk by chunk (in parallel when jobs > 1), writing rows in input order to
    ``writer`` and rejected records to ``errors`` (a text stream). Returns the counts; read =
    classified + rejected on every path, an abort by ``max_errors`` included."""
    from wirecat import registry

    summary = Summary()
    started = time.time()
    models_dir = str(registry.models_dir())
    overrides = {lab: t for lab, t in model.thresholds.items() if model.manifest["thresholds"].get(lab) != t}

    def count_rejected(rejected: dict) -> None:
        summary.rejected += 1
        errors.write(json.dumps(rejected) + "\n")  # ASCII escapes: any reason is writable
        if max_errors is not None and summary.rejected > max_errors:
            summary.aborted = True  # stop reading; what was read is still classified

    def chunks():
        good: list[Article] = []
        for rec in records:
            if isinstance(rec, JsonlLines):  # parsed by a worker: counted when it comes back
                if good:
                    yield good
                    good = []
                yield rec
            else:
                summary.read += 1
                if isinstance(rec, Rejected):
                    count_rejected(rec.as_dict())
                else:
                    good.append(rec)
                    if len(good) == chunk_size:
                        yield good
                        good = []
            if summary.aborted:  # set here or by a returned batch: read no further record
                break
        if good:
            yield good

    as_jsonl = getattr(writer, "kind", None) == "jsonl"
    if jobs == 1:
        results = (classify_unit(model, unit, explain, as_jsonl) for unit in chunks())
    else:
        results = _in_workers(jobs, ((model.spec, models_dir, overrides, unit, explain, as_jsonl) for unit in chunks()), model,
                              _key(models_dir, model.spec, overrides))
    for done in results:
        summary.read += done.read
        for rejected in done.rejected:
            count_rejected(rejected)
        writer.write_text(done.rows) if isinstance(done.rows, str) else writer.write(done.rows)
        summary.classified += done.classified
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
