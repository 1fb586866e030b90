"""The model artifact: data only. A fitted pipeline is stored as a JSON description plus numpy
arrays in one ``.npz`` file; loading rebuilds the stock scikit-learn pipeline from an allowlist of
classes and standard-library callables. Nothing in the file is executed: there is no pickle (numpy
reads the arrays with ``allow_pickle=False``), and a class or callable outside the allowlist is
refused, so a model file from elsewhere cannot run code.
"""
from __future__ import annotations

import base64
import functools
import importlib
import io
import json
import operator
import re

import numpy as np

FORMAT = "wirecat-npz/1"
FILE = "model.npz"
SPEC = "__spec__"  # the array holding the JSON description

ALLOWED_CLASSES = frozenset({
    "sklearn.pipeline.Pipeline", "sklearn.pipeline.FeatureUnion",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.feature_extraction.text.TfidfVectorizer", "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.feature_extraction.text.HashingVectorizer", "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.multiclass.OneVsRestClassifier", "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier", "sklearn.linear_model._ridge.RidgeClassifier",
    "sklearn.naive_bayes.ComplementNB", "sklearn.svm._classes.LinearSVC", "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier", "sklearn.calibration._SigmoidCalibration",
    "wirecat.patterns.PatternMatcher",  # the runtime's own: its state is a list of pattern strings
    "wirecat.words.SplitTfidfVectorizer",  # the runtime's own: a TfidfVectorizer's state
})
CALLABLES = {"map": map, "list": list, "str.lower": str.lower, "str.encode": str.encode, "str.split": str.split,
             "bytes.decode": bytes.decode}
TYPES = {"numpy.float32": np.float32, "numpy.float64": np.float64, "numpy.int32": np.int32, "numpy.int64": np.int64,
         "builtins.float": float, "builtins.int": int}
DROPPED = frozenset({"_metadata_request", "_loss_function_", "_local"})  # fit-time only: routing requests, SGD loss
# object; and per-thread compiled pattern databases, rebuilt on use


class ArtifactError(ValueError):
    """An object that cannot be stored, or a file that is not a valid data-only artifact."""


def _name_of(obj) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray) -> dict:
        if a.dtype.kind == "O":
            return {"__objarray__": self(a.tolist()), "shape": list(a.shape)}
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a
        return {"__ndarray__": key}

    def __call__(self, obj):
        if isinstance(obj, np.generic):  # before float: np.float64 is a float, but computes differently
            return {"__npscalar__": obj.dtype.str, "value": obj.item()}
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, np.ndarray):
            return self.array(obj)
        if isinstance(obj, np.dtype):
            return {"__dtype__": obj.str}
        if isinstance(obj, list):
            return [self(x) for x in obj]
        if isinstance(obj, tuple):
            return {"__tuple__": [self(x) for x in obj]}
        if isinstance(obj, dict):
            if obj and all(isinstance(k, str) for k in obj) and all(type(v) in (int, np.intp, np.int64) for v in obj.values()):
                return {"__strintdict__": list(obj), "values": self.array(np.fromiter(obj.values(), dtype=np.int64))}
            return {"__dict__": [[self(k), self(v)] for k, v in obj.items()]}
        if isinstance(obj, (set, frozenset)):
            return {"__set__": sorted(self(x) for x in obj)}
        if isinstance(obj, slice):
            return {"__slice__": [obj.start, obj.stop, obj.step]}
        if isinstance(obj, bytes):
            return {"__bytes__": base64.b64encode(obj).decode()}
        for name, fn in CALLABLES.items():
            if obj is fn:
                return {"__callable__": name}
        if isinstance(obj, type):
            name = f"{obj.__module__}.{obj.__qualname__}"
            if name not in TYPES:
                raise ArtifactError(f"cannot store the type {name}")
            return {"__type__": name}
        if isinstance(obj, functools.partial):
            return {"__partial__": self(obj.func), "args": self(list(obj.args)), "keywords": self(obj.keywords)}
        if isinstance(obj, (operator.methodcaller, operator.itemgetter)):
            ctor, args = obj.__reduce__()[:2]
            if not isinstance(args, tuple) or ctor not in (operator.methodcaller, operator.itemgetter):
                raise ArtifactError(f"cannot store {obj!r}")
            return {f"__{ctor.__name__}__": self(list(args))}
        if isinstance(getattr(obj, "__self__", None), re.Pattern) and getattr(obj, "__name__", "") == "findall":
            return {"__regex_findall__": obj.__self__.pattern, "flags": int(obj.__self__.flags)}
        name = _name_of(obj)
        if name in ALLOWED_CLASSES:
            return {"__object__": name, "state": self({k: v for k, v in vars(obj).items() if k not in DROPPED})}
        raise ArtifactError(f"cannot store an object of type {name}")


