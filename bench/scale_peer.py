"""A peer's prediction speed on the same N articles that `wirecat classify` reads, with J processes
(fork after fitting, so each process has the fitted model; process k takes every J-th chunk).

    python -m bench.scale_peer SYSTEM N [JOBS]
"""
from __future__ import annotations

import json
import multiprocessing
import sys
import time

from bench.systems import SYSTEMS, task_data
from bench.workload import articles_jsonl
from wirecat.text import document

CHUNK = 2000
_model = None  # the fitted model, inherited by the forked workers


def _predict_share(args: tuple[str, int, int]) -> int:
    path, jobs, k = args
    done, batch = 0, []
    with open(path) as fh:
        for n, line in enumerate(fh):
            if (n // CHUNK) % jobs != k:
                continue
            row = json.loads(line)
            batch.append(document(row["title"], row["text"]))  # as wirecat classify joins them
            if len(batch) == CHUNK:
                _model.predict(batch)
                done, batch = done + len(batch), []
    if batch:
        _model.predict(batch)
        done += len(batch)
    return done


def main(system: str, n: int, jobs: int = 1) -> None:
    global _model
    X, Y, _, _, labels, multilabel, extra = task_data("topics")
    _model = SYSTEMS[system]()
    _model.fit("topics", X, Y, labels, multilabel, extra)
    path = str(articles_jsonl(n))
    started = time.perf_counter()
    if jobs == 1:
        done = _predict_share((path, 1, 0))
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            done = sum(pool.map(_predict_share, [(path, jobs, k) for k in range(jobs)]))
    seconds = time.perf_counter() - started
    print(json.dumps({"articles": done, "jobs": jobs, "seconds": round(seconds, 1), "articles_per_s": round(done / seconds)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
