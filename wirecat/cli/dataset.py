"""`wirecat data`: build the dataset and analyse the labeling functions."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from wirecat.cli.common import ConfigOption, ModelOption, SetOption, fail
from wirecat.cli.training import config_or_fail, require_training_code

app = typer.Typer(help="Build the dataset and analyse the labeling functions.", no_args_is_help=True)


def _log(message: str) -> None:
    typer.echo(message, err=True)


@app.command("build")
def data_build(config: ConfigOption = None, set_: SetOption = None,
               force: Annotated[bool, typer.Option(help="Rebuild even when the cache matches.")] = False):
    """Sources -> normalize -> dedup -> weak labels -> versioned DatasetDict under data/processed/."""
    cfg = config_or_fail(config, set_)
    from data.build import build
    from data.sources import CorpusError

    try:
        path = build(cfg.data, force=force, log=_log)
    except (CorpusError, ValueError) as exc:  # a corpus file, the gold file
        fail(str(exc))
    typer.echo(str(path))


@app.command("lf-report")
def lf_report(config: ConfigOption = None, set_: SetOption = None):
    """Per labeling function: coverage, overlaps, conflicts, precision and recall on gold dev;
    then the weak labels' per-label precision, recall and F1 (majority and weighted vote)."""
    cfg = config_or_fail(config, set_)
    from rich.console import Console
    from rich.table import Table

    from data.build import build, load_dataset_dir
    from data.lf_report import analyse

    if cfg.data.task != "topics":
        fail("lf-report needs data.task: topics")
    ds, _ = load_dataset_dir(build(cfg.data, log=_log))
    a = analyse(list(ds["train"]), list(ds["dev"]))
    console = Console(width=max(Console().width, 140))  # LF names stay readable when piped
    t = Table(title=f"Labeling functions (coverage etc. on {len(ds['train']) + len(ds['dev'])} articles; "
                    f"precision/recall on {a['dev_size']} gold dev articles)")
    for col in ("LF", "label", "vote", "coverage", "overlaps", "conflicts", "fired on dev", "precision", "recall", "weight"):
        t.add_column(col, justify="left" if col in ("LF", "label") else "right")
    fmt = lambda v: "-" if v != v else f"{v:.3f}"  # noqa: E731  (NaN when an LF never fired on dev)
    for r in a["lfs"]:
        t.add_row(r["lf"], r["label"], r["vote"], f"{r['coverage']:.2%}", f"{r['overlaps']:.2%}", f"{r['conflicts']:.2%}",
                  str(r["dev_fired"]), fmt(r["precision"]), fmt(r["recall"]), f"{a['weights'][r['lf']]:.2f}")
    console.print(t)
    for method in ("majority", "weighted"):
        w = Table(title=f"Weak labels ({method} vote) on gold dev")
        for col in ("label", "precision", "recall", "F1", "support"):
            w.add_column(col, justify="right")
        for r in a[method]:
            w.add_row(r["label"], f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", str(r["support"]))
        console.print(w)


@app.command("suggest")
def data_suggest(n: Annotated[int, typer.Argument(min=1, help="How many articles to suggest.")],
                 model: ModelOption = None,
                 per_outlet: Annotated[int, typer.Option(min=1, help="Articles scored per outlet (the pool).")] = 60,
                 strategy: Annotated[Literal["uncertain", "keyword"], typer.Option(
                     help="uncertain: the model's least sure and its disagreements with the labeling functions; "
                          "keyword: candidates of the unseen test's broad keyword patterns (rich in positives).")] = "uncertain",
                 label: Annotated[Optional[list[str]], typer.Option(
                     help="Pick for this label only; repeat to add labels, list one twice for twice its share.")] = None,
                 out: Annotated[Optional[Path], typer.Option(help="Output folder (default: data/processed/suggest).")] = None):
    """Active learning: the AllSides articles (never of a held-out outlet, never gold) that the model is
    least sure of or on which it and the labeling functions disagree, a third per label, spread
    across outlets (``--label`` sets the shares). Writes the picks (JSONL) and Label Studio tasks (JSON) for annotation."""
    require_training_code()
    import json
    import random
    import time

    from data.build import PROCESSED, unseen_outlet
    from data.gold import UNSEEN_FILE, load_gold
    from data.labeling import LABELS, aggregate, apply_lfs
    from data.sources import CorpusError, load_source
    from data.suggest import keyword_picks, label_studio_tasks, suggest
    from wirecat import Model, registry
    from wirecat.files import write_atomic

    unknown = sorted(set(label or []) - set(LABELS))
    if unknown:
        fail(f"--label: unknown label {unknown[0]!r} (labels: {', '.join(LABELS)})")
    try:
        m = Model.load(model) if strategy == "uncertain" else None
        records = load_source("allsides").records
    except (registry.RegistryError, CorpusError) as exc:
        fail(str(exc))
    gold = set(load_gold()) | set(load_gold(UNSEEN_FILE, split="unseen"))
    by_outlet: dict[str, list] = {}
    for r in records:
        if not unseen_outlet(r) and r["id"] not in gold:
            by_outlet.setdefault(r["meta"]["outlet"], []).append(r)
    if strategy == "keyword":  # no model involved: every article of the training outlets is a candidate
        pool = [r for rs in by_outlet.values() for r in rs]
        picks = keyword_picks(pool, n, label, seed=len(gold))
    else:
        rng = random.Random(len(gold))  # a new pool each time the gold set grows
        pool = [r for rs in by_outlet.values() for r in rng.sample(rs, min(per_outlet, len(rs)))]
        _log(f"scoring {len(pool)} articles of {len(by_outlet)} outlets with {m.spec}")
        scores = m.predict_proba([{"title": r["title"], "text": r["text"]} for r in pool])
        weak = [[lab for lab, on in zip(LABELS, row) if on] for row in aggregate(apply_lfs(pool), "majority")]
        picks = suggest(pool, scores, m.thresholds, weak, n, label)
    folder = out or PROCESSED / "suggest"
    stem = folder / time.strftime("%Y%m%d-%H%M%S")
    write_atomic(stem.with_suffix(".jsonl"), "".join(json.dumps(p) + "\n" for p in picks))
    by_id = {r["id"]: r for r in pool}
    write_atomic(stem.with_suffix(".label-studio.json"), json.dumps(label_studio_tasks(picks, by_id), ensure_ascii=False))
    typer.echo(f"{len(picks)} articles from {len({p['outlet'] for p in picks})} outlets: {stem}.jsonl, "
               f"{stem}.label-studio.json")


@app.command("import-labels")
def data_import_labels(export: Annotated[Path, typer.Argument(help="Label Studio JSON export of annotated tasks.")],
                       split: Annotated[Literal["dev", "test"], typer.Option(help="Gold split for the new rows.")] = "dev"):
    """Add Label Studio annotations to the gold set (ids and labels only; the text stays in the corpus)."""
    require_training_code()
    import json

    from data.gold import ACTIVE_LEARNING_FILE
    from data.suggest import append_gold, from_label_studio

    try:
        rows = from_label_studio(json.loads(export.read_text()), str(export))
        added = append_gold(rows, ACTIVE_LEARNING_FILE, split)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    typer.echo(f"{added} gold rows added to {ACTIVE_LEARNING_FILE} ({split})")


@app.command("issues")
def data_issues(config: ConfigOption = None, set_: SetOption = None,
                out: Annotated[Optional[Path], typer.Option(help="JSONL of flagged articles (default: data/processed/).")] = None):
    """Label audit: gold dev and weak labels that out-of-fold predictions contradict with confidence
    (cleanlab's find_label_issues, multi-label), most confident first, for a person to re-read."""
    cfg = config_or_fail(config, set_)
    import json
    import time
    from collections import Counter

    from data.build import PROCESSED, build, load_dataset_dir
    from train.audit import audit
    from train.job import training_view
    from wirecat.files import write_atomic

    if cfg.data.task != "topics":
        fail("data issues needs data.task: topics")
    ds, _ = load_dataset_dir(build(cfg.data, log=_log))
    rows = audit(cfg, training_view(ds), list(cfg.data.labels), progress=_log)
    path = out or PROCESSED / f"label-issues-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    write_atomic(path, "".join(json.dumps(r) + "\n" for r in rows))
    counts = Counter(r["split"] for r in rows)
    typer.echo(f"{counts['dev']} of {len(ds['dev'])} gold dev and {counts['train']} of {len(ds['train'])} weak labels "
               f"flagged: {path}")
