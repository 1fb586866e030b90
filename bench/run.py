"""`make bench`: wirecat next to fastText and Vowpal Wabbit, measured in one run on the same data,
split and cores; results to bench/results/<date>.json and .md.

Timings are medians of REPEATS runs, each in a fresh process; comparisons are ratios within this run.
Set BENCH_QUICK=1 for one repeat, no 1,000,000-article classification, and scaling to 4x;
BENCH_PARTS=tasks,cv,classify,scaling (any of them) to run only some parts.
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
SYSTEMS = ("wirecat", "fasttext", "vw")
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


def add_speed_ratios(rows: list[dict], speed_key: str, group_key: str | tuple[str, ...] | None = None) -> None:
    """Set each row's speed_vs_fasttext: its speed over fastText's row's in the same group (rows with
    the same values of ``group_key``, one key or a tuple of keys; one group when None)."""
    keys = (group_key,) if isinstance(group_key, str) or group_key is None else group_key

    def group(row):
        return tuple(row.get(k) for k in keys)

    fasttext = {group(r): r[speed_key] for r in rows if r.get("system") == "fasttext"}
    for row in rows:
        row["speed_vs_fasttext"] = round(row[speed_key] / fasttext[group(row)], 2)


SCALE = {"ag_news": 200_000, "allsides": 20_000}  # short and long articles


def at_scale() -> tuple[list[dict], list[dict]]:
    """`wirecat classify` with the default model, and the peers run the same way (a whole process, JSONL
    in and out: bench.peer_classify), on short and long articles with 1 and 2 processes; each
    configuration REPEATS times, systems alternated, medians. Then 1,000,000 articles through classify."""
    from train.config import load_config
    from train.job import train

    name, version, _ = train(load_config("configs/default.yaml"), log=lambda m: None)
    spec = f"{name}@{version}"
    for peer in PEERS:
        subprocess.run([sys.executable, "-m", "bench.peer_classify", "fit", peer], check=True, capture_output=True)
    rows = []
    for workload, n in SCALE.items():
        for jobs in (1, 2):
            runs: dict[str, list[dict]] = {"wirecat": [], **{p: [] for p in PEERS}}
            for _ in range(REPEATS):
                for system, done in runs.items():
                    done.append(classify_run(n, jobs, spec, workload, None if system == "wirecat" else system))
            for system, done in runs.items():
                rows.append({"system": system, "workload": workload, **done[0],
                             **{k: statistics.median(r[k] for r in done) for k in ("seconds", "articles_per_s", "peak_rss_mb")}})
    add_speed_ratios(rows, "articles_per_s", ("workload", "jobs"))
    million = [] if QUICK else [{"system": "wirecat", "workload": "ag_news", **classify_run(1_000_000, 2, spec, "ag_news")}]
    return rows, million


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
             "topics). Peer settings: bench/systems.py.", ""]
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
        cols = [("system", "system"), ("articles", "workload"), ("n", "articles"), ("processes", "jobs"),
                ("seconds", "seconds"), ("articles/s", "articles_per_s"), ("vs fastText, same articles and processes",
                "speed_vs_fasttext"), ("peak RSS MB", "peak_rss_mb")]
        lines += ["## Batch classification: whole processes, JSONL in and out", "",
                  "`wirecat classify` with the default model; fastText and Vowpal Wabbit run the same way "
                  "(bench/peer_classify.py: load the saved model, read JSONL, predict, write JSONL, forked into as "
                  "many processes). ag_news: AG News (headline + lead, ~230 characters) repeated; allsides: AllSides "
                  "full text (~6,000 characters). Median of the repeats, systems alternated.", "",
                  table(r["classify"], cols), ""]
        if r.get("million"):
            lines += ["1,000,000 articles through `wirecat classify`:", "", table(r["million"], cols[:6] + cols[7:]), ""]
    if r.get("scaling"):
        s = r["scaling"]
        lines += ["## Scaling (wirecat fit, default config)", "", table(s["rows"], [
            ("corpus", "factor"), ("documents", "documents"), ("fit s", "fit_s"), ("peak RSS MB", "peak_rss_mb")]), "",
            f"Growth exponent: fit time {s['fit_time_exponent']}, memory {s['memory_exponent']} (1.0 = linear).", ""]
    return "\n".join(lines)


def _save(result: dict) -> None:
    """Write the results so far (atomically): a late failure keeps what was measured."""
    write_atomic(RESULTS / f"{result['date']}.json", json.dumps(result, indent=1))


PARTS = ("tasks", "cv", "classify", "scaling")


def main(parts: tuple[str, ...] = PARTS) -> None:
    """Run the parts named (BENCH_PARTS=classify,scaling runs only those), saving after each."""
    started = time.time()
    result = {"date": time.strftime("%Y-%m-%d"), "repeats": REPEATS,
              "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}", "tasks": []}

    def done(part: str) -> None:
        _save(result)
        print(f"{part}: done ({time.time() - started:.0f}s)", file=sys.stderr)

    for task in ("agnews", "reuters", "topics") if "tasks" in parts else ():
        rows = [median_of(task, s) for s in SYSTEMS]
        add_speed_ratios(rows, "predict_articles_per_s")
        result["tasks"] += rows
        done(task)
    if "cv" in parts:
        result["agnews_cv"] = [cross_validation(s) for s in SYSTEMS]
        done("agnews cross-validation")
    if "classify" in parts:
        result["classify"], result["million"] = at_scale()
        done("classification at scale")
    if "scaling" in parts:
        result["scaling"] = scaling()
        done("scaling")
    result["seconds"] = round(time.time() - started)
    _save(result)
    (RESULTS / f"{result['date']}.md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":  # re-render a stored result
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
    else:
        main(tuple(os.environ.get("BENCH_PARTS", ",".join(PARTS)).split(",")))
