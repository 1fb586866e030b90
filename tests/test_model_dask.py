"""The Dask engine on a real dask.distributed cluster on loopback (scheduler + worker processes):
its output equals the local engine's on articles of the mirrored corpus."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import needs_mirror

pytestmark = needs_mirror("reuters_isot", "bbc")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    from data.sources import load_source

    folder = tmp_path_factory.mktemp("shards")
    records = load_source("reuters_isot").records[:300] + load_source("bbc").records[:300]
    for k in range(4):
        with open(folder / f"part-{k}.jsonl", "w") as fh:
            for r in records[k::4]:
                fh.write(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}) + "\n")
            if k == 2:
                fh.write("{broken json\n")
    return folder


def wirecat(*args):
    return subprocess.run([sys.executable, "-m", "wirecat.cli", *args], capture_output=True, text=True)


def test_dask_output_equals_local_output(default_model, cluster, shards, tmp_path):
    name, version, _ = default_model
    out = tmp_path / "dask_out"
    proc = wirecat("classify", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                   str(shards / "part-*.jsonl"), "-o", str(out), "--model", f"{name}@{version}")
    assert proc.returncode == 3, proc.stderr  # one broken line was rejected, the rest classified
    summary = json.loads((out / "_SUCCESS.json").read_text())
    assert summary["read"] == 601 and summary["classified"] == 600 and summary["rejected"] == 1
    for k in range(4):
        local = tmp_path / f"local-{k}.jsonl"
        wirecat("classify", str(shards / f"part-{k}.jsonl"), "-o", str(local), "--model", f"{name}@{version}")
        assert (out / f"part-{k}.jsonl").read_text() == local.read_text()
    errors = [json.loads(x) for x in (out / "part-2.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["position"] for e in errors] == [151] and errors[0]["reason"].startswith("invalid JSON")


def test_a_failing_partition_fails_the_run_without_looking_complete(default_model, cluster, shards, tmp_path):
    name, version, _ = default_model
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "good.jsonl").write_text((shards / "part-0.jsonl").read_text())
    (bad / "bad.parquet").write_bytes(b"PAR1 not really parquet")  # unreadable: the task raises on every retry
    out = tmp_path / "out"
    proc = wirecat("classify", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                   str(bad / "*"), "-o", str(out), "--model", f"{name}@{version}")
    assert proc.returncode == 1 and "1 of 2 partitions could not be classified" in proc.stderr
    assert not (out / "_SUCCESS.json").exists()
    failed = json.loads((out / "_FAILED.json").read_text())
    assert [f["input"] for f in failed["failed"]] == [str(bad / "bad.parquet")]
    assert not (out / "bad.jsonl").exists()
