"""Fuzzing the parse and enrich stages with hypothesis: mangled portal pages, raw bytes in
any declared encoding, and made-up Vietnamese prose. Every input must end as an article or
as a reason the page is none — never an exception, never a span that points elsewhere.

CI runs the small, derandomised `ci` profile. To fuzz for longer (random, and remembered in
.hypothesis/ between runs):

    VNNEWS_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import unicodedata
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from pipelines.enrich import enrich_article
from schemas.article import Article
from schemas.page import FetchedPage, ParsedPage
from scraper.reading import PARSER_CRASHED, parse_page
from tests.conftest import FIXTURES, article_cases, expected

settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("VNNEWS_FUZZ", "ci"))

CASES = article_cases(None)
PAGES = [(expected(case)["url"], expected(case)["site"], case / "page.html") for case in CASES]
GOLD = json.loads((FIXTURES / "nlp" / "gold.json").read_text(encoding="utf-8"))["passages"]
WORDS = sorted({word for passage in GOLD for word in passage["text"].split()})


def page(html: str, url: str, site: str) -> FetchedPage:
    return FetchedPage(
        url=url, fetched_from=url, site=site, status=200, fetched_at=datetime.now(UTC), html=html
    )


def assert_total(parsed: ParsedPage) -> None:
    """The parse stage's contract: an article with text, or a reason; a crash is a bug."""
    if parsed.article is None:
        assert parsed.error and not parsed.error.startswith(PARSER_CRASHED), parsed.error
    else:
        assert parsed.article.title.strip() and parsed.article.body.strip()
        assert unicodedata.is_normalized("NFC", parsed.article.body)


def field_text(article: Article, field: str) -> str:
    if field.startswith("caption:"):
        return article.images[int(field.split(":")[1])].caption or ""
    return getattr(article, field) or ""


def assert_enrichment_points_into_the_text(article: Article) -> None:
    enrichment = enrich_article(article)
    for item in [*enrichment.mentions, *enrichment.figures]:
        text = field_text(article, item.field)
        assert 0 <= item.start < item.end <= len(text), item
        found = text[item.start : item.end]
        assert found == getattr(item, "surface", getattr(item, "text", None)), item


@st.composite
def mangled_pages(draw: st.DrawFn) -> tuple[str, str, str]:
    """A fixture page of a portal, damaged the ways pages are in the wild."""
    url, site, path = draw(st.sampled_from(PAGES))
    html = path.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(0, 4))):
        cut = draw(st.integers(0, len(html)))
        mutation = draw(
            st.sampled_from(["delete", "truncate", "insert", "repeat", "nfd", "digits", "tags"])
        )
        if mutation == "delete":
            html = html[:cut] + html[cut + draw(st.integers(1, 5000)) :]
        elif mutation == "truncate":
            html = html[:cut]
        elif mutation == "insert":
            junk = draw(st.text(min_size=1, max_size=200) | st.sampled_from(JUNK))
            html = html[:cut] + junk + html[cut:]
        elif mutation == "repeat":
            html = html[:cut] + html[cut : cut + 3000] * draw(st.integers(2, 20)) + html[cut:]
        elif mutation == "nfd":
            html = unicodedata.normalize("NFD", html)
        elif mutation == "digits":  # dates and times that are not dates any more
            html = "".join(
                draw(st.sampled_from("0123456789")) if c.isdigit() and i % 3 == 0 else c
                for i, c in enumerate(html)
            )
        else:  # the paragraphs' or headings' tags gone
            tag = draw(st.sampled_from(["p", "h1", "div", "time", "span", "meta"]))
            html = html.replace(f"<{tag}", "<x-gone").replace(f"</{tag}>", "</x-gone>")
    return html, url, site


JUNK = [
    "<script>document.write('<div class=\"detail\">')</script>",
    "<!--",
    "<![CDATA[",
    "</html></body>",
    "<div>" * 500,
    "\x00\x01\x02\ufffd",
    "<p>Ngày 31/2/2024 lúc 25:61</p>",
    '<meta charset="windows-1258">',
    "<h1></h1>",
    "&#xD800;&#0;&#99999999;",
]


