"""Active learning picks and the Label Studio exchange (on records written for the test)."""
from __future__ import annotations

import json

import pytest

from data.suggest import append_gold, from_label_studio, keyword_picks, label_studio_tasks, suggest

THRESHOLDS = {"diplomatic_warning": 0.5, "arrest": 0.5, "consular": 0.5}


def records(outlet: str, n: int) -> list[dict]:
    return [{"id": f"allsides:{outlet}{k}", "source": "allsides", "title": f"T{k}", "text": "x", "meta": {"outlet": outlet}}
            for k in range(n)]


def test_picks_disagreements_first_then_the_least_sure_spread_across_outlets():
    recs = records("a", 6) + records("b", 2)
    sure = {"diplomatic_warning": 0.01, "arrest": 0.01, "consular": 0.01}
    scores = [dict(sure) for _ in recs]
    scores[0]["arrest"] = 0.48  # a's least sure arrest article
    scores[1]["arrest"] = 0.90  # a: the model says arrest, the labeling functions do not
    scores[6]["arrest"] = 0.30  # b's least sure
    weak = [[] for _ in recs]
    picks = suggest(recs, scores, THRESHOLDS, weak, 6)
    arrest = [p["id"] for p in picks if p["label"] == "arrest"]
    # round-robin, each outlet's best first (a's disagreement before its near-threshold a0); b0 went to
    # diplomatic_warning, picked first on an all-equal tie, so b gives its next article
    assert arrest == ["allsides:a1", "allsides:b1"]
    assert picks[[p["id"] for p in picks].index("allsides:a1")]["reason"] == "model and labeling functions disagree"
    assert len(picks) == 6 and len({p["id"] for p in picks}) == 6
    assert {p["outlet"] for p in picks} == {"a", "b"}


def test_focus_gives_each_listed_label_its_share_of_the_picks():
    recs = records("a", 10) + records("b", 10)
    scores = [{"diplomatic_warning": 0.4, "arrest": 0.4, "consular": 0.4} for _ in recs]
    picks = suggest(recs, scores, THRESHOLDS, [[] for _ in recs], 8, focus=["consular", "consular", "arrest"])
    by_label = [p["label"] for p in picks]
    assert by_label.count("diplomatic_warning") == 0
    assert len(picks) == 8 and by_label.count("consular") >= 5 and by_label.count("arrest") >= 2


def test_keyword_picks_take_pattern_candidates_across_outlets():
    long = " filler words to pass the length floor" * 10
    recs = [{"id": f"allsides:{o}{k}", "source": "allsides", "title": f"T{k}", "meta": {"outlet": o},
             "text": ("The embassy was closed." if k % 2 else "Sports results.") + long} for o in "ab" for k in range(6)]
    recs.append({"id": "allsides:short", "source": "allsides", "title": "", "meta": {"outlet": "a"}, "text": "embassy"})
    picks = keyword_picks(recs, 4, ["consular"], seed=1)
    assert len(picks) == 4 and {p["outlet"] for p in picks} == {"a", "b"}
    assert all(int(p["id"][-1]) % 2 == 1 and p["reason"] == "keyword:consular" for p in picks)  # only the embassy ones
    assert keyword_picks(recs, 4, ["consular"], seed=1) == picks  # seeded
    assert len(keyword_picks(recs, 10, ["consular"], seed=1)) == 6  # no more candidates than there are


def test_label_studio_round_trip_into_the_gold_file(tmp_path):
    recs = records("a", 3)
    picks = [{"id": r["id"], "outlet": "a", "label": "arrest", "reason": "r"} for r in recs]
    tasks = label_studio_tasks(picks, {r["id"]: r for r in recs})
    assert tasks[0]["data"] == {"id": "allsides:a0", "title": "T0", "text": "x"}
    tasks[0]["annotations"] = [
        {"result": [{"type": "choices", "value": {"choices": ["consular", "arrest"]}}], "updated_at": "2026-01-02"},
        {"result": [{"type": "choices", "value": {"choices": ["arrest"]}}], "updated_at": "2026-01-01"}]
    tasks[1]["annotations"] = [{"result": [], "updated_at": "2026-01-01"}]
    tasks[2]["annotations"] = [{"result": [], "was_cancelled": True}]
    rows = from_label_studio(json.loads(json.dumps(tasks)))
    assert [(r["id"], r["labels"]) for r in rows] == [("allsides:a0", ["arrest", "consular"]), ("allsides:a1", [])]
    gold = tmp_path / "labels.jsonl"
    gold.write_text('{"id": "bbc:x/1", "labels": [], "split": "test"}\n')
    assert append_gold(rows, gold) == 2
    from data.gold import load_gold

    loaded = load_gold(gold)
    assert loaded["allsides:a0"] == {"labels": ["arrest", "consular"], "split": "dev", "drawn_by": "active_learning",
                                      "file": gold, "line": 2}
    with pytest.raises(ValueError, match="already holds 2 of these ids"):
        append_gold(rows, gold)
    with pytest.raises(ValueError, match="task 1: not a Label Studio task"):
        from_label_studio([{"annotations": []}])
