"""What every command group shares: the error exit and the option types."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, NoReturn, Optional

import typer

ModelOption = Annotated[Optional[str], typer.Option(
    "--model", "-m", help="NAME@VERSION, NAME@ALIAS or ALIAS (default: production, else latest).")]
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", "-c", help="YAML config (default: configs/default.yaml when present).")]
SetOption = Annotated[Optional[List[str]], typer.Option(
    "--set", help="Override a config key, e.g. --set classifier.C=4 (repeatable).")]


def fail(message: str, code: int = 2) -> NoReturn:
    """One `error:` line on standard error, then exit with ``code`` (2: usage or unreadable input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr)
