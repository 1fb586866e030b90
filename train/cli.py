"""The `wirecat` command. Heavy libraries are imported inside the commands, so `--help` is fast."""
from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="Train and run news topic classifiers (diplomatic_warning, arrest, consular).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Build the dataset and analyse the labeling functions.", no_args_is_help=True)
models_app = typer.Typer(help="Registered model versions: list, show, promote, diff, verify.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(models_app, name="models")

DEFAULT_CONFIG = Path("configs/default.yaml")
ConfigOpt = typer.Option(None, "--config", "-c", help="YAML config (default: configs/default.yaml when present).")
SetOpt = typer.Option(None, "--set", help="Override a config key, e.g. --set classifier.C=4 (repeatable).")
ModelOpt = typer.Option(None, "--model", "-m", help="NAME@VERSION, NAME@ALIAS or ALIAS (default: production, else latest).")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _config(path: Optional[Path], overrides: Optional[List[str]]):
    from train.config import ConfigError, load_config

    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    try:
        return load_config(path, overrides or [])
    except ConfigError as exc:
        _fail(str(exc))


def _console():
    from rich.console import Console

    return Console(stderr=True)


class _Steps:
    """A progress line on standard error for the steps of a long job (quiet when not a terminal)."""

    def __init__(self, console):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=console, transient=True)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def __call__(self, description: str) -> None:
        if self.task is None:
            self.task = self.progress.add_task(description)
        self.progress.update(self.task, description=description)
        self.progress.console.log(description)


@data_app.command("build")
def data_build(config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt,
               force: bool = typer.Option(False, help="Rebuild even when the cache matches.")):
    """Sources -> normalize -> dedup -> weak labels -> versioned DatasetDict under data/processed/."""
    from data.build import build
    from data.sources import CorpusError

    cfg = _config(config, set_)
    try:
        path = build(cfg.data, force=force, log=lambda m: typer.echo(m, err=True))
    except CorpusError as exc:
        _fail(str(exc))
    typer.echo(str(path))


