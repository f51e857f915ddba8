"""Scrapy's retry, with exponential backoff: a portal answering 503 or timing out is
overloaded, and retrying at once only adds to its load."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

T = TypeVar("T")

# Never wait longer than this before one retry, however many came before.
MAX_DELAY = 120.0


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS) that
    waits VNNEWS_RETRY_DELAY seconds before the first retry and doubles it each time.

    The wait holds only the request being retried; other downloads go on meanwhile."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.delay = crawler.settings.getfloat("VNNEWS_RETRY_DELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        return await self._after_pause(super().process_response(request, response))

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        return await self._after_pause(super().process_exception(request, exception))

    async def _after_pause(self, outcome: T) -> T:
        if isinstance(outcome, Request) and self.delay > 0:
            retries = int(outcome.meta.get("retry_times", 1))
            self.crawler.stats.inc_value("vnnews/retry/waited")
            await asyncio.sleep(min(MAX_DELAY, self.delay * 2 ** (retries - 1)))
        return outcome
