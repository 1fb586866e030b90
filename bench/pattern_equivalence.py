"""Check the pattern features on the whole mirror: Hyperscan (wirecat.patterns) against Python's re on
the UTF-8 bytes (the promised semantics, must agree everywhere) and against re on the decoded text
(the features of models before Hyperscan: differs only where non-ASCII letters meet \\b or \\w, or
[^.]{0,N} counts bytes). Usage: python -m bench.pattern_equivalence [SOURCE ...]"""
from __future__ import annotations

import json
import re
import sys
import time

from data.sources import KNOWN_FILES, load_source
from train.pipeline import pattern_features
from wirecat.text import document


def main(names: list[str]) -> dict:
    patterns = pattern_features().patterns
    by_bytes = [re.compile(p.encode()) for p in patterns]
    by_text = [re.compile(p) for p in patterns]
    matcher = pattern_features().fit([])
    report = {}
    for name in names:
        texts = [document(r["title"], r["text"]).lower() for r in load_source(name).records]
        started = time.perf_counter()
        fired = matcher.transform(texts).toarray().astype(bool)
        seconds = time.perf_counter() - started
        bytes_diff = text_diff = 0
        for row, text in zip(fired, texts):
            data = text.encode("utf-8", "surrogatepass")
            bytes_diff += sum(bool(c.search(data)) != hit for c, hit in zip(by_bytes, row))
            text_diff += sum(bool(c.search(text)) != hit for c, hit in zip(by_text, row))
        report[name] = {"articles": len(texts), "features_fired": int(fired.sum()), "differ_from_re_on_bytes": int(bytes_diff),
                        "differ_from_re_on_text": int(text_diff), "hyperscan_articles_per_s": round(len(texts) / max(seconds, 1e-9))}
        print(json.dumps({name: report[name]}), flush=True)
    return report


if __name__ == "__main__":
    result = main(sys.argv[1:] or list(KNOWN_FILES))
    sys.exit(1 if any(r["differ_from_re_on_bytes"] for r in result.values()) else 0)
