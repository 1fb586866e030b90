"""Fit the default config on the default corpus repeated FACTOR times (train split); print documents
and fit seconds as JSON (the parent measures memory)."""
from __future__ import annotations

import json
import sys
import time


def main(factor: int) -> None:
    from datasets import concatenate_datasets

    from data.build import build, load_dataset_dir
    from train.config import load_config
    from train.fit import fit
    from train.job import training_view

    cfg = load_config("configs/default.yaml", ["training.n_jobs=1"])
    ds, manifest = load_dataset_dir(build(cfg.data, log=lambda m: None))
    ds["train"] = concatenate_datasets([ds["train"]] * factor)
    started = time.perf_counter()
    fit(cfg, training_view(ds), manifest)
    print(json.dumps({"documents": len(ds["train"]) + len(ds["dev"]), "fit_s": round(time.perf_counter() - started, 2)}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
