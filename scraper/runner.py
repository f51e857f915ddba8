"""Running a crawl in this process, and turning its stats into an exit status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

# Finish reasons that mean the crawl did its job (a time limit ends a cron run on purpose).
_GOOD_ENDS = {"finished", "closespider_timeout", "closespider_itemcount"}


def crawl_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Our Scrapy settings with per-run overrides (at command-line priority)."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def one_line_errors(record: logging.LogRecord) -> bool:
    """Log an exception as one line ('ConnectionRefusedError: ...'), not a traceback.

    Operators read these logs from cron mail; tracebacks are for --log-level DEBUG.
    """
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
    return True


@dataclass(frozen=True)
class CrawlResult:
    stats: dict[str, Any]
    max_errors: int = 0

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", "unknown"))

    @property
    def problem(self) -> str | None:
        """Why the crawl did not do its job, or None; Scrapy's own exit status does not say.

        A run that found nothing new because everything is already stored did its job.
        """
        stats = self.stats
        # A crawler of a shared queue runs until stopped: SIGTERM is its normal end.
        shared_stop = stats.get("vnnews/distributed") and self.finish_reason == "shutdown"
        if self.finish_reason not in _GOOD_ENDS and not shared_stop:
            return f"the crawl stopped: {self.finish_reason}"
        responses = stats.get("downloader/response_count", 0)
        robots = stats.get("robotstxt/response_count", 0)
        if stats.get("vnnews/distributed") and responses - robots <= 0:
            return None  # a crawler of a shared queue that found it empty: nothing to do
        if responses - robots <= 0:
            return "every fetch failed: the portal gave no answer"
        found = (
            stats.get("vnnews/listing/article_links", 0)
            + stats.get("vnnews/feed/entries", 0)
            + stats.get("vnnews/sitemap/entries", 0)
            + stats.get("vnnews/recheck/requests", 0)
            + stats.get("vnnews/single_url", 0)
        )
        if found == 0 and not stats.get("vnnews/distributed"):
            return "the listings, feeds and sitemaps yielded no article link"
        errors = stats.get("vnnews/failures", 0) + stats.get("log_count/ERROR", 0)
        if self.max_errors and errors > self.max_errors:
            return f"{errors} errors, more than VNNEWS_MAX_ERRORS ({self.max_errors})"
        return None

    @property
    def ok(self) -> bool:
        return self.problem is None


def run_crawl(
    site: str, settings: Settings, url: str | None = None, **spider_args: str
) -> CrawlResult:
    """Crawl `site` to completion (blocking); one call per process, as Scrapy's reactor allows."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(site)
    kwargs = {**spider_args, **({"url": url} if url else {})}
    process.crawl(crawler, **kwargs)
    # Scrapy installs its log handler when the crawl starts: filter it from then on.
    if settings.get("LOG_LEVEL") != "DEBUG":
        for handler in logging.root.handlers:
            handler.addFilter(one_line_errors)
    process.start()
    return CrawlResult(
        stats=dict(crawler.stats.get_stats() or {}), max_errors=settings.getint("VNNEWS_MAX_ERRORS")
    )
