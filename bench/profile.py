"""Where the default model's prediction time goes, per pipeline step and feature branch, on short
articles (AG News) and long ones (AllSides full text). One core, one process; seconds are the best
of three passes over the same articles.

    python -m bench.profile [MODEL]      # MODEL: name@version; default: train/find configs/default.yaml
"""
from __future__ import annotations

import json
import sys
import time

from wirecat.text import document

ARTICLES = {"ag_news": 7_600, "allsides": 3_000}


def best_of(fn, texts, passes: int = 3) -> float:
    best = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - started)
    return best


def steps_of(pipeline) -> list[tuple[str, object]]:
    """(name, callable on the previous step's output) for the preprocessing steps, each feature branch
    and the classifier; branches all read the same preprocessed texts."""
    features, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    pre, union = [], features
    if hasattr(features, "named_steps"):  # lowercase -> materialize -> union
        pre, union = features.steps[:-1], features.steps[-1][1]
    branches = union.transformer_list if hasattr(union, "transformer_list") else [("word", union)]
    return pre, branches, classifier


def profile(pipeline, texts: list[str]) -> dict:
    pre, branches, classifier = steps_of(pipeline)
    out, x = {}, texts
    for name, step in pre:
        out[f"preprocess: {name}"] = best_of(lambda t, s=step: list(s.transform(t)), x)
        x = list(step.transform(x))
    import scipy.sparse as sp

    blocks = []
    for name, branch in branches:
        out[f"features: {name}"] = best_of(branch.transform, x)
        blocks.append(branch.transform(x))
    X = sp.hstack(blocks).tocsr()
    out["classifier"] = best_of(classifier.predict_proba, X)
    out["whole pipeline"] = best_of(pipeline.predict_proba, texts)
    total = out["whole pipeline"]
    return {k: {"seconds": round(v, 3), "share": round(v / total, 3), "articles_per_s": round(len(texts) / v)}
            for k, v in out.items()}


def texts_of(source: str) -> list[str]:
    from data.sources import load_source

    records = load_source(source).records[: ARTICLES[source]]
    return [document(r["title"], r["text"]) for r in records]


def main(model: str | None = None) -> dict:
    from wirecat import Model

    if model is None:
        from train.config import load_config
        from train.job import train

        name, version, _ = train(load_config("configs/default.yaml"), log=lambda m: None)
        model = f"{name}@{version}"
    pipeline = Model.load(model).pipeline
    report = {"model": model}
    for source in ARTICLES:
        texts = texts_of(source)
        report[source] = {"articles": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts)),
                          "steps": profile(pipeline, texts)}
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else None), indent=1))
