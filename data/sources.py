"""Source loaders: each mirrored corpus (and a user's own JSONL/CSV/Parquet) to records.

A record is a dict with a stable ``id`` (source + key, the same across runs), ``source``,
``title``, ``text``, ``date`` (ISO date or None) and ``meta`` (the source's own fields).
Malformed rows are never dropped silently: loaders return them as :class:`Rejected` entries.
A user's own JSONL/CSV/Parquet is read by the runtime's readers, the same that `wirecat classify` uses.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from data import loaders
from data.records import CorpusError, Loaded, record
from wirecat.files import REPO_ROOT, sha256_file
from wirecat.readers import FORMATS, Fields, Rejected, read_file

__all__ = ["CorpusError", "Loaded", "DEFAULT_SOURCES", "KNOWN_FILES", "load_source", "locate"]

CORPUS_ENV = "WIRECAT_CORPUS_DIR"

# Published checksums of the mirrored files (../shared/corpus/README.md).
KNOWN_FILES: dict[str, tuple[str, str]] = {
    "ag_news": ("ag_news/test.csv", "72b844642f92fb74fe397f0d1dd8a46d4cfd6fff60bc5c1a214fe40c44708fd7"),
    "reuters_isot": ("reuters_isot_sample/true_sample.csv", "6d247396e88115c633f434da5c650c4e3a96b30a664e1df5b93f2ce441814661"),
    "bbc": ("bbc/bbc-fulltext.zip", "329bcac27801b024aa46ba344fc50a51fb089f0248c86a478d369bf7a99a1252"),
    "travel_advisories": ("us_travel_advisories/us-travel-advisories.zip", "c0cb694cad3d97df940e768f658daa32f07e86aae4298b54c977a4d71e88e893"),
    "reuters21578": ("reuters21578/reuters21578.tar.gz", "e1c9b002d03bd4f515d616dd30a03603a1887e737926c8500ce21fd6909536e4"),
    "allsides": ("allsides/articles.jsonl.gz", "93529da9a6b09127bb66761ff72e90fb19ed94c3d1caacd71d23862f749d3c44"),
    "wmt_newstest": ("wmt_newstest/newstest-en.tar.gz", "74a6cd1d43ff18b2f31271fe5d93e89000425aa987093986a478729bd0aa0e21"),
    "bbc_2025": ("bbc_2025/bbc_news_articles.csv", "e86388db21e7ddbeb6777f13d936660bfc6de0eb7a196020f6fd36f821812f17"),
}
DEFAULT_SOURCES = ("ag_news", "reuters_isot", "bbc", "travel_advisories")  # the default dataset's corpora
# The unseen-outlets test reads these; training never does (AllSides: only its held-out outlets)
UNSEEN_SOURCES = ("wmt_newstest", "bbc_2025", "allsides")


def corpus_dirs(configured: str | Path | None = None) -> list[Path]:
    """Where to look for corpus files, in order: the configured path, $WIRECAT_CORPUS_DIR,
    data/raw/, then the sibling mirror ../shared/corpus/."""
    if configured:
        return [Path(configured).expanduser()]
    if os.environ.get(CORPUS_ENV):
        return [Path(os.environ[CORPUS_ENV]).expanduser()]
    return [REPO_ROOT / "data" / "raw", REPO_ROOT.parent / "shared" / "corpus"]


def locate(relpath: str, corpus_dir: str | Path | None = None, sha256: str | None = None) -> Path:
    """Find a corpus file; stop with an error naming the file and every place looked in."""
    looked = corpus_dirs(corpus_dir)
    for base in looked:
        path = base / relpath
        if path.is_file():
            if sha256:
                actual = sha256_file(path)
                if actual != sha256:
                    raise CorpusError(f"{path}: checksum mismatch (sha256 {actual}, expected {sha256})")
            return path
    places = ", ".join(str(p) for p in looked)
    raise CorpusError(f"{relpath} not found; looked in: {places} (set ${CORPUS_ENV} or corpus_dir)")




# ---- a user's own corpus -------------------------------------------------------------------

def load_user_file(path: Path, source: str, fmt: str, fields: Fields = Fields()) -> Loaded:
    """A user's JSONL, CSV or Parquet file, read by the runtime's readers; bad rows become problems."""
    out = Loaded()
    try:
        for item in read_file(path, fmt, fields, keep_meta=True):
            if isinstance(item, Rejected):
                out.problems.append(item)
            else:
                out.records.append(record(source, item.id, item.title, item.text, item.date, **item.meta))
    except ValueError as exc:  # no text column, unreadable Parquet
        raise CorpusError(str(exc)) from None
    return out


MIRRORED: dict[str, Callable[[Path], Loaded]] = {
    "ag_news": loaders.load_ag_news,
    "reuters_isot": loaders.load_reuters_isot,
    "bbc": loaders.load_bbc,
    "travel_advisories": loaders.load_travel_advisories,
    "reuters21578": loaders.load_reuters21578,
    "allsides": loaders.load_allsides,
    "wmt_newstest": loaders.load_wmt_newstest,
    "bbc_2025": loaders.load_bbc_2025,
}


def load_source(name: str, corpus_dir: str | Path | None = None, *, path: str | None = None,
                fmt: str | None = None, fields: Fields | None = None, verify: bool = True, **options) -> Loaded:
    """Load a mirrored corpus by name (``options`` go to its loader, e.g. AllSides' ``keep``), or a
    user's own file (``path`` + ``fmt``)."""
    if name in MIRRORED and path is None:
        relpath, sha = KNOWN_FILES[name]
        return MIRRORED[name](locate(relpath, corpus_dir, sha if verify else None), **options)
    if fmt not in set(FORMATS.values()):
        raise CorpusError(f"source {name!r}: unknown mirrored corpus; give path and format "
                          f"(one of {sorted(set(FORMATS.values()))}); known corpora: {sorted(MIRRORED)}")
    resolved = Path(path) if Path(path).is_absolute() else locate(path, corpus_dir)
    if not resolved.is_file():
        raise CorpusError(f"source {name!r}: {resolved} not found")
    return load_user_file(resolved, name, fmt, fields or Fields())


def source_checksum(name: str, corpus_dir: str | Path | None = None, path: str | None = None) -> tuple[str, str]:
    """(path, sha256) of a source's input file, for the dataset manifest."""
    relpath = KNOWN_FILES[name][0] if path is None else path
    found = Path(relpath) if Path(relpath).is_absolute() else locate(relpath, corpus_dir)
    return str(found), sha256_file(found)

