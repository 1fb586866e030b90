"""Shared fixtures. Tests run on the real mirrored corpus; where the mirror is absent they skip with
the reason. Trained models go to a temporary registry, never to the user's models/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from data.sources import CorpusError, KNOWN_FILES, locate

REPO = Path(__file__).resolve().parent.parent
REFERENCE_ARTICLE = REPO.parent / "shared" / "reference-article.txt"


def mirror_available(name: str) -> bool:
    try:
        locate(KNOWN_FILES[name][0])
        return True
    except CorpusError:
        return False


def needs_mirror(*names: str):
    missing = [n for n in names if not mirror_available(n)]
    return pytest.mark.skipif(bool(missing), reason=f"corpus mirror absent for {missing} (see data/sources.py corpus_dirs)")


@pytest.fixture(scope="session")
def registry_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models")
    os.environ["WIRECAT_MODELS_DIR"] = str(path)  # the session's registry; worker processes inherit it
    return path


def _trained(config: str):
    """Train a shipped config into the session's registry: (name, version, manifest)."""
    if not all(mirror_available(n) for n in ("ag_news", "reuters_isot", "bbc", "travel_advisories")):
        pytest.skip(f"corpus mirror absent: cannot train configs/{config}.yaml")
    from wirecat import registry
    from train.config import load_config
    from train.job import train

    name, version, _ = train(load_config(REPO / "configs" / f"{config}.yaml"), log=lambda m: None)
    return name, version, registry.read_manifest(name, version)


@pytest.fixture(scope="session")
def default_model(registry_dir):
    """The default config trained once per session."""
    return _trained("default")

