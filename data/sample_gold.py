"""How the gold sample was drawn (rerun to reproduce the list of ids; annotation is by hand).

Two parts, so that both precision and recall can be measured honestly:
1. a uniform random sample of all articles of the default sources (measures recall: positives that
   no keyword finds still turn up here), and
2. keyword candidates per label, drawn per source with broad patterns (far broader than the
   labeling functions), so that every label gets enough positives to measure; plus a slice of the
   travel advisories, which are a genre of their own.
Seeded, so the same corpus gives the same sample. Round 2 (a second annotation pass, to give the
model more gold to learn from through cross-fitting) draws the same way from what round 1 left;
round 3 takes every news article that round 1 and 2 left which matches a broad pattern, so that
nearly every likely positive of the default corpora is hand-annotated.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

from data.sources import DEFAULT_SOURCES, load_source

SEED = 20261129
ROUNDS = [  # (random, candidates per label, advisories)
    (330, {"diplomatic_warning": 190, "arrest": 150, "consular": 150}, 40),
    (250, {"diplomatic_warning": 230, "arrest": 200, "consular": 200}, 20),
    (0, {"diplomatic_warning": 10**6, "arrest": 10**6, "consular": 10**6}, 30),  # every candidate left
]
BROAD = {
    "diplomatic_warning": r"\bwarn|\bprotest|\bsummon|\bdemarche|\bretaliat|\bcondemn|\bthreaten|travel advi|avoid (all )?travel|\bcaution",
    "arrest": r"\barrest|\bdetain|\bdetention|\bcustody|\bextradit|\bcharged\b|\bheld\b|\bwarrant|\bjailed|\bcaptured",
    "consular": r"\bembass|\bconsul|\bvisa\b|\bvisas\b|\bpassport|\bdiplomat|\bambassador|\bevacuat|\brepatriat|\bexpel",
}


def draw(records: list[dict], round_no: int = 1) -> list[dict]:
    """The sample of one round; later rounds draw only from articles earlier rounds left."""
    earlier = {s["id"] for k in range(1, round_no) for s in draw(records, k)}
    records = [r for r in records if r["id"] not in earlier]
    random_n, candidates_per_label, advisories_n = ROUNDS[round_no - 1]
    rng = random.Random(SEED + round_no - 1)
    news = [r for r in records if r["source"] != "travel_advisories"]
    chosen: dict[str, str] = {}
    for r in rng.sample(records, random_n):
        chosen[r["id"]] = "random"
    for label, n in candidates_per_label.items():
        pattern = re.compile(BROAD[label], re.I)
        pool = [r for r in news if r["id"] not in chosen and pattern.search(r["title"] + " " + r["text"])]
        # half from long-form sources (Reuters, BBC), half from AG News, so no source dominates
        long_form = [r for r in pool if r["source"] != "ag_news"]
        short = [r for r in pool if r["source"] == "ag_news"]
        take = rng.sample(long_form, min(n // 2, len(long_form)))
        take += rng.sample(short, min(n - len(take), len(short)))
        for r in take:
            chosen[r["id"]] = f"keyword:{label}"
    advisories = [r for r in records if r["source"] == "travel_advisories" and r["id"] not in chosen]
    for r in rng.sample(advisories, advisories_n):
        chosen[r["id"]] = "advisory"
    by_id = {r["id"]: r for r in records}
    suffix = "" if round_no == 1 else f"@round{round_no}"
    return [{"id": i, "drawn_by": how + suffix, "source": by_id[i]["source"]} for i, how in chosen.items()]


def main(round_no: int = 1, out: Path | None = None) -> None:
    records = [r for s in DEFAULT_SOURCES for r in load_source(s).records]
    sample = draw(records, round_no)
    out = out or Path(f"data/processed/gold-sample-round{round_no}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(s) + "\n" for s in sample))
    print(f"{len(sample)} ids written to {out}")


if __name__ == "__main__":
    import sys

    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
