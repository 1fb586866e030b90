"""Model registry: versioned artifacts under ``models/<name>/<version>/`` and aliases in
``models/registry.json``.

A version is written into a temporary directory and renamed into place, so an interrupted run leaves
no partial version. Loading checks the artifact's sha256 against the manifest and the registry before
unpickling, and the scikit-learn version against the manifest's policy. Version ids are chosen by the
training job (content-addressed); this module only stores, finds and checks them.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from wirecat.files import REPO_ROOT, sha256_file, write_atomic

MODELS_ENV = "WIRECAT_MODELS_DIR"
DEFAULT_MODEL = "topics"
ARTIFACT = "model.joblib"


class RegistryError(RuntimeError):
    """A model that cannot be found, verified or loaded."""


def models_dir() -> Path:
    return Path(os.environ.get(MODELS_ENV, REPO_ROOT / "models"))


def _registry_path() -> Path:
    return models_dir() / "registry.json"


def read_registry() -> dict:
    path = _registry_path()
    if not path.exists():
        return {"models": {}}
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise RegistryError(f"{path}: not valid JSON ({exc})") from None


def _write_registry(reg: dict) -> None:
    write_atomic(_registry_path(), json.dumps(reg, indent=1))


def version_dir(name: str, version: str) -> Path:
    return models_dir() / name / version


def existing(name: str, version: str) -> bool:
    return (version_dir(name, version) / "manifest.json").exists() and \
        version in read_registry()["models"].get(name, {}).get("versions", {})


def register(name: str, version: str, write_files) -> Path:
    """Create a version: ``write_files(tmp_dir)`` writes model.joblib, manifest.json and the rest into a
    temporary directory, which is then renamed into place and recorded in the registry."""
    final = version_dir(name, version)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=final.parent))
    try:
        write_files(tmp)
        manifest = json.loads((tmp / "manifest.json").read_text())
        if final.exists():  # a leftover from a run that died between rename and registry update
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    reg = read_registry()
    entry = reg["models"].setdefault(name, {"aliases": {}, "versions": {}})
    entry["versions"][version] = {"sha256": manifest["artifact"]["sha256"], "created_at": manifest["created_at"]}
    entry["aliases"]["latest"] = version
    _write_registry(reg)
    return final


def resolve(spec: str | None) -> tuple[str, str]:
    """'name@version', 'name@alias', 'name', 'alias' or None -> (name, version).
    A bare name or None means that model's 'production' alias, else 'latest'."""
    reg = read_registry()["models"]
    if spec and "@" in spec:
        name, ref = spec.split("@", 1)
    elif spec and spec in reg:
        name, ref = spec, None
    else:
        name, ref = DEFAULT_MODEL, spec
    if name not in reg:
        known = ", ".join(sorted(reg)) or "none (run `make train` first)"
        raise RegistryError(f"no model named {name!r} in {_registry_path()}; registered: {known}")
    entry = reg[name]
    if ref is None:
        ref = "production" if "production" in entry["aliases"] else "latest"
    version = entry["aliases"].get(ref, ref)
    if version not in entry["versions"]:
        raise RegistryError(f"{name}@{ref}: no such version or alias; versions: {', '.join(entry['versions'])}; "
                            f"aliases: {', '.join(f'{a}->{v}' for a, v in entry['aliases'].items())}")
    return name, version


def read_manifest(name: str, version: str) -> dict:
    path = version_dir(name, version) / "manifest.json"
    if not path.exists():
        raise RegistryError(f"{path}: manifest missing")
    return json.loads(path.read_text())


def verify(name: str, version: str) -> tuple[bool, str]:
    """Check the artifact's sha256 and size against the manifest and the registry."""
    manifest = read_manifest(name, version)
    path = version_dir(name, version) / ARTIFACT
    if not path.exists():
        return False, f"{path}: missing"
    expected = manifest["artifact"]["sha256"]
    registered = read_registry()["models"][name]["versions"][version]["sha256"]
    actual = sha256_file(path)
    if actual != expected or actual != registered:
        return False, (f"{path}: checksum mismatch (sha256 {actual[:16]}…, manifest {expected[:16]}…, "
                       f"registry {registered[:16]}…): refusing to load a modified or truncated file")
    if path.stat().st_size != manifest["artifact"]["size"]:
        return False, f"{path}: size {path.stat().st_size} differs from the manifest's {manifest['artifact']['size']}"
    return True, "ok"


def verified(spec: str | None = None) -> tuple[str, str, dict]:
    """(name, version, manifest) of a registered model whose artifact passed :func:`verify`."""
    name, version = resolve(spec)
    ok, why = verify(name, version)
    if not ok:
        raise RegistryError(why)
    return name, version, read_manifest(name, version)


def load(spec: str | None = None):
    """(pipeline, manifest) of a registered model, after its checksum has been verified."""
    import joblib
    import sklearn

    name, version, manifest = verified(spec)
    trained_with = manifest["versions"]["scikit-learn"]
    if trained_with != sklearn.__version__:
        msg = (f"{name}@{version} was trained with scikit-learn {trained_with}, this is {sklearn.__version__}; "
               "predictions may differ")
        if manifest.get("sklearn_version_policy") == "refuse":
            raise RegistryError(msg + " (policy: refuse)")
        warnings.warn(msg, stacklevel=2)
    return joblib.load(version_dir(name, version) / ARTIFACT), manifest


def promote(spec: str, alias: str) -> tuple[str, str]:
    name, version = resolve(spec)
    reg = read_registry()
    reg["models"][name]["aliases"][alias] = version
    _write_registry(reg)
    return name, version
