"""A peer as a whole process, the way `wirecat classify` runs: load a saved model, read JSONL, predict,
write JSONL ({"id", "labels"}), with J processes (process k predicts every J-th chunk).

    python -m bench.peer_classify fit SYSTEM            # train on the topics data, save under bench/work/
    python -m bench.peer_classify classify SYSTEM IN OUT [JOBS]
"""
from __future__ import annotations

import json
import multiprocessing
import sys
from itertools import islice

from bench.systems import SYSTEMS, task_data
from bench.workload import WORK
from wirecat.files import AtomicFile
from wirecat.text import document

CHUNK = 2000
_model = None  # the loaded model, inherited by forked workers


def model_path(system: str):
    return WORK / f"{system}.model"


def fit(system: str) -> None:
    X, Y, _, _, labels, multilabel, extra = task_data("topics")
    model = SYSTEMS[system]()
    model.fit("topics", X, Y, labels, multilabel, extra)
    WORK.mkdir(parents=True, exist_ok=True)
    model.save(model_path(system))
    (WORK / f"{system}.labels.json").write_text(json.dumps(labels))


def _predict(chunk: list[str]) -> list[str]:
    rows = [json.loads(line) for line in chunk]
    labels = _model.predict([document(r.get("title") or "", r.get("text") or "") for r in rows])
    return [json.dumps({"id": r.get("id"), "labels": labs}) + "\n" for r, labs in zip(rows, labels)]


def _chunks(path: str):
    with open(path, encoding="utf-8") as fh:
        while chunk := list(islice(fh, CHUNK)):
            yield chunk


def classify(system: str, src: str, out: str, jobs: int = 1) -> None:
    global _model
    _model = SYSTEMS[system].load(model_path(system), json.loads((WORK / f"{system}.labels.json").read_text()))
    with AtomicFile(out) as dst:
        if jobs == 1:
            for chunk in _chunks(src):
                dst.fh.writelines(_predict(chunk))
        else:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for lines in pool.imap(_predict, _chunks(src)):
                    dst.fh.writelines(lines)


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        fit(sys.argv[2])
    else:
        classify(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 1)
