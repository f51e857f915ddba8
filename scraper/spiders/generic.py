"""The `generic` spider: a portal no profile describes, from start URLs and an article-URL
pattern given on the command line; its pages are read by the generic extractor.

    vnnews crawl generic --start https://namdinh.dcs.vn/vi/news/tin-tuc-su-kien/ \\
        --article-pattern '/vi/news/[^/]+/.+-\\d+\\.html$'
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from schemas.page import FetchedPage, FetchFailure
from schemas.profile import Layout, Profile, UrlRules
from scraper.spiders.portal import PortalSpider


class GenericSpider(PortalSpider):
    """Arguments: `start` (listing URLs, comma-separated) and `article_pattern` (a regex
    searched in each link's full URL)."""

    name = "generic"

    def __init__(
        self, start: str = "", article_pattern: str = "", *args: Any, **kwargs: Any
    ) -> None:
        starts = [url.strip() for url in start.split(",") if url.strip()]
        if not starts or not article_pattern:
            raise ValueError("the generic spider needs start URLs and an article pattern")
        try:
            self._pattern = re.compile(article_pattern)
        except re.error as exc:
            raise ValueError(f"article pattern: not a valid regular expression: {exc}") from None
        origin = urlsplit(starts[0])
        hosts = sorted({urlsplit(url).hostname or "" for url in starts})
        # A profile only for routing (domains, listings); pages are parsed by content.
        self.profile = Profile(
            name="generic",
            title="Any portal",
            base_url=f"{origin.scheme}://{origin.netloc}",
            domains=hosts,
            urls=UrlRules(article=".", start=[urlsplit(u).path or "/" for u in starts]),
            layouts=[Layout(name="generic", container=["body"], title=["h1"], body=["body"])],
        )
        self.start_urls_given = starts
        super().__init__(*args, **kwargs)

    def is_article_url(self, url: str) -> bool:
        return bool(self._pattern.search(self.portal_url(url)))

    async def start(self):  # type: ignore[no-untyped-def,override]
        if self.single_url:
            async for request in super().start():
                yield request
            return
        for url in self.start_urls_given:
            target = self.fetch_url(url)
            if target:
                path = urlsplit(url).path or "/"
                yield scrapy.Request(
                    target,
                    callback=self.parse_listing,
                    errback=self.listing_failed,
                    cb_kwargs={"path": path, "page": 1},
                )

    def _listing_request(self, path: str, page: int) -> scrapy.Request | None:  # type: ignore[override]
        return None  # a generic listing has no known pagination: start URLs only

    def parse_article(self, response: Response, via: str | None = None):  # type: ignore[no-untyped-def,override]
        for item in super().parse_article(response, via):
            # The portal's host names the site: articles of several portals stay apart.
            if isinstance(item, FetchedPage | FetchFailure):
                host = urlsplit(item.url).hostname or "generic"
                yield item.model_copy(update={"site": host})
            else:
                yield item
