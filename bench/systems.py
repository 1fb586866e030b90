"""One benchmark measurement in a fresh process: fit a system on a task, score it, time its
predictions, measure its size and the process's peak memory. Prints one JSON line.

    python -m bench.systems TASK SYSTEM [--fold K]

Tasks: agnews (the mirrored 7,600 articles, stratified 80/20, seed 42, or fold K of 5),
reuters (Reuters-21578 ModApte, 90 categories), topics (the project's labels, gold test).
Systems: wirecat, fasttext, vw. Every system gets the same split and one core.
"""
from __future__ import annotations

import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

THROUGHPUT_ARTICLES = 20_000  # prediction speed is measured on this many test articles (repeated if fewer)

# The recorded configurations (see README "Benchmarks").
FASTTEXT = {"agnews": dict(epoch=10, lr=0.5, wordNgrams=2, dim=50, loss="softmax"),
            "reuters": dict(epoch=40, lr=0.5, wordNgrams=2, dim=50, loss="ova", threshold=0.3),
            "topics": dict(epoch=25, lr=0.5, wordNgrams=2, dim=50, loss="ova", threshold=0.3)}
VW = {"agnews": dict(args="--oaa 4 --ngram 2 -b 24 --loss_function logistic", passes=10),
      "reuters": dict(args="--multilabel_oaa 91 --ngram 2 -b 24 --loss_function logistic", passes=15),
      "topics": dict(args="--multilabel_oaa 4 --ngram 2 -b 24 --loss_function logistic", passes=10)}
# multi-label VW learns nothing from an example without labels: such articles get an extra 'none' class


def task_data(task: str, fold: int | None = None):
    """(train docs, train label lists, test docs, test label lists, labels, multilabel, extra)."""
    from data.build import build, load_dataset_dir
    from train.config import load_config
    from train.fit import docs_of

    config = f"configs/{'default' if task == 'topics' else task}.yaml"
    cfg = load_config(config, ["training.n_jobs=1"])  # one core
    ds, manifest = load_dataset_dir(build(cfg.data, log=lambda m: None))
    train, test = ds["train"], ds["test"]
    if task == "agnews" and fold is not None:
        from sklearn.model_selection import StratifiedKFold

        every = [r for s in ("train", "test") for r in ds[s]]
        y = [r["labels"][0] for r in every]
        tr, te = list(StratifiedKFold(5, shuffle=True, random_state=42).split(every, y))[fold]
        train, test = [every[i] for i in tr], [every[i] for i in te]
        train = {k: [r[k] for r in train] for k in ("title", "text", "labels", "source")}
        test = {k: [r[k] for r in test] for k in ("title", "text", "labels", "source")}
    labels = (list(cfg.data.labels) if task == "topics" else manifest["categories"] if task == "reuters"
              else sorted({lab for labs in train["labels"] for lab in labs}))
    extra = {"config": config, "cfg": cfg, "ds": ds, "manifest": manifest}
    if task == "topics":  # peers train on weak train + gold dev, as wirecat does
        dev = ds["dev"]
        return (docs_of(train, 1) + docs_of(dev, 1), list(train["labels"]) + list(dev["labels"]),
                docs_of(test, 1), list(test["labels"]), labels, True, extra)
    return docs_of(train, 1), list(train["labels"]), docs_of(test, 1), list(test["labels"]), labels, task != "agnews", extra


def scores(y_true, y_pred, labels, multilabel: bool) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    from train.fit import binarize

    if not multilabel:
        t, p = [y[0] for y in y_true], [y[0] if y else "" for y in y_pred]
        return {"accuracy": accuracy_score(t, p), "macro_f1": f1_score(t, p, labels=labels, average="macro")}
    T, P = binarize(y_true, labels), binarize(y_pred, labels)
    out = {"micro_f1": f1_score(T, P, average="micro", zero_division=0),
           "macro_f1": f1_score(T, P, average="macro", zero_division=0)}
    if len(labels) <= 5:
        out.update({f"f1_{lab}": float(v) for lab, v in zip(labels, f1_score(T, P, average=None, zero_division=0))})
    return out


_TOKEN = re.compile(r"\w+|[^\w\s]")


def plain(doc: str) -> str:
    """Lower-case tokens separated by spaces: the input fastText and Vowpal Wabbit expect."""
    return " ".join(_TOKEN.findall(doc.lower()))


