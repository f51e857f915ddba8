"""Provinces by gazetteer: surface forms, traps, and the 2025 merger."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.provinces import find_provinces


def names(text: str, published: date | None = None) -> list[str]:
    return [m.province.name for m in find_provinces(text, published)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lãnh đạo tỉnh Điện Biên", ["Điện Biên"]),
        ("TP.HCM và TPHCM, TP. Hồ Chí Minh", ["Hồ Chí Minh"] * 3),
        ("Thừa Thiên Huế, TT-Huế", ["Huế", "Huế"]),
        ("Bà Rịa - Vũng Tàu, Bà Rịa-Vũng Tàu, BR-VT", ["Bà Rịa - Vũng Tàu"] * 3),
        ("Đắk Lắk, Đăk Lăk", ["Đắk Lắk", "Đắk Lắk"]),
        ("Khánh Hòa và Khánh Hoà", ["Khánh Hòa", "Khánh Hòa"]),
        ("Kontum và Kon Tum", ["Kon Tum", "Kon Tum"]),
        ("ĐẮK NÔNG", ["Đắk Nông"]),
    ],
)
def test_surface_forms(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nhân dân luôn mong muốn hòa bình, ổn định.",  # peace, not Hòa Bình
        "Đồng chí Trần Thái Bình phát biểu.",  # a name ending in a province word
        "Anh Nguyễn Bình Định được tặng Bằng khen.",
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",  # the President
        "Cao Bằng khen"[4:],  # "Bằng khen" is an award
        "UBND thành phố Thái Nguyên",  # the provincial capital, not the province
    ],
)
def test_traps(text: str) -> None:
    assert names(text) == []


def test_surfaces_keep_what_was_written() -> None:
    mention = find_provinces("Sở Y tế TP.HCM cho biết")[0]
    assert (mention.surface, mention.start, mention.end) == ("TP.HCM", 8, 14)
    old_tone = find_provinces("tỉnh Thanh Hoá")[0]
    assert old_tone.surface == "Thanh Hoá"
    assert old_tone.province.name == "Thanh Hóa"


def test_merged_province_carries_its_2025_province() -> None:
    ha_giang = find_provinces("tỉnh Hà Giang", date(2023, 3, 20))[0].province
    assert (ha_giang.name, ha_giang.province_2025) == ("Hà Giang", "Tuyên Quang")


def test_surviving_name_is_read_by_the_article_date() -> None:
    before = find_provinces("tỉnh Tuyên Quang", date(2024, 5, 1))[0].province
    after = find_provinces("tỉnh Tuyên Quang", date(2025, 8, 15))[0].province
    assert before.key != after.key  # the old province and the merged one are two entities
    assert before.name == after.name == "Tuyên Quang"
    assert after.province_2025 == before.province_2025 == "Tuyên Quang"
    # A name that did not survive stays the old province whatever the date.
    assert (
        find_provinces("tỉnh Hà Giang", date(2025, 8, 15))[0].province.province_2025
        == "Tuyên Quang"
    )
