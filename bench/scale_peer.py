"""A peer's prediction speed on the same N articles that `wirecat classify` reads (one core)."""
from __future__ import annotations

import json
import sys
import time

from bench.systems import SYSTEMS, task_data
from bench.workload import articles_jsonl


def main(system: str, n: int) -> None:
    X, Y, _, _, labels, multilabel, extra = task_data("topics")
    model = SYSTEMS[system]()
    model.fit("topics", X, Y, labels, multilabel, extra)
    started = time.perf_counter()
    done = 0
    batch = []
    with open(articles_jsonl(n)) as fh:
        for line in fh:
            row = json.loads(line)
            batch.append(f"{row['title']}. {row['text']}")
            if len(batch) == 2000:
                model.predict(batch)
                done += len(batch)
                batch = []
    if batch:
        model.predict(batch)
        done += len(batch)
    seconds = time.perf_counter() - started
    print(json.dumps({"articles": done, "seconds": round(seconds, 1), "articles_per_s": round(done / seconds)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
