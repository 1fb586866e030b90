"""`wirecat classify` and `wirecat explain`."""
from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, List, Literal, Optional

import typer

from wirecat.cli.common import ModelOption, console, fail


def parse_thresholds(items: list[str]) -> dict[str, float]:
    overrides = {}
    for item in items:
        label, sep, value = item.partition("=")
        try:
            overrides[label] = float(value)
            assert sep and 0 < overrides[label] < 1
        except (ValueError, AssertionError):
            fail(f"--threshold {item!r}: expected LABEL=VALUE with 0 < VALUE < 1")
    return overrides


def classify_cmd(
    inputs: Annotated[List[str], typer.Argument(help="JSONL, CSV or Parquet files, directories of .txt files, or - (JSONL on stdin).")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output file (.jsonl, .csv, .parquet); stdout when "
                                                   "omitted. With --engine dask: an output directory.")] = None,
    model: ModelOption = None,
    id_field: Annotated[str, typer.Option(help="Input field holding the article id (default: the position).")] = "id",
    title_field: Annotated[str, typer.Option(help="Input field holding the title.")] = "title",
    text_field: Annotated[str, typer.Option(help="Input field holding the text.")] = "text",
    threshold: Annotated[Optional[List[str]], typer.Option(help="LABEL=VALUE: override a tuned threshold (repeatable).")] = None,
    operating_point: Annotated[Literal["f1", "recall"], typer.Option(
        help="f1: thresholds tuned for F1 (default); recall: recall >= 0.90 out of fold, for triage.")] = "f1",
    explain: Annotated[int, typer.Option(min=0, help="Add the K strongest terms per predicted label.")] = 0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0 = all cores).")] = 0,
    chunk_size: Annotated[int, typer.Option(min=1, help="Articles per chunk.")] = 2000,
    max_errors: Annotated[Optional[int], typer.Option(min=0, help="Abort once more than N records were rejected.")] = None,
    max_bytes: Annotated[int, typer.Option(min=1, help="Reject articles larger than this many bytes.")] = 1_000_000,
    engine: Annotated[Literal["local", "dask"], typer.Option(
        help="local, or dask (sharded JSONL/Parquet, one output shard per input).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://HOST:8786.")] = None,
):
    """Classify articles in bulk. Exit codes: 0 all classified, 3 some records rejected (see the
    errors file), 4 aborted by --max-errors, 2 bad usage or input that cannot be read at all,
    1 (dask) a partition could not be classified, 130 interrupted (SIGINT or SIGTERM)."""
    import signal

    from wirecat import registry
    from wirecat.engine import EXIT_FAILED, EXIT_INTERRUPTED, classify_to
    from wirecat.model import Model
    from wirecat.readers import Fields, read_inputs
    from wirecat.writers import OutputError, check_output

    overrides = parse_thresholds(threshold or [])
    fields = Fields(id=id_field, title=title_field, text=text_field)
    if engine == "dask":
        from wirecat.dask_engine import classify_on_dask

        if output is None or scheduler is None:
            fail("--engine dask needs --scheduler tcp://HOST:PORT and -o OUTPUT_DIR/")
        try:
            summary = classify_on_dask(inputs, output, scheduler, model, fields, overrides, max_bytes, chunk_size,
                                       operating_point=operating_point)
        except (registry.RegistryError, ValueError, RuntimeError, OSError) as exc:
            fail(str(exc), EXIT_FAILED)
        typer.echo(summary.line(), err=True)
        raise typer.Exit(summary.exit_code)
    try:
        target = check_output(output, inputs) if output else None
    except OutputError as exc:
        fail(str(exc))
    n_jobs = jobs or os.cpu_count() or 1
    try:
        m = Model.load(model, overrides, lazy=n_jobs > 1, operating_point=operating_point)  # workers score, not the parent
    except (registry.RegistryError, ValueError) as exc:
        fail(str(exc))

    def terminate(signum, frame):
        raise KeyboardInterrupt  # SIGTERM cleans up like SIGINT

    signal.signal(signal.SIGTERM, terminate)
    bar = _RateBar() if sys.stderr.isatty() else None
    try:
        with bar or nullcontext():
            # with workers, JSONL lines are parsed there and the parent only reads lines and writes results;
            # --max-errors stops at the exact record, so it keeps the parsing here
            batch = chunk_size if n_jobs > 1 and max_errors is None else 0
            records = read_inputs(inputs, fields, max_bytes, batch_lines=batch)
            summary = classify_to(target, records, m, jobs=n_jobs, chunk_size=chunk_size,
                                  max_errors=max_errors, explain=explain, on_progress=bar.update if bar else None)
    except KeyboardInterrupt:
        # outputs are already discarded and workers killed; exit now, so that no executor thread can
        # print a late traceback while the interpreter winds down
        typer.echo("error: interrupted: nothing was written under the final names", err=True)
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    except (ValueError, OSError) as exc:  # unreadable input, an output that cannot be written
        fail(str(exc) if isinstance(exc, ValueError) or not exc.filename else f"{exc.filename}: {exc.strerror}")
    typer.echo(summary.line() + (f"; rejected records in {output.name}.errors.jsonl"
                                 if summary.rejected and output and not summary.aborted else ""), err=True)
    raise typer.Exit(summary.exit_code)


class _RateBar:
    """Articles classified and articles/s on standard error (only when it is a terminal)."""

    def __init__(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.completed:,} articles"),
                                 TextColumn("{task.fields[rate]:,.0f}/s"), TimeElapsedColumn(), console=console(stderr=True),
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


def explain_cmd(text: Annotated[str, typer.Argument(help="Article text (title first, if any).")], model: ModelOption = None,
                k: Annotated[int, typer.Option("-k", min=1, help="Terms per label.")] = 10):
    """Scores, labels and the strongest terms per label for one text, as a table."""
    from rich.table import Table

    from wirecat import registry
    from wirecat.model import Model

    try:
        m = Model.load(model)
    except registry.RegistryError as exc:
        fail(str(exc))
    row = m.scores([text])
    scores, predicted = dict(zip(m.labels, row[0])), set(m.decide(row)[0])
    terms = m.explain(text, k)
    t = Table(title=f"{m.spec}: {', '.join(sorted(predicted)) or 'other'}")
    for col in ("label", "score", "threshold", "predicted", "strongest terms"):
        t.add_column(col)
    for lab in m.labels:
        t.add_row(lab, f"{scores[lab]:.3f}", f"{m.thresholds.get(lab, float('nan')):.3f}", "yes" if lab in predicted else "",
                  ", ".join(f"{term} ({w:.2f})" for term, w in terms.get(lab, [])))
    console().print(t)
