"""One loader per mirrored corpus: its file to records (see data/records.py), with problems kept."""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import tarfile
from pathlib import Path

from data.records import CorpusError, Loaded, capped_ids, csv_rows, parse_date, record, zip_members
from data.text import strip_markdown
from wirecat.readers import Rejected

AG_CLASSES = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tech"}


def load_ag_news(path: Path) -> Loaded:
    out = Loaded()
    for n, (line, row) in enumerate(csv_rows(path, ["label", "title", "description"]), start=1):
        if len(row) != 3:
            out.problems.append(Rejected(str(path), line, f"expected 3 fields, got {len(row)}"))
            continue
        label, title, text = row
        if not label.isdigit() or int(label) not in AG_CLASSES:
            out.problems.append(Rejected(str(path), line, f"label {label!r} is not one of 1-4"))
            continue
        out.records.append(record("ag_news", f"{n:05d}", title, text, None,
                                   category=AG_CLASSES[int(label)]))
    return out


def load_reuters_isot(path: Path) -> Loaded:
    out = Loaded()
    for n, (line, row) in enumerate(csv_rows(path, ["title", "text", "subject", "date", "label"]), start=1):
        if len(row) != 5:
            out.problems.append(Rejected(str(path), line, f"expected 5 fields, got {len(row)}"))
            continue
        title, text, subject, date, _ = row
        if not text.strip():
            out.problems.append(Rejected(str(path), line, "empty text"))
            continue
        out.records.append(record("reuters_isot", f"{n:04d}", title, text,
                                   parse_date(date, ("%B %d, %Y", "%b %d, %Y", "%d-%b-%y")),
                                   subject=subject))
    return out



