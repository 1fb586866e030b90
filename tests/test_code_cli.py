"""The command line: fast --help (no heavy imports) and clear errors."""
import subprocess
import sys


def test_help_imports_no_heavy_library():
    code = ("import sys; from typer.testing import CliRunner; from wirecat.cli import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "heavy = [m for m in ('sklearn', 'datasets', 'pandas', 'pyarrow', 'matplotlib', 'dask', 'numpy') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_command_answers_help():
    for cmd in (["train"], ["evaluate"], ["classify"], ["explain"], ["data", "build"], ["data", "lf-report"],
                ["models", "list"], ["models", "diff"], ["models", "promote"], ["models", "verify"], ["models", "show"]):
        out = subprocess.run([sys.executable, "-m", "wirecat.cli", *cmd, "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "Usage" in out.stdout, (cmd, out.stderr)


def test_bad_config_override_is_a_clear_error():
    out = subprocess.run([sys.executable, "-m", "wirecat.cli", "train", "--set", "classifier.type=forest"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "classifier.type" in out.stderr and "logistic_regression" in out.stderr


def test_training_commands_outside_a_clone_say_so_in_one_line(tmp_path):
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "wirecat", tmp_path / "wirecat", ignore=shutil.ignore_patterns("__pycache__"))
    code = (f"import sys; sys.path = [{str(tmp_path)!r}] + [p for p in sys.path if p not in ('', {str(REPO)!r})]; "
            "from wirecat.cli import app; app(['train'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.startswith("error: training runs from a clone"), out.stderr


def test_suggest_refuses_an_unknown_label_before_any_work():
    out = subprocess.run([sys.executable, "-m", "wirecat.cli", "data", "suggest", "10", "--label", "consular", "--label", "visa"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("error: --label: unknown label 'visa'"), out.stderr
