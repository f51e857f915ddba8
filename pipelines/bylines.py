"""Bylines: "Tin, ảnh: Xuân Tư (TTXVN)" → authors ["Xuân Tư"], agency "TTXVN".

A byline is recognised by its shape — an optional credit word ("Tin", "Bài", "Ảnh", "Theo"),
then short capitalised names, then an optional agency in parentheses — so that a body's
closing sentence is never mistaken for one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pipelines.text import tidy_line

_CREDIT = re.compile(
    r"^(?P<credit>(?:(?:tin|bài|ảnh|video|clip|đồ họa|đồ hoạ|infographic|thực hiện)"
    r"(?:\s*(?:,|và|-|&)\s*)?)+|theo|nguồn|tác giả(?: bài viết)?)\s*[:\-–]\s*"
    r"|^(?P<source>theo|nguồn)\s+",
    re.IGNORECASE,
)
_AGENCY = re.compile(r"\s*[(\[](?P<agency>[^()\[\]]{2,40})[)\]]\s*$")
# "Tin: Vũ Hà - Ảnh: Đức Anh": a second credit inside the line separates two names.
_INNER_CREDIT = re.compile(r"\s*[-–,;]?\s*\b(?:ảnh|video|clip|đồ họa|đồ hoạ)\s*:\s*", re.IGNORECASE)
# Degrees written before a name ("PGS, TS Nguyễn Văn Thạo", "ThS. Lê Hạnh"): not part of it.
_DEGREES = re.compile(r"^(?:(?:GS|PGS|TS|ThS|Th\.S|TSKH|CN|BS|KS|NCS)\.?\s*[,.]?\s*)+(?=[A-ZĐÀ-Ỹ])")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\s-\s|\s–\s|\svà\s)\s*")
_NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹ.'’]*$")
# Agencies and papers credited with "Theo ..." rather than a person.
_SOURCE_WORDS = ("ttxvn", "vna", "báo", "tạp chí", "cổng", "đài", "vov", "vtv", "theo")
# Credits that name a role, not a person: the byline is removed, no author is recorded.
_ANONYMOUS = {"pv", "btv", "ctv", "phóng viên", "nhóm pv", "nhóm phóng viên", "đcsvn"}


class Byline(NamedTuple):
    authors: list[str]
    agency: str | None


def parse_byline(line: str, trusted: bool = False) -> Byline | None:
    """The byline in `line`, or None when the line is not shaped like one.

    `trusted`: the line comes from an element the profile names as the byline, so a bare
    name ("Thu Hằng") is taken as one; in running text it needs capitals or an agency.
    """
    text = tidy_line(line)
    if not text or len(text) > 90 or (text.endswith((".", "?", "!")) and not text.endswith(").")):
        return None
    credit = _CREDIT.match(text)
    rest = text[credit.end() :] if credit else text
    if credit:
        rest = _INNER_CREDIT.sub(", ", rest).strip(" ,")
    agency = None
    if paren := _AGENCY.search(rest):
        agency = paren["agency"].strip()
        rest = rest[: paren.start()]
    rest = _DEGREES.sub("", rest.strip(" ."))
    if rest.casefold() in _ANONYMOUS or (not rest and credit and agency):
        return Byline([], agency)
    if credit and credit["source"]:
        # "Theo TTXVN", "Theo Báo Nhân Dân": a source, not a person.
        return Byline([], agency or rest) if rest and _looks_like_name(rest) else None
    names = [_DEGREES.sub("", n) for n in _NAME_SPLIT.split(rest) if n]
    if not names or not all(_looks_like_name(n) for n in names):
        return None
    if not credit and not agency and not trusted and not all(n.isupper() for n in names):
        # A bare capitalised line could be a place or a heading; only capitals or an
        # agency in parentheses make it a byline.
        return None
    if agency is None and len(names) == 1 and names[0].casefold() in _SOURCE_WORDS:
        return Byline([], names[0])
    return Byline([_name_case(n) for n in names], agency)


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 6 and all(_NAME_WORD.match(w) for w in words)


def _name_case(name: str) -> str:
    # "XUÂN TƯ" → "Xuân Tư"; "PV" and other short acronyms stay as written.
    if name.isupper() and len(name) > 3:
        return " ".join(word.capitalize() for word in name.split())
    return name
