"""How configs/agnews.yaml was chosen: 5-fold cross-validation on the AG News training split only
(the test split is never looked at), over a few candidate settings of the same config.

    python -m bench.tune_agnews
"""
from __future__ import annotations

import numpy as np

CANDIDATES = {  # --set overrides on configs/agnews.yaml
    "as shipped": [],
    "no stop words": ["features.word.stop_words=null"],
    "alpha 0.1": ["classifier.alpha=0.1"],
    "alpha 1.0": ["classifier.alpha=1.0"],
    "logistic regression C=30": ["classifier.type=logistic_regression", "classifier.C=30"],
    "logistic regression C=30, no stop words": ["classifier.type=logistic_regression", "classifier.C=30",
                                                "features.word.stop_words=null"],
    "linear SVM C=0.5": ["classifier.type=linear_svm", "classifier.C=0.5"],
    "title twice": ["features.title_repeat=2"],
    "word 1-3-grams": ["features.word.ngram_range=[1, 3]"],
}


def main() -> None:
    from sklearn.model_selection import StratifiedKFold

    from data.build import build, load_dataset_dir
    from train.config import load_config
    from train.fit import _fit_classifier, docs_of
    from train.pipeline import build_features

    base = load_config("configs/agnews.yaml")
    train = load_dataset_dir(build(base.data, log=lambda m: None))[0]["train"]
    y = np.array([labs[0] for labs in train["labels"]])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(y, y))
    print("| setting | 5-fold accuracy (train split) |\n|---|---|")
    for name, overrides in CANDIDATES.items():
        cfg = load_config("configs/agnews.yaml", overrides)
        docs = np.array(docs_of(train, cfg.features.title_repeat), dtype=object)
        acc = []
        for rest, held in folds:  # the training code path: features, then the classifier
            features = build_features(cfg)
            est = _fit_classifier(cfg, features.fit_transform(list(docs[rest])), y[rest], np.ones(len(rest)), False)
            acc.append(np.mean(est.predict(features.transform(list(docs[held]))) == y[held]))
        print(f"| {name} | {np.mean(acc):.4f} ± {np.std(acc):.4f} |", flush=True)


if __name__ == "__main__":
    main()
