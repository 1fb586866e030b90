"""Source loaders on the real mirrored files, and their error paths on small files written here."""
from __future__ import annotations

import zipfile

import pytest

from conftest import needs_mirror
from data.sources import CorpusError, Fields, KNOWN_FILES, load_source, locate

EXPECTED = {"ag_news": 7600, "reuters_isot": 1071, "bbc": 2225, "travel_advisories": 213, "reuters21578": 21578}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_reads_every_record_of_the_mirror(name):
    if not _has(name):
        pytest.skip(f"corpus mirror absent for {name}")
    loaded = load_source(name)
    assert len(loaded.records) + len(loaded.problems) == EXPECTED[name]
    # Reuters-21578 holds one story with neither title nor body (NEWID 12793): reported, not dropped silently
    assert [p.reason for p in loaded.problems] == (["NEWID 12793: no title or body"] if name == "reuters21578" else [])
    ids = [r["id"] for r in loaded.records]
    assert len(set(ids)) == len(ids) and all(i.startswith(name + ":") for i in ids)
    for r in loaded.records:
        assert r["source"] == name and (r["text"] or r["title"]) and isinstance(r["meta"], dict)
        assert "  " not in r["text"] and "\n" not in r["text"]


def _has(name):
    try:
        locate(KNOWN_FILES[name][0])
        return True
    except CorpusError:
        return False


@needs_mirror("ag_news")
def test_ag_news_entities_and_escapes_are_normalized_and_label_kept():
    recs = load_source("ag_news").records
    assert not any("#39;" in r["text"] or "#36;" in r["text"] or "\\" in r["text"] for r in recs)
    space = next(r for r in recs if r["id"] == "ag_news:00002")
    assert "$10 million" in space["text"]
    assert {r["meta"]["category"] for r in recs} == {"World", "Sports", "Business", "Sci/Tech"}


@needs_mirror("ag_news")
def test_ids_are_stable_across_runs():
    assert [r["id"] for r in load_source("ag_news").records[:50]] == [r["id"] for r in load_source("ag_news").records[:50]]


@needs_mirror("travel_advisories")
def test_advisories_lose_markdown_noise_and_keep_country_date_level():
    recs = {r["id"]: r for r in load_source("travel_advisories").records}
    afg = recs["travel_advisories:Afghanistan"]
    assert afg["meta"] == {"country": "Afghanistan", "level": 4} and afg["date"] == "2025-01-13"
    for r in recs.values():
        assert "javascript:void" not in r["text"] and "Tool Tip" not in r["text"] and "](" not in r["text"]
        assert "**" not in r["text"]


@needs_mirror("reuters_isot")
def test_isot_keeps_subject_and_date():
    recs = load_source("reuters_isot").records
    assert {r["meta"]["subject"] for r in recs} == {"worldnews", "politicsNews"}
    assert all(r["date"] and r["date"][:4] in ("2016", "2017") for r in recs)


@needs_mirror("bbc")
def test_bbc_keeps_category():
    recs = load_source("bbc").records
    assert {r["meta"]["category"] for r in recs} == {"business", "entertainment", "politics", "sport", "tech"}


@needs_mirror("reuters21578")
def test_reuters21578_keeps_topics_split_and_date():
    recs = {r["id"]: r for r in load_source("reuters21578").records}
    first = recs["reuters21578:1"]
    assert first["meta"]["topics"] == ["cocoa"] and first["meta"]["lewissplit"] == "TRAIN"
    assert first["date"] == "1987-02-26" and first["title"] == "BAHIA COCOA REVIEW"
    modapte = [r for r in recs.values() if r["meta"]["has_topics"] and r["meta"]["lewissplit"] in ("TRAIN", "TEST")]
    assert len(modapte) == 9603 + 3299


def test_missing_file_names_the_file_and_the_places_looked(tmp_path):
    with pytest.raises(CorpusError) as err:
        load_source("bbc", corpus_dir=tmp_path)
    assert "bbc/bbc-fulltext.zip" in str(err.value) and str(tmp_path) in str(err.value)


def test_checksum_mismatch_stops_with_the_file_named(tmp_path):
    (tmp_path / "ag_news").mkdir()
    (tmp_path / "ag_news" / "test.csv").write_text('label,title,description\n1,"A","B"\n')
    with pytest.raises(CorpusError, match=r"ag_news/test.csv: checksum mismatch"):
        load_source("ag_news", corpus_dir=tmp_path)


def test_corrupt_zip_is_reported_as_unreadable(tmp_path):
    (tmp_path / "bbc").mkdir()
    (tmp_path / "bbc" / "bbc-fulltext.zip").write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(CorpusError, match=r"bbc-fulltext.zip: unreadable zip archive"):
        load_source("bbc", corpus_dir=tmp_path, verify=False)


def test_truncated_zip_is_reported(tmp_path):
    src = tmp_path / "whole.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("bbc/politics/001.txt", "Title\n\nBody text " * 200)
    (tmp_path / "bbc").mkdir()
    (tmp_path / "bbc" / "bbc-fulltext.zip").write_bytes(src.read_bytes()[:150])
    with pytest.raises(CorpusError, match="bbc-fulltext.zip"):
        load_source("bbc", corpus_dir=tmp_path, verify=False)


