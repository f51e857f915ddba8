"""Turning a page into an Article: with its site's profile when there is one, by content
(the generic extractor) when there is none. The crawl, `reprocess` and `extract` all go
through here, so a page reads the same everywhere."""

from __future__ import annotations

import logging

from pipelines.errors import ParseError
from pipelines.generic import extract_generic
from pipelines.parse import parse_article
from schemas.article import Article
from schemas.page import FetchedPage, ParsedPage
from scraper.profiles import all_profiles

logger = logging.getLogger(__name__)

# How a ParsedPage's error begins when the parser itself failed (a bug, not a strange page).
PARSER_CRASHED = "parser crashed"


def read_article(html: str, url: str, site: str) -> Article:
    """Raise NotAnArticle / ParseError when the page holds no article."""
    profile = all_profiles().get(site)
    if profile is None:
        return extract_generic(html, url, site=site)
    return parse_article(html, url, profile)


def parse_page(page: FetchedPage) -> ParsedPage:
    """The parse stage, total: an article, or the reason the page is not one — a parser bug
    included, so a strange page costs itself and never the run."""
    try:
        return ParsedPage(page=page, article=read_article(page.html, page.url, page.site))
    except ParseError as exc:
        return ParsedPage(page=page, error=str(exc))
    except Exception as exc:
        logger.error("%s: %s", page.url, PARSER_CRASHED, exc_info=True)
        return ParsedPage(page=page, error=f"{PARSER_CRASHED}: {type(exc).__name__}: {exc}")
