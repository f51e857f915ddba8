"""The real article this project started from, as the issue states it must come out."""

from __future__ import annotations

import pytest

from pipelines.parse import parse_article
from schemas.article import Article
from scraper.profiles import get_profile
from tests.conftest import SNAPSHOT

URL = (
    "https://tuyengiao.vn/"
    "chu-trong-khen-thuong-lao-dong-truc-tiep-cac-tap-the-o-vung-sau-vung-bien-gioi-148318"
)
BOILERPLATE = [
    "Phản hồi",
    "Các tin khác",
    "Tin liên quan",
    "Thư viện ảnh",
    "Liên kết website",
    "Mới nhất",
    "Chia sẻ",
    "In bài viết",
    "Quảng cáo",
]


@pytest.fixture(scope="module")
def seed() -> Article:
    html = (SNAPSHOT / "articles" / "148318" / "page.html").read_text(encoding="utf-8")
    return parse_article(html, URL, get_profile("tuyengiao"))


def test_title(seed: Article) -> None:
    assert seed.title == (
        "Chú trọng khen thưởng lao động trực tiếp, các tập thể ở vùng sâu, vùng biên giới"
    )


def test_published_at_is_the_article_time_not_the_page_header_date(seed: Article) -> None:
    assert seed.published_at is not None
    assert seed.published_at.isoformat() == "2023-03-20T14:36:00+07:00"


def test_category_and_url(seed: Article) -> None:
    assert seed.category == "Tuyên giáo các cấp"
    assert seed.url == URL
    assert seed.sapo is None


def test_body_starts_and_ends_with_the_article_text(seed: Article) -> None:
    assert seed.body.startswith("Tham dự có đại diện lãnh đạo Ủy ban nhân dân 7 tỉnh")
    assert seed.body.endswith(
        "tặng Bằng khen 8 tập thể và 6 cá nhân có thành tích xuất sắc trong các phong trào thi "
        "đua của cụm thi đua 7 tỉnh miền núi biên giới phía Bắc năm 2022."
    )
    assert len(seed.paragraphs) == 8


@pytest.mark.parametrize("label", BOILERPLATE)
def test_no_boilerplate_in_body(seed: Article, label: str) -> None:
    assert label not in seed.body


def test_four_images_each_caption_once(seed: Article) -> None:
    captions = [image.caption for image in seed.images]
    assert len(seed.images) == 4
    assert len({image.src for image in seed.images}) == 4
    assert captions[0] == captions[2]  # two photos share a caption on the real page
    assert captions[0].startswith("Chủ tịch UBND tỉnh Điện Biên Lê Thành Đô, Trưởng Cụm thi đua")
    assert captions[1] == (
        "Tọa đàm với các gương điển hình tiên tiến trong công tác thu đua khen thưởng."
    )
    assert captions[3] == (
        "Lãnh đạo UBND các tỉnh trong cụm thi đua miền núi biên giới phía Bắc "
        "ký kết giao ước thi đua."
    )
    for caption in captions:
        assert caption not in seed.body
        assert caption.count(caption[:40]) == 1


def test_byline_becomes_author_and_agency(seed: Article) -> None:
    assert seed.authors == ["Xuân Tư"]
    assert seed.agency == "TTXVN"
    assert "Xuân Tư" not in seed.body


def test_image_urls_are_the_cdn_ones(seed: Article) -> None:
    assert all(
        img.src.startswith("https://cdn.tuyengiao.vn/uploads/2023/3/20/14/") for img in seed.images
    )
    assert "&q=75&f=6&s=" in seed.images[0].src
