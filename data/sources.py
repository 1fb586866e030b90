"""Source loaders: each mirrored corpus (and a user's own JSONL/CSV/Parquet) to records.

A record is a dict with a stable ``id`` (source + key, the same across runs), ``source``,
``title``, ``text``, ``date`` (ISO date or None) and ``meta`` (the source's own fields).
Malformed rows are never dropped silently: loaders return them as :class:`Rejected` entries.
A user's own JSONL/CSV/Parquet is read by the runtime's readers, the same that `wirecat classify` uses.
"""
from __future__ import annotations

import csv
import os
import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from data.text import normalize, strip_markdown
from wirecat.files import REPO_ROOT, sha256_file
from wirecat.readers import FORMATS, Fields, Rejected, read_file

CORPUS_ENV = "WIRECAT_CORPUS_DIR"

# Published checksums of the mirrored files (../shared/corpus/README.md).
KNOWN_FILES: dict[str, tuple[str, str]] = {
    "ag_news": ("ag_news/test.csv", "72b844642f92fb74fe397f0d1dd8a46d4cfd6fff60bc5c1a214fe40c44708fd7"),
    "reuters_isot": ("reuters_isot_sample/true_sample.csv", "6d247396e88115c633f434da5c650c4e3a96b30a664e1df5b93f2ce441814661"),
    "bbc": ("bbc/bbc-fulltext.zip", "329bcac27801b024aa46ba344fc50a51fb089f0248c86a478d369bf7a99a1252"),
    "travel_advisories": ("us_travel_advisories/us-travel-advisories.zip", "c0cb694cad3d97df940e768f658daa32f07e86aae4298b54c977a4d71e88e893"),
    "reuters21578": ("reuters21578/reuters21578.tar.gz", "e1c9b002d03bd4f515d616dd30a03603a1887e737926c8500ce21fd6909536e4"),
}
DEFAULT_SOURCES = ("ag_news", "reuters_isot", "bbc", "travel_advisories")  # the default dataset's corpora
AG_CLASSES = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tech"}


class CorpusError(RuntimeError):
    """A source cannot be read at all: missing, corrupt or failing its checksum."""


@dataclass
class Loaded:
    records: list[dict] = field(default_factory=list)
    problems: list[Rejected] = field(default_factory=list)


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


def _record(source: str, key: str, title: str, text: str, date: str | None, **meta) -> dict:
    return {"id": f"{source}:{key}", "source": source, "title": normalize(title),
            "text": normalize(text), "date": date, "meta": meta}


def _parse_date(value: str, formats: tuple[str, ...]) -> str | None:
    value = value.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _csv_rows(path: Path, expected_header: list[str]):
    """Yield (line number, row) for a CSV file whose header must match; wrong widths are problems."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != expected_header:
            raise CorpusError(f"{path}:1: header {header} is not {expected_header}")
        for row in reader:
            yield reader.line_num, row


def load_ag_news(path: Path) -> Loaded:
    out = Loaded()
    for n, (line, row) in enumerate(_csv_rows(path, ["label", "title", "description"]), start=1):
        if len(row) != 3:
            out.problems.append(Rejected(str(path), line, f"expected 3 fields, got {len(row)}"))
            continue
        label, title, text = row
        if not label.isdigit() or int(label) not in AG_CLASSES:
            out.problems.append(Rejected(str(path), line, f"label {label!r} is not one of 1-4"))
            continue
        out.records.append(_record("ag_news", f"{n:05d}", title, text, None,
                                   category=AG_CLASSES[int(label)]))
    return out


def load_reuters_isot(path: Path) -> Loaded:
    out = Loaded()
    for n, (line, row) in enumerate(_csv_rows(path, ["title", "text", "subject", "date", "label"]), start=1):
        if len(row) != 5:
            out.problems.append(Rejected(str(path), line, f"expected 5 fields, got {len(row)}"))
            continue
        title, text, subject, date, _ = row
        if not text.strip():
            out.problems.append(Rejected(str(path), line, "empty text"))
            continue
        out.records.append(_record("reuters_isot", f"{n:04d}", title, text,
                                   _parse_date(date, ("%B %d, %Y", "%b %d, %Y", "%d-%b-%y")),
                                   subject=subject))
    return out


def _zip_members(path: Path, pattern: str):
    """(match, 'archive!member', text) for each member whose name matches, in name order; a corrupt or
    unreadable archive stops with its path."""
    member = re.compile(pattern)
    try:
        zf = zipfile.ZipFile(path)
        bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorpusError(f"{path}: unreadable zip archive ({exc})") from exc
    if bad:
        raise CorpusError(f"{path}: corrupt member {bad}")
    with zf:
        for name in sorted(zf.namelist()):
            m = member.match(name)
            if m:
                data = zf.read(name)
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = data.decode("latin-1")  # a few BBC files are Latin-1
                yield m, f"{path}!{name}", text


def load_bbc(path: Path) -> Loaded:
    out = Loaded()
    for m, where, raw in _zip_members(path, r"^bbc/([a-z]+)/(\d+)\.txt$"):
        title, _, body = raw.strip().partition("\n")
        if not body.strip():
            out.problems.append(Rejected(where, None, "no body after the title line"))
            continue
        out.records.append(_record("bbc", f"{m[1]}/{m[2]}", title, body, None, category=m[1]))
    return out


_ADVISORY_DATE = re.compile(r"Travel Advisory (\w+ \d{1,2}, \d{4})")
_ADVISORY_LEVEL = re.compile(r"Level (\d): ([^\n#]+)")


# Site boilerplate repeated on every page (links to other State Department pages, insurance advice):
# not part of the warning, and a pure genre marker for a classifier.
_ADVISORY_BOILERPLATE = re.compile(
    r"^(Visit the CDC page|Prepare a (contingency )?plan for emergency|Read the country information page|"
    r"Enroll in the Smart Traveler|Follow the Department of State|Visit our website for Travel to High-Risk|"
    r"Review the Country Security Report|Reissued after periodic review|We highly recommend that you buy insurance)",
    re.I)


def advisory_text(md: str) -> str:
    """The advisory itself: the page up to its 'Travel Advisory Levels' footer (embassy contacts,
    map and site navigation follow), without the site's boilerplate lines."""
    body = re.split(r"^#+\s*Travel Advisory Levels", md, maxsplit=1, flags=re.M)[0]
    return "\n".join(line for line in strip_markdown(body).splitlines() if not _ADVISORY_BOILERPLATE.match(line))


