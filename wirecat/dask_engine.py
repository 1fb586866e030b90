"""Scale-out on a Dask cluster: one task per input shard, one output shard per input.

The verified model artifact goes to each worker once, through a worker plugin, and is loaded there
once (not shipped per task). A task that raises is retried; a worker that dies has its tasks
rescheduled by Dask. Output shards are written atomically; ``_SUCCESS.json`` (the summary) is written
last and only when every partition was classified, so a failed run never looks complete.
Workers need wirecat installed (``pip install -e .`` in the same environment) and read access to the
input paths; the model travels with the plugin, so they need no access to ``models/``.
"""
from __future__ import annotations

import glob
import json
import os
import time
from pathlib import Path

from distributed import Client, WorkerPlugin, get_worker

from wirecat import registry
from wirecat.engine import Summary, classify_to
from wirecat.files import remove_stale_temps, sha256_bytes, write_atomic
from wirecat.model import Model, check_threshold_labels, operating_thresholds
from wirecat.readers import FORMATS, Fields, read_inputs
from wirecat.writers import check_output, errors_path

SUCCESS, FAILED = "_SUCCESS.json", "_FAILED.json"


class ModelPlugin(WorkerPlugin):
    """Carries the artifact's bytes to each worker and loads the model there once."""

    def __init__(self, artifact: bytes, manifest: dict, thresholds: dict):
        self.artifact, self.manifest, self.thresholds = artifact, manifest, thresholds
        self.name = f"wirecat-{manifest['name']}-{manifest['version']}"

    def setup(self, worker):
        if sha256_bytes(self.artifact) != self.manifest["artifact"]["sha256"]:
            raise RuntimeError(f"{self.name}: artifact checksum mismatch on worker {worker.address}")
        worker.wirecat_model = Model(registry.pipeline_from(self.artifact, self.manifest), self.manifest, self.thresholds)


def classify_partition(path: str, out_dir: str, fields: Fields, max_bytes: int, chunk_size: int) -> dict:
    """Classify one input shard on a worker; write OUT_DIR/<stem>.jsonl and <stem>.jsonl.errors.jsonl."""
    out = Path(out_dir) / (Path(path).stem + ".jsonl")
    summary = classify_to(out, read_inputs([path], fields, max_bytes), get_worker().wirecat_model, chunk_size=chunk_size)
    return {"input": path, "output": str(out), "read": summary.read, "classified": summary.classified,
            "rejected": summary.rejected, "seconds": round(summary.seconds, 3)}


def expand(inputs: list[str]) -> list[str]:
    files = sorted({f for pattern in inputs for f in (glob.glob(pattern) or [pattern])})
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise FileNotFoundError(f"no such input file(s): {', '.join(missing)}")
    wrong = [f for f in files if FORMATS.get(Path(f).suffix) not in ("jsonl", "parquet")]
    if wrong:
        raise ValueError(f"the dask engine reads sharded .jsonl or .parquet files; not: {', '.join(wrong)}")
    stems = [Path(f).stem for f in files]
    if len(set(stems)) != len(stems):
        raise ValueError("input shards must have distinct file names (one output shard per input)")
    return files


def classify_on_dask(inputs: list[str], out_dir: Path, scheduler: str, model_spec: str | None, fields: Fields,
                     thresholds: dict, max_bytes: int, chunk_size: int, retries: int = 2,
                     operating_point: str = "f1") -> Summary:
    started = time.time()
    files = expand(inputs)
    name, version, manifest = registry.verified(model_spec)
    check_threshold_labels(thresholds, manifest["labels"])
    thresholds = {**operating_thresholds(manifest, operating_point), **thresholds}
    artifact = registry.artifact_path(name, version, manifest).read_bytes()
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in files:  # an output shard (or its errors file) must never be an input
        check_output(out_dir / (Path(f).stem + ".jsonl"), files)
    _remove_previous_run(out_dir)

    results, failed = [], []
    try:
        with Client(scheduler, timeout="30s") as client:
            client.register_plugin(ModelPlugin(artifact, manifest, thresholds))
            futures = [client.submit(classify_partition, f, str(out_dir.resolve()), fields, max_bytes, chunk_size,
                                     retries=retries, pure=False, key=f"wirecat-{version}-{Path(f).stem}-{time.time_ns()}")
                       for f in files]
            for f, fut in zip(files, futures):
                try:
                    results.append(fut.result())
                except Exception as exc:  # noqa: BLE001  (any task error is reported per partition)
                    failed.append({"input": f, "error": f"{type(exc).__name__}: {exc}"})
    except (OSError, TimeoutError) as exc:  # no scheduler at that address, or it went away
        done = {r["input"] for r in results}
        failed += [{"input": f, "error": f"scheduler {scheduler}: {type(exc).__name__}: {exc}"} for f in files if f not in done]
    summary = Summary(read=sum(r["read"] for r in results), classified=sum(r["classified"] for r in results),
                      rejected=sum(r["rejected"] for r in results), seconds=time.time() - started)
    if failed:
        write_atomic(out_dir / FAILED, json.dumps({"failed": failed, "done": results}, indent=1))
        raise RuntimeError(f"{len(failed)} of {len(files)} partitions could not be classified "
                           f"(see {out_dir / FAILED}): " + "; ".join(f"{x['input']}: {x['error']}" for x in failed[:3]))
    write_atomic(out_dir / SUCCESS, json.dumps({
        "model": f"{name}@{version}", "partitions": results, "read": summary.read, "classified": summary.classified,
        "rejected": summary.rejected, "seconds": round(summary.seconds, 2)}, indent=1))
    return summary


def _remove_previous_run(out_dir: Path) -> None:
    """Remove what an earlier run wrote here (its markers and the shards they list) and temporary files
    of killed tasks, so that the new _SUCCESS.json describes every shard in the directory."""
    for marker in (SUCCESS, FAILED):
        path = out_dir / marker
        try:
            previous = json.loads(path.read_text())
        except (OSError, ValueError):
            previous = {}
        for part in previous.get("partitions", []) + previous.get("done", []) if isinstance(previous, dict) else []:
            shard = Path(part.get("output", "")) if isinstance(part, dict) else Path()
            if shard.parent.resolve() == out_dir.resolve() and shard.suffix == ".jsonl":
                for old in (shard, errors_path(shard)):
                    old.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    remove_stale_temps(out_dir)
