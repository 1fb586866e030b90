"""`make bench`: wirecat next to fastText and Vowpal Wabbit, measured in one run on the same data,
split and cores; results to bench/results/<date>.json and .md.

Timings are medians of REPEATS runs, each in a fresh process; comparisons are ratios within this run.
Set BENCH_QUICK=1 for one repeat, no 1,000,000-article classification, and scaling to 4x.
"""
from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.workload import classify_run, peak_rss_of
from wirecat.files import write_atomic

RESULTS = Path(__file__).resolve().parent / "results"
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEATS = 1 if QUICK else 3
SYSTEMS = ("wirecat", "wirecat-fast", "fasttext", "vw")
PEERS = ("fasttext", "vw")


def one(task: str, system: str, fold: int | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.systems", task, system] + (["--fold", str(fold)] if fold is not None else [])
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(task: str, system: str) -> dict:
    runs = [one(task, system) for _ in range(REPEATS)]
    row = dict(runs[0])
    for key in ("fit_s", "predict_articles_per_s", "peak_rss_mb"):
        row[key] = statistics.median(r[key] for r in runs)
    row["repeats"] = len(runs)
    return row


def cross_validation(system: str) -> dict:
    folds = [one("agnews", system, k) for k in range(5)]
    return {"system": system, "accuracy_mean": statistics.mean(f["accuracy"] for f in folds),
            "accuracy_sd": statistics.stdev(f["accuracy"] for f in folds),
            "macro_f1_mean": statistics.mean(f["macro_f1"] for f in folds)}


def scaling() -> dict:
    """wirecat's fit time and memory at 1x, 2x, 4x, 8x the default corpus; the growth exponent is the
    slope of log(time) over log(size)."""
    rows = []
    for factor in ((1, 2, 4) if QUICK else (1, 2, 4, 8)):
        seconds, peak, out = peak_rss_of([sys.executable, "-m", "bench.scaling", str(factor)])
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode()[-3000:])
        rows.append({"factor": factor, **json.loads(out.stdout.decode().strip().splitlines()[-1]), "peak_rss_mb": round(peak / 2**20)})
    return {"rows": rows, "fit_time_exponent": round(growth_exponent(rows, "fit_s"), 2),
            "memory_exponent": round(growth_exponent(rows, "peak_rss_mb"), 2)}


def growth_exponent(rows: list[dict], key: str) -> float:
    """The slope of log(key) over log(documents): 1.0 = linear growth."""
    return statistics.linear_regression([math.log(r["documents"]) for r in rows], [math.log(r[key]) for r in rows]).slope


def add_speed_ratios(rows: list[dict], speed_key: str, group_key: str | None = None) -> None:
    """Set each row's speed_vs_fasttext: its speed over fastText's row's in the same group (rows with
    the same ``group_key`` value; one group when None)."""
    fasttext = {r.get(group_key): r[speed_key] for r in rows if r.get("system") == "fasttext"}
    for row in rows:
        row["speed_vs_fasttext"] = round(row[speed_key] / fasttext[row.get(group_key)], 2)


def peers_at_scale(n: int, jobs: int) -> list[dict]:
    """fastText and VW prediction on the same n articles as `wirecat classify`, with as many processes."""
    rows = []
    for system in PEERS:
        seconds, peak, out = peak_rss_of([sys.executable, "-m", "bench.scale_peer", system, str(n), str(jobs)])
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode()[-3000:])
        rows.append({"system": system, **json.loads(out.stdout.decode().strip().splitlines()[-1]), "peak_rss_mb": round(peak / 2**20)})
    return rows


def at_scale() -> tuple[list[dict], list[dict]]:
    """`wirecat classify` (default and fast models) and the peers on the same articles, 1 and 2 cores."""
    from train.config import load_config
    from train.job import train

    models = {}
    for config in ("default", "fast"):  # registered here if missing (a rerun finds the same version)
        name, version, _ = train(load_config(f"configs/{config}.yaml"), log=lambda m: None)
        models[config] = f"{name}@{version}"
    runs = [(200_000, 1), (200_000, 2)] + ([] if QUICK else [(1_000_000, 2)])
    ours = [{"model": config, **classify_run(n, jobs, spec)} for n, jobs in runs for config, spec in models.items()]
    peers = [row for jobs in (1, 2) for row in peers_at_scale(200_000, jobs)]
    add_speed_ratios(ours + peers, "articles_per_s", "jobs")
    return ours, peers