@given(mangled_pages())
def test_mangled_portal_pages(case: tuple[str, str, str]) -> None:
    html, url, site = case
    assert_total(parse_page(page(html, url, site)))


@given(
    st.binary(max_size=5000) | st.sampled_from([p.read_bytes() for _, _, p in PAGES[:3]]),
    st.sampled_from(["utf-8", "windows-1258", "utf-16", "utf-16-be", "latin-1", "x-bogus", ""]),
)
def test_raw_bytes_in_any_declared_encoding(body: bytes, charset: str) -> None:
    """What Scrapy decodes from the wire, whatever the header claims, reaches the parser."""
    ctype = f"text/html; charset={charset}" if charset else "text/html"
    response = HtmlResponse(
        "https://tuyengiao.vn/thoi-su-chinh-tri/x-148402",
        body=body,
        headers={"Content-Type": ctype},
    )
    parsed = parse_page(page(response.text, response.url, "tuyengiao"))
    assert_total(parsed)
    generic = parse_page(page(response.text, "https://baolamdong.vn/tin-123.html", "generic"))
    assert_total(generic)


sentences = st.lists(
    st.lists(st.sampled_from(WORDS) | st.from_regex(r"[0-9]{1,4}([.,][0-9]{1,3})?", fullmatch=True))
    .map(" ".join)
    .filter(str.strip),
    min_size=1,
    max_size=8,
)


@given(
    st.sampled_from(WORDS).filter(str.strip),
    sentences,
    st.sampled_from(["NFC", "NFD", "upper"]),
)
def test_enrichment_of_made_up_prose(title: str, body: list[str], form: str) -> None:
    text = "\n\n".join(f"{sentence}." for sentence in body)
    text = text.upper() if form == "upper" else unicodedata.normalize(form, text)
    article = Article(
        url="https://tuyengiao.vn/x-1",
        site="tuyengiao",
        layout="2021",
        title=title,
        body=text,
    )
    assert_enrichment_points_into_the_text(article)


def test_a_javascript_shell_is_no_article() -> None:
    shell = (
        '<!doctype html><html><head><title>Báo</title></head><body><div id="root"></div>'
        '<script src="/static/app.js"></script></body></html>'
    )
    for url, site, _ in [*PAGES[:1], ("https://baolamdong.vn/tin-1.html", "generic", None)]:
        parsed = parse_page(page(shell, url, site))
        assert parsed.article is None and parsed.error


def test_a_ten_megabyte_page_is_read_and_enriched() -> None:
    case = FIXTURES / "tuyengiao" / "articles" / "148402"
    html = (case / "page.html").read_text(encoding="utf-8")
    end = html.index("</p>") + len("</p>")
    paragraph = html[html.rindex("<p", 0, end) : end]
    huge = html[:end] + paragraph * (10_000_000 // len(paragraph)) + html[end:]
    parsed = parse_page(page(huge, expected(case)["url"], "tuyengiao"))
    assert parsed.article is not None
    assert parsed.article.title == expected(case)["title"]
    assert len(parsed.article.body) > 9_000_000
    assert_enrichment_points_into_the_text(parsed.article)


def test_a_page_without_a_date_is_an_undated_article() -> None:
    case = FIXTURES / "tuyengiao" / "articles" / "148402"
    html = (case / "page.html").read_text(encoding="utf-8")
    assert expected(case)["published_at"] == "2023-10-06T16:20:00+07:00"
    html = html.replace("Thứ Sáu, 6/10/2023 16:20'(GMT+7)", "")  # the story's date line
    parsed = parse_page(page(html, expected(case)["url"], "tuyengiao"))
    assert parsed.article is not None
    assert parsed.article.published_at is None
    assert parsed.article.body == expected(case)["body"]