def load_bbc(path: Path) -> Loaded:
    out = Loaded()
    for m, where, raw in zip_members(path, r"^bbc/([a-z]+)/(\d+)\.txt$"):
        title, _, body = raw.strip().partition("\n")
        if not body.strip():
            out.problems.append(Rejected(where, None, "no body after the title line"))
            continue
        out.records.append(record("bbc", f"{m[1]}/{m[2]}", title, body, None, category=m[1]))
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
    for m, where, md in zip_members(path, r"^us-travel-advisories/([^/]+)/Advisory\.md$"):
        title, _, body = advisory_text(md).partition("\n")
        if not body.strip():
            out.problems.append(Rejected(where, None, "empty advisory"))
            continue
        date = _ADVISORY_DATE.search(md)
        level = _ADVISORY_LEVEL.search(md)
        out.records.append(record(
            "travel_advisories", m[1], title, body, parse_date(date[1], ("%B %d, %Y",)) if date else None,
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
            rec = record("reuters21578", attrs["NEWID"], title, body,
                          parse_date(_sgml_field(doc, "DATE").split(" ")[0], ("%d-%b-%Y",)),
                          topics=topics, has_topics=attrs.get("TOPICS") == "YES",
                          lewissplit=attrs.get("LEWISSPLIT", ""))
            if not (rec["title"] or rec["text"]):
                out.problems.append(Rejected(f"{path}!{name}", line, f"NEWID {attrs['NEWID']}: no title or body"))
                continue
            out.records.append(rec)
    return out


# ---- a user's own corpus -------------------------------------------------------------------


# ---- corpora from outlets the training corpora do not have (the unseen-outlets test) -------------

def held_out_outlet(outlet: str) -> bool:
    """About a fifth of AllSides outlets, by a stable hash of the outlet's name: reserved for the
    unseen-outlets test, never trained on."""
    return int(hashlib.sha256(outlet.encode()).hexdigest(), 16) % 5 == 0


def load_allsides(path: Path, keep: set[str] | None = None, cap: tuple[int, set[str]] | None = None) -> Loaded:
    """AllSides articles with their outlet; ``keep``: only these IDs; ``cap``: (n, always) keeps at most
    n articles per outlet as data.records.capped_ids picks them, before normalizing (normalizing all
    36,670 texts takes most of the load time)."""
    out = Loaded()
    rows = []  # (line, row or None, problem)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, start=1):
                try:
                    row = json.loads(line)
                    row["ID"], row["source"], row["text"] = row["ID"], row["source"], row.get("text") or ""
                    rows.append((line_no, row, None))
                except (ValueError, KeyError, TypeError) as exc:
                    rows.append((line_no, None, f"not an article object ({exc})"))
    except (OSError, EOFError) as exc:
        raise CorpusError(f"{path}: unreadable gzip file ({exc})") from exc
    capped = None  # record ids (allsides:ID) within the cap, ranked as data.build ranks records
    if cap is not None:
        capped = capped_ids(((f"allsides:{r['ID']}", r["source"] or "allsides") for _, r, _ in rows if r and r["text"].strip()),
                            *cap)
    for line_no, row, problem in rows:
        if row is None:
            out.problems.append(Rejected(str(path), line_no, problem))
            continue
        key, outlet, text = row["ID"], row["source"], row["text"]
        if keep is not None and key not in keep:
            continue
        if not text.strip():
            out.problems.append(Rejected(str(path), line_no, "empty text"))
            continue
        if capped is not None and f"allsides:{key}" not in capped:
            continue
        out.records.append(record(
            "allsides", key, row.get("title") or "", text,
            parse_date(str(row.get("date") or ""), ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%Y/%m/%d")),
            outlet=outlet, held_out=held_out_outlet(outlet), topic=row.get("topic"), url=row.get("url")))
    return out


_WMT_DOC = re.compile(r'<doc docid="([^"]+)"([^>]*)>(.*?)</doc>', re.S)
_WMT_SEG = re.compile(r"<seg[^>]*>(.*?)</seg>", re.S)
_WMT_DATED_ID = re.compile(r"^(?P<outlet>[^/\\]+?)[/\\-](?P<y>\d{4})[/\\-](?P<m>\d{2})[/\\-](?P<d>\d{2})")


def wmt_outlet_and_date(docid: str) -> tuple[str, str | None]:
    """The outlet and date a WMT docid carries: 'napi.hu/2007/12/12/0', 'aktualne.cz-2010-12-02-60918',
    'hvg.hu\\2008\\09\\29\\52372' are dated; newstest2014's '1016-latimes' names the outlet only."""
    m = _WMT_DATED_ID.match(docid)
    if m:
        return m["outlet"], parse_date(f"{m['y']}-{m['m']}-{m['d']}", ("%Y-%m-%d",))
    numbered = re.match(r"^\d+-(.+)$", docid)
    return (numbered[1] if numbered else docid), None


def wmt_documents(path: Path):
    """(where, line, docid, attributes, title, paragraphs) per <doc> of the WMT SGML files, as written
    (not normalized): <hl>/<h1> headline and <p> paragraphs of <seg> sentences (2008-2013), or bare
    <seg> lines whose first is the headline (2014)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = sorted((m for m in tar.getmembers() if m.name.endswith(".sgm")), key=lambda m: m.name)
            files = [(m.name, tar.extractfile(m).read().decode("utf-8")) for m in members]
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: unreadable tar.gz archive ({exc})") from exc
    segs = lambda x: " ".join(html.unescape(s).strip() for s in _WMT_SEG.findall(x))  # noqa: E731
    for name, sgml in files:
        for m in _WMT_DOC.finditer(sgml):
            body = m[3]
            headline = re.search(r"<(hl|h1)>(.*?)</\1>", body, re.S)
            if headline:
                title, paragraphs = segs(headline[2]), [segs(p) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
            else:
                lines = [html.unescape(s).strip() for s in _WMT_SEG.findall(body)]
                title, paragraphs = (lines[0], lines[1:]) if lines else ("", [])
            yield name, sgml.count("\n", 0, m.start()) + 1, m[1], m[2], title, [p for p in paragraphs if p]


def load_wmt_newstest(path: Path) -> Loaded:
    """WMT newstest: one record per document. A docid seen in an earlier file is the same document
    again: reported, not loaded twice."""
    out, seen = Loaded(), {}
    for name, line, docid, attributes, title, paragraphs in wmt_documents(path):
        where = f"{path}!{name}"
        if docid in seen:
            out.problems.append(Rejected(where, line, f"docid {docid} is the same document as in {seen[docid]}"))
            continue
        seen[docid] = name
        if not paragraphs:
            out.problems.append(Rejected(where, line, f"docid {docid}: no text"))
            continue
        outlet, date = wmt_outlet_and_date(docid)
        lang = re.search(r'origlang="([^"]*)"', attributes)
        out.records.append(record("wmt_newstest", docid, title, "\n".join(paragraphs), date, outlet=outlet,
                                  origlang=lang[1] if lang else None, testset=Path(name).stem))
    return out


BBC_2025_HEADER = ["headline", "description", "section", "content_topic", "authors", "published", "modified",
                   "image_url", "thumbnail_url", "main_entity", "content", "url"]


def load_bbc_2025(path: Path) -> Loaded:
    """BBC News of 2025: the id is the article's URL slug; a repeated slug is the same article again."""
    out, seen = Loaded(), {}
    header = BBC_2025_HEADER
    for line, row in csv_rows(path, header):
        if len(row) != len(header):
            out.problems.append(Rejected(str(path), line, f"expected {len(header)} fields, got {len(row)}"))
            continue
        r = dict(zip(header, row))
        slug = r["url"].rstrip("/").rsplit("/", 1)[-1]
        if not r["content"].strip():
            out.problems.append(Rejected(str(path), line, "empty text (content)"))
        elif not slug:
            out.problems.append(Rejected(str(path), line, "no url to take the id from"))
        elif slug in seen:
            out.problems.append(Rejected(str(path), line, f"the same article as line {seen[slug]} ({slug})"))
        else:
            seen[slug] = line
            out.records.append(record("bbc_2025", slug, r["headline"], r["content"], r["published"][:10] or None,
                                      outlet="BBC", section=r["section"]))
    return out
