"""Every article fixture parses to the expected output beside it, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.parse import parse_article
from scraper.profiles import get_profile
from tests.conftest import article_cases, expected

FIELDS = [
    "url",
    "site",
    "layout",
    "title",
    "sapo",
    "published_at",
    "category",
    "authors",
    "agency",
    "body",
    "images",
    "tags",
]


def parsed(case: Path) -> dict:
    want = expected(case)
    html = (case / "page.html").read_text(encoding="utf-8")
    return parse_article(html, want["url"], get_profile(want["site"])).to_record()


def case_id(path: Path) -> str:
    return f"{path.parent.parent.name}-{path.name}"


@pytest.mark.parametrize("case", article_cases(None), ids=case_id)
@pytest.mark.parametrize("field", FIELDS)
def test_field(case: Path, field: str) -> None:
    assert parsed(case)[field] == expected(case)[field]


@pytest.mark.parametrize("case", article_cases(None), ids=case_id)
def test_no_extra_fields(case: Path) -> None:
    assert set(parsed(case)) == set(expected(case)) == set(FIELDS)


def test_snapshot_has_both_layouts_and_enough_articles() -> None:
    layouts = [expected(case)["layout"] for case in article_cases()]
    assert layouts.count("2021") >= 8
    assert layouts.count("aspnet") >= 2


@pytest.mark.parametrize("case", article_cases(None), ids=case_id)
def test_fixture_page_says_it_is_reconstructed(case: Path) -> None:
    head = (case / "page.html").read_text(encoding="utf-8")[:1500]
    assert "RECONSTRUCTED, NOT CAPTURED" in head
    assert "Models: " in head


@pytest.mark.parametrize("case", article_cases(None), ids=case_id)
def test_no_caption_left_in_body(case: Path) -> None:
    article = parsed(case)
    paragraphs = article["body"].split("\n\n")
    for image in article["images"]:
        if image["caption"]:
            assert image["caption"] not in paragraphs


@pytest.mark.parametrize("case", article_cases(None), ids=case_id)
def test_decomposed_unicode_parses_to_the_same_nfc_output(case: Path) -> None:
    # Portals mix NFC and NFD text; what comes out is NFC whatever came in.
    import unicodedata

    want = expected(case)
    html = unicodedata.normalize("NFD", (case / "page.html").read_text(encoding="utf-8"))
    got = parse_article(html, want["url"], get_profile(want["site"])).to_record()
    assert got == want


@pytest.mark.parametrize("site", ["nhandan", "dangcongsan", "baochinhphu", "qdnd", "tapchicongsan"])
def test_each_portal_has_three_articles_with_dates_and_no_prefixes(site: str) -> None:
    cases = article_cases(site)
    assert len(cases) >= 3
    for case in cases:
        article = parsed(case)
        assert article["published_at"] is not None
        for prefix in ("(ĐCSVN)", "(Chinhphu.vn)", "TCCS -"):
            assert not (article["sapo"] or "").startswith(prefix)
            assert not article["body"].startswith(prefix)
        for label in ("Tin liên quan", "Chia sẻ", "Bài liên quan", "Tags:", "Đọc nhiều"):
            assert label not in article["body"]
