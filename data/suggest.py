"""Active learning: which articles to annotate next, and the Label Studio exchange.

``suggest`` picks, from a pool of articles that are neither gold nor from an unseen outlet, those the
current model is least sure of (its score closest to the label's threshold, on the logit scale) and
those on which the model and the labeling functions disagree - a third of the picks per label,
taken round-robin across outlets so that no outlet dominates. The picks go out as JSONL and as Label
Studio tasks; annotations come back from Label Studio's JSON export as gold rows (ids + labels only).
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

from data.labeling import LABELS

LABEL_CONFIG = """<View>
  <Header value="$title"/>
  <Text name="text" value="$text"/>
  <Choices name="labels" toName="text" choice="multiple">
    <Choice value="diplomatic_warning"/><Choice value="arrest"/><Choice value="consular"/>
  </Choices>
</View>"""  # paste into Label Studio's labeling interface (Settings > Labeling Interface > Code)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _shares(n: int, focus: list[str] | None) -> list[tuple[str, int]]:
    """(label, how many picks) for each label of ``focus`` (default: every label once), in proportion
    to how often it is listed."""
    focus = list(focus or LABELS)
    return [(label, math.ceil(n * focus.count(label) / len(focus))) for label in dict.fromkeys(focus)]


def _outlet_of(rec: dict) -> str:
    return rec["meta"].get("outlet") or rec["source"]


def _round_robin(queues: dict[str, list], outlets: list[str]):
    """(outlet, item): every outlet's first item in the order of ``outlets``, then every second, ...,
    so that no outlet dominates the picks."""
    for rank in range(max(map(len, queues.values()), default=0)):
        for outlet in outlets:
            if rank < len(queues[outlet]):
                yield outlet, queues[outlet][rank]


def suggest(records: list[dict], scores: list[dict[str, float]], thresholds: dict[str, float],
            weak: list[list[str]], n: int, focus: list[str] | None = None) -> list[dict]:
    """``n`` picks: [{"id", "outlet", "label", "reason", "scores", "weak_labels"}] in pick order.
    ``focus``: the labels to pick for, each with a share of ``n`` in proportion to how often it is
    listed (default: every label once, equal shares)."""
    picked: dict[str, dict] = {}
    for label, quota in _shares(n, focus):
        t = thresholds[label]
        queues: dict[str, list] = defaultdict(list)
        for rec, s, w in zip(records, scores, weak):
            agree = (s[label] >= t) == (label in w)  # False sorts first: disagreements lead
            queues[_outlet_of(rec)].append(((agree, abs(_logit(s[label]) - _logit(t)), rec["id"]), rec, s, w))
        for q in queues.values():
            q.sort(key=lambda item: item[0])
        taken = 0
        for outlet, ((agree, _, article_id), rec, s, w) in _round_robin(queues, sorted(queues, key=lambda o: queues[o][0][0])):
            if taken >= quota:
                break
            if article_id in picked:
                continue
            picked[article_id] = {"id": article_id, "outlet": outlet, "label": label,
                                  "reason": f"score {s[label]:.2f} near threshold {t:.2f}" if agree else
                                  "model and labeling functions disagree",
                                  "scores": {k: round(v, 4) for k, v in s.items()}, "weak_labels": w}
            taken += 1
    return list(picked.values())[:n]


def keyword_picks(records: list[dict], n: int, focus: list[str] | None = None, seed: int = 0) -> list[dict]:
    """``n`` articles found by the broad keyword patterns the unseen-outlets test was drawn with
    (``data.sample_unseen.BROAD``, within that draw's length limits), shares per label as in
    :func:`suggest`, random within an outlet and round-robin across outlets: a draw rich in positives,
    where near-threshold picks are mostly negatives."""
    import random

    from data.sample_unseen import candidates, within_limits

    records = [r for r in records if within_limits(r)]
    rng = random.Random(seed)
    picked: dict[str, dict] = {}
    for label, quota in _shares(n, focus):
        queues: dict[str, list] = defaultdict(list)
        for rec in candidates(label, (r for r in records if r["id"] not in picked)):
            queues[_outlet_of(rec)].append(rec)
        for q in queues.values():
            rng.shuffle(q)
        for taken, (outlet, rec) in enumerate(_round_robin(queues, sorted(queues))):
            if taken >= quota:
                break
            picked[rec["id"]] = {"id": rec["id"], "outlet": outlet, "label": label, "reason": f"keyword:{label}"}
    return list(picked.values())[:n]


def label_studio_tasks(picks: list[dict], by_id: dict[str, dict]) -> list[dict]:
    """Label Studio tasks (import JSON): the text to read, and our id to bring the labels back."""
    return [{"data": {"id": p["id"], "title": by_id[p["id"]]["title"], "text": by_id[p["id"]]["text"]},
             "meta": {k: p[k] for k in ("outlet", "label", "reason")}} for p in picks]


def from_label_studio(export: list, where: str = "export") -> list[dict]:
    """Gold rows ({"id", "labels", "drawn_by", "note"}) from Label Studio's JSON export; the latest
    non-cancelled annotation of each task counts. Bad tasks are refused with their position."""
    rows = []
    for k, task in enumerate(export, start=1):
        try:
            article_id = task["data"]["id"]
            done = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
            if not done:
                continue
            latest = max(done, key=lambda a: a.get("updated_at") or a.get("created_at") or "")
            labels = sorted({c for r in latest.get("result", []) if r.get("type") == "choices"
                             for c in r["value"]["choices"]}, key=LABELS.index)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: task {k}: not a Label Studio task with data.id and choices ({exc})") from None
        rows.append({"id": article_id, "labels": labels, "drawn_by": "active_learning", "note": "Label Studio"})
    return rows


def append_gold(rows: list[dict], gold_file: Path, split: str = "dev") -> int:
    """Add rows to a gold file under ``split`` (active-learning picks are trained on, so dev); ids
    already there, or in another file of the gold set when the file is one of them, are refused.
    Returns how many rows were added."""
    from data.gold import GOLD_FILES, load_gold
    from wirecat.files import write_atomic

    members = GOLD_FILES if gold_file in GOLD_FILES else gold_file
    have = load_gold(members)
    again = [r["id"] for r in rows if r["id"] in have]
    if again:
        where = f"{gold_file} (with the rest of the gold set)" if members is GOLD_FILES else gold_file
        raise ValueError(f"{where}: already holds {len(again)} of these ids, e.g. {again[:3]}")
    lines = [json.dumps({"id": r["id"], "labels": r["labels"], "split": split, "drawn_by": r.get("drawn_by"),
                         **({"annotation": r["annotation"]} if r.get("annotation") else {}),  # e.g. agreed, adjudicated
                         "note": r.get("note", "")}, ensure_ascii=False) for r in rows]
    write_atomic(gold_file, gold_file.read_text() + "".join(line + "\n" for line in lines))
    load_gold(members)  # still valid
    return len(rows)
