"""Training configuration: a YAML file validated by pydantic, plus ``--set key=value`` overrides."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from data.build import DataConfig


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Bounds that keep a config from failing (or running for hours) inside fitting
NgramRange = tuple[Annotated[int, Field(ge=1, le=8)], Annotated[int, Field(ge=1, le=8)]]
MinDf = Annotated[int, Field(ge=1)] | Annotated[float, Field(gt=0, le=1)]
MaxDf = Annotated[float, Field(gt=0, le=1)]
MaxFeatures = Annotated[int, Field(ge=1)] | None
Weight = Annotated[float, Field(gt=0, le=1000)]


def _ordered(value):
    if value[0] > value[1]:
        raise ValueError(f"ngram_range {list(value)}: the first number must not exceed the second")
    return value


class WordFeatures(Strict):
    ngram_range: NgramRange = (1, 2)
    min_df: MinDf = 2
    max_df: MaxDf = 0.9
    sublinear_tf: bool = True
    max_features: MaxFeatures = 300_000
    token_pattern: str = r"(?u)\b\w\w+\b"
    # regex: scikit-learn's tokenizer (token_pattern, n-grams). split: punctuation becomes space and
    # str.split cuts the words, all in C: ~1.5x the speed, unigrams only (see make bench)
    tokenizer: Literal["regex", "split"] = "regex"
    stop_words: Literal["english"] | None = None

    _ordered_ngrams = field_validator("ngram_range")(classmethod(lambda cls, v: _ordered(v)))


class CharFeatures(Strict):
    enabled: bool = False
    ngram_range: NgramRange = (3, 5)
    _ordered_ngrams = field_validator("ngram_range")(classmethod(lambda cls, v: _ordered(v)))
    min_df: MinDf = 3
    max_df: MaxDf = 0.9
    sublinear_tf: bool = True
    max_features: MaxFeatures = 300_000


class Features(Strict):
    kind: Literal["tfidf", "hashing"] = "tfidf"
    word: WordFeatures = WordFeatures()
    char: CharFeatures = CharFeatures()
    hashing_features: int = Field(2**20, ge=2**4, le=2**26)  # for kind: hashing
    title_repeat: int = Field(1, ge=1, le=5)  # headlines carry the topic: count the title this many times
    patterns: bool = True  # the labeling functions' context patterns as features (stock parts, see pipeline.py)
    lead_chars: int = Field(0, ge=0, le=100_000)  # > 0: the first N characters (headline, lead) get features of their own


class Classifier(Strict):
    type: Literal["logistic_regression", "linear_svm", "sgd", "complement_nb", "ridge"] = "logistic_regression"
    C: float = Field(4.0, gt=0, le=1e6)  # logistic regression, linear SVM
    alpha: float = Field(1e-5, gt=0, le=1e3)  # SGD, ridge, complement NB
    class_weight: Literal["balanced"] | None = "balanced"
    max_iter: int = Field(2000, ge=1, le=100_000)
    calibration_folds: int = Field(3, ge=2, le=20)  # linear SVM and ridge get probabilities by calibration


class Thresholds(Strict):
    mode: Literal["tune", "fixed"] = "tune"
    fixed: float = Field(0.5, gt=0, lt=1)
    minimum: float = Field(0.05, gt=0, lt=1)  # a tuned threshold never goes below this
    plateau: float = Field(0.01, ge=0, lt=1)  # tuned: the median threshold whose F1 is within this of the best
    recall_target: float = Field(0.9, gt=0, lt=1)  # the "recall" operating point: recall >= this out of fold


class Training(Strict):
    gold_dev_in_training: bool = True  # cross-fitting: thresholds come from out-of-fold dev predictions
    cross_fit_folds: int = Field(5, ge=2, le=20)
    # kfold: random folds of gold dev; outlet: folds grouped by outlet (a fold's model sees none of the
    # outlets it scores, weak-labeled articles included): thresholds and the CV score measure transfer
    cross_fit: Literal["kfold", "outlet"] = "kfold"
    gold_weight: Weight = 5.0
    source_weights: dict[str, Weight] = Field(default_factory=dict)
    n_jobs: int = Field(1, ge=-1, le=256)  # parallel fitting of the one-vs-rest labels (-1: all cores)


class Registry(Strict):
    name: str = Field("topics", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # a folder under models/: no '/', no '.'

    sklearn_version_policy: Literal["warn", "refuse"] = "warn"


class TrainConfig(Strict):
    data: DataConfig = DataConfig()
    features: Features = Features()
    classifier: Classifier = Classifier()
    thresholds: Thresholds = Thresholds()
    training: Training = Training()
    registry: Registry = Registry()
    seed: int = 42

    @model_validator(mode="after")
    def _consistent(self):
        if self.classifier.type == "complement_nb" and self.features.kind == "hashing":
            raise ValueError("classifier.type complement_nb needs non-negative features: use features.kind tfidf")
        if self.features.word.tokenizer == "split" and tuple(self.features.word.ngram_range) != (1, 1):
            raise ValueError("features.word.tokenizer split gives single words: set features.word.ngram_range [1, 1]")
        if self.features.word.tokenizer == "split" and self.features.word.stop_words:
            raise ValueError("features.word.stop_words needs features.word.tokenizer regex")
        return self


class ConfigError(ValueError):
    """A config that cannot be used; the message names the file and the key."""


def _parse_value(raw: str):
    return yaml.safe_load(raw)  # "4" -> 4, "true" -> True, "[1, 3]" -> [1, 3], "abc" -> "abc"


def apply_overrides(raw: dict, overrides: list[str]) -> dict:
    """Apply ``key.sub=value`` overrides to a raw config dict."""
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected key=value, e.g. classifier.C=4")
        key, value = item.split("=", 1)
        node = raw
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {item!r}: {part!r} is not a section")
        node[parts[-1]] = _parse_value(value)
    return raw


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid config"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "literal_error":
            msg = f"{msg} (got {err['input']!r})"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None, overrides: list[str] = ()) -> TrainConfig:
    raw: dict = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            raw = yaml.safe_load(Path(path).read_text()) or {}
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc})") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    raw = apply_overrides(raw, list(overrides))
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source + (" with --set " + " ".join(overrides) if overrides else ""))) from None
