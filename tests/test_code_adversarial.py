"""The hostile-user regression suite (issue "Hardening"): each case once broke a promise of the README
(no lost input, no code from a model file, no lost registry entry, no single record that kills a
run, clear errors). Real processes, real signals, real files."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from test_code_registry import tiny_version
from wirecat import registry

GOOD = {"id": "g", "title": "Arrests", "text": "police arrested two men"}


@pytest.fixture
def models(tmp_path, monkeypatch):
    monkeypatch.setenv("WIRECAT_MODELS_DIR", str(tmp_path / "models"))
    tiny_version("topics", "aaa111")
    return tmp_path


def wirecat(*args, stdin=None, **kw):
    return subprocess.run([sys.executable, "-m", "wirecat.cli", *map(str, args)], input=stdin, capture_output=True, **kw)


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def summary_counts(stderr: bytes) -> tuple[int, int, int]:
    import re

    m = re.search(rb"read (\d+), classified (\d+), rejected (\d+)", stderr)
    return tuple(map(int, m.groups()))


def assert_clean_error(proc, code: int, *words: str):
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, err


# ---- 1, 2: outputs that would destroy an input or a special file ----------------------------------

def test_output_equal_to_an_input_by_path_symlink_or_hard_link_is_refused(models):
    src = models / "a.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    before = src.read_bytes()
    (models / "link.jsonl").symlink_to(src)
    os.link(src, models / "hard.jsonl")
    for out in (src, models / "link.jsonl", models / "hard.jsonl"):
        assert_clean_error(wirecat("classify", src, "-o", out), 2, "refusing to overwrite an input")
    errors_twin = models / "x.jsonl.errors.jsonl"  # the output's errors file would be the input
    errors_twin.write_bytes(before)
    assert_clean_error(wirecat("classify", errors_twin, "-o", models / "x.jsonl"), 2, "is the input")
    assert src.read_bytes() == before and errors_twin.read_bytes() == before and (models / "link.jsonl").is_symlink()


def test_dask_output_directory_holding_the_input_shards_is_refused(models):
    shards = models / "shards"
    shards.mkdir()
    (shards / "part-0.jsonl").write_text(json.dumps(GOOD) + "\n")
    proc = wirecat("classify", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", shards / "part-0.jsonl", "-o", shards)
    assert_clean_error(proc, 1, "refusing to overwrite an input")
    assert lines(shards / "part-0.jsonl") == [GOOD]


def test_symlink_fifo_and_device_outputs_are_written_through_not_replaced(models):
    src = models / "a.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    target = models / "elsewhere" / "real.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = models / "out.jsonl"
    link.symlink_to(target)
    assert wirecat("classify", src, "-o", link).returncode == 0
    assert link.is_symlink() and [r["id"] for r in lines(target)] == ["g"]

    fifo = models / "pipe.jsonl"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
    reader.start()
    proc = wirecat("classify", src, "-o", fifo, timeout=60)
    reader.join(30)
    assert proc.returncode == 0 and json.loads(got[0])["id"] == "g"
    assert fifo.is_fifo() and not list(models.glob(".pipe.jsonl*"))

    assert wirecat("classify", src, "-o", "/dev/null").returncode == 0
    assert Path("/dev/null").is_char_device()


# ---- 3, 10, 11, 12: records that used to vanish ---------------------------------------------------

def test_unterminated_csv_quote_is_one_malformed_record_and_later_rows_count(models):
    src = models / "in.csv"
    src.write_text('id,title,text\nc1,T,"x\nc2,T,y\n')
    out = models / "out.jsonl"
    proc = wirecat("classify", src, "-o", out)
    assert proc.returncode == 3 and summary_counts(proc.stderr) == (2, 1, 1)
    assert [r["id"] for r in lines(out)] == ["c2"]
    assert [(e["position"], e["reason"].split(" (")[0]) for e in lines(models / "out.jsonl.errors.jsonl")] == [
        (2, "unterminated quoted field")]
    many = models / "long.csv"  # an open quote past the line limit, then 1,500 good rows
    many.write_text('id,title,text\nbad,T,"open\n' + "".join(f"r{i},T,police arrested {i}\n" for i in range(1500)))
    proc = wirecat("classify", many, "-o", out)
    assert summary_counts(proc.stderr) == (1501, 1500, 1)


def test_byte_order_marks_keep_the_first_record_and_the_ids(models):
    jsonl, csv_ = models / "bom.jsonl", models / "bom.csv"
    jsonl.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    csv_.write_bytes(b"\xef\xbb\xbfid,title,text\nk1,T,police arrested two men\n")
    for src in (jsonl, csv_):
        proc = wirecat("classify", src)
        assert proc.returncode == 0, proc.stderr
        assert [json.loads(x)["id"] for x in proc.stdout.decode().splitlines()] == ["g" if src == jsonl else "k1"]


def test_generated_ids_cannot_collide_with_explicit_ids(models):
    src = models / "in.jsonl"
    src.write_text(json.dumps({"id": "2", "text": "a"}) + "\n" + json.dumps({"text": "b"}) + "\n")
    proc = wirecat("classify", src)
    assert [json.loads(x)["id"] for x in proc.stdout.decode().splitlines()] == ["2", f"{src}:2"]


def test_abort_by_max_errors_accounts_for_every_record_read(models):
    src = models / "in.jsonl"
    src.write_text("\n".join([json.dumps(GOOD)] * 3 + ["bad"] * 4 + [json.dumps(GOOD)] * 3) + "\n")
    out = models / "out.jsonl"
    proc = wirecat("classify", src, "-o", out, "--max-errors", "1", "--chunk-size", "100")
    assert proc.returncode == 4
    read, classified, rejected = summary_counts(proc.stderr)
    assert read == classified + rejected and rejected == 2 and classified == 3
    assert not out.exists() and len(lines(models / "out.jsonl.errors.jsonl")) == 2


# ---- 7, 8, 9: one record must not kill the run ----------------------------------------------------

def test_lone_surrogates_and_deep_nesting_reject_one_record_each(models):
    src = models / "in.jsonl"
    rows = ['{"id": "s1", "text": "bad \\ud800 text"}', '{"id": "\\udc00", "text": "ok"}',
            '{"id": "s3", "title": "\\ud800", "text": "ok"}', "[" * 100_000 + "]" * 100_000, json.dumps(GOOD)]
    src.write_text("\n".join(rows) + "\n")
    out = models / "out.jsonl"
    proc = wirecat("classify", src, "-o", out)
    assert proc.returncode == 3 and b"Traceback" not in proc.stderr
    assert [r["id"] for r in lines(out)] == ["g"]
    reasons = [e["reason"] for e in lines(models / "out.jsonl.errors.jsonl")]
    assert [r.split(" (")[0] for r in reasons] == ["not valid Unicode", "field 'id' is not valid Unicode",
                                                   "not valid Unicode", "invalid JSON"]
    assert "nested too deeply" in reasons[3]


def test_unreadable_files_in_a_txt_directory_are_rejected_records(models):
    folder = models / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\npolice arrested two men\n")
    (folder / "dir.txt").mkdir()
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    proc = wirecat("classify", folder)
    assert proc.returncode == 3 and b"Traceback" not in proc.stderr
    assert [json.loads(x)["id"] for x in proc.stdout.decode().splitlines()] == ["a.txt"]
    assert summary_counts(proc.stderr) == (3, 1, 2)


def test_a_corrupt_parquet_row_group_reports_its_rows_and_the_rest_is_read(models):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = models / "in.parquet"
    texts = [f"police arrested man number {i} " + "x" * 200 for i in range(300)]
    pq.write_table(pa.table({"id": [f"p{i}" for i in range(300)], "text": texts}), path, row_group_size=100,
                   compression="snappy")
    meta = pq.ParquetFile(path).metadata.row_group(1).column(1)
    data = bytearray(path.read_bytes())
    start = meta.data_page_offset + 40
    data[start:start + 400] = bytes(400)  # zero the middle of row group 1's text page
    path.write_bytes(bytes(data))
    out = models / "out.jsonl"
    proc = wirecat("classify", path, "-o", out)
    assert proc.returncode == 3 and b"Traceback" not in proc.stderr, proc.stderr
    read, classified, rejected = summary_counts(proc.stderr)
    assert read == 300 and classified == 200 and rejected == 100
    assert {r["id"] for r in lines(out)} == {f"p{i}" for i in [*range(100), *range(200, 300)]}


# ---- 13: signals and leaks ------------------------------------------------------------------------

def big_input(folder: Path) -> Path:
    src = folder / "big.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": f"police arrested {i}"}) + "\n" for i in range(200_000)))
    return src


def start_and_wait_for_rows(src: Path, out: Path):
    import psutil

    proc = psutil.Popen([sys.executable, "-m", "wirecat.cli", "classify", str(src), "-o", str(out), "--jobs", "2",
                         "--chunk-size", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not any(p.stat().st_size > 0 for p in out.parent.glob(f".{out.name}.*.part")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return proc, proc.children(recursive=True)


def test_sigterm_cleans_up_like_sigint_and_no_worker_survives(models):
    import psutil

    out = models / "out.jsonl"
    proc, children = start_and_wait_for_rows(big_input(models), out)
    assert children  # the loky workers
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"interrupted" in stderr and b"Traceback" not in stderr
    assert not out.exists() and list(models.glob(".out.jsonl*")) == []
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []


def test_after_sigkill_workers_die_and_the_next_run_removes_the_leftovers(models):
    import psutil

    out = models / "out.jsonl"
    src = big_input(models)
    proc, children = start_and_wait_for_rows(src, out)
    proc.kill()
    proc.wait(30)
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []
    assert list(models.glob(".out.jsonl.*.part"))  # what the killed run left
    small = models / "small.jsonl"
    small.write_text(json.dumps(GOOD) + "\n")
    assert wirecat("classify", small, "-o", out).returncode == 0
    assert list(models.glob(".out.jsonl*")) == [] and [r["id"] for r in lines(out)] == ["g"]


# ---- 5, 6, 14, 16, 18: the registry -------------------------------------------------------------

def test_path_traversal_in_registry_json_and_in_the_config_is_refused(models):
    reg_path = models / "models" / "registry.json"
    reg = json.loads(reg_path.read_text())
    reg["models"]["topics"]["versions"]["../../outside/v1"] = {"sha256": "0" * 64, "created_at": "x"}
    reg["models"]["topics"]["aliases"]["evil"] = "../../outside/v1"
    reg_path.write_text(json.dumps(reg))
    with pytest.raises(registry.RegistryError, match="invalid version"):
        registry.load("topics@evil")
    proc = wirecat("models", "verify")
    assert proc.returncode == 1 and b"ok   topics@aaa111" in proc.stdout and b"FAIL topics@../../outside/v1" in proc.stdout
    proc = wirecat("train", "--set", "registry.name=../../../escaped")
    assert proc.returncode == 2 and b"registry.name" in proc.stderr
    assert not (models / "escaped").exists()


def test_concurrent_promotions_and_registrations_lose_nothing(models):
    tests_dir = Path(__file__).parent
    for v in ("bbb222", "ccc333"):
        tiny_version("topics", v)
    promote = [[sys.executable, "-m", "wirecat.cli", "models", "promote", f"topics@{'bbb222' if k % 2 else 'ccc333'}",
                "--alias", f"alias{k}"] for k in range(24)]
    code = (f"import sys; sys.path.insert(0, {str(tests_dir)!r}); from test_code_registry import tiny_version; "
            "tiny_version('topics', sys.argv[1])")
    register = [[sys.executable, "-c", code, f"v{k:03d}"] for k in range(16)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for cmd in promote + register]
    assert all(p.wait(300) == 0 for p in procs)
    entry = registry.read_registry()["models"]["topics"]
    assert {f"alias{k}" for k in range(24)} <= set(entry["aliases"])
    assert {f"v{k:03d}" for k in range(16)} <= set(entry["versions"])


def test_a_killed_registration_leaves_a_temporary_directory_that_the_next_one_removes(models):
    code = ("import time; from wirecat import registry; "
            "registry.register('topics', 'slow1', lambda tmp: (tmp.joinpath('x').write_text('x'), time.sleep(60)))")
    proc = subprocess.Popen([sys.executable, "-c", code])
    topics = models / "models" / "topics"
    deadline = time.monotonic() + 60
    while not list(topics.glob(".slow1.*.part/x")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.kill()
    proc.wait(10)
    assert list(topics.glob(".slow1.*.part"))
    tiny_version("topics", "next1")
    assert not list(topics.glob(".*.part"))


def test_invalid_registry_files_give_one_error_line(models):
    reg_path = models / "models" / "registry.json"
    good = reg_path.read_text()
    reg_path.write_text('{"foo": 1}')
    assert_clean_error(wirecat("models", "list"), 2, "registry.json", "models")
    reg_path.write_text(good)
    tiny_version("topics", "bbb222")
    reg = json.loads(reg_path.read_text())
    del reg["models"]["topics"]["versions"]["aaa111"]["sha256"]
    reg_path.write_text(json.dumps(reg))
    proc = wirecat("models", "verify")
    assert proc.returncode == 1 and b"FAIL topics@aaa111" in proc.stdout and b"no sha256" in proc.stdout
    assert b"ok   topics@bbb222" in proc.stdout


def test_registry_files_respect_the_umask(models):
    old = os.umask(0o022)
    try:
        tiny_version("topics", "perm1")
    finally:
        os.umask(old)
    assert (models / "models" / "registry.json").stat().st_mode & 0o777 == 0o644
    assert (models / "models" / "topics" / "perm1").stat().st_mode & 0o777 == 0o755


# ---- 15, 16: clear errors -------------------------------------------------------------------------

def test_unreachable_scheduler_writes_failed_marker_and_one_error_line(models):
    src = models / "part-0.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    out = models / "out"
    proc = wirecat("classify", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", src, "-o", out, timeout=120)
    assert_clean_error(proc, 1, "could not be classified")
    failed = json.loads((out / "_FAILED.json").read_text())
    assert [f["input"] for f in failed["failed"]] == [str(src)] and "127.0.0.1:9" in failed["failed"][0]["error"]


def test_previous_dask_outputs_and_stale_parts_are_removed_before_a_new_run(tmp_path):
    from wirecat.dask_engine import SUCCESS, _remove_previous_run
    from wirecat.files import temp_prefix

    out = tmp_path / "out"
    out.mkdir()
    old = out / "old-shard.jsonl"
    old.write_text("{}\n")
    (out / "old-shard.jsonl.errors.jsonl").write_text("")
    (out / SUCCESS).write_text(json.dumps({"partitions": [{"output": str(old)}]}))
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / (temp_prefix(out / "x.jsonl").replace(f".{os.getpid()}.", f".{dead.pid}.") + "abc.part")
    stale.write_text("half")
    keep = out / "unrelated.txt"
    keep.write_text("mine")
    _remove_previous_run(out)
    assert sorted(p.name for p in out.iterdir()) == ["unrelated.txt"]


def test_unwritable_outputs_and_closed_stdin_are_one_error_line(models):
    src = models / "a.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    assert_clean_error(wirecat("classify", src, "-o", models), 2, "is a directory")
    assert_clean_error(wirecat("classify", src, "-o", "/proc/wirecat-nope/out.jsonl"), 2, "/proc/wirecat-nope")
    assert_clean_error(wirecat("classify", src, "-o", "/dev/full"), 2, "No space left on device")
    proc = subprocess.run([sys.executable, "-m", "wirecat.cli", "classify", "-"], stdin=subprocess.DEVNULL,
                          capture_output=True, preexec_fn=lambda: os.close(0))
    assert_clean_error(proc, 2, "standard input is closed")


def test_user_corpus_in_latin1_and_missing_file_and_bad_gold_rows(tmp_path):
    from data.gold import load_gold
    from data.sources import CorpusError, load_source

    latin = tmp_path / "mine.csv"
    latin.write_bytes("id,title,text\n1,Caf\xe9,d\xe9j\xe0 vu\n2,T,plain text\n".encode("latin-1"))
    loaded = load_source("mine", path=str(latin), fmt="csv")
    assert [r["id"] for r in loaded.records] == ["mine:2"]
    assert [(p.position, p.reason) for p in loaded.problems] == [(2, "not UTF-8 (field 'title')")]
    with pytest.raises(CorpusError, match="not found"):
        load_source("mine", path=str(tmp_path / "absent.csv"), fmt="csv")
    gold = tmp_path / "labels.jsonl"
    gold.write_text('{"id": "a:1", "labels": ["arrest"]}\n{"id": "a:2", "labels": ["espionage"]}\n')
    with pytest.raises(ValueError, match=r"labels.jsonl:2: unknown label"):
        load_gold(gold)
    gold.write_text('{"id": "a:1", "labels": []}\n{"id": "a:1", "labels": []}\n')
    with pytest.raises(ValueError, match=r"labels.jsonl:2: duplicate id a:1"):
        load_gold(gold)


# ---- 17: config values that used to fail (or run for hours) inside fitting -----------------------

@pytest.mark.parametrize("override,key", [
    ("classifier.max_iter=-5", "classifier.max_iter"), ("features.word.max_df=0.0", "features.word.max_df"),
    ("data.labels=[]", "data.labels"), ("training.gold_weight=1e308", "training.gold_weight"),
    ("features.char.ngram_range=[5, 3]", "features.char.ngram_range"),
])
def test_config_bounds_name_the_key(override, key):
    proc = wirecat("train", "--set", override)
    assert proc.returncode == 2 and key.encode() in proc.stderr and b"Traceback" not in proc.stderr


# ---- workers parse JSONL (--jobs 2): the same records, rows, errors and order as one process ---------

def test_worker_parsing_gives_what_one_process_gives(models):
    src = models / "in.jsonl"
    rows = ["\ufeff" + json.dumps(GOOD), "", "bad", json.dumps({"text": "no id here"}), "[1]",
            '{"id": "s", "text": "x \\ud800"}', json.dumps({"id": 7, "title": "\u00e9t\u00e9", "text": "embassy closed"}),
            json.dumps({"id": "big", "text": "x" * 3000}), '{"id": "w", "text": "trailing"} \t', '{"a": 1} x']
    src.write_bytes(("\n".join(rows * 7) + "\n").encode("utf-8", "surrogatepass"))
    outs = {}
    for jobs in (1, 2):
        out = models / f"out{jobs}.jsonl"
        proc = wirecat("classify", src, "-o", out, "--jobs", jobs, "--chunk-size", "3", "--max-bytes", "2000")
        assert proc.returncode == 3, proc.stderr  # some rejected
        outs[jobs] = (out.read_bytes(), (models / f"out{jobs}.jsonl.errors.jsonl").read_bytes(), summary_counts(proc.stderr))
    assert outs[1] == outs[2]
    read, classified, rejected = outs[2][2]
    assert read == 70 and classified == 22 and rejected == 48  # 3 good rows a copy, + the first line (its BOM is no error)


@pytest.mark.parametrize("jobs", [1, 2])
def test_abort_with_worker_parsing_still_accounts_for_every_record(models, jobs):
    """The engine with JSONL batches (what the CLI sends workers): an abort stops at a batch's end."""
    from wirecat import Model
    from wirecat.engine import classify_to
    from wirecat.readers import Fields, read_inputs

    src, out = models / "in.jsonl", models / "out.jsonl"
    src.write_text("\n".join([json.dumps(GOOD)] * 10 + ["bad"] * 10 + [json.dumps(GOOD)] * 30) + "\n")
    summary = classify_to(out, read_inputs([str(src)], Fields(), batch_lines=4), Model.load("topics@aaa111"),
                          jobs=jobs, chunk_size=4, max_errors=3)
    assert summary.aborted and summary.read == summary.classified + summary.rejected
    assert summary.rejected > 3 and summary.read < 50 and summary.classified >= 10  # stopped reading, lost nothing read
    assert not out.exists() and len(lines(models / "out.jsonl.errors.jsonl")) == summary.rejected


