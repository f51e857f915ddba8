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

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", "unknown"))

    @property
    def ok(self) -> bool:
        """Whether the crawl did its job; Scrapy's own exit status does not say."""
        fetched = self.stats.get("vnnews/pages", 0) + self.stats.get("vnnews/listing/pages", 0)
        return self.finish_reason in _GOOD_ENDS and fetched > 0


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
    return CrawlResult(stats=dict(crawler.stats.get_stats() or {}))
