"""wirecat.scorer: the shipped pipeline's shape is scored without scikit-learn, with the pipeline's
scores; other shapes fall back to the pipeline; the plain decoding keeps the artifact's allowlist."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from test_code_artifact import CONFIGS, TEXTS, fitted
from wirecat import artifact
from wirecat.scorer import compile_scorer

SHIPPED = ["features.word.tokenizer=split", "features.word.ngram_range=[1, 1]"]  # configs/default.yaml's shape
PROBE = TEXTS[:8] + ["An unseen text about arrests and visas.", "", "   ", "\u00e9t\u00e9 \u2019visa\u201d " * 40,
                     "Police arrested three men. " * 2000]


def test_the_shipped_shape_is_scored_as_the_pipeline_scores_it():
    pipe = fitted(SHIPPED)
    scorer = compile_scorer(artifact.loads(artifact.dumps(pipe), plain=True))
    assert scorer is not None
    expected = pipe.predict_proba(PROBE)
    got = scorer(PROBE)
    assert got.shape == expected.shape == (len(PROBE), 3)
    assert np.abs(got - expected).max() < 1e-9
    assert np.array_equal(scorer(iter(PROBE)), got)  # any iterable of texts


@pytest.mark.parametrize("overrides", CONFIGS, ids=lambda o: ",".join(o) or "default")
def test_other_shapes_fall_back_to_the_pipeline(overrides):
    pipe = fitted(overrides)
    scorer = compile_scorer(artifact.loads(artifact.dumps(pipe), plain=True))
    if "features.word.tokenizer=split" in overrides:  # split words without patterns: also the scorer's
        assert np.abs(scorer(PROBE) - pipe.predict_proba(PROBE)).max() < 1e-9
    else:  # regex words, characters, hashing, other classifiers
        assert scorer is None


def test_plain_decoding_still_refuses_classes_outside_the_allowlist():
    import json

    data = artifact.dumps(fitted(SHIPPED))
    z = np.load(__import__("io").BytesIO(data))
    spec = bytes(z[artifact.SPEC]).decode().replace("sklearn.pipeline.Pipeline", "os.system", 1)
    arrays = {k: z[k] for k in z.files if k != artifact.SPEC}
    buf = __import__("io").BytesIO()
    np.savez(buf, **{artifact.SPEC: np.frombuffer(spec.encode(), dtype=np.uint8)}, **arrays)
    with pytest.raises(artifact.ArtifactError, match="allowlist"):
        artifact.loads(buf.getvalue(), plain=True)
    assert json.loads(spec)["format"] == artifact.FORMAT


def test_model_scores_without_importing_scikit_learn(tmp_path, monkeypatch):
    from test_code_registry import register_pipeline

    monkeypatch.setenv("WIRECAT_MODELS_DIR", str(tmp_path / "models"))
    pipe = fitted(SHIPPED)
    register_pipeline("topics", "bbb222", pipe)
    spec = "topics@bbb222"
    code = ("import sys; from wirecat import Model; m = Model.load(sys.argv[1]); print(m.predict(sys.argv[2:])); "
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'sklearn', 'train', 'data', 'pandas'}))")
    out = subprocess.run([sys.executable, "-c", code, spec, *TEXTS[:4]], capture_output=True, text=True, cwd="/",
                         env={**__import__("os").environ, "WIRECAT_MODELS_DIR": str(tmp_path / "models")})
    assert out.returncode == 0, out.stderr
    predicted, imported = out.stdout.strip().splitlines()
    from wirecat.decide import decisions, label_lists

    expected = label_lists(decisions(pipe.predict_proba(TEXTS[:4]), ["diplomatic_warning", "arrest", "consular"],
                                     {"diplomatic_warning": 0.3, "arrest": 0.3, "consular": 0.3}),
                           ["diplomatic_warning", "arrest", "consular"])
    assert predicted == str(expected) and imported == "[]"
