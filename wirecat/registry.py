"""Model registry: versioned artifacts under ``models/<name>/<version>/`` and aliases in
``models/registry.json``.

A version is written into a temporary directory and renamed into place, so an interrupted run leaves
no partial version (and the next registration removes such leftovers). Every read-modify-write of
``registry.json`` holds an exclusive lock, so concurrent registrations and promotions lose nothing.
Names, versions and aliases must match a strict pattern, and every path stays under the registry
root. Loading checks the artifact's sha256 against the manifest and the registry, then rebuilds the
pipeline from the data-only artifact (``wirecat.artifact``): nothing in a model file is executed.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import warnings
from contextlib import contextmanager
from pathlib import Path

from wirecat import artifact
from wirecat.files import REPO_ROOT, remove_stale_temps, sha256_file, temp_dir, write_atomic

MODELS_ENV = "WIRECAT_MODELS_DIR"
DEFAULT_MODEL = "topics"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # names, versions, aliases: no '/', no leading '.'


class RegistryError(RuntimeError):
    """A model that cannot be found, verified or loaded, or a registry that cannot be read."""


def check_name(value: str, what: str = "name") -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value) or ".." in value:
        raise RegistryError(f"invalid {what} {value!r}: use letters, digits, '_', '-' and '.' "
                            "(at most 64, not starting with '.', no '..')")
    return value


def models_dir() -> Path:
    return Path(os.environ.get(MODELS_ENV, REPO_ROOT / "models"))


def _registry_path() -> Path:
    return models_dir() / "registry.json"


def read_registry() -> dict:
    path = _registry_path()
    if not path.exists():
        return {"models": {}}
    try:
        reg = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(reg, dict) or not isinstance(reg.get("models"), dict):
        raise RegistryError(f"{path}: expected {{\"models\": {{NAME: ...}}}} at the top level")
    for name, entry in reg["models"].items():
        if not (isinstance(entry, dict) and isinstance(entry.get("versions"), dict) and isinstance(entry.get("aliases"), dict)):
            raise RegistryError(f"{path}: models.{name}: expected mappings 'aliases' and 'versions'")
    return reg


@contextmanager
def _locked():
    """Exclusive lock for a read-modify-write of registry.json (between processes)."""
    models_dir().mkdir(parents=True, exist_ok=True)
    with open(models_dir() / ".registry.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_registry(reg: dict) -> None:
    write_atomic(_registry_path(), json.dumps(reg, indent=1))


def version_dir(name: str, version: str) -> Path:
    """The version's directory; refuses names that would leave the registry root."""
    root = models_dir().resolve()
    path = (root / check_name(name, "model name") / check_name(version, "version")).resolve()
    if path.parent.parent != root:
        raise RegistryError(f"{name}@{version}: resolves outside the registry root {root}")
    return path


def existing(name: str, version: str) -> bool:
    return (version_dir(name, version) / "manifest.json").exists() and \
        version in read_registry()["models"].get(name, {}).get("versions", {})


