"""wirecat: classify news articles by topic with a registered model.

>>> from wirecat import Model
>>> Model.load("topics@production").predict(["Police arrested two men outside the embassy ..."])

Importing the package is cheap: ``Model`` (numpy, scikit-learn) loads on first use, so that
``wirecat --help`` stays fast.
"""
from __future__ import annotations

__all__ = ["Model"]


def __getattr__(name: str):
    if name == "Model":
        from wirecat.model import Model

        return Model
    raise AttributeError(f"module 'wirecat' has no attribute {name!r}")