def test_row_encoding_is_json_dumps():
    from wirecat.writers import jsonl_lines

    rows = [{"id": "a\"\\\n\u00e9\u2028\ud800", "labels": ["arrest", "consular"], "scores": {"d": 0.1, "a": 1e-07, "c": 1.0},
             "model": "m@1"},
            {"id": "n", "labels": [], "scores": {"d": float("nan"), "a": float("inf")}, "model": "m"},  # json's NaN
            {"id": "e", "labels": ["arrest"], "scores": {"a": 0.5}, "model": "m", "explanation": {"arrest": ["x"]}},
            {"id": "k", "labels": [], "scores": {"a": 0}, "model": "m"}]  # an int score: the json module's path
    assert jsonl_lines(rows) == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_json_fast_path_equals_json_loads():
    from wirecat.readers import _json_object

    for text in ['{"a": 1}\n', ' {"a": 1}', '{"a": 1} x', "[1]", '"s"', '{"a": NaN}', "{", "", "1 ", '{"a": 1}\r\n',
                 '{"a": 1}\u00a0', '{"a": 1}\x0b', '{"a": "\\u00e9"}  ', "\t{}"]:
        try:
            expected = ("ok", json.loads(text))
        except ValueError as exc:
            expected = ("error", str(exc))
        try:
            got = ("ok", _json_object(text))
        except ValueError as exc:
            got = ("error", str(exc))
        assert repr(got) == repr(expected), text


