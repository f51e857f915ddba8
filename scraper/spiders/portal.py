"""The one spider class: it reads listings, follows article-shaped links and hands raw pages
to the pipelines. It never parses articles itself; `pipelines.parse` does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
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
from scraper.decoding import page_text
from scraper.discovery import (
    DiscoveryError,
    Entry,
    feed_entries,
    json_listing_html,
    on_or_after,
    sitemap_entries,
)

if TYPE_CHECKING:
    from scraper.frontier import Frontier


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

    profile: Profile  # set on each subclass (one per site), or per instance (generic)
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
        spider.base_url = (settings.get("VNNEWS_BASE_URL") or spider.profile.base_url).rstrip("/")
        spider.max_pages = settings.getint("VNNEWS_MAX_PAGES")
        spider.max_articles = settings.getint("VNNEWS_MAX_ARTICLES")
        since = settings.get("VNNEWS_SINCE") or ""
        spider.since = date.fromisoformat(since) if since else None
        spider.fetch_mode = settings.get("VNNEWS_FETCH_MODE") or "known"
        if settings.get("VNNEWS_REDIS_URL"):  # a worker of a crawl spread over machines
            from scraper.frontier import Frontier

            spider.shared = True
            spider.frontier = Frontier(crawler, spider.name)
        elif spider.fetch_mode != "full":
            spider.load_stored(settings.get("VNNEWS_DB"), settings.getint("VNNEWS_RECHECK_DAYS"))
        spider.allowed_domains = [urlsplit(spider.base_url).hostname or ""]
        return spider

    def __init__(self, url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.single_url = url
        self.base_url = self.profile.base_url
        self.max_pages = 0
        self.max_articles = 0
        self.articles_requested = 0
        self.since: date | None = None
        self._requested: set[str] = set()
        # Listings whose articles are already older than --since: no further pages.
        self._finished_listings: set[str] = set()
        # Incremental runs: pages already stored are not fetched again, except recent ones.
        self.fetch_mode = "full"
        self.known: set[str] = set()
        self.recheck: list[str] = []
        self.retry: list[str] = []  # failed URLs due for another attempt
        self.unenriched: list[int] = []  # stored pages whose enrichment a killed run left undone
        self.db_path = ""
        self.stop_at_known = True
        self._article_re = re.compile(self.profile.urls.article)
        # Requests go through a queue shared by crawlers on many machines (--redis): there,
        # articles are filtered by the shared duplicate filter and listings never are.
        self.shared = False
        self.frontier: Frontier | None = None  # this worker's link to that queue

    def load_stored(self, db_path: str, recheck_days: int) -> None:
        from pipelines.store import stored_state

        stored = stored_state(db_path, self.name)
        self.db_path = db_path
        self.known = set(stored.articles) | stored.settled
        self.retry = stored.due
        self.unenriched = stored.unenriched
        self.stop_at_known = stored.caught_up
        if self.fetch_mode == "all":  # --recheck: every stored article, from the database
            self.recheck = sorted(stored.articles)
        else:
            horizon = (datetime.now(UTC) - timedelta(days=recheck_days)).isoformat()
            self.recheck = sorted(
                url for url, when in stored.articles.items() if when and _as_utc(when) >= horizon
            )

    async def start(self) -> AsyncIterator[scrapy.Request | FetchedPage]:
        if self.frontier is not None:  # the shared queue is the start, filled by `vnnews seed`
            return
        if self.single_url:
            request = self._article_request(self.single_url, force=True)
            if request is None:
                raise ValueError(f"{self.single_url} is not a URL of {self.profile.name}")
            self.crawler.stats.inc_value("vnnews/single_url")
            yield request
            return
        # From the database: a deleted article is in no listing, a failed one maybe no more.
        for url, stat in [
            *((url, "vnnews/recheck/requests") for url in self.recheck),
            *((url, "vnnews/failures/retried") for url in self.retry),
        ]:
            request = self._article_request(url, force=True)
            if request is not None and request.url not in self._requested:
                self._requested.add(request.url)
                self.crawler.stats.inc_value(stat)
                yield request
        if self.unenriched and self.settings.getbool("VNNEWS_ENRICH"):
            from pipelines.store import stored_pages

            for page in stored_pages(self.db_path, self.unenriched):
                self.crawler.stats.inc_value("vnnews/enrich/catch_up")
                yield page
        if self.fetch_mode == "all":
            return
        for request in self.discovery_requests():
            yield request

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        """Where a crawl of the portal starts: its listings, feeds and sitemaps."""
        for path in self.profile.urls.start:
            if (request := self._listing_request(path, self.profile.urls.first_page)) is not None:
                yield request
        for path in self.profile.urls.feeds:
            yield scrapy.Request(
                self.base_url + path,
                callback=self.parse_feed,
                errback=self.discovery_failed,
                dont_filter=self.shared,
            )
        for path in self.profile.urls.sitemaps:
            yield self._sitemap_request(self.base_url + path)

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

    def _listing_request(self, path: str, page: int) -> scrapy.Request | None:
        if "{page}" in path:  # /api/morenews-zone-1171-{page}.html, /chinh-tri/p/{page}
            url = self.base_url + path.format(page=page)
        else:
            url = f"{self.base_url}{path}?{self.profile.urls.page_param}={page}"
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"path": path, "page": page},
            dont_filter=self.shared,  # a shared filter would skip it on every later run
        )

    def _article_request(
        self, url: str, force: bool = False, via: str | None = None
    ) -> scrapy.Request | None:
        target = self.fetch_url(url)
        if target is None or not (force or self.is_article_url(target)):
            return None
        # Duplicates are filtered by _schedule; Scrapy's filter would also drop a redirect back
        # to a URL already seen — a loop — without a word, losing the article from the record.
        return scrapy.Request(
            target,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"via": via},
            dont_filter=not self.shared,
        )

    def _sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_sitemap, errback=self.discovery_failed, dont_filter=self.shared
        )

    def _schedule(self, request: scrapy.Request | None) -> scrapy.Request | None:
        """Count an article request against --max-articles; None when it is not to be made."""
        if request is None or request.url in self._requested:
            return None
        if self.fetch_mode != "full" and self.portal_url(request.url) in self.known:
            self.crawler.stats.inc_value("vnnews/articles/known_skipped")
            return None
        if self.max_articles and self.articles_requested >= self.max_articles:
            return None
        self._requested.add(request.url)
        self.articles_requested += 1
        self.crawler.stats.inc_value("vnnews/article_requests")
        return request

    def listing_reached_since(self, via: str | None) -> None:
        """Called by the parse stage when an article from `via` predates --since."""
        if via:
            self._finished_listings.add(via)

    # --- callbacks ------------------------------------------------------------------------------

    def _out(self, request: scrapy.Request | None, outputs: Iterable[Any] | None) -> Iterable[Any]:
        """A callback's outputs, for Scrapy — or in a shared crawl, pages straight to Redis and
        the request's lease released once all it produced is there."""
        if self.frontier is None:
            return outputs or ()
        return self.frontier.deliver(request, outputs)

    def parse_listing(self, response: Response, path: str, page: int) -> Iterable[Any]:
        return self._out(response.request, self._read_listing(response, path, page))

    def parse_feed(self, response: Response) -> Iterable[Any]:
        return self._out(response.request, self._read_feed(response))

    def parse_sitemap(self, response: Response) -> Iterable[Any]:
        return self._out(response.request, self._read_sitemap(response))

    def parse_article(self, response: Response, via: str | None = None) -> Iterable[Any]:
        return self._out(response.request, self._read_article(response, via))

    def listing_failed(self, failure: Failure) -> Iterable[Any]:
        self._listing_failed(failure)
        return self._out(failure.request, None)  # type: ignore[attr-defined]

    def discovery_failed(self, failure: Failure) -> Iterable[Any]:
        self._discovery_failed(failure)
        return self._out(failure.request, None)  # type: ignore[attr-defined]

    def article_failed(self, failure: Failure) -> Iterable[Any]:
        return self._out(failure.request, self._article_failed(failure))  # type: ignore[attr-defined]

    def _read_listing(self, response: Response, path: str, page: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        html = response.text
        if self.profile.urls.listing_json:
            try:
                html = json_listing_html(html, self.profile.urls.listing_json)
            except DiscoveryError as exc:
                self.crawler.stats.inc_value("vnnews/listing/invalid")
                self.logger.warning("listing %s: %s", response.url, exc)
                return
        tree = LexborHTMLParser(html)
        found = known_here = 0
        for selector in self.profile.urls.listing_links:
            for link in tree.css(selector):
                href = (link.attributes.get("href") or "").strip()
                request = self._article_request(response.urljoin(href), via=path) if href else None
                if request is None:
                    continue
                found += 1
                # Counted here rather than left to the dupefilter, so --max-articles counts
                # distinct articles (a listing links each one twice: thumbnail and title).
                if self.fetch_mode != "full" and self.portal_url(request.url) in self.known:
                    known_here += 1
                if (scheduled := self._schedule(request)) is not None:
                    yield scheduled
        self.crawler.stats.inc_value("vnnews/listing/pages")
        self.crawler.stats.inc_value("vnnews/listing/article_links", found)
        below_limit = not self.max_pages or page < self.profile.urls.first_page + self.max_pages - 1
        room = not self.max_articles or self.articles_requested < self.max_articles
        # A page holding only articles already stored: the rest of the listing is older.
        caught_up = self.stop_at_known and self.fetch_mode != "full" and known_here == found > 0
        if caught_up:
            self.crawler.stats.inc_value("vnnews/listing/caught_up")
        if found and below_limit and room and not caught_up and path not in self._finished_listings:
            next_page = self._listing_request(path, page + 1)
            if next_page is not None:
                yield next_page

    def _read_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            entries = feed_entries(response.body)
        except DiscoveryError as exc:
            self.crawler.stats.inc_value("vnnews/feed/invalid")
            self.logger.warning("feed %s: %s", response.url, exc)
            return
        self.crawler.stats.inc_value("vnnews/feed/entries", len(entries))
        yield from self._entry_requests(entries)

    def _read_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            kind, entries = sitemap_entries(response.body)
        except DiscoveryError as exc:
            self.crawler.stats.inc_value("vnnews/sitemap/invalid")
            self.logger.warning("sitemap %s: %s", response.url, exc)
            return
        if kind == "sitemapindex":  # follow the sitemaps changed since --since
            for entry in entries:
                target = self.fetch_url(entry.url)
                if target and on_or_after(entry.when, self.since):
                    yield self._sitemap_request(target)
            return
        self.crawler.stats.inc_value("vnnews/sitemap/entries", len(entries))
        yield from self._entry_requests(entries)

    def _entry_requests(self, entries: list[Entry]) -> Iterator[scrapy.Request]:
        for entry in entries:
            if not on_or_after(entry.when, self.since):
                self.crawler.stats.inc_value("vnnews/discovery/before_since")
                continue
            if (request := self._schedule(self._article_request(entry.url))) is not None:
                yield request

    def _read_article(
        self, response: Response, via: str | None = None
    ) -> Iterator[FetchedPage | FetchFailure]:
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
            html=page_text(response),
            via=via,
            requested=_first_redirect(self, response),
        )

    def _listing_failed(self, failure: Failure) -> None:
        # Past the last page a listing may answer 404: that ends the listing, nothing more.
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.logger.info("listing ends: %s answered 404", request.url)
            return
        self.crawler.stats.inc_value("vnnews/listing/failed")
        self.logger.warning("listing %s failed: %s", request.url, _reason(failure))

    def _discovery_failed(self, failure: Failure) -> None:
        # A feed or sitemap that is missing or broken costs only itself.
        self.crawler.stats.inc_value("vnnews/discovery/failed")
        self.logger.warning("%s failed: %s", failure.request.url, _reason(failure))  # type: ignore[attr-defined]

    def _article_failed(self, failure: Failure) -> Iterator[FetchFailure]:
        request = failure.request  # type: ignore[attr-defined]
        if (
            failure.check(IgnoreRequest)
            and not failure.check(HttpError)
            and "redirections" not in failure.getErrorMessage()  # a redirect loop is a fault
        ):
            # robots.txt forbids it, or a middleware chose not to fetch it: not a failure.
            self.logger.info("article %s skipped: %s", request.url, failure.getErrorMessage())
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        reason = _reason(failure)
        self.logger.warning("article %s not fetched: %s", request.url, reason)
        yield FetchFailure(
            url=self.portal_url(request.url), site=self.name, status=status, reason=reason
        )


def _first_redirect(spider: PortalSpider, response: Response) -> str | None:
    """The portal URL first asked for, when redirects led to `response`."""
    redirects = response.meta.get("redirect_urls") if response.request else None
    return spider.portal_url(redirects[0]) if redirects else None


def _as_utc(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone(UTC).isoformat()
    except ValueError:
        return ""


def _reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"