class Wirecat:
    def fit(self, task, X, Y, labels, multilabel, extra):
        from train.fit import fit
        from train.job import training_view

        if task == "topics" or task == "reuters" or task == "agnews" and "fold" not in extra:
            result = fit(extra["cfg"], training_view(extra["ds"]), extra["manifest"])
        else:  # an AG News fold: same config, the fold's articles
            from datasets import Dataset, DatasetDict

            rows = [{"title": "", "text": x, "labels": y, "source": "ag_news", "id": str(i)} for i, (x, y) in enumerate(zip(X, Y))]
            result = fit(extra["cfg"], DatasetDict({"train": Dataset.from_list(rows)}), extra["manifest"])
        self.result = result

    def predict(self, X):
        from wirecat.decide import decisions, label_lists

        r = self.result
        return label_lists(decisions(r.pipeline.predict_proba(X), r.labels, r.thresholds if r.multilabel else None), r.labels)

    def save(self, path):
        from wirecat import artifact

        Path(path).write_bytes(artifact.dumps(self.result.pipeline))


class FastText:
    def fit(self, task, X, Y, labels, multilabel, extra):
        import fasttext

        self.params = dict(FASTTEXT[task])
        self.threshold = self.params.pop("threshold", 0.0)
        self.multilabel = multilabel
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            for x, y in zip(X, Y):
                fh.write(" ".join(f"__label__{lab}" for lab in y) + (" " if y else "__label__none ") + plain(x) + "\n")
        self.model = fasttext.train_supervised(fh.name, thread=1, seed=42, verbose=0, **self.params)
        os.unlink(fh.name)

    def predict(self, X):
        docs = [plain(x) for x in X]
        if not self.multilabel:
            labs, _ = self.model.predict(docs, k=1)
            return [[l[0].removeprefix("__label__")] for l in labs]
        labs, _ = self.model.predict(docs, k=-1, threshold=self.threshold)
        return [[l.removeprefix("__label__") for l in row if l != "__label__none"] for row in labs]

    def save(self, path):
        self.model.save_model(str(path))

    @classmethod
    def load(cls, path, labels, task: str = "topics"):
        import fasttext

        self = cls()
        self.model, self.multilabel = fasttext.load_model(str(path)), True
        self.threshold = FASTTEXT[task].get("threshold", 0.0)
        return self


class VowpalWabbit:
    def fit(self, task, X, Y, labels, multilabel, extra):
        import random

        import vowpalwabbit

        spec = VW[task]
        self.labels, self.multilabel = labels + (["__none__"] if multilabel else []), multilabel
        self.index = {lab: k for k, lab in enumerate(self.labels)}
        self.vw = vowpalwabbit.Workspace(spec["args"] + " --quiet --random_seed 42")
        examples = []
        for x, y in zip(X, Y):
            ids = [self.index[lab] for lab in y if lab in self.index] or [self.index.get("__none__", 0)]
            head = ",".join(map(str, ids)) if multilabel else str(ids[0] + 1)
            examples.append(f"{head} | {plain(x).replace(':', ' ').replace('|', ' ')}")
        rng = random.Random(42)
        for _ in range(spec["passes"]):
            rng.shuffle(examples)
            for ex in examples:
                self.vw.learn(ex)

    def predict(self, X):
        out = []
        for x in X:
            p = self.vw.predict(f"| {plain(x).replace(':', ' ').replace('|', ' ')}")
            out.append([self.labels[k] for k in p if self.labels[k] != "__none__"] if self.multilabel
                       else [self.labels[int(p) - 1]])
        return out

    def save(self, path):
        self.vw.save(str(path))

    @classmethod
    def load(cls, path, labels, task: str = "topics"):
        import vowpalwabbit

        self = cls()
        self.labels, self.multilabel = labels + ["__none__"], True
        self.vw = vowpalwabbit.Workspace(f"-i {path} --quiet")
        return self


SYSTEMS = {"wirecat": Wirecat, "fasttext": FastText, "vw": VowpalWabbit}


def measure(task: str, system: str, fold: int | None = None) -> dict:
    X, Y, Xt, Yt, labels, multilabel, extra = task_data(task, fold)
    if fold is not None:
        extra["fold"] = fold
    model = SYSTEMS[system]()
    started = time.perf_counter()
    model.fit(task, X, Y, labels, multilabel, extra)
    fit_s = time.perf_counter() - started
    pred = model.predict(Xt)
    sample = (Xt * (THROUGHPUT_ARTICLES // len(Xt) + 1))[:THROUGHPUT_ARTICLES]
    started = time.perf_counter()
    model.predict(sample)
    predict_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model"
        model.save(path)
        size = path.stat().st_size
    return {"task": task, "system": system, "fold": fold, "train_articles": len(X), "test_articles": len(Xt),
            **{k: round(float(v), 4) for k, v in scores(Yt, pred, labels, multilabel).items()},
            "fit_s": round(fit_s, 2), "predict_articles_per_s": round(len(sample) / predict_s),
            "model_bytes": size, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    fold = int(sys.argv[sys.argv.index("--fold") + 1]) if "--fold" in sys.argv else None
    print(json.dumps(measure(sys.argv[1], sys.argv[2], fold)))
