"""The one text helper that training and classification share."""
from __future__ import annotations


def document(title: str, text: str, title_repeat: int = 1) -> str:
    """The string the pipeline reads for an article (the same in training and classification)."""
    return ". ".join([title] * title_repeat + [text]) if title else text