def load_travel_advisories(path: Path) -> Loaded:
    out = Loaded()
    for m, where, md in _zip_members(path, r"^us-travel-advisories/([^/]+)/Advisory\.md$"):
        title, _, body = advisory_text(md).partition("\n")
        if not body.strip():
            out.problems.append(Rejected(where, None, "empty advisory"))
            continue
        date = _ADVISORY_DATE.search(md)
        level = _ADVISORY_LEVEL.search(md)
        out.records.append(_record(
            "travel_advisories", m[1], title, body, _parse_date(date[1], ("%B %d, %Y",)) if date else None,
            country=m[1], level=int(level[1]) if level else None))
    return out


_SGML_DOC = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)
_SGML_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _sgml_field(doc: str, tag: str) -> str:
    """Content of an element; its opening tag may carry attributes (<TEXT TYPE="UNPROC">)."""
    m = re.search(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", doc, re.S)
    return m[1] if m else ""


def load_reuters21578(path: Path) -> Loaded:
    out = Loaded()
    try:
        tar = tarfile.open(path, "r:gz")
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".sgm")), key=lambda m: m.name)
        files = [(m.name, tar.extractfile(m).read().decode("latin-1")) for m in members]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CorpusError(f"{path}: unreadable tar.gz archive ({exc})") from exc
    for name, sgml in files:
        line, pos = 1, 0
        for m in _SGML_DOC.finditer(sgml):
            attrs = dict(_SGML_ATTR.findall(m[1]))
            doc = m[2]
            line += sgml.count("\n", pos, m.start())
            pos = m.start()
            if "NEWID" not in attrs:
                out.problems.append(Rejected(f"{path}!{name}", line, "REUTERS element without NEWID"))
                continue
            title = _sgml_field(doc, "TITLE")
            # UNPROC stories have no BODY element: their text is the TEXT element itself.
            body = _sgml_field(doc, "BODY") or re.sub(r"<[^>]+>", " ", _sgml_field(doc, "TEXT"))
            topics = re.findall(r"<D>(.*?)</D>", _sgml_field(doc, "TOPICS"))
            rec = _record("reuters21578", attrs["NEWID"], title, body,
                          _parse_date(_sgml_field(doc, "DATE").split(" ")[0], ("%d-%b-%Y",)),
                          topics=topics, has_topics=attrs.get("TOPICS") == "YES",
                          lewissplit=attrs.get("LEWISSPLIT", ""))
            if not (rec["title"] or rec["text"]):
                out.problems.append(Rejected(f"{path}!{name}", line, f"NEWID {attrs['NEWID']}: no title or body"))
                continue
            out.records.append(rec)
    return out


# ---- a user's own corpus -------------------------------------------------------------------

def load_user_file(path: Path, source: str, fmt: str, fields: Fields = Fields()) -> Loaded:
    """A user's JSONL, CSV or Parquet file, read by the runtime's readers; bad rows become problems."""
    out = Loaded()
    try:
        for item in read_file(path, fmt, fields, keep_meta=True):
            if isinstance(item, Rejected):
                out.problems.append(item)
            else:
                out.records.append(_record(source, item.id, item.title, item.text, item.date, **item.meta))
    except ValueError as exc:  # no text column, unreadable Parquet
        raise CorpusError(str(exc)) from None
    return out


MIRRORED: dict[str, Callable[[Path], Loaded]] = {
    "ag_news": load_ag_news,
    "reuters_isot": load_reuters_isot,
    "bbc": load_bbc,
    "travel_advisories": load_travel_advisories,
    "reuters21578": load_reuters21578,
}


def load_source(name: str, corpus_dir: str | Path | None = None, *, path: str | None = None,
                fmt: str | None = None, fields: Fields | None = None, verify: bool = True) -> Loaded:
    """Load a mirrored corpus by name, or a user's own file (``path`` + ``fmt``)."""
    if name in MIRRORED and path is None:
        relpath, sha = KNOWN_FILES[name]
        return MIRRORED[name](locate(relpath, corpus_dir, sha if verify else None))
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

