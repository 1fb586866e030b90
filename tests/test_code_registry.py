"""Registry: atomic versions, aliases, checksum-verified loading, diff and verify (on a tiny model
fitted here on sentences written for the test)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from wirecat import registry
from wirecat.cli import app

TEXTS = ["police arrested two men", "the embassy was closed", "ministry warned citizens", "football match ends",
         "men detained by police", "consulate shut down", "government warns of retaliation", "markets rally"]
Y = [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 0]]


def tiny_version(name: str, version: str, C: float = 1.0):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    from wirecat import artifact
    from wirecat.files import sha256_file

    pipe = Pipeline([("features", TfidfVectorizer()), ("classifier", OneVsRestClassifier(LogisticRegression(C=C)))]).fit(TEXTS, Y)
    return register_pipeline(name, version, pipe, C)


def register_pipeline(name: str, version: str, pipe, C: float = 1.0):
    """Register a fitted topic pipeline with a minimal manifest (thresholds 0.3)."""
    from wirecat import artifact
    from wirecat.files import sha256_file

    def write(tmp):
        (tmp / "model.npz").write_bytes(artifact.dumps(pipe))
        (tmp / "manifest.json").write_text(json.dumps({
            "name": name, "version": version, "created_at": "2026-01-01T00:00:00Z", "labels": ["diplomatic_warning", "arrest", "consular"],
            "thresholds": {"diplomatic_warning": 0.3, "arrest": 0.3, "consular": 0.3}, "multilabel": True, "title_repeat": 1,
            "task": "topics", "dataset_version": "d1", "config": {"classifier": {"C": C}},
            "metrics": {"test": {"model": {"micro": {"f1": 0.5 + C / 10}, "macro_f1": 0.4}}},
            "versions": {"scikit-learn": __import__("sklearn").__version__},
            "artifact": {"file": "model.npz", "format": artifact.FORMAT, "sha256": sha256_file(tmp / "model.npz"),
                         "size": (tmp / "model.npz").stat().st_size}}))

    return registry.register(name, version, write)


@pytest.fixture
def models(tmp_path, monkeypatch):
    monkeypatch.setenv("WIRECAT_MODELS_DIR", str(tmp_path))
    tiny_version("topics", "aaa111", C=1.0)
    tiny_version("topics", "bbb222", C=4.0)
    return tmp_path


def test_latest_alias_follows_registration_and_promote_sets_production(models):
    assert registry.resolve(None) == ("topics", "bbb222")
    registry.promote("topics@aaa111", "production")
    assert registry.resolve(None) == ("topics", "aaa111")
    assert registry.resolve("topics@latest") == ("topics", "bbb222")
    assert registry.resolve("latest") == ("topics", "bbb222")


def test_unknown_model_or_version_is_a_clear_error(models):
    with pytest.raises(registry.RegistryError, match="no model named 'nope'"):
        registry.resolve("nope@latest")
    with pytest.raises(registry.RegistryError, match="no such version or alias"):
        registry.resolve("topics@zzz")


def test_load_verifies_the_checksum_and_refuses_a_tampered_artifact(models):
    pipeline, manifest = registry.load("topics@aaa111")
    assert pipeline.predict_proba(["police arrested"]).shape == (1, 3)
    artifact = models / "topics" / "aaa111" / "model.npz"
    data = artifact.read_bytes()
    artifact.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(registry.RegistryError, match="checksum mismatch"):
        registry.load("topics@aaa111")
    artifact.write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(registry.RegistryError, match="checksum mismatch"):
        registry.load("topics@aaa111")


def test_sklearn_version_policy(models):
    path = models / "topics" / "aaa111" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["versions"]["scikit-learn"] = "0.1"
    path.write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="trained with scikit-learn 0.1"):
        registry.load("topics@aaa111")
    manifest["sklearn_version_policy"] = "refuse"
    path.write_text(json.dumps(manifest))
    with pytest.raises(registry.RegistryError, match="policy: refuse"):
        registry.load("topics@aaa111")


def test_a_failed_registration_leaves_no_version_and_a_valid_registry(models):
    def crash(tmp):
        (tmp / "model.npz").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        registry.register("topics", "ccc333", crash)
    assert not (models / "topics" / "ccc333").exists()
    assert not [p for p in (models / "topics").iterdir() if p.name.startswith(".")]
    assert set(registry.read_registry()["models"]["topics"]["versions"]) == {"aaa111", "bbb222"}


def test_cli_list_show_diff_verify(models):
    runner = CliRunner()
    out = runner.invoke(app, ["models", "list"])
    assert out.exit_code == 0 and "aaa111" in out.output and "bbb222" in out.output
    out = runner.invoke(app, ["models", "diff", "topics@aaa111", "topics@bbb222"])
    assert out.exit_code == 0 and "classifier.C" in out.output and "micro.f1" in out.output
    assert runner.invoke(app, ["models", "show", "topics@aaa111"]).exit_code == 0
    assert runner.invoke(app, ["models", "verify"]).exit_code == 0
    (models / "topics" / "bbb222" / "model.npz").write_bytes(b"garbage")
    out = runner.invoke(app, ["models", "verify"])
    assert out.exit_code == 1 and "FAIL topics@bbb222" in out.output and "ok   topics@aaa111" in out.output
