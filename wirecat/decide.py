"""Scores to labels: the one decision rule used by classification, evaluation and the benchmark."""
from __future__ import annotations

import numpy as np


def decisions(scores: np.ndarray, labels: list[str], thresholds: dict[str, float] | None) -> np.ndarray:
    """0/1 matrix (articles x labels). Multi-label (``thresholds`` given): a label is on when its score
    reaches its threshold. Single-label (``thresholds`` None): the most probable label."""
    if thresholds is None:
        out = np.zeros(scores.shape, dtype=np.int8)
        out[np.arange(len(scores)), scores.argmax(axis=1)] = 1
        return out
    return (scores >= np.array([thresholds[lab] for lab in labels])).astype(np.int8)


def label_lists(decided: np.ndarray, labels: list[str]) -> list[list[str]]:
    """Per article, the labels that are on ([] = other)."""
    return [[lab for lab, on in zip(labels, row) if on] for row in decided]
