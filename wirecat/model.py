"""The Python API: a registered model, loaded after its checksum was verified."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from wirecat.decide import decisions, label_lists
from wirecat.text import document


OPERATING_POINTS = ("f1", "recall")


def operating_thresholds(manifest: dict, point: str) -> dict[str, float]:
    """The thresholds of an operating point: f1 (the tuned default) or recall (recall >= the
    config's target on out-of-fold predictions, for triage)."""
    if point == "f1":
        return dict(manifest["thresholds"])
    found = manifest.get("operating_points", {}).get(point)
    if not found or set(found) != set(manifest["labels"]):
        raise ValueError(f"{manifest['name']}@{manifest['version']} has no {point!r} operating point "
                         "(trained before operating points were recorded): retrain it")
    return dict(found)


def check_threshold_labels(thresholds: dict[str, float], labels: list[str]) -> None:
    unknown = set(thresholds) - set(labels)
    if unknown:
        raise ValueError(f"--threshold for unknown label(s) {sorted(unknown)}; labels: {labels}")


def feature_names(features) -> np.ndarray:
    """Names of the features' columns, looking through the stdlib preprocessing steps in front of
    unions (FunctionTransformer has no names of its own)."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    if isinstance(features, Pipeline):
        return feature_names(features.steps[-1][1])
    if isinstance(features, FeatureUnion):
        return np.concatenate([[f"{name}__{n}" for n in feature_names(t)] for name, t in features.transformer_list])
    return features.get_feature_names_out()


def label_weights(pipeline) -> tuple[np.ndarray, np.ndarray] | None:
    """(feature names, weights of shape (labels, features)) for a linear pipeline, or None
    (hashing features have no names)."""
    features, clf = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    try:
        names = feature_names(features)
    except (AttributeError, ValueError):
        return None

    def coef(est):
        if hasattr(est, "calibrated_classifiers_"):
            return np.mean([c.estimator.coef_.ravel() for c in est.calibrated_classifiers_], axis=0)
        if hasattr(est, "feature_log_prob_"):
            return est.feature_log_prob_[1] - est.feature_log_prob_[0]
        return est.coef_

    if hasattr(clf, "estimators_"):
        return names, np.vstack([coef(e).ravel() for e in clf.estimators_])
    return names, np.atleast_2d(coef(clf))


class Model:
    """A registered model, loaded after its checksum was verified.

    >>> m = Model.load("topics@production")
    >>> m.predict(["Police arrested three men at the embassy ..."])
    [['arrest', 'consular']]
    """

    def __init__(self, pipeline, manifest: dict, thresholds: dict[str, float] | None = None, scorer=None):
        self._pipeline, self._scorer, self.manifest = pipeline, scorer, manifest
        self.labels: list[str] = manifest["labels"]
        self.thresholds = {**manifest["thresholds"], **(thresholds or {})}
        self.spec = f"{manifest['name']}@{manifest['version']}"
        self._weights = None

    @classmethod
    def load(cls, spec: str | None = None, thresholds: dict[str, float] | None = None, lazy: bool = False,
             operating_point: str = "f1") -> "Model":
        """Load a registered model. ``thresholds`` override those of the ``operating_point`` (f1 or
        recall). ``lazy``: verify the checksum and read the manifest now, rebuild the pipeline
        (verifying again) only when first used - for a parent process whose workers classify."""
        from wirecat import registry

        found = registry.verified(spec)
        manifest = found[2]
        check_threshold_labels(thresholds or {}, manifest["labels"])
        model = cls(None, manifest, {**operating_thresholds(manifest, operating_point), **(thresholds or {})})
        if not lazy:
            model._load(found)
        return model

    def _load(self, found: tuple[str, str, dict] | None = None) -> None:
        """The scorer (no scikit-learn: wirecat.scorer) when the pipeline's shape allows, else the
        pipeline; from the artifact read once. ``found``: what registry.verified just returned
        (otherwise the checksum is verified again here)."""
        from wirecat import registry
        from wirecat.scorer import compile_scorer

        name, version, manifest = found or registry.verified(self.spec)
        data = registry.artifact_path(name, version, manifest).read_bytes()
        self._scorer = compile_scorer(registry.pipeline_from(data, manifest, plain=True))
        if self._scorer is None:
            self._pipeline = registry.pipeline_from(data, manifest)

    @property
    def pipeline(self):
        if self._pipeline is None:
            from wirecat import registry

            self._pipeline, _ = registry.load(self.spec)
        return self._pipeline

    def _docs(self, texts: Iterable) -> list[str]:
        rep = self.manifest.get("title_repeat", 1)
        return [document(t.get("title") or "", t["text"], rep) if isinstance(t, dict) else t for t in texts]

    def scores(self, texts: Iterable) -> np.ndarray:
        if self._scorer is None and self._pipeline is None:
            self._load()
        if self._scorer is not None:
            return self._scorer(self._docs(texts))
        return self.pipeline.predict_proba(self._docs(texts))

    def predict_proba(self, texts: Iterable) -> list[dict[str, float]]:
        """Per text, label -> probability. Texts are strings or dicts with 'title' and 'text'."""
        return [dict(zip(self.labels, map(float, row))) for row in self.scores(texts)]

    def decide(self, scores: np.ndarray) -> list[list[str]]:
        """Per row of scores, the predicted labels (single-label models: the most probable one)."""
        return label_lists(decisions(scores, self.labels, self.thresholds if self.manifest["multilabel"] else None),
                           self.labels)

    def predict(self, texts: Iterable) -> list[list[str]]:
        """Per text, the list of predicted labels ([] = other)."""
        return self.decide(self.scores(texts))

    def features(self, texts: Iterable):
        """The pipeline's feature rows (CSR) for the texts: what the classifier and explain read."""
        return self.pipeline.named_steps["features"].transform(self._docs(texts)).tocsr()

    def explain(self, text, k: int = 10) -> dict[str, list[tuple[str, float]]]:
        """Per label, the k terms of this text that push its score up most (tf-idf value x weight)."""
        return self.explain_row(self.features([text]), k)

    def explain_row(self, x, k: int = 10) -> dict[str, list[tuple[str, float]]]:
        """:meth:`explain` for one row of :meth:`features`."""
        if self._weights is None:
            self._weights = label_weights(self.pipeline)
            if self._weights is None:
                raise ValueError(f"{self.spec}: explanations need named features (not hashing)")
        names, W = self._weights
        out = {}
        for j, lab in enumerate(self.labels[: W.shape[0]]):
            contrib = x.data * W[j, x.indices]
            order = np.argsort(-contrib)[:k]
            out[lab] = [(str(names[x.indices[i]]), round(float(contrib[i]), 4)) for i in order if contrib[i] > 0]
        return out
