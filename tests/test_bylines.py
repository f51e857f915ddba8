"""Bylines: who wrote it, and which agency it came from."""

from __future__ import annotations

import pytest

from pipelines.bylines import parse_byline


@pytest.mark.parametrize(
    ("line", "authors", "agency"),
    [
        ("Tin, ảnh: Xuân Tư (TTXVN)", ["Xuân Tư"], "TTXVN"),
        ("THU HẰNG", ["Thu Hằng"], None),
        ("Bài và ảnh: Nguyễn Minh Tâm", ["Nguyễn Minh Tâm"], None),
        ("Bài, ảnh: Nguyễn Văn An, Trần Thị Bình", ["Nguyễn Văn An", "Trần Thị Bình"], None),
        ("Tin: Vũ Hà - Ảnh: Đức Anh", ["Vũ Hà", "Đức Anh"], None),
        ("Minh Anh (TTXVN)", ["Minh Anh"], "TTXVN"),
        ("Theo TTXVN", [], "TTXVN"),
        ("Theo Báo Nam Định", [], "Báo Nam Định"),
        ("PV", [], None),
        ("Tin: PV", [], None),
    ],
)
def test_byline(line: str, authors: list[str], agency: str | None) -> None:
    byline = parse_byline(line)
    assert byline is not None
    assert byline.authors == authors
    assert byline.agency == agency


@pytest.mark.parametrize(
    "line",
    [
        "Hà Nội",  # a place, not a credit
        "Dịp này, Chủ tịch UBND tỉnh Điện Biên tặng Bằng khen 8 tập thể và 6 cá nhân.",
        "Lê Thành Đô, Chủ tịch UBND tỉnh",
        "Nhiều mô hình hay, cách làm sáng tạo",
        "",
    ],
)
def test_not_a_byline(line: str) -> None:
    assert parse_byline(line) is None
