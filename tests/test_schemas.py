"""The Article model refuses what no stage should store."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from pipelines.parse import parse_article
from schemas.article import Article, Image
from scraper.profiles import get_profile

VALID = {
    "url": "https://tuyengiao.vn/x-148318",
    "site": "tuyengiao",
    "layout": "2021",
    "title": "Tiêu đề",
    "body": "Đoạn một.\n\nĐoạn hai.",
}


def test_valid_article_is_nfc_and_tidy() -> None:
    article = Article(**{**VALID, "title": "  Tie\u0302\u0300u   \u0111e\u0302\u0300 "})
    assert article.title == "Tiều đề"
    assert article.paragraphs == ["Đoạn một.", "Đoạn hai."]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": ""}, "body"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"published_at": datetime(2023, 3, 20, 14, 36)}, "published_at"),
    ],
)
def test_invalid_article_names_the_field(change: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Article(**{**VALID, **change})
    assert info.value.errors()[0]["loc"][0] == field


def test_image_needs_a_web_address() -> None:
    with pytest.raises(ValidationError):
        Image(src="data:image/gif;base64,R0lGOD")


def test_a_non_image_src_is_skipped_not_fatal() -> None:
    html = (
        '<div class="flex-fill"><h1 class="story-headline">Tin</h1><div class="story-body">'
        '<figure><img src="javascript:void(0)"><figcaption>Chú thích</figcaption></figure>'
        "<p>Nội dung bài.</p></div></div>"
    )
    article = parse_article(html, "https://tuyengiao.vn/tin-100001", get_profile("tuyengiao"))
    assert article.images == []
    assert article.body == "Nội dung bài."