def test_malformed_csv_rows_are_reported_with_line_numbers(tmp_path):
    (tmp_path / "ag_news").mkdir()
    (tmp_path / "ag_news" / "test.csv").write_text(
        'label,title,description\n3,"Good","Fine text"\n9,"Bad label","x"\n2,"Too","many","fields"\n1,"Ok","Also fine"\n')
    loaded = load_source("ag_news", corpus_dir=tmp_path, verify=False)
    assert [r["title"] for r in loaded.records] == ["Good", "Ok"]
    assert [(p.position, p.reason) for p in loaded.problems] == [
        (3, "label '9' is not one of 1-4"), (4, "expected 3 fields, got 4")]
    assert str(loaded.problems[0]).endswith("test.csv:3: label '9' is not one of 1-4")


def test_user_jsonl_with_configurable_fields_reports_bad_lines(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"key": "a1", "headline": "H", "body": "Some  text &amp; more"}\n'
                    'not json\n{"key": "a3", "headline": "H"}\n{"headline": "No id", "body": "positional"}\n')
    loaded = load_source("mine", path=str(path), fmt="jsonl", fields=Fields(id="key", title="headline", text="body"))
    assert [r["id"] for r in loaded.records] == ["mine:a1", "mine:4"]
    assert loaded.records[0]["text"] == "Some text & more"
    assert [(p.position, p.reason.split(" (")[0]) for p in loaded.problems] == [
        (2, "invalid JSON"), (3, "missing field 'body'")]


def test_user_csv_and_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = tmp_path / "mine.csv"
    csv_path.write_text('id,title,text\n1,T1,first text\n2,T2\n')
    loaded = load_source("mine", path=str(csv_path), fmt="csv")
    assert [r["id"] for r in loaded.records] == ["mine:1"] and loaded.problems[0].position == 3
    pq_path = tmp_path / "mine.parquet"
    pq.write_table(pa.table({"id": ["x", "y"], "title": ["A", "B"], "text": ["alpha", ""]}), pq_path)
    loaded = load_source("mine", path=str(pq_path), fmt="parquet")
    assert [r["id"] for r in loaded.records] == ["mine:x"] and loaded.problems[0].position == 2


def test_unknown_source_without_path_is_a_clear_error():
    with pytest.raises(CorpusError, match="unknown mirrored corpus"):
        load_source("nytimes")


def test_corpus_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WIRECAT_CORPUS_DIR", str(tmp_path))
    with pytest.raises(CorpusError, match=str(tmp_path)):
        load_source("bbc")


@needs_mirror("wmt_newstest", "bbc_2025")
def test_wmt_and_bbc_2025_keep_outlet_and_date_and_report_repeats():
    wmt = load_source("wmt_newstest")
    assert len(wmt.records) == 1120 and len({r["id"] for r in wmt.records}) == 1120
    by_id = {r["id"]: r for r in wmt.records}
    first = by_id["wmt_newstest:napi.hu/2007/12/12/0"]
    assert first["meta"]["outlet"] == "napi.hu" and first["date"] == "2007-12-12" and first["title"] and first["text"]
    assert by_id["wmt_newstest:1016-latimes"]["meta"]["outlet"] == "latimes"
    assert by_id["wmt_newstest:aktualne.cz-2010-12-02-60918"]["date"] == "2010-12-02"
    assert any("is the same document as in" in p.reason for p in wmt.problems)
    bbc = load_source("bbc_2025")
    assert len(bbc.records) == 231 and sum(r["date"].startswith("2025") for r in bbc.records) == 226  # "mostly 2025"
    reasons = {p.reason.split(" (")[0].split(" line")[0] for p in bbc.problems}
    assert reasons == {"empty text", "the same article as"}


@needs_mirror("allsides")
def test_allsides_keeps_outlet_date_and_the_held_out_flag():
    from data.loaders import held_out_outlet

    loaded = load_source("allsides", keep={"004Gt3gcsotuiYmz"})
    [rec] = loaded.records
    assert rec["id"] == "allsides:004Gt3gcsotuiYmz" and rec["date"] == "2016-09-20"
    assert rec["meta"]["outlet"] == "New York Times - News" and rec["meta"]["held_out"] == held_out_outlet("New York Times - News")


def test_a_new_corpus_file_with_a_wrong_checksum_is_refused(tmp_path):
    (tmp_path / "bbc_2025").mkdir()
    (tmp_path / "bbc_2025" / "bbc_news_articles.csv").write_text("headline,description\n")
    with pytest.raises(CorpusError, match="checksum mismatch"):
        load_source("bbc_2025", corpus_dir=tmp_path)


def test_allsides_cap_before_normalizing_keeps_what_capping_after_would(tmp_path):
    """The loader's early cap (data.build passes it for AllSides) picks the same articles, and reports
    the same problems, as loading everything and capping the records afterwards."""
    import gzip
    import json

    from data.loaders import load_allsides
    from data.records import capped_ids

    rows = [{"ID": f"a{i}", "source": f"outlet{i % 3}", "title": f"T{i}", "text": "x &amp; y " * (i + 1)} for i in range(30)]
    rows[4]["text"] = "   "  # empty: reported, never a candidate
    rows[7]["source"] = ""  # no outlet: grouped under the corpus name
    lines = [json.dumps(r) for r in rows] + ["not json", json.dumps({"no": "id"})]
    path = tmp_path / "articles.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    always = {"allsides:a9", "allsides:a12", "allsides:a15"}  # gold: kept beyond the cap
    everything = load_allsides(path)
    keep = capped_ids(((r["id"], r["meta"]["outlet"] or "allsides") for r in everything.records), 4, always)
    early = load_allsides(path, cap=(4, always))
    assert [r for r in everything.records if r["id"] in keep] == early.records
    assert [str(p) for p in early.problems] == [str(p) for p in everything.problems] and len(early.problems) == 3
    assert always <= {r["id"] for r in early.records} and len(early.records) < len(everything.records)
