"""The `wirecat` command: thin typer shells, one module per command group. Each module imports only
typer at the top; heavy libraries load inside the commands, so `wirecat --help` stays fast."""
from __future__ import annotations

import typer

from wirecat.cli import classify, dataset, models, training

app = typer.Typer(help="Train and run news topic classifiers (diplomatic_warning, arrest, consular).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(dataset.app, name="data")
app.add_typer(models.app, name="models")
app.command("train")(training.train_cmd)
app.command("evaluate")(training.evaluate_cmd)
app.command("classify")(classify.classify_cmd)
app.command("explain")(classify.explain_cmd)
