"""What the spider hands to the pipelines: a fetched page or a failed fetch.

The spider only fetches and routes; parsing happens in a pipeline stage, so the same items
can later travel through a queue between machines.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from schemas.article import Article
from schemas.enrichment import Enrichment


class FetchedPage(BaseModel):
    """Raw HTML as the portal served it."""

    model_config = ConfigDict(frozen=True)

    url: str  # the URL on the portal itself, even when the crawl read it from a mirror
    fetched_from: str  # the URL actually requested
    site: str
    status: int
    fetched_at: datetime
    html: str
    via: str | None = None  # the listing the link was found on, if any
    requested: str | None = None  # the portal URL asked for, when a redirect led elsewhere
    # Read back from the database to finish an interrupted run's enrichment, not fetched.
    replayed: bool = False


class FetchFailure(BaseModel):
    """A request that produced no page: HTTP error, timeout, DNS failure."""

    model_config = ConfigDict(frozen=True)

    url: str
    site: str
    reason: str
    status: int | None = None


class ParsedPage(BaseModel):
    """A fetched page after the parse stage: an article, or the reason there is none."""

    model_config = ConfigDict(frozen=True)

    page: FetchedPage
    article: Article | None = None
    enrichment: Enrichment | None = None  # None when the enrich stage is off or failed
    error: str | None = None  # why the page gave no article (the parse stage)
    enrich_error: str | None = None  # why the article has no enrichment (the enrich stage)


class RunEvent(BaseModel):
    """A worker of a distributed crawl starting or finishing, for the writer's `runs` table."""

    model_config = ConfigDict(frozen=True)

    event: Literal["start", "finish"]
    worker: str  # "crawl@host:pid", unique per process
    command: str  # "crawl", "enrich-worker"
    site: str  # the portal, or "*" for a worker serving every portal
    at: datetime
    args: dict[str, Any] = {}
    finish_reason: str | None = None
    stats: dict[str, Any] = {}
