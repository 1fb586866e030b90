"""`wirecat models`: list, show, promote, diff, verify registered versions."""
from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from wirecat.cli.common import console, fail

app = typer.Typer(help="Registered model versions: list, show, promote, diff, verify.", no_args_is_help=True)


def flatten(d: dict, prefix: str = "") -> dict:
    """Nested dict -> {'a.b.c': value}, for side-by-side comparison."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@app.command("list")
def models_list():
    """Every registered version with its aliases and headline metric."""
    from rich.table import Table

    from wirecat import registry

    try:
        reg = registry.read_registry()["models"]
    except registry.RegistryError as exc:
        fail(str(exc))
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
            except (registry.RegistryError, KeyError, TypeError):
                metric, task = "manifest missing or invalid", "?"
            t.add_row(name, version, aliases, info["created_at"], task, metric)
    console().print(t)


@app.command("show")
def models_show(model: Annotated[Optional[str], typer.Argument(help="NAME@VERSION or alias")] = None):
    """Print a version's manifest."""
    from wirecat import registry

    try:
        name, version = registry.resolve(model)
    except registry.RegistryError as exc:
        fail(str(exc))
    typer.echo(json.dumps(registry.read_manifest(name, version), indent=1))


@app.command("promote")
def models_promote(model: Annotated[str, typer.Argument(help="NAME@VERSION to promote")],
                   alias: Annotated[str, typer.Option(help="Alias to point at it.")] = "production"):
    """Point an alias (default: production) at a version."""
    from wirecat import registry

    try:
        name, version = registry.promote(model, alias)
    except registry.RegistryError as exc:
        fail(str(exc))
    typer.echo(f"{name}@{alias} -> {version}")


@app.command("diff")
def models_diff(a: Annotated[str, typer.Argument(help="first NAME@VERSION")],
                b: Annotated[str, typer.Argument(help="second NAME@VERSION")]):
    """Compare two versions side by side: config keys that differ and the test metrics."""
    from rich.table import Table

    from wirecat import registry

    try:
        ma, mb = (registry.read_manifest(*registry.resolve(s)) for s in (a, b))
    except registry.RegistryError as exc:
        fail(str(exc))
    ca, cb = flatten(ma["config"]), flatten(mb["config"])
    out = console()
    t = Table(title="Config differences")
    t.add_column("key"), t.add_column(f"{ma['name']}@{ma['version']}"), t.add_column(f"{mb['name']}@{mb['version']}")
    for key in sorted(set(ca) | set(cb)):
        if ca.get(key) != cb.get(key):
            t.add_row(key, json.dumps(ca.get(key)), json.dumps(cb.get(key)))
    if ma["dataset_version"] != mb["dataset_version"]:
        t.add_row("dataset_version", ma["dataset_version"], mb["dataset_version"])
    out.print(t if t.row_count else "configs are identical")
    m = Table(title="Test metrics")
    m.add_column("metric"), m.add_column(ma["version"]), m.add_column(mb["version"]), m.add_column("change")
    fa, fb = flatten(ma["metrics"]["test"]["model"]), flatten(mb["metrics"]["test"]["model"])
    for key in sorted(set(fa) & set(fb)):
        if key.endswith((".f1", ".precision", ".recall", "macro_f1", "accuracy", "subset_accuracy", "pr_auc_micro")) \
                and isinstance(fa[key], float) and isinstance(fb[key], float):
            m.add_row(key, f"{fa[key]:.3f}", f"{fb[key]:.3f}", f"{fb[key] - fa[key]:+.3f}")
    out.print(m)


@app.command("verify")
def models_verify():
    """Check every artifact's sha256 against its manifest and the registry, and that it loads as a
    data-only artifact (nothing in it is executed)."""
    from wirecat import registry

    try:
        models = registry.read_registry()["models"]
    except registry.RegistryError as exc:
        fail(str(exc))
    bad = 0
    for name, entry in sorted(models.items()):
        for version in entry["versions"]:
            try:
                ok, why = registry.verify(name, version)
                if ok:
                    registry.load(f"{name}@{version}")
            except registry.RegistryError as exc:
                ok, why = False, str(exc)
            bad += not ok
            typer.echo(f"{'ok  ' if ok else 'FAIL'} {name}@{version}" + ("" if ok else f": {why}"))
    if bad:
        raise typer.Exit(1)
