"""Files: the repository root, content hashes and atomic writes - one helper each, used everywhere."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
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


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def default_mode(directory: bool = False) -> int:
    """The mode a new file (or directory) gets under the process's umask."""
    return (0o777 if directory else 0o666) & ~_umask()


# Temporary names say who made them: .FINAL.HOST.PID.RANDOM.part, so that a later run can tell a
# leftover of a killed process (same host, process gone) from the work of a live one.
_HOST = socket.gethostname().split(".")[0].replace("-", "_") or "host"


def temp_prefix(final: Path) -> str:
    return f".{final.name}.{_HOST}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(directory: Path, final_name: str | None = None) -> list[Path]:
    """Remove temporary files or directories in ``directory`` (for ``final_name``, or for any name)
    that killed processes of this host left behind."""
    import glob

    removed = []
    for path in directory.glob(f".{glob.escape(final_name) if final_name else '*'}.*.part"):
        fields = path.name[: -len(".part")].rsplit(".", 3)
        if len(fields) < 4:
            continue
        host, pid = fields[1], fields[2]
        if host != _HOST or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        removed.append(path)
    return removed


class AtomicFile:
    """A file written under a temporary name beside its final name (``.NAME.*.part``), renamed into
    place on :meth:`commit` and removed on :meth:`discard`. As a context manager: commit on success,
    discard on any exception, so an interrupted write leaves nothing under the final name."""

    def __init__(self, path: str | Path, mode: str = "w"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=temp_prefix(self.path), suffix=".part", dir=self.path.parent)
        self.fh = os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8")

    def commit(self) -> None:
        self.fh.close()
        os.chmod(self.tmp, default_mode())  # mkstemp creates 0600; give the file the usual mode
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


def temp_dir(final: Path) -> Path:
    """A new directory beside ``final`` under a temporary name (mode as the umask says), to be
    renamed into place when complete."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(final), suffix=".part", dir=final.parent))
    os.chmod(tmp, default_mode(directory=True))  # mkdtemp creates 0700
    return tmp
