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


@pytest.mark.parametrize("name", ["default", "fast", "agnews", "reuters"])
def test_every_shipped_config_validates(name):
    cfg = load_config(f"configs/{name}.yaml")
    assert cfg.data.task in ("topics", "agnews", "reuters_modapte")
