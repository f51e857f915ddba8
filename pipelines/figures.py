"""Figures: money, percentages, counts and measures written the Vietnamese way.

vi-VN numbers group thousands with "." and mark decimals with ",": "33.191 tỷ đồng" is
33 191 × 10⁹ VND, "8,21%" is 8.21 %. A number is a figure only when a unit, a currency, a
percent sign or a counted noun follows it; dates, years, document numbers, ordinals, IDs and
phone numbers are recognised first and never become figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_SCALES = {
    "nghìn tỷ": 10**12,
    "ngàn tỷ": 10**12,
    "nghìn": 10**3,
    "ngàn": 10**3,
    "vạn": 10**4,
    "triệu": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
}
_CURRENCIES = {
    "đồng": "VND",
    "VNĐ": "VND",
    "VND": "VND",
    "vnđ": "VND",
    "đ": "VND",
    "USD": "USD",
    "đô la Mỹ": "USD",
    "đô la": "USD",
    "EUR": "EUR",
    "euro": "EUR",
}
_PERCENT = {"%": "%", "phần trăm": "%"}
_MEASURES = {
    "km2": "km2",
    "km²": "km2",
    "km": "km",
    "m2": "m2",
    "m²": "m2",
    "m3": "m3",
    "ha": "ha",
    "héc-ta": "ha",
    "hécta": "ha",
    "tấn": "tấn",
    "kg": "kg",
    "lít": "lít",
    "MW": "MW",
    "kWh": "kWh",
    "m": "m",
}
# Counted nouns of more than one syllable, tried before single words (and before "đồng",
# which starts "đồng chí" and "đồng bào").
_COUNT_NOUNS = sorted(
    (
        "đồng chí|đồng bào|tập thể|cá nhân|đảng viên|cán bộ|công chức|viên chức|học sinh"
        "|sinh viên|đơn vị|doanh nghiệp|hợp tác xã|hộ gia đình|hộ nghèo|người dân|lượt khách"
        "|lượt người|dự án|công trình|chi bộ|tổ chức cơ sở đảng|tổ chức|cơ sở|trường hợp|vụ việc"
        "|bài viết|tác phẩm|ngôi nhà|căn nhà|căn hộ|phòng học|trường học|thôn|bản|buổi|suất|liều"
        "|lượt|hộ|người|xã|phường|thị trấn|huyện|tỉnh|thành phố|vụ|bài|mô hình|sản phẩm|đại biểu"
        "|gia đình|em|cháu|lao động|hội viên|đoàn viên|chiến sĩ|bệnh nhân|ca|giường bệnh|cây|con"
        "|chiếc|tàu|xe|hồ sơ|thủ tục|văn bản|đề án|cuộc|lớp|điểm|km đường|ngôi trường|nhà"
    ).split("|"),
    key=len,
    reverse=True,
)
_QUALIFIERS = [
    "ít nhất",
    "tối thiểu",
    "tối đa",
    "xấp xỉ",
    "khoảng",
    "chừng",
    "hơn",
    "trên",
    "gần",
    "dưới",
    "hàng",
    "gần như",
    "tới",
    "đến",
]

_UNITS = {**_CURRENCIES, **_PERCENT, **_MEASURES}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_FIGURE = re.compile(
    r"(?<![\w.,/\-])(?P<number>" + _NUMBER + r")(?![\d])"
    r"(?:\s*/\s*(?P<denominator>" + _NUMBER + r"))?"
    r"(?:\s*(?P<scale>" + _alternation(_SCALES) + r")(?!\w))?"
    # Counted nouns first: "1.528 đồng chí" is 1,528 comrades, not 1,528 đồng.
    r"(?:\s+(?P<counted>" + _alternation(_COUNT_NOUNS) + r")(?!\w)"
    r"|\s*(?P<unit>%|(?:" + _alternation([u for u in _UNITS if u != "%"]) + r")(?!\w)))?"
)
# Spans that are never figures, found first.
_NOT_FIGURES = re.compile(
    r"(?<![\d.])\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}(?![\d.])"  # 20/3/2023, 14.2.2019
    r"|(?<![\d.])\d{1,2}/\d{1,2}(?![\d/.])"  # 20/3, 24/7
    r"|(?:ngày|sáng|chiều|tối|trưa|đêm)\s+\d{1,2}(?:\s*[-–]\s*\d{1,2})?(?:\s*[-/]\s*\d{1,2})*"
    r"|tháng\s+\d{1,2}|năm\s+\d{4}|\d{4}\s*[-–]\s*\d{4}"  # months, years, year ranges
    r"|(?:năm|giai đoạn|nhiệm kỳ|niên khóa|khóa|đến|từ|trước|sau)\s+\d{4}(?!\d)"
    r"|\d+(?:/\d+)*/[A-ZĐ][\w-]*|\d+-[A-ZĐ][\w/-]*"  # 57-NQ/TW, 178/2024/NĐ-CP
    r"|(?:số|thứ|lần thứ|khóa|Khóa|khu|Khu|bão số|nhân)\s+\d+"  # ordinals and IDs
    r"|0\d{2,3}[.\s]?\d{3}[.\s]?\d{3,4}"  # phone numbers
    r"|\d+\s+(?:năm|tháng|ngày|giờ|phút|giây|tuần|quý)(?!\w)"  # durations and anniversaries
)


@dataclass(frozen=True)
class Figure:
    text: str
    value: int | float
    unit: str  # "VND", "USD", "EUR", "%", "count" or a measure ("km", "ha", "tấn", ...)
    counted: str | None
    qualifier: str | None
    start: int
    end: int


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text`, in order; "5.775/8.227 xã" is two figures."""
    blocked = [False] * (len(text) + 1)
    for match in _NOT_FIGURES.finditer(text):
        for i in range(match.start(), match.end()):
            blocked[i] = True
    figures: list[Figure] = []
    for match in _FIGURE.finditer(text):
        if blocked[match.start("number")]:
            continue
        unit_word, counted = match["unit"], match["counted"]
        if not unit_word and not counted:
            continue
        scale = _SCALES[match["scale"]] if match["scale"] else 1
        if unit_word:
            unit, counted_noun = _UNITS[unit_word], None
        else:
            unit, counted_noun = "count", counted
        qualifier = _qualifier(text, match.start())
        tail_start = match.end("denominator") if match["denominator"] else match.end("number")
        tail = text[tail_start : match.end()]
        if match["denominator"]:  # "5.775/8.227 xã": the part, then the whole
            figures.append(
                Figure(
                    match["number"],
                    _value(match["number"], scale),
                    unit,
                    counted_noun,
                    qualifier,
                    match.start(),
                    match.end("number"),
                )
            )
            qualifier = None
            start = match.start("denominator")
            number = match["denominator"]
        else:
            start, number = match.start(), match["number"]
        figures.append(
            Figure(
                number + tail,
                _value(number, scale),
                unit,
                counted_noun,
                qualifier,
                start,
                match.end(),
            )
        )
    return figures


def _value(number: str, scale: int) -> int | float:
    amount = float(number.replace(".", "").replace(",", "."))
    value = amount * scale
    # Exact integers stay integers (33.191 tỷ = 33191000000000, not 3.3191e13).
    if "," in number:
        integral, fraction = number.replace(".", "").split(",")
        exact = int(integral + fraction) * scale
        if exact % 10 ** len(fraction) == 0:
            return exact // 10 ** len(fraction)
        return value
    return int(number.replace(".", "")) * scale


def _qualifier(text: str, start: int) -> str | None:
    before = text[max(0, start - 12) : start].rstrip()
    for word in _QUALIFIERS:
        if before.endswith(word) and (
            len(before) == len(word) or not before[-len(word) - 1].isalpha()
        ):
            return word
    return None
