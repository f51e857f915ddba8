"""Text normalisation shared by every stage: NFC, tidy whitespace, label matching."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and soft hyphens that CMS editors paste in and readers never see.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r" *\n *")


def tidy(text: str) -> str:
    """NFC-normalise and collapse runs of spaces (not newlines) to one space, trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def tidy_line(text: str) -> str:
    """Like `tidy`, but newlines become spaces too: a title or caption is one line."""
    return " ".join(tidy(text).split())


def label_key(text: str) -> str:
    """The form in which boilerplate headings are compared: 'TIN LIÊN QUAN:' → 'tin liên quan'."""
    return tidy_line(text).rstrip(" :.-–»›>").casefold()


def same_text(a: str, b: str) -> bool:
    """Equal once case, spacing and closing punctuation are ignored (caption vs paragraph)."""
    return tidy_line(a).rstrip(" .").casefold() == tidy_line(b).rstrip(" .").casefold()