def test_direct_jsonl_output_is_the_rows_json(models):
    from wirecat import Model
    from wirecat.engine import jsonl_for, rows_for
    from wirecat.readers import Article

    model = Model.load("topics@aaa111")
    articles = [Article('a"\u00e9\u2028\\', "Arrests", "police arrested two men"), Article("b", "", "embassy closed"),
                Article("c", "T", "x " * 5000)]
    expected = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows_for(model, articles))
    assert jsonl_for(model, articles) == expected and expected.count("\n") == 3


def test_classifying_in_process_leaves_joblib_usable(models):
    """The engine's workers are its own: after a run with jobs=2, scikit-learn's n_jobs (joblib's
    reusable executor) still works in the same process (it once picked up the engine's executor)."""
    import numpy as np
    from joblib import Parallel, delayed

    from wirecat import Model
    from wirecat.engine import classify_to
    from wirecat.readers import Fields, read_inputs

    src, out = models / "in.jsonl", models / "out.jsonl"
    src.write_text((json.dumps(GOOD) + "\n") * 50)
    summary = classify_to(out, read_inputs([str(src)], Fields(), batch_lines=10), Model.load("topics@aaa111"), jobs=2,
                          chunk_size=10)
    assert summary.classified == 50 and len(lines(out)) == 50
    assert Parallel(n_jobs=2)(delayed(np.sqrt)(x) for x in (4.0, 9.0)) == [2.0, 3.0]
