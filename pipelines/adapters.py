"""Thin Scrapy adapters: each reads its settings, calls one stage's pure functions and counts
what happened in the crawl stats (`vnnews/...`)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from twisted.internet import task

from pipelines.failures import RetryPolicy
from pipelines.store import finish_run, open_db, start_run
from pipelines.workers import BatchFeeder, enrich_pool
from pipelines.writer import Writer
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
    """Writes pages, articles and failures to the SQLite file named by VNNEWS_DB, through a
    Writer (`pipelines/writer.py`), as `vnnews ingest` does for a distributed crawl.

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
        self.policy = RetryPolicy.from_settings(settings)
        self.commit_items = settings.getint("VNNEWS_COMMIT_ITEMS")
        self.commit_seconds = settings.getfloat("VNNEWS_COMMIT_SECONDS")
        self.run_id: int | None = None
        self.writer: Writer | None = None
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
        self.writer = Writer(
            self.db, self.run_id, self.policy, self.stats.inc_value, self.commit_items
        )
        logger.info("writing to %s (run %s)", self.path, self.run_id)
        # An idle crawl (a slow portal) still commits what it has, within the interval.
        if self.commit_seconds > 0:
            self._ticker.start(self.commit_seconds, now=False)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ParsedPage | FetchFailure) and self.writer is not None:
            self.writer.write(item)
        return item

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.commit()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._ticker.running:
            self._ticker.stop()
        if self.run_id is None:
            return
        self.commit()
        finish_run(self.db, self.run_id, reason, dict(self.stats.get_stats()))
        self.db.close()
