"""The one spider class: it reads listings, follows article-shaped links and hands raw pages
to the pipelines. It never parses articles itself; `pipelines.parse` does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from selectolax.lexbor import LexborHTMLParser
from twisted.python.failure import Failure

from schemas.page import FetchedPage, FetchFailure
from schemas.profile import Profile


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class PortalSpider(scrapy.Spider):
    """Crawl one portal as its profile describes. Arguments: `url` (one article only)."""

    profile: ClassVar[Profile]
    allowed_domains: list[str]

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # A local mirror needs no politeness delays; the real portal keeps them.
        if is_loopback(settings.get("VNNEWS_BASE_URL") or ""):
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = (settings.get("VNNEWS_BASE_URL") or cls.profile.base_url).rstrip("/")
        spider.max_pages = settings.getint("VNNEWS_MAX_PAGES")
        spider.max_articles = settings.getint("VNNEWS_MAX_ARTICLES")
        spider.allowed_domains = [urlsplit(spider.base_url).hostname or ""]
        return spider

    def __init__(self, url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.single_url = url
        self.base_url = self.profile.base_url
        self.max_pages = 0
        self.max_articles = 0
        self.articles_requested = 0
        self._requested: set[str] = set()
        self._article_re = re.compile(self.profile.urls.article)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.single_url:
            request = self._article_request(self.single_url, force=True)
            if request is None:
                raise ValueError(f"{self.single_url} is not a URL of {self.profile.name}")
            yield request
            return
        for path in self.profile.urls.start:
            yield self._listing_request(path, self.profile.urls.first_page)

    # --- URLs: the portal's own, and where they are fetched from ---------------------------------

    def fetch_url(self, url: str) -> str | None:
        """Where to fetch a portal URL (or a URL already on the mirror); None if foreign."""
        parts = urlsplit(url)
        if parts.hostname not in (*self.profile.domains, urlsplit(self.base_url).hostname):
            return None
        path = parts.path or "/"
        return self.base_url + path + (f"?{parts.query}" if parts.query else "")

    def portal_url(self, fetched: str) -> str:
        """The portal's own URL for a URL fetched from `base_url`."""
        if fetched.startswith(self.base_url + "/"):
            return self.profile.base_url + fetched[len(self.base_url) :]
        return fetched

    def is_article_url(self, url: str) -> bool:
        return bool(self._article_re.match(urlsplit(url).path))

    # --- requests -------------------------------------------------------------------------------

    def _listing_request(self, path: str, page: int) -> scrapy.Request:
        url = f"{self.base_url}{path}?{self.profile.urls.page_param}={page}"
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"path": path, "page": page},
        )

    def _article_request(self, url: str, force: bool = False) -> scrapy.Request | None:
        target = self.fetch_url(url)
        if target is None or not (force or self.is_article_url(target)):
            return None
        return scrapy.Request(target, callback=self.parse_article, errback=self.article_failed)

    # --- callbacks ------------------------------------------------------------------------------

    def parse_listing(self, response: Response, path: str, page: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        tree = LexborHTMLParser(response.text)
        found = 0
        for selector in self.profile.urls.listing_links:
            for link in tree.css(selector):
                href = (link.attributes.get("href") or "").strip()
                request = self._article_request(response.urljoin(href)) if href else None
                if request is None:
                    continue
                found += 1
                # Counted here rather than left to the dupefilter, so --max-articles counts
                # distinct articles (a listing links each one twice: thumbnail and title).
                if request.url in self._requested or (
                    self.max_articles and self.articles_requested >= self.max_articles
                ):
                    continue
                self._requested.add(request.url)
                self.articles_requested += 1
                self.crawler.stats.inc_value("vnnews/article_requests")
                yield request
        self.crawler.stats.inc_value("vnnews/listing/pages")
        self.crawler.stats.inc_value("vnnews/listing/article_links", found)
        below_limit = not self.max_pages or page < self.profile.urls.first_page + self.max_pages - 1
        room = not self.max_articles or self.articles_requested < self.max_articles
        if found and below_limit and room:
            yield self._listing_request(path, page + 1)

    def parse_article(self, response: Response) -> Iterator[FetchedPage | FetchFailure]:
        url = self.portal_url(response.url)
        if not isinstance(response, TextResponse):
            content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
            yield FetchFailure(
                url=url,
                site=self.name,
                status=response.status,
                reason=f"not an HTML page (Content-Type: {content_type or 'none'})",
            )
            return
        yield FetchedPage(
            url=url,
            fetched_from=response.url,
            site=self.name,
            status=response.status,
            fetched_at=datetime.now(UTC),
            html=response.text,
        )

    def listing_failed(self, failure: Failure) -> None:
        # Past the last page a listing may answer 404: that ends the listing, nothing more.
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.logger.info("listing ends: %s answered 404", request.url)
            return
        self.crawler.stats.inc_value("vnnews/listing/failed")
        self.logger.warning("listing %s failed: %s", request.url, _reason(failure))

    def article_failed(self, failure: Failure) -> Iterator[FetchFailure]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt forbids it, or a middleware chose not to fetch it: not a failure.
            self.logger.info("article %s skipped: %s", request.url, failure.getErrorMessage())
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        reason = _reason(failure)
        self.logger.warning("article %s not fetched: %s", request.url, reason)
        yield FetchFailure(
            url=self.portal_url(request.url), site=self.name, status=status, reason=reason
        )


def _reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"
