"""The layout: import boundaries (import-linter contracts in pyproject.toml), a runtime that loads
neither `datasets` nor pydantic, and source files a reader can hold in their head."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_import_contracts_hold():
    out = lint_imports(REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 2 kept, 0 broken." in out.stdout


def test_import_contracts_catch_data_importing_train_and_the_runtime_importing_fitting_code(tmp_path):
    for package in ("wirecat", "train", "data", "bench"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "results"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / "data" / "probe.py").write_text("from train.fit import fit\n")
    (tmp_path / "wirecat" / "probe.py").write_text("def f():\n    from train.pipeline import build_features\n")
    out = lint_imports(tmp_path)
    assert out.returncode == 1
    assert "data.probe -> train.fit" in out.stdout and "wirecat.probe -> train.pipeline" in out.stdout
    assert "Contracts: 0 kept, 2 broken." in out.stdout


def test_importing_wirecat_and_classifying_loads_neither_datasets_nor_pydantic(tmp_path):
    code = f"""
import json, os, sys
sys.path.insert(0, {str(REPO / 'tests')!r})
os.environ["WIRECAT_MODELS_DIR"] = {str(tmp_path)!r}
from test_code_registry import tiny_version
tiny_version("topics", "aaa111")
for m in [m for m in sys.modules if m.split(".")[0] in ("datasets", "pydantic", "train", "data")]:
    del sys.modules[m]  # what registering the test model loaded; classifying starts from here
from wirecat import Model
from wirecat.engine import classify_to
from wirecat.readers import Fields, read_inputs
model = Model.load("topics@aaa111")
assert model.predict(["police arrested two men"]) == [["arrest"]]
src = {str(tmp_path / 'in.jsonl')!r}
open(src, "w").write(json.dumps({{"id": "a", "text": "the embassy was closed"}}) + "\\n")
summary = classify_to(None, read_inputs([src], Fields()), model)
assert summary.classified == 1
print(sorted({{m.split(".")[0] for m in sys.modules}} & {{"datasets", "pydantic", "train", "data"}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_source_file_is_under_300_lines():
    sources = [p for folder in ("wirecat", "train", "data", "bench") for p in (REPO / folder).rglob("*.py")]
    assert len(sources) > 20
    long = {str(p.relative_to(REPO)): n for p in sources if (n := len(p.read_text().splitlines())) >= 300}
    assert long == {}
