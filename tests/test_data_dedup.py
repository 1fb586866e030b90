"""Exact and near-duplicate detection on small articles written here."""
from data.dedup import deduplicate, duplicate_groups

BASE = ("The foreign ministry said on Tuesday that it had summoned the ambassador over remarks made by the "
        "president about the disputed islands, and warned of further steps if the remarks were repeated.")


def rec(i, title, text):
    return {"id": f"t:{i}", "title": title, "text": text, "source": "t"}


def test_exact_duplicates_after_normalization_are_grouped():
    records = [rec(1, "Envoy summoned", BASE), rec(2, "ENVOY SUMMONED!", BASE.upper()), rec(3, "Other", "Completely different text about football results and a late goal.")]
    assert duplicate_groups(records) == [[0, 1]]


def test_near_duplicates_are_grouped_but_related_articles_are_not():
    near = BASE.replace("on Tuesday", "on Wednesday") + " (AP)"
    related = "The ambassador was summoned. " + "Markets rose strongly on news of the trade deal between the two countries. " * 3
    groups = duplicate_groups([rec(1, "Envoy summoned", BASE), rec(2, "Envoy summoned (AP)", near), rec(3, "Envoy", related)])
    assert groups == [[0, 1]]


def test_deduplicate_keeps_the_preferred_gold_article_and_reports_removals():
    records = [rec(1, "Envoy summoned", BASE), rec(2, "Envoy summoned", BASE)]
    kept, removed = deduplicate(records, prefer={"t:2"})
    assert [r["id"] for r in kept] == ["t:2"]
    assert removed == [{"id": "t:1", "duplicate_of": "t:2"}]