def dumps(pipeline) -> bytes:
    """The pipeline as the bytes of a data-only .npz artifact."""
    enc = _Encoder()
    spec = json.dumps({"format": FORMAT, "pipeline": enc(pipeline)}, ensure_ascii=False, allow_nan=True)
    buf = io.BytesIO()
    np.savez_compressed(buf, **{SPEC: np.frombuffer(spec.encode(), dtype=np.uint8)}, **enc.arrays)
    return buf.getvalue()


def _class(name: str):
    if name not in ALLOWED_CLASSES:
        raise ArtifactError(f"refusing class {name!r}: not in the artifact allowlist")
    module, _, qualname = name.rpartition(".")
    return getattr(importlib.import_module(module), qualname)


class Plain:
    """An allowlisted object's class name and decoded state, not instantiated (``loads(plain=True)``)."""

    def __init__(self, name: str, state: dict):
        self.name, self.state = name, state


class _Decoder:
    def __init__(self, arrays, plain: bool = False):
        self.arrays, self.plain = arrays, plain

    def array(self, key) -> np.ndarray:
        if not isinstance(key, str) or key == SPEC or key not in self.arrays.files:
            raise ArtifactError(f"no array {key!r} in the artifact")
        try:
            return self.arrays[key]
        except ValueError as exc:  # e.g. an object array, which would need pickle
            raise ArtifactError(f"array {key!r}: {exc}") from None

    def __call__(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self(x) for x in node]
        if not isinstance(node, dict) or len(node) > 4:
            raise ArtifactError(f"unexpected node in the artifact: {str(node)[:80]}")
        if "__ndarray__" in node:
            return self.array(node["__ndarray__"])
        if "__objarray__" in node:
            out = np.empty(len(node["__objarray__"]), dtype=object)
            out[:] = self(node["__objarray__"])
            return out.reshape(node["shape"])
        if "__npscalar__" in node:
            return np.dtype(node["__npscalar__"]).type(node["value"])
        if "__dtype__" in node:
            return np.dtype(node["__dtype__"])
        if "__tuple__" in node:
            return tuple(self(node["__tuple__"]))
        if "__strintdict__" in node:
            return dict(zip(node["__strintdict__"], self(node["values"]).tolist()))
        if "__dict__" in node:
            return {self(k): self(v) for k, v in node["__dict__"]}
        if "__set__" in node:
            return set(self(node["__set__"]))
        if "__slice__" in node:
            return slice(*node["__slice__"])
        if "__bytes__" in node:
            return base64.b64decode(node["__bytes__"])
        if "__type__" in node:
            if node["__type__"] not in TYPES:
                raise ArtifactError(f"refusing type {node['__type__']!r}")
            return TYPES[node["__type__"]]
        if "__callable__" in node:
            if node["__callable__"] not in CALLABLES:
                raise ArtifactError(f"refusing callable {node['__callable__']!r}")
            return CALLABLES[node["__callable__"]]
        if "__partial__" in node:
            return functools.partial(self(node["__partial__"]), *self(node["args"]), **self(node["keywords"]))
        if "__methodcaller__" in node:
            return operator.methodcaller(*self(node["__methodcaller__"]))
        if "__itemgetter__" in node:
            return operator.itemgetter(*self(node["__itemgetter__"]))
        if "__regex_findall__" in node:
            return re.compile(node["__regex_findall__"], node["flags"]).findall
        if "__object__" in node:
            if self.plain:
                if node["__object__"] not in ALLOWED_CLASSES:
                    raise ArtifactError(f"refusing class {node['__object__']!r}: not in the artifact allowlist")
                return Plain(node["__object__"], self(node["state"]))
            obj = _class(node["__object__"]).__new__(_class(node["__object__"]))
            obj.__dict__.update(self(node["state"]))
            return obj
        raise ArtifactError(f"unexpected node in the artifact: {str(node)[:80]}")


def loads(data: bytes, plain: bool = False):
    """Rebuild the pipeline from artifact bytes; never unpickles and never runs code from the file.
    ``plain``: allowlisted objects come back as :class:`Plain` nodes (no class is imported)."""
    try:
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        spec = json.loads(bytes(arrays[SPEC]).decode())
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"not a data-only wirecat artifact ({type(exc).__name__}: {exc})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ArtifactError(f"unknown artifact format {spec.get('format') if isinstance(spec, dict) else None!r}; "
                            f"expected {FORMAT}")
    return _Decoder(arrays, plain)(spec["pipeline"])
