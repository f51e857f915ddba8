"""Provinces by gazetteer, before and after the merger of 1 July 2025.

The names and the old → new mapping come from the data underthesea ships
(`underthesea/address/data/mapping.json`): 63 provinces before the merger, 34 after. News
writes them with or without a prefix (tỉnh, thành phố, TP.), abbreviated (TP.HCM, BR-VT,
TT-Huế), with other spellings (Đăk Lăk, Kontum) and either tone placement (Khánh Hoà).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from pipelines.names import SURNAMES
from pipelines.text import modern_tones

MERGER = date(2025, 7, 1)
# Centrally-run cities: "thành phố X" is the province itself. For any other X, "thành phố X" is
# the provincial capital (a city inside the province), not a mention of the province.
_CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh", "Huế"}
# Spellings news uses besides the official short name.
_VARIANTS: dict[str, list[str]] = {
    "Hồ Chí Minh": ["TP.HCM", "TP. HCM", "TPHCM", "TP HCM", "Tp.HCM", "Tp. HCM", "TP.Hồ Chí Minh"],
    "Huế": ["Thừa Thiên Huế", "Thừa Thiên - Huế", "Thừa Thiên-Huế", "TT-Huế", "TT Huế"],
    "Bà Rịa - Vũng Tàu": [
        "Bà Rịa-Vũng Tàu",
        "Bà Rịa – Vũng Tàu",
        "Bà Rịa–Vũng Tàu",
        "BR-VT",
        "BRVT",
    ],
    "Đắk Lắk": ["Đăk Lăk", "Đắc Lắc", "Đắk Lăk", "Đăk Lắk", "Daklak"],
    "Đắk Nông": ["Đăk Nông", "Đắc Nông"],
    "Kon Tum": ["Kontum", "KonTum"],
    "Bắc Kạn": ["Bắc Cạn"],
}
# Names that must carry a prefix to be the province: bare "Hồ Chí Minh" is the President.
_NEEDS_PREFIX = {"Hồ Chí Minh"}
_PREFIX = r"(?:(?P<prefix>tỉnh|Tỉnh|TỈNH|thành phố|Thành phố|THÀNH PHỐ|TP\.|TP|Tp\.|Tp)\s*)?"


@dataclass(frozen=True)
class Province:
    key: str  # "tinhhagiang" (old) or "new:tinhtuyenquang"
    name: str  # short name as the era named it: "Hà Giang"
    province_2025: str  # the province it belongs to after the merger: "Tuyên Quang"


@dataclass(frozen=True)
class ProvinceMention:
    province: Province
    surface: str
    start: int
    end: int


@dataclass(frozen=True)
class _Gazetteer:
    old: dict[str, Province]  # short name → pre-2025 province
    new: dict[str, Province]  # short name → post-2025 province
    surfaces: dict[str, str]  # surface (tone-normalised) → short name
    pattern: re.Pattern[str]


@cache
def gazetteer() -> _Gazetteer:
    data = json.loads(
        resources.files("underthesea").joinpath("address/data/mapping.json").read_text("utf-8")
    )
    new_by_key = {key: value["short"] for key, value in data["province_names"].items()}
    old = {
        value["short"]: Province(key, value["short"], new_by_key[data["province_mapping"][key]])
        for key, value in data["old_province_names"].items()
    }
    new = {short: Province(f"new:{key}", short, short) for key, short in new_by_key.items()}
    surfaces: dict[str, str] = {}
    for short in {*old, *new}:
        for surface in [short, short.upper(), *_VARIANTS.get(short, [])]:
            surfaces[modern_tones(surface)] = short
    alternation = "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))
    pattern = re.compile(_PREFIX + r"(?<!\w)(?P<name>" + alternation + r")(?!\w)")
    return _Gazetteer(old, new, surfaces, pattern)


def find_provinces(text: str, published: date | None = None) -> list[ProvinceMention]:
    """Province mentions in `text`, each resolved by the article's date.

    A name that survived the merger means the new, larger province in an article published
    on or after 1 July 2025, and the old one before (or when the date is unknown).
    """
    gaz = gazetteer()
    normalised = modern_tones(text)
    after_merger = published is not None and published >= MERGER
    mentions = []
    for match in gaz.pattern.finditer(normalised):
        short = gaz.surfaces[match["name"]]
        prefix = match["prefix"] or ""
        abbreviated = match["name"] != short and match["name"].upper() != short.upper()
        if short in _NEEDS_PREFIX and not prefix and not abbreviated:
            continue
        if prefix.lower().startswith("thành phố") and short not in _CITIES:
            continue  # the provincial capital, not the province
        if not prefix and _ends_a_name(normalised, match.start("name")):
            continue
        province = (gaz.new.get(short) if after_merger else None) or gaz.old.get(short)
        if province is None:  # a post-merger name used before the merger (none today)
            province = gaz.new[short]
        start, end = match.start("name"), match.end("name")
        mentions.append(ProvinceMention(province, text[start:end], start, end))
    return mentions


def _ends_a_name(text: str, start: int) -> bool:
    """Whether the match ends a person's name: 'Trần Thái Bình', 'Nguyễn Bình Định'."""
    before = text[:start].rstrip(" ")
    if len(before) == len(text[:start]):
        return False  # not preceded by a space: start of text or punctuation
    if not before or not before[-1].isalpha():
        return False  # "Hà Giang, Lạng Sơn": a list, not a name
    words = before.split()
    return bool(words) and (
        words[-1] in SURNAMES
        or (
            len(words) > 1
            and words[-1][:1].isupper()
            and words[-2] in SURNAMES
            and words[-1] not in {"Tỉnh", "Thành", "TP"}
        )
    )
