"""`wirecat classify` and the Python API on a tiny registered model: formats, order, bad input,
exit codes, atomic output."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from test_code_registry import tiny_version
from wirecat import Model
from wirecat.engine import EXIT_ABORTED, EXIT_OK, EXIT_REJECTED

GOOD = [{"id": f"g{i}", "title": "Arrests", "text": t} for i, t in enumerate(
    ["police arrested two men", "the embassy was closed", "markets rally", "ministry warned citizens"])]


@pytest.fixture
def models(tmp_path, monkeypatch):
    monkeypatch.setenv("WIRECAT_MODELS_DIR", str(tmp_path / "models"))
    tiny_version("topics", "aaa111")
    return tmp_path


def run(args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "wirecat.cli", "classify", *args], input=stdin, capture_output=True)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_in_jsonl_out_in_order_with_exact_fields(models):
    src = models / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in GOOD))
    out = models / "out.jsonl"
    proc = run([str(src), "-o", str(out), "--jobs", "2", "--chunk-size", "1"])
    assert proc.returncode == EXIT_OK, proc.stderr
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["g0", "g1", "g2", "g3"]
    assert all(set(r) == {"id", "labels", "scores", "model"} for r in rows)
    assert rows[0]["model"] == "topics@aaa111" and set(rows[0]["scores"]) == {"diplomatic_warning", "arrest", "consular"}
    assert b"read 4, classified 4, rejected 0" in proc.stderr
    assert read_jsonl(models / "out.jsonl.errors.jsonl") == []


def test_bad_records_are_reported_with_position_and_reason_and_the_rest_classified(models):
    src = models / "mixed.jsonl"
    lines = [json.dumps(GOOD[0]).encode(), b"{not json", json.dumps({"id": "m", "title": "t"}).encode(),
             json.dumps({"id": "e", "text": "   "}).encode(), json.dumps({"id": "w", "text": ["a", "list"]}).encode(),
             b'{"id": "u", "text": "caf\xe9"}', json.dumps({"id": "big", "text": "x" * 1_100_000}).encode(),
             json.dumps({"title": "no id", "text": "police detained a man"}).encode(), json.dumps(GOOD[1]).encode()]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = models / "out.jsonl"
    proc = run([str(src), "-o", str(out)])
    assert proc.returncode == EXIT_REJECTED
    assert [r["id"] for r in read_jsonl(out)] == ["g0", f"{src}:8", "g1"]  # no id: INPUT:POSITION, never a bare number
    errors = read_jsonl(models / "out.jsonl.errors.jsonl")
    assert [(e["position"], e["reason"].split(" (")[0]) for e in errors] == [
        (2, "invalid JSON"), (3, "missing field 'text'"), (4, "empty field 'text'"),
        (5, "field 'text' is list, not a string"), (6, "not UTF-8"),
        (7, "article of 1,100,000 bytes exceeds the limit of 1,000,000")]
    assert b"read 9, classified 3, rejected 6" in proc.stderr


def test_csv_rows_with_wrong_field_counts_and_csv_output(models):
    src = models / "in.csv"
    src.write_text('id,title,text\nc1,T,police arrested two men\nc2,T\nc3,T,x,extra\nc4,T,the embassy was closed\n')
    out = models / "out.csv"
    proc = run([str(src), "-o", str(out)])
    assert proc.returncode == EXIT_REJECTED
    import csv

    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["c1", "c4"] and json.loads(rows[0]["scores"])["arrest"] > 0
    errors = read_jsonl(models / "out.csv.errors.jsonl")
    assert [(e["position"], e["reason"]) for e in errors] == [(3, "expected 3 fields, got 2"), (4, "expected 3 fields, got 4")]


def test_parquet_in_and_out_and_custom_field_names(models):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = models / "in.parquet"
    pq.write_table(pa.table({"key": ["p1", "p2"], "headline": ["A", "B"], "body": ["police arrested two men", "markets rally"]}), src)
    out = models / "out.parquet"
    proc = run([str(src), "-o", str(out), "--id-field", "key", "--title-field", "headline", "--text-field", "body"])
    assert proc.returncode == EXIT_OK, proc.stderr
    table = pq.read_table(out).to_pylist()
    assert [r["id"] for r in table] == ["p1", "p2"] and table[0]["model"] == "topics@aaa111"


def test_txt_directory_and_stdin(models):
    folder = models / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Police act\npolice arrested two men\n")
    (folder / "b.txt").write_bytes(b"Bad\n\xff\xfe broken bytes\n")
    proc = run([str(folder)])
    assert proc.returncode == EXIT_REJECTED
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == ["a.txt"]
    assert b"not UTF-8" in proc.stderr
    proc = run(["-"], stdin=b"".join(json.dumps(r).encode() + b"\n" for r in GOOD[:2]))
    assert proc.returncode == EXIT_OK and [json.loads(x)["id"] for x in proc.stdout.decode().splitlines()] == ["g0", "g1"]


def test_threshold_override_explain_and_max_errors(models):
    src = models / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in GOOD))
    out = models / "out.jsonl"
    assert run([str(src), "-o", str(out), "--threshold", "arrest=0.01", "--explain", "3"]).returncode == EXIT_OK
    rows = read_jsonl(out)
    assert all("arrest" in r["labels"] for r in rows)
    assert "arrest" in rows[0]["explanation"] and rows[0]["explanation"]["arrest"]
    plain = models / "plain.jsonl"  # explaining changes nothing else, and explains each row's own text
    assert run([str(src), "-o", str(plain), "--threshold", "arrest=0.01"]).returncode == EXIT_OK
    assert [{k: v for k, v in r.items() if k != "explanation"} for r in rows] == read_jsonl(plain)
    m = Model.load("topics@aaa111", {"arrest": 0.01})
    assert [r["explanation"]["arrest"] for r in rows] == [[t for t, _ in m.explain(g, 3)["arrest"]] for g in GOOD]
    assert run([str(src), "--threshold", "espionage=0.3"]).returncode == 2
    bad = models / "bad.jsonl"
    bad.write_text("x\ny\nz\n" + json.dumps(GOOD[0]) + "\n")
    final = models / "never.jsonl"
    proc = run([str(bad), "-o", str(final), "--max-errors", "1", "--chunk-size", "2"])
    assert proc.returncode == EXIT_ABORTED
    assert not final.exists() and not list(models.glob(".never.jsonl.*"))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigint_mid_run_leaves_nothing_under_the_final_name_and_no_temporary_file(models, jobs):
    import signal
    import time

    src = models / "big.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": GOOD[i % 4]["text"]}) + "\n" for i in range(200_000)))
    out = models / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "wirecat.cli", "classify", str(src), "-o", str(out), "--jobs", jobs,
                             "--chunk-size", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not any(p.stat().st_size > 0 for p in models.glob(".out.jsonl.*.part")):  # rows are being written
        assert proc.poll() is None and time.monotonic() < deadline, "classify ended before it could be interrupted"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert b"Traceback" not in stderr
    assert not out.exists() and not (models / "out.jsonl.errors.jsonl").exists()
    assert list(models.glob(".out.jsonl*")) == []


def test_python_api_predict_proba_explain(models):
    m = Model.load("topics@aaa111")
    labels = m.predict(["police arrested two men", {"title": "Embassy", "text": "the embassy was closed"}])
    assert "arrest" in labels[0] and "consular" in labels[1]
    scores = m.predict_proba(["markets rally"])
    assert set(scores[0]) == {"diplomatic_warning", "arrest", "consular"} and all(0 <= v <= 1 for v in scores[0].values())
    terms = m.explain("police arrested two men", k=2)
    assert {t for t, _ in terms["arrest"]} & {"arrested", "police"}
    assert all(w > 0 for _, w in terms["arrest"])