def register(name: str, version: str, write_files) -> Path:
    """Create a version: ``write_files(tmp_dir)`` writes the artifact, manifest.json and the rest into
    a temporary directory, which is then renamed into place and recorded in the registry."""
    final = version_dir(name, version)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(final.parent)  # leftovers of killed registrations
    tmp = temp_dir(final)
    try:
        write_files(tmp)
        manifest = json.loads((tmp / "manifest.json").read_text())
        with _locked():
            if final.exists():  # a leftover from a run that died between rename and registry update
                shutil.rmtree(final)
            os.replace(tmp, final)
            reg = read_registry()
            entry = reg["models"].setdefault(name, {"aliases": {}, "versions": {}})
            entry["versions"][version] = {"sha256": manifest["artifact"]["sha256"], "created_at": manifest["created_at"]}
            entry["aliases"]["latest"] = version
            _write_registry(reg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _resolve_in(reg: dict, spec: str | None) -> tuple[str, str]:
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
    version_dir(name, version)  # validates both
    return name, version


def resolve(spec: str | None) -> tuple[str, str]:
    """'name@version', 'name@alias', 'name', 'alias' or None -> (name, version).
    A bare name or None means that model's 'production' alias, else 'latest'."""
    return _resolve_in(read_registry()["models"], spec)


def read_manifest(name: str, version: str) -> dict:
    path = version_dir(name, version) / "manifest.json"
    if not path.exists():
        raise RegistryError(f"{path}: manifest missing")
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid JSON ({exc})") from None


def artifact_path(name: str, version: str, manifest: dict) -> Path:
    """The artifact file; only the data-only format is accepted (a pickle could run code)."""
    info = manifest.get("artifact")
    if not isinstance(info, dict) or info.get("format") != artifact.FORMAT or info.get("file") != artifact.FILE:
        file = info.get("file") if isinstance(info, dict) else None
        raise RegistryError(f"{name}@{version}: artifact {file!r} is not a data-only wirecat artifact ({artifact.FORMAT}); "
                            "pickle files are refused because loading them can run code: retrain it (make train)")
    return version_dir(name, version) / artifact.FILE


def verify(name: str, version: str) -> tuple[bool, str]:
    """Check the artifact's sha256 and size against the manifest and the registry."""
    try:
        manifest = read_manifest(name, version)
        path = artifact_path(name, version, manifest)
    except RegistryError as exc:
        return False, str(exc)
    if not path.is_file():
        return False, f"{path}: missing"
    expected = manifest["artifact"].get("sha256")
    registered = read_registry()["models"].get(name, {}).get("versions", {}).get(version, {})
    registered = registered.get("sha256") if isinstance(registered, dict) else None
    if not isinstance(registered, str) or not isinstance(expected, str):
        return False, f"{name}@{version}: no sha256 in {'registry.json' if not isinstance(registered, str) else 'the manifest'}"
    actual = sha256_file(path)
    if actual != expected or actual != registered:
        return False, (f"{path}: checksum mismatch (sha256 {actual[:16]}…, manifest {expected[:16]}…, "
                       f"registry {registered[:16]}…): refusing to load a modified or truncated file")
    if path.stat().st_size != manifest["artifact"].get("size"):
        return False, f"{path}: size {path.stat().st_size} differs from the manifest's {manifest['artifact'].get('size')}"
    return True, "ok"


def verified(spec: str | None = None) -> tuple[str, str, dict]:
    """(name, version, manifest) of a registered model whose artifact passed :func:`verify`."""
    name, version = resolve(spec)
    ok, why = verify(name, version)
    if not ok:
        raise RegistryError(why)
    return name, version, read_manifest(name, version)


def check_library_versions(manifest: dict) -> None:
    """Warn (or refuse, by the model's policy) when scikit-learn differs from the training one."""
    from importlib.metadata import version

    spec = f"{manifest.get('name')}@{manifest.get('version')}"
    trained_with, here = manifest.get("versions", {}).get("scikit-learn"), version("scikit-learn")
    if trained_with != here:
        msg = f"{spec} was trained with scikit-learn {trained_with}, this is {here}; predictions may differ"
        if manifest.get("sklearn_version_policy") == "refuse":
            raise RegistryError(msg + " (policy: refuse)")
        warnings.warn(msg, stacklevel=4)


def pipeline_from(data: bytes, manifest: dict, plain: bool = False):
    """The pipeline from verified artifact bytes, after the library version check; ``plain``: as
    artifact.Plain nodes, without importing scikit-learn (for wirecat.scorer)."""
    check_library_versions(manifest)
    try:
        return artifact.loads(data, plain=plain)
    except artifact.ArtifactError as exc:
        raise RegistryError(f"{manifest.get('name')}@{manifest.get('version')}: {exc}") from None


def load(spec: str | None = None, plain: bool = False):
    """(pipeline, manifest) of a registered model, after its checksum has been verified."""
    name, version, manifest = verified(spec)
    return pipeline_from(artifact_path(name, version, manifest).read_bytes(), manifest, plain), manifest


def promote(spec: str, alias: str) -> tuple[str, str]:
    check_name(alias, "alias")
    with _locked():
        reg = read_registry()
        name, version = _resolve_in(reg["models"], spec)
        reg["models"][name]["aliases"][alias] = version
        _write_registry(reg)
    return name, version