def markdown(r: dict) -> str:
    def table(rows, cols):
        out = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
        for row in rows:
            out.append("| " + " | ".join(fmt(k, row.get(k)) for _, k in cols) + " |")
        return "\n".join(out)

    def fmt(key, v):
        if v is None:
            return "-"
        if isinstance(v, float) and ("f1" in key or "accuracy" in key or key.endswith("_sd")):
            return f"{v:.4f}"  # scores
        if isinstance(v, float):
            return f"{v:,.2f}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    lines = [f"# wirecat benchmark, {r['date']}", "", f"Machine: {r['machine']}. Timings: median of {r['repeats']} runs; "
             "prediction speed on one core, on the same articles for every system; ratios are within this run.", "",
             "wirecat: the task's shipped config (configs/agnews.yaml, configs/reuters.yaml, configs/default.yaml for "
             "topics). wirecat-fast: the same with the fast features of configs/fast.yaml (single words cut by "
             "str.split, no character n-grams, no pattern features). Peer settings: bench/systems.py.", ""]
    for task, cols in (("agnews", [("accuracy", "accuracy"), ("macro-F1", "macro_f1")]),
                       ("reuters", [("micro-F1", "micro_f1"), ("macro-F1", "macro_f1")]),
                       ("topics", [("micro-F1", "micro_f1"), ("diplomatic_warning F1", "f1_diplomatic_warning"),
                                   ("arrest F1", "f1_arrest"), ("consular F1", "f1_consular")])):
        rows = [x for x in r["tasks"] if x["task"] == task]
        if not rows:
            continue
        lines += [f"## {task}", "", table(rows, [("system", "system")] + cols + [
            ("fit s", "fit_s"), ("articles/s", "predict_articles_per_s"), ("speed vs fastText", "speed_vs_fasttext"),
            ("model bytes", "model_bytes"), ("peak RSS MB", "peak_rss_mb")]), ""]
    if r.get("agnews_cv"):
        lines += ["## AG News, 5-fold cross-validation", "", table(r["agnews_cv"], [
            ("system", "system"), ("accuracy mean", "accuracy_mean"), ("sd", "accuracy_sd"), ("macro-F1 mean", "macro_f1_mean")]), ""]
    lines += ["Published: Reuters-21578 linear SVM micro-F1 0.860 / macro-F1 0.525 (Yang & Liu 1999); AG News n-gram "
              "TF-IDF + LR 92.36 % with 120,000 training articles (Zhang, Zhao & LeCun 2015) - here 6,080.", ""]
    if r.get("classify"):
        cols = [("articles", "articles"), ("processes", "jobs"), ("seconds", "seconds"), ("articles/s", "articles_per_s"),
                ("vs fastText, same processes", "speed_vs_fasttext"), ("peak RSS MB", "peak_rss_mb")]
        lines += ["## Batch classification (`wirecat classify`, mirrored corpora repeated)", "",
                  "Files in, files out: reading JSONL, classifying, writing JSONL. The peers predict the same "
                  "articles read from the same file (no output written), forked into as many processes.", "",
                  table(r["classify"], [("model", "model")] + cols), "",
                  table(r.get("peers_at_scale", []), [("peer", "system")] + cols), ""]
    if r.get("scaling"):
        s = r["scaling"]
        lines += ["## Scaling (wirecat fit, default config)", "", table(s["rows"], [
            ("corpus", "factor"), ("documents", "documents"), ("fit s", "fit_s"), ("peak RSS MB", "peak_rss_mb")]), "",
            f"Growth exponent: fit time {s['fit_time_exponent']}, memory {s['memory_exponent']} (1.0 = linear).", ""]
    return "\n".join(lines)


def _save(result: dict) -> None:
    """Write the results so far (atomically): a late failure keeps what was measured."""
    write_atomic(RESULTS / f"{result['date']}.json", json.dumps(result, indent=1))


def main() -> None:
    started = time.time()
    result = {"date": time.strftime("%Y-%m-%d"), "repeats": REPEATS,
              "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}", "tasks": []}
    for task in ("agnews", "reuters", "topics"):
        rows = [median_of(task, s) for s in SYSTEMS]
        add_speed_ratios(rows, "predict_articles_per_s")
        result["tasks"] += rows
        _save(result)
        print(f"{task}: done ({time.time() - started:.0f}s)", file=sys.stderr)
    result["agnews_cv"] = [cross_validation(s) for s in SYSTEMS]
    _save(result)
    print(f"agnews cross-validation: done ({time.time() - started:.0f}s)", file=sys.stderr)
    result["classify"], result["peers_at_scale"] = at_scale()
    _save(result)
    print(f"classification at scale: done ({time.time() - started:.0f}s)", file=sys.stderr)
    result["scaling"] = scaling()
    result["seconds"] = round(time.time() - started)
    _save(result)
    (RESULTS / f"{result['date']}.md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":  # re-render a stored result
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
    else:
        main()
