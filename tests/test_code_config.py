"""Config validation and --set overrides."""
import pytest

from train.config import ConfigError, load_config


def test_default_config_file_validates(tmp_path):
    cfg = load_config("configs/default.yaml")
    assert cfg.classifier.type == "logistic_regression" and cfg.data.task == "topics"


def test_overrides_are_typed_and_nested():
    cfg = load_config(None, ["classifier.C=8", "features.word.ngram_range=[1, 3]", "training.source_weights.bbc=0.5"])
    assert cfg.classifier.C == 8.0 and cfg.features.word.ngram_range == (1, 3)
    assert cfg.training.source_weights == {"bbc": 0.5}


def test_bad_value_names_the_key_and_the_allowed_values():
    with pytest.raises(ConfigError) as err:
        load_config(None, ["classifier.type=xgboost"])
    assert "classifier.type" in str(err.value) and "logistic_regression" in str(err.value) and "xgboost" in str(err.value)


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("classifier:\n  type: ridge\n  gamma: 3\n")
    with pytest.raises(ConfigError, match=r"c.yaml: invalid config\n  classifier.gamma: unknown key"):
        load_config(path)


def test_unknown_label_and_missing_file_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="data.labels.*espionage"):
        load_config(None, ["data.labels=[arrest, espionage]"])
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(None, ["classifier.C"])


@pytest.mark.parametrize("name", ["default", "agnews", "reuters"])
def test_every_shipped_config_validates(name):
    cfg = load_config(f"configs/{name}.yaml")
    assert cfg.data.task in ("topics", "agnews", "reuters_modapte")


def test_split_tokenizer_cuts_at_punctuation_and_lower_cases():
    from train.pipeline import build_features
    from wirecat.model import feature_names

    cfg = load_config(None, ["features.word.tokenizer=split", "features.word.ngram_range=[1, 1]",
                             "features.word.min_df=1", "features.word.max_df=1.0", "features.char.enabled=false",
                             "features.patterns=false"])
    features = build_features(cfg).fit(["Russia\u2019s envoy\u2014warned: \u201cLeave now\u201d (U.S.)", "a b"])
    assert sorted(feature_names(features)) == ["a", "b", "envoy", "leave", "now", "russia", "s", "u", "warned"]


def test_split_tokenizer_refuses_ngrams_and_names_the_key():
    with pytest.raises(ConfigError, match="features.word.ngram_range"):
        load_config(None, ["features.word.tokenizer=split", "features.word.ngram_range=[1, 2]"])


@pytest.mark.parametrize("kind", ["logistic_regression", "linear_svm", "sgd", "complement_nb", "ridge"])
@pytest.mark.parametrize("multilabel", [True, False])
def test_every_classifier_type_fits_with_sample_weights(kind, multilabel):
    import numpy as np

    from train.fit import _fit_classifier

    cfg = load_config(None, [f"classifier.type={kind}", "training.n_jobs=1"])
    rng = np.random.default_rng(0)
    X = rng.random((60, 8))
    y = (X[:, 0] > 0.5).astype(int)
    Y = np.column_stack([y, 1 - y]) if multilabel else y
    weights = np.where(np.arange(60) < 30, 1.0, 5.0)
    est = _fit_classifier(cfg, X, Y, weights, multilabel)
    assert est.predict_proba(X).shape == ((60, 2) if multilabel else (60, 2))
    assert (est.predict(X) == Y).mean() > 0.7
