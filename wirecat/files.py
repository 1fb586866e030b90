"""Files: the repository root, content hashes and atomic writes - one helper each, used everywhere."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def sha256_file(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_code(paths) -> str:
    """One hash of source files, by name and content (a version's code identity)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class AtomicFile:
    """A file written under a temporary name beside its final name (``.NAME.*.part``), renamed into
    place on :meth:`commit` and removed on :meth:`discard`. As a context manager: commit on success,
    discard on any exception, so an interrupted write leaves nothing under the final name."""

    def __init__(self, path: str | Path, mode: str = "w"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        self.fh = os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8")

    def commit(self) -> None:
        self.fh.close()
        os.chmod(self.tmp, _default_file_mode())  # mkstemp creates 0600; give the file the usual mode
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.fh.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)

    def __enter__(self) -> "AtomicFile":
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.discard() if exc_type else self.commit()


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write a whole file atomically (text as UTF-8)."""
    with AtomicFile(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.fh.write(data)
