"""Text normalisation shared by every stage: NFC, tidy whitespace, label matching."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and soft hyphens that CMS editors paste in and readers never see.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r" *\n *")


def tidy(text: str) -> str:
    """NFC-normalise and collapse runs of spaces (not newlines) to one space, trimmed."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def tidy_line(text: str) -> str:
    """Like `tidy`, but newlines become spaces too: a title or caption is one line."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(_INVISIBLE.sub("", text).split())


def text_length(text: str) -> int:
    """Characters of `text` once runs of white space count as one (cheap; for heuristics)."""
    return len(" ".join(text.split()))


def label_key(text: str) -> str:
    """The form in which boilerplate headings are compared: 'TIN LIÊN QUAN:' → 'tin liên quan'."""
    return tidy_line(text).rstrip(" :.-–»›>").casefold()


def text_key(text: str) -> str:
    """The form in which two texts are the same text: case, spacing and closing punctuation
    ignored. Compare keys (or keep them in a set) to find a caption repeated as a paragraph."""
    return tidy_line(text).rstrip(" .").casefold()


def same_text(a: str, b: str) -> bool:
    """Equal once case, spacing and closing punctuation are ignored (caption vs paragraph)."""
    return text_key(a) == text_key(b)


# Old-style tone placement ("hoà", "thuỷ") → the modern one ("hòa", "thủy") in open syllables
# (oa, oe, uy with no final consonant). Two characters become two, so offsets are kept.
def _tone_pairs() -> dict[str, str]:
    pairs = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in "\u0300\u0301\u0309\u0303\u0323":
            for f, sec in (
                (first, second),
                (first.upper(), second),
                (first.upper(), second.upper()),
            ):
                old = f + unicodedata.normalize("NFC", sec + tone)
                new = unicodedata.normalize("NFC", f + tone) + sec
                pairs[old] = new
    return pairs


_PAIRS = _tone_pairs()
_OLD_TONE = re.compile(r"(?<![qQ])(" + "|".join(_PAIRS) + r")(?!\w)")


def modern_tones(text: str) -> str:
    """'Khánh Hoà' → 'Khánh Hòa', 'thuỷ' → 'thủy'; the result has the same length."""
    return _OLD_TONE.sub(lambda m: _PAIRS[m[1]], text)


def fold(text: str) -> str:
    """Lower-case, no diacritics, đ → d: the key under which 'Lê Thành Đô', 'Le Thanh Do' and
    'LÊ THÀNH ĐÔ' are the same."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
