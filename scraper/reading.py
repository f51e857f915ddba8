"""Turning a page into an Article: with its site's profile when there is one, by content
(the generic extractor) when there is none. The crawl, `reprocess` and `extract` all go
through here, so a page reads the same everywhere."""

from __future__ import annotations

from pipelines.generic import extract_generic
from pipelines.parse import parse_article
from schemas.article import Article
from scraper.profiles import all_profiles


def read_article(html: str, url: str, site: str) -> Article:
    """Raise NotAnArticle / ParseError when the page holds no article."""
    profile = all_profiles().get(site)
    if profile is None:
        return extract_generic(html, url, site=site)
    return parse_article(html, url, profile)
