"""`wirecat data`: build the dataset and analyse the labeling functions."""
from __future__ import annotations

from typing import Annotated

import typer

from wirecat.cli.common import ConfigOption, SetOption, fail
from wirecat.cli.training import config_or_fail

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
