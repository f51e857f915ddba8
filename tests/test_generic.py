"""The generic extractor: pages of CMSs no profile describes, read by content alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.errors import NotAnArticle
from pipelines.evaluation import page_scores
from pipelines.generic import BOILERPLATE_LABELS, extract_generic
from tests.conftest import ROOT, article_cases, expected, run

GENERIC = ROOT / "tests" / "fixtures" / "generic"
CASES = sorted(p for p in GENERIC.iterdir() if (p / "output.json").is_file())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_unknown_cms_page_gives_the_expected_article(case: Path) -> None:
    want = json.loads((case / "output.json").read_text(encoding="utf-8"))
    html = (case / "page.html").read_text(encoding="utf-8")
    got = extract_generic(html, want["url"]).to_record()
    assert got == want


def test_nukeviet_fields() -> None:
    want = json.loads((GENERIC / "nukeviet-namdinh" / "output.json").read_text(encoding="utf-8"))
    assert want["published_at"] == "2022-07-04T04:34:00+07:00"  # "Thứ hai - 04/07/2022 04:34"
    assert want["authors"] == ["Vân Anh"]  # "Tác giả bài viết: Vân Anh"
    assert want["body"].startswith("Đồng chí Phạm Gia Túc")
    assert want["body"].endswith("nhiệm kỳ 2025 - 2030.")


def test_wordpress_fields() -> None:
    want = json.loads((GENERIC / "wordpress-baolamdong" / "output.json").read_text("utf-8"))
    assert want["published_at"] == "2024-06-05T09:15:00+07:00"  # JSON-LD in an @graph
    assert want["authors"] == ["Minh Đạo"]
    assert want["images"] == [
        {
            "src": "https://baolamdong.vn/wp-content/uploads/2024/06/ca-phe-lam-dong.jpg",
            "caption": "Thu hoạch cà phê tại huyện Di Linh. Ảnh: Minh Đạo",
        }
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "label",
    [
        "Tin liên quan",
        "Bài liên quan",
        "Chia sẻ",
        "Bình luận",
        "Đọc nhiều",
        "Những tin mới hơn",
        "Từ khóa",
        "Tin xem nhiều",
    ],
)
def test_no_boilerplate(case: Path, label: str) -> None:
    body = json.loads((case / "output.json").read_text(encoding="utf-8"))["body"]
    assert label not in body
    assert label in BOILERPLATE_LABELS or label in ("Từ khóa",)


@pytest.mark.parametrize("case", article_cases(), ids=lambda p: p.name)
def test_profiled_pages_read_without_their_profile(case: Path) -> None:
    # The tuyengiao fixtures, as if no profile knew the portal.
    want = expected(case)
    got = extract_generic((case / "page.html").read_text(encoding="utf-8"), want["url"])
    assert got.title == want["title"]
    precision, recall = page_scores(got.body, want["body"])
    assert recall is not None and recall >= 0.98
    assert precision is not None and precision >= 0.9


def test_page_without_text_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        extract_generic(
            "<html><head><title>Trang chủ</title></head><body><nav><a href='/'>"
            "Trang chủ</a></nav></body></html>",
            "https://example.vn/",
        )


def test_extract_falls_back_to_the_generic_extractor() -> None:
    page = GENERIC / "wordpress-baolamdong" / "page.html"
    result = run("vnnews", "extract", str(page), "--url", "https://baolamdong.vn/kinh-te/x-98765/")
    line = json.loads(result.stdout)
    assert (line["site"], line["layout"]) == ("baolamdong.vn", "generic")
    assert line["title"] == "Lâm Đồng: Xuất khẩu cà phê 5 tháng đạt 210 triệu USD"
    assert {"name": "Lâm Đồng", "surfaces": ["Lâm Đồng"], "province_2025": "Lâm Đồng"} in line[
        "provinces"
    ]
