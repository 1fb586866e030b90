"""How the unseen-outlets test was drawn (rerun to reproduce the list of ids; annotation is by hand).

From the articles of outlets training never reads - WMT newstest, BBC News 2025 and AllSides' held-out
outlets - as the annotators read them (the files' text before normalization), with more than 200 and
at most 15,000 characters (the cap keeps annotation affordable): a uniform random sample per corpus, so that recall is measured on articles no keyword
finds, plus candidates per label found by broad keyword patterns (every WMT and BBC candidate, a
sample of AllSides'), so that every label gets enough positives. Seeded.
"""
from __future__ import annotations

import random
import re

SEED = 20261201
MAX_CHARS = 15_000
RANDOM = {"wmt_newstest": 300, "bbc_2025": 100, "allsides": 200}
EVERY = 10**6
CANDIDATES = {"diplomatic_warning": {"wmt_newstest": EVERY, "bbc_2025": EVERY, "allsides": 200},
              "arrest": {"wmt_newstest": EVERY, "bbc_2025": EVERY, "allsides": 150},
              "consular": {"wmt_newstest": EVERY, "bbc_2025": EVERY, "allsides": 200}}
BROAD = {
    "diplomatic_warning": r"\b(foreign (ministry|minister|office|secretary)|state department|secretary of state|embass|"
                          r"ambassador|white house|kremlin|beijing|tehran|pyongyang)\b.{0,250}\b(warn|protest|condemn|summon|"
                          r"retaliat|threaten|consequences|demarche)|\b(warn|protest|condemn|summon|retaliat|threaten)\w*\b"
                          r".{0,250}\b(foreign (ministry|minister|office)|state department|embass|ambassador)|"
                          r"travel (advisory|warning|advice)|avoid (all )?(non-essential )?travel",
    "arrest": r"\b(arrest(ed|s)?|detain(ed|s)?|detention|in custody|extradit\w*|arrest warrant|taken into custody)\b",
    "consular": r"\b(embass(y|ies)|consulates?|consular|visas?|passports?|expel\w* (\w+ ){0,2}diplomats|diplomats? "
                r"(were |was )?expelled|evacuat\w+ (its |their )?(citizens|nationals)|repatriat\w+|travel ban)\b",
}


def within_limits(record: dict) -> bool:
    """More than 200 and at most MAX_CHARS characters: the articles the draw takes."""
    return 200 < len(record["text"]) and len(record["title"]) + len(record["text"]) <= MAX_CHARS


def candidates(label: str, records):
    """The records that the label's broad keyword pattern finds (title and text)."""
    pattern = re.compile(BROAD[label], re.I | re.S)
    return [r for r in records if pattern.search(r["title"] + "\n" + r["text"])]


def draw(records: list[dict]) -> list[dict]:
    """The sample: [{"id", "drawn_by"}] from records of the unseen outlets."""
    pool = {name: [r for r in records if r["source"] == name and within_limits(r)] for name in RANDOM}  # records as annotated
    rng = random.Random(SEED)
    chosen: dict[str, str] = {}
    for name, n in RANDOM.items():
        for r in rng.sample(pool[name], n):
            chosen[r["id"]] = "random"
    for label, wanted in CANDIDATES.items():
        for name, n in wanted.items():
            found = candidates(label, (r for r in pool[name] if r["id"] not in chosen))
            for r in rng.sample(found, min(n, len(found))):
                chosen[r["id"]] = f"keyword:{label}"
    return [{"id": i, "drawn_by": how} for i, how in chosen.items()]


def unseen_records() -> list[dict]:
    """The unseen outlets' articles as the annotators read them: {"id", "source", "title", "text"}."""
    import gzip
    import json

    from data.loaders import BBC_2025_HEADER, held_out_outlet, wmt_documents
    from data.records import csv_rows
    from data.sources import KNOWN_FILES, locate

    out = []
    with gzip.open(locate(KNOWN_FILES["allsides"][0]), "rt", encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            if held_out_outlet(row["source"]):
                out.append({"id": f"allsides:{row['ID']}", "source": "allsides", "title": row["title"] or "",
                            "text": (row["text"] or "").strip()})
    seen = set()
    for _, _, docid, _, title, paragraphs in wmt_documents(locate(KNOWN_FILES["wmt_newstest"][0])):
        if docid not in seen:
            seen.add(docid)
            out.append({"id": f"wmt_newstest:{docid}", "source": "wmt_newstest", "title": title,
                        "text": "\n\n".join(paragraphs)})
    path, seen = locate(KNOWN_FILES["bbc_2025"][0]), set()
    for _, row in csv_rows(path, BBC_2025_HEADER):
        article = dict(zip(BBC_2025_HEADER, row))
        slug = article["url"].rstrip("/").rsplit("/", 1)[-1]
        if slug not in seen:
            seen.add(slug)
            out.append({"id": f"bbc_2025:{slug}", "source": "bbc_2025", "title": article["headline"],
                        "text": article["content"].strip()})
    return out


if __name__ == "__main__":
    import json

    for row in draw(unseen_records()):
        print(json.dumps(row))
