"""Thin Scrapy adapters: each reads its settings, calls one stage's pure functions and counts
what happened in the crawl stats (`vnnews/...`)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from twisted.internet import task

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
from pipelines.workers import BatchFeeder, enrich_pool
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
    processes (0: one per CPU); articles go to them VNNEWS_ENRICH_BATCH at a time, or after
    VNNEWS_ENRICH_BATCH_WAIT seconds.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("VNNEWS_ENRICH"):
            raise NotConfigured("enrichment is off (VNNEWS_ENRICH)")
        self.stats = crawler.stats
        self.pool = enrich_pool(settings.getint("VNNEWS_ENRICH_WORKERS"))
        self.feeder = BatchFeeder(
            self.pool,
            size=settings.getint("VNNEWS_ENRICH_BATCH"),
            wait=settings.getfloat("VNNEWS_ENRICH_BATCH_WAIT"),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ParsedPage) or item.article is None:
            return item
        outcome = await self.feeder.enrich(item.article)
        if isinstance(outcome, str):  # the article is still stored, without its entities
            self.stats.inc_value("vnnews/enrich/failed")
            logger.error("%s: enrichment failed: %s", item.article.url, outcome)
            return item.model_copy(update={"enrich_error": outcome})
        self.stats.inc_value("vnnews/enrich/ok")
        return item.model_copy(update={"enrichment": outcome})

    def close_spider(self) -> None:
        self.feeder.send()  # nothing should be waiting at the end; if anything is, send it
        self.stats.set_value("vnnews/enrich/batches", self.feeder.batches_sent)
        self.pool.shutdown(wait=True, cancel_futures=True)


class StorePipeline:
    """Writes pages, articles and failures to the SQLite file named by VNNEWS_DB.

    Items are committed together, every VNNEWS_COMMIT_ITEMS items or VNNEWS_COMMIT_SECONDS
    seconds, and when the spider closes. A failed URL is tried again on later runs,
    VNNEWS_RETRY_BACKOFF_HOURS after its first failure and twice as long after each further
    one, until VNNEWS_MAX_ATTEMPTS failures.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.path = settings.get("VNNEWS_DB")
        self.policy = RetryPolicy(
            backoff_hours=settings.getfloat("VNNEWS_RETRY_BACKOFF_HOURS"),
            max_attempts=settings.getint("VNNEWS_MAX_ATTEMPTS"),
        )
        self.commit_items = max(1, settings.getint("VNNEWS_COMMIT_ITEMS"))
        self.commit_seconds = settings.getfloat("VNNEWS_COMMIT_SECONDS")
        self.run_id: int | None = None
        # Items written since the last commit, kept to write again one by one should SQLite
        # roll the whole transaction back (a full disk may).
        self.uncommitted: list[Any] = []
        self._counting = True
        self._ticker = task.LoopingCall(self.commit)
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
        # An idle crawl (a slow portal) still commits what it has, within the interval.
        if self.commit_seconds > 0:
            self._ticker.start(self.commit_seconds, now=False)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ParsedPage | FetchFailure):
            return item
        if not self.db.conn.in_transaction:
            self.db.begin()
        self.uncommitted.append(item)
        self._write(item)
        if len(self.uncommitted) >= self.commit_items:
            self.commit()
        return item

    def commit(self) -> None:
        """Make the items written so far durable; if SQLite refuses, write them again one by
        one, so one bad item costs only itself."""
        batch, self.uncommitted = self.uncommitted, []
        try:
            self.db.commit()
        except sqlite3.Error as exc:
            logger.error(
                "commit failed (%s: %s); storing items one by one", type(exc).__name__, exc
            )
            self.db.rollback()
            self._write_again(batch)

    def _write(self, item: Any) -> None:
        try:
            # Each store function is a savepoint: a failing step undoes only its own writes,
            # and the raw page stays stored when its article cannot be.
            if isinstance(item, ParsedPage):
                self._store_parsed(item)
            else:
                if item.status in (404, 410) and mark_removed(self.db, item.url, item.reason):
                    self._count("vnnews/articles/removed")
                self._fail(item.site, item.url, "fetch", item.reason, item.status)
        except sqlite3.Error as exc:  # a full disk or a broken file costs this item, logged
            if not self.db.conn.in_transaction and len(self.uncommitted) > 1:
                # SQLite gave up the whole transaction: the items before this one are gone
                # from it, though they were fine.
                earlier, self.uncommitted = self.uncommitted[:-1], [item]
                self._write_again(earlier)
            self._count("vnnews/store/failed")
            url = item.page.url if isinstance(item, ParsedPage) else item.url
            logger.error("%s: not stored: %s: %s", url, type(exc).__name__, exc)
            self._fail_quietly(item, url, f"{type(exc).__name__}: {exc}")

    def _write_again(self, items: list[Any]) -> None:
        """Each item in its own transaction, counted once (it was counted when first written)."""
        self._counting = False
        try:
            for item in items:
                self._write(item)
                self.db.commit()
        finally:
            self._counting = True

    def _count(self, key: str) -> None:
        if self._counting:
            self.stats.inc_value(key)

    def _store_parsed(self, item: ParsedPage) -> None:
        requested = item.page.requested
        if (
            requested
            and requested != item.page.url
            and (item.article is None or item.article.url != requested)
            and mark_removed(self.db, requested, f"redirected to {item.page.url}")
        ):
            self._count("vnnews/articles/removed")
        page_id = store_page(self.db, item.page)
        if not item.page.replayed:  # read back from the database, not fetched
            self._count("vnnews/pages")
        if item.article is not None:
            # Mentions are rewritten only when the article changed or was never enriched.
            needs_enrichment = item.enrichment is not None and (
                not is_enriched(self.db, item.article.url)
            )
            outcome = store_article(self.db, item.article, page_id)
            if not (item.page.replayed and outcome == "unchanged"):
                self._count(f"vnnews/articles/{outcome}")
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
        self._count("vnnews/failures")
        self._count(f"vnnews/failures/{stage}")
        if record_failure(self.db, self.run_id, site, url, stage, reason, status, self.policy) == (
            "gave up"
        ):
            self._count("vnnews/failures/gave_up")
            logger.warning("%s: giving up after %d attempts", url, self.policy.max_attempts)

    def _fail_quietly(self, item: Any, url: str, reason: str) -> None:
        """Record a store-stage failure if the database still takes writes at all."""
        site = item.page.site if isinstance(item, ParsedPage) else getattr(item, "site", "?")
        try:
            self._fail(site, url, "store", reason, None)
        except sqlite3.Error:
            logger.error("%s: the failure could not be recorded either", url)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._ticker.running:
            self._ticker.stop()
        if self.run_id is None:
            return
        self.commit()
        finish_run(self.db, self.run_id, reason, dict(self.stats.get_stats()))
        self.db.close()
