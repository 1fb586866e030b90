"""Text normalization shared by every loader, the labeling functions and deduplication."""
from __future__ import annotations

import html
import re
import unicodedata

_AG_ENTITY = re.compile(r"(?<!&)#(\d{1,5});")  # AG News drops the '&' of numeric entities: ' #39;'
_MD_TOOLTIP = re.compile(r"^\[[A-Z]\]\(javascript:void\(0\);[^)]*\)\s*$", re.M)
_MD_IMAGE_LINK = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*{1,3}|_{2,3})(\S.*?\S|\S)\1")
_MD_HEADING = re.compile(r"^#{1,6}\s*", re.M)
_MD_BULLET = re.compile(r"^\s*[*+-]\s+", re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """Unescape HTML entities (including AG's '#39;' form and its backslash line breaks),
    drop control characters and collapse whitespace."""
    text = _AG_ENTITY.sub(r"&#\1;", text)
    text = html.unescape(text)
    text = text.replace("\\", " ")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    return " ".join(text.split())  # = re.sub(r"\s+", " ", text).strip(), 3x faster (same whitespace set)


def strip_markdown(md: str) -> str:
    """Markdown page to plain text: tool-tip icons, images and link targets go; link text stays."""
    md = re.sub(r"[^\S\n]+", " ", md)  # no-break and narrow spaces too, so that line patterns match
    md = _MD_TOOLTIP.sub("", md)
    md = _MD_IMAGE_LINK.sub("", md)
    md = _MD_IMAGE.sub("", md)
    md = _MD_LINK.sub(r"\1", md)
    md = _MD_EMPH.sub(r"\2", md)
    md = _MD_EMPH.sub(r"\2", md)  # nested emphasis such as ***bold italic***
    md = md.replace("*", "")  # unbalanced emphasis left by malformed pages ("**Do not travel* to")
    md = _MD_HEADING.sub("", md)
    md = _MD_BULLET.sub("", md)
    # keep paragraph breaks as sentence boundaries so that one line does not run into the next
    return "\n".join(line.strip() for line in md.splitlines() if line.strip())


_TOKEN = re.compile(r"[a-z0-9]+")


def fingerprint_tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens: what deduplication compares."""
    return _TOKEN.findall(text.lower())
