"""Figures in vi-VN notation, and the numbers that are not figures."""

from __future__ import annotations

import pytest

from pipelines.figures import find_figures


def found(text: str) -> list[tuple]:
    return [(f.text, f.value, f.unit, f.counted, f.qualifier) for f in find_figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đạt 33.191 tỷ đồng", [("33.191 tỷ đồng", 33191000000000, "VND", None, None)]),
        ("trị giá 1,5 triệu USD", [("1,5 triệu USD", 1500000, "USD", None, None)]),
        ("đạt trên 8,21%", [("8,21%", 8.21, "%", None, "trên")]),
        ("có 302 xã đạt chuẩn", [("302 xã", 302, "count", "xã", None)]),
        ("gồm 1.528 đồng chí", [("1.528 đồng chí", 1528, "count", "đồng chí", None)]),
        ("khoảng 2,5 nghìn tỷ đồng", [("2,5 nghìn tỷ đồng", 2500000000000, "VND", None, "khoảng")]),
        ("dài 98,35 km", [("98,35 km", 98.35, "km", None, None)]),
        ("diện tích 13.795 km2", [("13.795 km2", 13795, "km2", None, None)]),
        ("21.000 ha cà phê", [("21.000 ha", 21000, "ha", None, None)]),
        ("gần 1 triệu lượt khách", [("1 triệu lượt khách", 1000000, "count", "lượt khách", "gần")]),
        (
            "5.775/8.227 xã",
            [("5.775", 5775, "count", "xã", None), ("8.227 xã", 8227, "count", "xã", None)],
        ),
        ("302 xã.", [("302 xã", 302, "count", "xã", None)]),
    ],
)
def test_figures(text: str, expected: list[tuple]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ngày 20/3/2023",
        "ngày 20-3-2023",
        "ngày 14.2.2019",
        "ngày 20 tháng 3 năm 2023",
        "năm 2022",
        "giai đoạn 2021-2025",
        "nhiệm kỳ 2020 - 2025",
        "Nghị quyết số 34-NQ/TW",
        "Nghị định 178/2024/NĐ-CP",
        "khóa XV",
        "Hội nghị lần thứ 3",
        "Cụm thi đua số 3",
        "bệnh nhân 46",
        "gọi 0912.345.678",
        "hoạt động 24/7",
        "kỷ niệm 78 năm Quốc khánh 2/9",
        "bão số 3 đổ bộ",
        "COVID-19 được kiểm soát",
    ],
)
def test_not_figures(text: str) -> None:
    assert found(text) == []
