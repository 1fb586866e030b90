"""The data-only artifact: every pipeline the configs can build round-trips with identical scores,
and a crafted model file - a pickle, a class or callable outside the allowlist, an object array -
is refused without running anything, even with consistent checksums."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from train.config import load_config
from wirecat import artifact, registry
from wirecat.model import Model

TEXTS = ["Police arrested two men outside the embassy.", "The foreign ministry warned citizens against travel.",
         "Markets rallied on Tuesday.", "The consulate was closed after threats; diplomats were expelled.",
         "Officers detained a suspect at the airport.", "Beijing summoned the ambassador to protest.",
         "The team won the final.", "Visa rules for students will change."] * 3
Y = np.array([[0, 1, 1], [1, 0, 0], [0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1]] * 3)

CONFIGS = [
    [],  # the default: words, characters off, patterns on
    ["features.char.enabled=true", "features.char.min_df=1", "features.lead_chars=60"],
    ["features.word.tokenizer=split", "features.word.ngram_range=[1, 1]", "features.patterns=false"],
    ["features.kind=hashing", "features.hashing_features=4096", "classifier.type=sgd"],
    ["classifier.type=linear_svm", "classifier.calibration_folds=2"],
    ["classifier.type=ridge", "classifier.calibration_folds=2"],
    ["classifier.type=complement_nb"],
]


def fitted(overrides):
    import sklearn

    from train.pipeline import assemble, build_estimator, build_features

    cfg = load_config(None, ["features.word.min_df=1", *overrides])
    features = build_features(cfg)
    X = features.fit_transform(TEXTS)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = build_estimator(cfg).fit(X, Y, sample_weight=np.ones(len(TEXTS)))
    return assemble(features, clf)


@pytest.mark.parametrize("overrides", CONFIGS, ids=lambda o: ",".join(o) or "default")
def test_every_pipeline_round_trips_with_identical_scores(overrides):
    pipe = fitted(overrides)
    again = artifact.loads(artifact.dumps(pipe))
    probe = TEXTS[:8] + ["An unseen text about arrests and visas."]
    assert np.array_equal(pipe.predict_proba(probe), again.predict_proba(probe))


def test_single_label_pipeline_round_trips():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("features", TfidfVectorizer()), ("classifier", LogisticRegression())]).fit(
        TEXTS, ["a", "b", "c", "a", "b", "c", "a", "b"] * 3)
    again = artifact.loads(artifact.dumps(pipe))
    assert list(again.predict(TEXTS)) == list(pipe.predict(TEXTS))


class Payload:
    """Unpickling this creates a marker file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def register_raw(tmp_path, monkeypatch, data: bytes, fmt: str = artifact.FORMAT, file: str = artifact.FILE):
    """A version whose artifact bytes are ``data``, with checksums consistent everywhere."""
    from wirecat.files import sha256_bytes

    monkeypatch.setenv("WIRECAT_MODELS_DIR", str(tmp_path / "models"))

    def write(tmp):
        (tmp / file).write_bytes(data)
        (tmp / "manifest.json").write_text(json.dumps({
            "name": "topics", "version": "evil1", "created_at": "2026-01-01T00:00:00Z",
            "labels": ["diplomatic_warning", "arrest", "consular"], "thresholds": {}, "multilabel": True,
            "versions": {"scikit-learn": __import__("sklearn").__version__},
            "artifact": {"file": file, "format": fmt, "sha256": sha256_bytes(data), "size": len(data)}}))

    registry.register("topics", "evil1", write)


def crafted_npz(spec: dict, **arrays) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **{artifact.SPEC: np.frombuffer(json.dumps(spec).encode(), dtype=np.uint8)}, **arrays)
    return buf.getvalue()


def test_a_pickle_with_consistent_checksums_never_runs(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    register_raw(tmp_path, monkeypatch, pickle.dumps(Payload(str(marker))))
    with pytest.raises(registry.RegistryError, match="not a data-only wirecat artifact"):
        Model.load("topics@evil1")
    assert not marker.exists()


def test_a_pickle_artifact_of_the_old_format_is_refused_before_reading(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    register_raw(tmp_path, monkeypatch, pickle.dumps(Payload(str(marker))), fmt="joblib", file="model.joblib")
    ok, why = registry.verify("topics", "evil1")
    assert not ok and "pickle files are refused" in why
    with pytest.raises(registry.RegistryError, match="pickle files are refused"):
        Model.load("topics@evil1")
    assert not marker.exists()


@pytest.mark.parametrize("node,message", [
    ({"__object__": "posix.system", "state": {}}, "refusing class 'posix.system'"),
    ({"__partial__": {"__callable__": "os.system"}, "args": ["touch x"], "keywords": {}}, "refusing callable 'os.system'"),
    ({"__type__": "builtins.eval"}, "refusing type 'builtins.eval'"),
    ({"__object__": "sklearn.pipeline.Pipeline", "state": {"__dict__": [["steps", {"__evil__": 1}]]}}, "unexpected node"),
])
def test_classes_and_callables_outside_the_allowlist_are_refused(node, message):
    with pytest.raises(artifact.ArtifactError, match=message):
        artifact.loads(crafted_npz({"format": artifact.FORMAT, "pipeline": node}))


def test_an_object_array_needing_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    data = crafted_npz({"format": artifact.FORMAT, "pipeline": {"__ndarray__": "a0"}},
                       a0=np.array([Payload(str(marker))], dtype=object))
    with pytest.raises(artifact.ArtifactError, match="Object arrays cannot be loaded"):
        artifact.loads(data)
    assert not marker.exists()
