"""Thin Scrapy adapters: each reads its settings, calls one stage's pure functions and counts
what happened in the crawl stats (`vnnews/...`)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import date
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from pipelines.enrich import enrich_article
from pipelines.failures import RetryPolicy, record_failure, resolve_failure
from pipelines.store import (
    find_article_id,
    finish_run,
    is_enriched,
    mark_removed,
    open_db,
    start_run,
    store_article,
    store_enrichment,
    store_page,
)
from pipelines.workers import enrich_pool
from schemas.page import FetchedPage, FetchFailure, ParsedPage
from scraper.reading import PARSER_CRASHED, parse_page

logger = logging.getLogger(__name__)


class ParsePipeline:
    """FetchedPage → ParsedPage: an article, or the reason the page is not one.

    With VNNEWS_SINCE, articles published before that date are dropped, and the listing that
    led to them stops paging.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        since = crawler.settings.get("VNNEWS_SINCE") or ""
        self.since = date.fromisoformat(since) if since else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        parsed = parse_page(item)
        article = parsed.article
        if article is None:
            crashed = (parsed.error or "").startswith(PARSER_CRASHED)
            self.stats.inc_value("vnnews/parse/crashed" if crashed else "vnnews/parse/failed")
            logger.warning("%s: no article: %s", item.url, parsed.error)
            return parsed
        self.stats.inc_value("vnnews/parse/ok")
        if self.since and article.published_at and article.published_at.date() < self.since:
            self.stats.inc_value("vnnews/articles/before_since")
            reached = getattr(self.crawler.spider, "listing_reached_since", None)
            if reached is not None:
                reached(item.via)
            raise DropItem(
                f"published {article.published_at:%Y-%m-%d}, before --since", log_level="DEBUG"
            )
        return parsed


class EnrichPipeline:
    """ParsedPage → ParsedPage with its Enrichment, computed in a process pool.

    Off with VNNEWS_ENRICH = False (`--no-enrich`); VNNEWS_ENRICH_WORKERS sets the number of
    processes (0: one per CPU).
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("VNNEWS_ENRICH"):
            raise NotConfigured("enrichment is off (VNNEWS_ENRICH)")
        self.stats = crawler.stats
        self.pool = enrich_pool(crawler.settings.getint("VNNEWS_ENRICH_WORKERS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ParsedPage) or item.article is None:
            return item
        loop = asyncio.get_running_loop()
        try:
            enrichment = await loop.run_in_executor(self.pool, enrich_article, item.article)
        except Exception as exc:  # the article is still stored, without its entities
            self.stats.inc_value("vnnews/enrich/failed")
            logger.error("%s: enrichment failed", item.article.url, exc_info=True)
            return item.model_copy(update={"enrich_error": f"{type(exc).__name__}: {exc}"})
        self.stats.inc_value("vnnews/enrich/ok")
        return item.model_copy(update={"enrichment": enrichment})

    def close_spider(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class StorePipeline:
    """Writes pages, articles and failures to the SQLite file named by VNNEWS_DB.

    A failed URL is tried again on later runs, VNNEWS_RETRY_BACKOFF_HOURS after its first
    failure and twice as long after each further one, until VNNEWS_MAX_ATTEMPTS failures.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("VNNEWS_DB")
        self.policy = RetryPolicy(
            backoff_hours=crawler.settings.getfloat("VNNEWS_RETRY_BACKOFF_HOURS"),
            max_attempts=crawler.settings.getint("VNNEWS_MAX_ATTEMPTS"),
        )
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = open_db(self.path)
        spider = self.crawler.spider
        assert spider is not None  # pipelines open with their spider
        args = {
            "url": getattr(spider, "single_url", None),
            "base_url": getattr(spider, "base_url", None),
        }
        self.run_id = start_run(self.db, spider.name, "crawl", args)
        self.stats.set_value("vnnews/run_id", self.run_id)
        logger.info("writing to %s (run %s)", self.path, self.run_id)

    def process_item(self, item: Any) -> Any:
        try:
            if isinstance(item, ParsedPage):
                self._store_parsed(item)
            elif isinstance(item, FetchFailure):
                if item.status in (404, 410) and mark_removed(self.db, item.url, item.reason):
                    self.stats.inc_value("vnnews/articles/removed")
                self._fail(item.site, item.url, "fetch", item.reason, item.status)
        except sqlite3.Error as exc:  # a full disk or a broken file costs this item, logged
            self.stats.inc_value("vnnews/store/failed")
            url = item.page.url if isinstance(item, ParsedPage) else getattr(item, "url", "?")
            logger.error("%s: not stored: %s: %s", url, type(exc).__name__, exc)
            self._fail_quietly(item, url, f"{type(exc).__name__}: {exc}")
        return item

    def _store_parsed(self, item: ParsedPage) -> None:
        requested = item.page.requested
        if (
            requested
            and requested != item.page.url
            and (item.article is None or item.article.url != requested)
            and mark_removed(self.db, requested, f"redirected to {item.page.url}")
        ):
            self.stats.inc_value("vnnews/articles/removed")
        page_id = store_page(self.db, item.page)
        if not item.page.replayed:  # read back from the database, not fetched
            self.stats.inc_value("vnnews/pages")
        if item.article is not None:
            # Mentions are rewritten only when the article changed or was never enriched.
            needs_enrichment = item.enrichment is not None and (
                not is_enriched(self.db, item.article.url)
            )
            outcome = store_article(self.db, item.article, page_id)
            if not (item.page.replayed and outcome == "unchanged"):
                self.stats.inc_value(f"vnnews/articles/{outcome}")
            if item.enrichment is not None and (outcome != "unchanged" or needs_enrichment):
                store_enrichment(
                    self.db, find_article_id(self.db, item.article.url) or 0, item.enrichment
                )
            if item.enrich_error:
                self._fail(item.page.site, item.article.url, "enrich", item.enrich_error, None)
            else:
                resolve_failure(self.db, item.article.url)
                if item.page.url != item.article.url:
                    resolve_failure(self.db, item.page.url)
        else:
            self._fail(
                item.page.site, item.page.url, "parse", item.error or "unknown", item.page.status
            )

    def _fail(self, site: str, url: str, stage: str, reason: str, status: int | None) -> None:
        self.stats.inc_value("vnnews/failures")
        self.stats.inc_value(f"vnnews/failures/{stage}")
        if record_failure(self.db, self.run_id, site, url, stage, reason, status, self.policy) == (
            "gave up"
        ):
            self.stats.inc_value("vnnews/failures/gave_up")
            logger.warning("%s: giving up after %d attempts", url, self.policy.max_attempts)

    def _fail_quietly(self, item: Any, url: str, reason: str) -> None:
        """Record a store-stage failure if the database still takes writes at all."""
        site = item.page.site if isinstance(item, ParsedPage) else getattr(item, "site", "?")
        try:
            self._fail(site, url, "store", reason, None)
        except sqlite3.Error:
            logger.error("%s: the failure could not be recorded either", url)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        finish_run(self.db, self.run_id, reason, dict(self.stats.get_stats()))
        self.db.close()