@data_app.command("lf-report")
def lf_report(config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Per labeling function: coverage, overlaps, conflicts, precision and recall on gold dev;
    then the weak labels' per-label precision, recall and F1 (majority and weighted vote)."""
    from rich.console import Console
    from rich.table import Table

    from data.build import build, load_dataset_dir
    from data.lf_report import analyse

    cfg = _config(config, set_)
    if cfg.data.task != "topics":
        _fail("lf-report needs data.task: topics")
    ds, _ = load_dataset_dir(build(cfg.data, log=lambda m: typer.echo(m, err=True)))
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


def _summary_table(metrics: dict, title: str):
    from rich.table import Table

    m = metrics["model"]
    if "accuracy" in m:
        t = Table(title=title)
        for col in ("label", "precision", "recall", "F1", "support"):
            t.add_column(col, justify="right")
        for lab, s in m["per_label"].items():
            t.add_row(lab, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", str(s["support"]))
        t.add_row("accuracy", "", "", f"{m['accuracy']:.4f}", "")
        t.add_row("macro-F1", "", "", f"{m['macro_f1']:.4f}", "")
        return t
    weak = metrics.get("weak_labels")
    t = Table(title=title)
    for col in ("label", "precision", "recall", "F1", "support") + (("weak-label F1",) if weak else ()):
        t.add_column(col, justify="right")
    rows = list(m["per_label"].items())
    for lab, s in rows[:15]:
        t.add_row(lab, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", str(s["support"]),
                  *([f"{weak['per_label'][lab]['f1']:.3f}"] if weak else []))
    if len(rows) > 15:
        t.add_row(f"… {len(rows) - 15} more labels", "", "", "", "", *([""] if weak else []))
    t.add_row("micro", f"{m['micro']['precision']:.3f}", f"{m['micro']['recall']:.3f}", f"{m['micro']['f1']:.3f}", "",
              *([f"{weak['micro']['f1']:.3f}"] if weak else []))
    t.add_row("macro-F1", "", "", f"{m['macro_f1']:.3f}", "", *([f"{weak['macro_f1']:.3f}"] if weak else []))
    return t


@app.command("train")
def train_cmd(config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt,
              force: bool = typer.Option(False, help="Retrain even when this version exists.")):
    """Dataset (cached) -> fit -> threshold tuning -> evaluation on gold test -> registration."""
    import time

    from rich.console import Console

    from data.sources import CorpusError
    from train import registry
    from train.job import train

    started = time.time()
    cfg = _config(config, set_)
    err = _console()
    try:
        with _Steps(err) as steps:
            name, version, reused = train(cfg, force=force, log=lambda m: err.log(m), progress=steps)
    except CorpusError as exc:
        _fail(str(exc))
    manifest = registry.read_manifest(name, version)
    where = registry.version_dir(name, version)
    out = Console()
    out.print(f"model [bold]{name}@{version}[/bold] "
              + ("(already registered: nothing changed)" if reused else f"registered in {time.time() - started:.1f}s"))
    out.print(_summary_table(manifest["metrics"]["test"],
                             f"{name}@{version} on test ({manifest['metrics']['test']['documents']} documents)"))
    out.print(f"report: {where / 'report.md'}")


@app.command("evaluate")
def evaluate_cmd(model: Optional[str] = ModelOpt,
                 split: str = typer.Option("test", help="dev or test (dev articles were trained on through cross-fitting)."),
                 out: Optional[Path] = typer.Option(None, help="Report directory (default: reports/NAME@VERSION/SPLIT).")):
    """Evaluate a registered model on a gold split: metrics, weak-label baseline, per-source scores,
    strongest terms, PR curves and confusion figures, report.md and metrics.json."""
    from rich.console import Console

    from data.build import build, load_dataset_dir
    from train import registry
    from train.config import TrainConfig
    from train.evaluate import evaluate, top_terms, write_report

    if split not in ("dev", "test"):
        _fail(f"--split must be dev or test, not {split!r}")
    try:
        pipeline, manifest = registry.load(model)
    except registry.RegistryError as exc:
        _fail(str(exc))
    cfg = TrainConfig.model_validate(manifest["config"])
    ds, _ = load_dataset_dir(build(cfg.data, log=lambda m: typer.echo(m, err=True)))
    if split not in ds:
        _fail(f"dataset {manifest['dataset_version']} has no {split} split (splits: {', '.join(ds)})")
    if split == "dev" and cfg.training.gold_dev_in_training:
        typer.echo("note: dev articles were in training (cross-fitting): dev scores are optimistic", err=True)
    labels = manifest["labels"]
    result = evaluate(pipeline, labels, manifest["thresholds"], ds[split], manifest["title_repeat"],
                      manifest["multilabel"], with_weak=manifest["task"] == "topics")
    spec = f"{manifest['name']}@{manifest['version']}"
    out = out or Path("reports") / spec / split
    metrics = write_report(out, spec, split, result, labels, top_terms(pipeline, labels), manifest["multilabel"])
    Console().print(_summary_table(metrics, f"{spec} on {split}"))
    typer.echo(f"report: {out / 'report.md'}")


@models_app.command("list")
def models_list():
    """Every registered version with its aliases and headline metric."""
    from rich.console import Console
    from rich.table import Table

    from train import registry

    reg = registry.read_registry()["models"]
    t = Table(title=f"Registered models ({registry.models_dir()})")
    for col in ("model", "version", "aliases", "created", "task", "test metric"):
        t.add_column(col)
    for name, entry in sorted(reg.items()):
        for version, info in entry["versions"].items():
            aliases = ", ".join(a for a, v in entry["aliases"].items() if v == version)
            try:
                m = registry.read_manifest(name, version)
                tm = m["metrics"]["test"]["model"]
                metric = f"accuracy {tm['accuracy']:.4f}" if "accuracy" in tm else f"micro-F1 {tm['micro']['f1']:.3f}"
                task = m["task"]
            except registry.RegistryError:
                metric, task = "manifest missing", "?"
            t.add_row(name, version, aliases, info["created_at"], task, metric)
    Console().print(t)


@models_app.command("show")
def models_show(model: Optional[str] = typer.Argument(None, help="NAME@VERSION or alias")):
    """Print a version's manifest."""
    from train import registry

    try:
        name, version = registry.resolve(model)
    except registry.RegistryError as exc:
        _fail(str(exc))
    typer.echo(json.dumps(registry.read_manifest(name, version), indent=1))


@models_app.command("promote")
def models_promote(model: str = typer.Argument(..., help="NAME@VERSION to promote"),
                   alias: str = typer.Option("production", help="Alias to point at it.")):
    """Point an alias (default: production) at a version."""
    from train import registry

    try:
        name, version = registry.promote(model, alias)
    except registry.RegistryError as exc:
        _fail(str(exc))
    typer.echo(f"{name}@{alias} -> {version}")


@models_app.command("diff")
def models_diff(a: str = typer.Argument(..., help="first NAME@VERSION"), b: str = typer.Argument(..., help="second NAME@VERSION")):
    """Compare two versions side by side: config keys that differ and the test metrics."""
    from rich.console import Console
    from rich.table import Table

    from train import registry

    try:
        ma, mb = (registry.read_manifest(*registry.resolve(s)) for s in (a, b))
    except registry.RegistryError as exc:
        _fail(str(exc))
    ca, cb = registry.flatten(ma["config"]), registry.flatten(mb["config"])
    console = Console()
    t = Table(title="Config differences")
    t.add_column("key"), t.add_column(f"{ma['name']}@{ma['version']}"), t.add_column(f"{mb['name']}@{mb['version']}")
    for key in sorted(set(ca) | set(cb)):
        if ca.get(key) != cb.get(key):
            t.add_row(key, json.dumps(ca.get(key)), json.dumps(cb.get(key)))
    if ma["dataset_version"] != mb["dataset_version"]:
        t.add_row("dataset_version", ma["dataset_version"], mb["dataset_version"])
    console.print(t if t.row_count else "configs are identical")
    m = Table(title="Test metrics")
    m.add_column("metric"), m.add_column(ma["version"]), m.add_column(mb["version"]), m.add_column("change")
    fa, fb = registry.flatten(ma["metrics"]["test"]["model"]), registry.flatten(mb["metrics"]["test"]["model"])
    for key in sorted(set(fa) & set(fb)):
        if key.endswith((".f1", ".precision", ".recall", "macro_f1", "accuracy", "subset_accuracy", "pr_auc_micro")) \
                and isinstance(fa[key], float) and isinstance(fb[key], float):
            m.add_row(key, f"{fa[key]:.3f}", f"{fb[key]:.3f}", f"{fb[key] - fa[key]:+.3f}")
    console.print(m)


@models_app.command("verify")
def models_verify():
    """Check every artifact's sha256 against its manifest and the registry."""
    from train import registry

    bad = 0
    for name, entry in sorted(registry.read_registry()["models"].items()):
        for version in entry["versions"]:
            try:
                ok, why = registry.verify(name, version)
            except registry.RegistryError as exc:
                ok, why = False, str(exc)
            bad += not ok
            typer.echo(f"{'ok  ' if ok else 'FAIL'} {name}@{version}" + ("" if ok else f": {why}"))
    if bad:
        raise typer.Exit(1)


@app.command("classify")
def classify_cmd(
    inputs: List[str] = typer.Argument(..., help="JSONL, CSV or Parquet files, directories of .txt files, or - (JSONL on stdin)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (.jsonl, .csv, .parquet); stdout when omitted. "
                                          "With --engine dask: an output directory."),
    model: Optional[str] = ModelOpt,
    id_field: str = typer.Option("id", help="Input field holding the article id (default: the position)."),
    title_field: str = typer.Option("title", help="Input field holding the title."),
    text_field: str = typer.Option("text", help="Input field holding the text."),
    threshold: Optional[List[str]] = typer.Option(None, "--threshold", help="LABEL=VALUE: override a tuned threshold (repeatable)."),
    explain: int = typer.Option(0, "--explain", min=0, help="Add the K strongest terms per predicted label."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = all cores)."),
    chunk_size: int = typer.Option(2000, min=1, help="Articles per chunk."),
    max_errors: Optional[int] = typer.Option(None, min=0, help="Abort once more than N records were rejected."),
    max_bytes: int = typer.Option(1_000_000, min=1, help="Reject articles larger than this many bytes."),
    engine: str = typer.Option("local", help="local, or dask (sharded JSONL/Parquet, one output shard per input)."),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://HOST:8786."),
):
    """Classify articles in bulk. Exit codes: 0 all classified, 3 some records rejected (see the
    errors file), 4 aborted by --max-errors, 2 bad usage or input that cannot be read at all."""
    from train import registry
    from train.classify import EXIT_ABORTED, EXIT_OK, EXIT_REJECTED, AtomicFile, Model, RowWriter, classify_stream
    from train.readers import Fields, read_inputs

    overrides = {}
    for item in threshold or []:
        label, sep, value = item.partition("=")
        try:
            overrides[label] = float(value)
            assert sep and 0 < overrides[label] < 1
        except (ValueError, AssertionError):
            _fail(f"--threshold {item!r}: expected LABEL=VALUE with 0 < VALUE < 1")
    fields = Fields(id=id_field, title=title_field, text=text_field)
    n_jobs = jobs or os.cpu_count() or 1
    if engine == "dask":
        from train.dask_engine import classify_on_dask

        if output is None or scheduler is None:
            _fail("--engine dask needs --scheduler tcp://HOST:PORT and -o OUTPUT_DIR/")
        try:
            summary = classify_on_dask(inputs, output, scheduler, model, fields, overrides, max_bytes, chunk_size)
        except (registry.RegistryError, ValueError, RuntimeError, FileNotFoundError) as exc:
            _fail(str(exc), 1)
        typer.echo(summary.line(), err=True)
        raise typer.Exit(EXIT_REJECTED if summary.rejected else EXIT_OK)
    if engine != "local":
        _fail(f"--engine must be local or dask, not {engine!r}")
    try:
        m = Model.load(model, overrides, lazy=n_jobs > 1)  # with workers, the parent never scores
    except (registry.RegistryError, ValueError) as exc:
        _fail(str(exc))
    writer = RowWriter(output, m.labels)
    errors_file = AtomicFile(output.with_name(output.name + ".errors.jsonl")) if output else None
    errors = errors_file.fh if errors_file else sys.stderr
    bar = _RateBar() if sys.stderr.isatty() else None
    try:
        with bar or nullcontext():
            summary = classify_stream(read_inputs(inputs, fields, max_bytes), m, writer, errors, jobs=n_jobs,
                                      chunk_size=chunk_size, max_errors=max_errors, explain=explain,
                                      on_progress=bar.update if bar else None)
    except (FileNotFoundError, ValueError) as exc:
        writer.discard()
        errors_file and errors_file.discard()
        _fail(str(exc))
    except BaseException:
        writer.discard()  # interrupted: nothing under the final names
        errors_file and errors_file.discard()
        raise
    if summary.aborted:
        writer.discard()
        errors_file and errors_file.commit()
        typer.echo(summary.line(), err=True)
        raise typer.Exit(EXIT_ABORTED)
    writer.commit()
    if errors_file:
        errors_file.commit()
    typer.echo(summary.line() + (f"; rejected records in {output.name}.errors.jsonl" if summary.rejected and output else ""), err=True)
    raise typer.Exit(EXIT_REJECTED if summary.rejected else EXIT_OK)


class _RateBar:
    """Articles classified and articles/s on standard error (only when it is a terminal)."""

    def __init__(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.completed:,} articles"),
                                 TextColumn("{task.fields[rate]:,.0f}/s"), TimeElapsedColumn(), console=_console(),
                                 transient=True)
        self.task = self.progress.add_task("classify", total=None, rate=0.0)
        self.started = None

    def __enter__(self):
        import time

        self.started = time.time()
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def update(self, summary) -> None:
        import time

        rate = summary.classified / max(time.time() - self.started, 1e-9)
        self.progress.update(self.task, completed=summary.classified, rate=rate)


@app.command("explain")
def explain_cmd(text: str = typer.Argument(..., help="Article text (title first, if any)."), model: Optional[str] = ModelOpt,
                k: int = typer.Option(10, "-k", min=1, help="Terms per label.")):
    """Scores, labels and the strongest terms per label for one text, as a table."""
    from rich.console import Console
    from rich.table import Table

    from train import registry
    from train.classify import Model

    try:
        m = Model.load(model)
    except registry.RegistryError as exc:
        _fail(str(exc))
    row = m.scores([text])
    scores, predicted = dict(zip(m.labels, row[0])), set(m.decide(row)[0])
    terms = m.explain(text, k)
    t = Table(title=f"{m.spec}: {', '.join(sorted(predicted)) or 'other'}")
    for col in ("label", "score", "threshold", "predicted", "strongest terms"):
        t.add_column(col)
    for lab in m.labels:
        t.add_row(lab, f"{scores[lab]:.3f}", f"{m.thresholds.get(lab, float('nan')):.3f}", "yes" if lab in predicted else "",
                  ", ".join(f"{term} ({w:.2f})" for term, w in terms.get(lab, [])))
    Console().print(t)


if __name__ == "__main__":
    app()
