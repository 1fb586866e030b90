"""Benchmark workloads built from the mirrored corpora (never committed: written under bench/work/)."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from wirecat.files import AtomicFile

WORK = Path(__file__).resolve().parent / "work"

WORKLOADS = {"mixed": ("ag_news", "reuters_isot", "bbc", "travel_advisories"),  # the default corpora
             "ag_news": ("ag_news",),  # short: headline + one or two sentences
             "allsides": ("allsides",)}  # long: full text, about 6 KB


def articles_jsonl(n: int, workload: str = "mixed") -> Path:
    """A JSONL file of n articles of a workload's corpora, repeated (ids made unique per repetition)."""
    from data.sources import load_source

    path = WORK / f"{workload}-{n}.jsonl"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    records = [r for s in WORKLOADS[workload] for r in load_source(s).records]
    with AtomicFile(path) as out:
        for i in range(n):
            r = records[i % len(records)]
            out.fh.write(json.dumps({"id": f"{r['id']}#{i // len(records)}", "title": r["title"], "text": r["text"]}) + "\n")
    return path


def peak_rss_of(cmd: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run a command; return (seconds, peak resident memory of its whole process tree in bytes, result)."""
    import psutil

    started = time.time()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            try:
                procs = [proc] + proc.children(recursive=True)
                peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    done.set()
    watcher.join()
    return time.time() - started, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def classify_run(n: int, jobs: int, model: str | None = None, workload: str = "mixed", peer: str | None = None) -> dict:
    """`wirecat classify` (or a peer, the same way: bench.peer_classify) on n articles with J processes,
    whole process: articles/s and peak memory of the process tree."""
    src = articles_jsonl(n, workload)
    out = WORK / f"out-{workload}-{n}-{jobs}.jsonl"
    if peer:
        cmd = [sys.executable, "-m", "bench.peer_classify", "classify", peer, str(src), str(out), str(jobs)]
    else:
        cmd = [sys.executable, "-m", "wirecat.cli", "classify", str(src), "-o", str(out), "--jobs", str(jobs)]
    if model and not peer:
        cmd += ["--model", model]
    seconds, peak, result = peak_rss_of(cmd)
    if result.returncode != 0:
        raise RuntimeError(f"classify failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
    lines = sum(1 for _ in open(out))
    out.unlink()
    out.with_name(out.name + ".errors.jsonl").unlink(missing_ok=True)
    return {"articles": n, "jobs": jobs, "seconds": round(seconds, 1), "articles_per_s": round(n / seconds),
            "peak_rss_mb": round(peak / 2**20), "output_rows": lines}


if __name__ == "__main__":
    n, jobs = int(sys.argv[1]), int(sys.argv[2])
    print(json.dumps(classify_run(n, jobs)))
