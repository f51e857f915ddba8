"""A crawler worker of a distributed crawl (`vnnews crawl SITE --redis URL`).

scrapy-redis gives the shared request queue and duplicate filter; on its own it loses the
requests a crawler had taken when that crawler is killed (and their URLs are already in the
duplicate filter, so nobody would fetch them again). Here every request taken from the queue
is *leased*: kept in a Redis hash of its worker until everything it produced — the page, the
failure, the next listing page's request — is in Redis. A worker whose heartbeat stops has
its leases put back in the queue by any live crawler.

The worker never writes SQLite: pages go to the `vnnews:pages` stream, for `vnnews
enrich-worker`, and the writer (`vnnews ingest`) records the worker's run from its start and
finish events.
"""

from __future__ import annotations

import logging
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from pipelines.messages import encode
from schemas.page import FetchedPage, FetchFailure
from scraper.queues import (
    PAGES,
    Heartbeat,
    announce,
    connect,
    dupefilter_key,
    is_alive,
    leases_key,
    requests_key,
    seeded_since,
    worker_name,
)

logger = logging.getLogger(__name__)

# scrapy-redis 0.9.1 calls two APIs Scrapy deprecated (it works with 2.19); their warnings
# would fill every crawler's log. Exactly these, raised from scrapy-redis, nothing broader
# (pyproject.toml filters the same ones for the tests).
for _deprecated in (
    r"Spider\.log\(\) is deprecated",
    r"Passing a 'spider' argument to StatsCollector\.inc_value\(\) is deprecated",
):
    warnings.filterwarnings(
        "ignore", _deprecated, ScrapyDeprecationWarning, module=r"scrapy_redis\."
    )

LEASE = "vnnews_lease"  # request.meta key; retries and redirects carry it over

# Put every lease of a dead worker back in the queue, atomically (two live workers may try
# at once). A lease is "score|request": the score is the queue's (minus the priority).
_RECOVER = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local value = entries[i + 1]
  local bar = string.find(value, '|', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(value, 1, bar - 1)), string.sub(value, bar + 1))
end
redis.call('DEL', KEYS[1])
return #entries / 2
"""


def redis_settings(url: str) -> dict[str, Any]:
    """The Scrapy settings that make a crawl a worker of the shared frontier at `url`."""
    return {
        "VNNEWS_REDIS_URL": url,
        "REDIS_URL": url,
        "SCHEDULER": "scraper.frontier.LeasedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": requests_key("%(spider)s"),
        "SCHEDULER_DUPEFILTER_KEY": dupefilter_key("%(spider)s"),
        "SCHEDULER_PERSIST": True,  # the queue and the filter outlive every worker
        "ITEM_PIPELINES": {},  # pages go to Redis from the spider (Frontier.hand_off)
    }


class Frontier:
    """One crawler process's link to the shared frontier."""

    def __init__(self, crawler: Crawler, site: str) -> None:
        settings = crawler.settings
        self.crawler, self.site = crawler, site
        self.url = settings.get("VNNEWS_REDIS_URL")
        self.client: redis.Redis = connect(self.url)
        self.worker = worker_name("crawl")
        self.ttl = settings.getfloat("VNNEWS_WORKER_TTL")
        idle = settings.get("VNNEWS_IDLE_EXIT")
        self.idle_exit = float(idle) if idle not in (None, "") else None
        self.max_queued = settings.getint("VNNEWS_MAX_QUEUED_PAGES")
        self.heartbeat = Heartbeat(self.client, self.worker, "crawl", site, self.ttl)
        self.leases = leases_key(site, self.worker)
        self.spider: Spider | None = None
        self._idle_since: float | None = None
        self._paused = False
        self._ticker: task.LoopingCall | None = None  # made once the reactor is installed
        # Writes to Redis that waited for it to come back (a restart), in their order.
        self._outbox: list[Callable[[], object]] = []
        self._recover = self.client.register_script(_RECOVER)
        for handler, signal in (
            (self.opened, signals.spider_opened),
            (self.idle, signals.spider_idle),
            (self.closed, signals.spider_closed),
            (self.busy, signals.request_scheduled),
            (self.busy, signals.response_received),
        ):
            crawler.signals.connect(handler, signal=signal)

    # --- leases -----------------------------------------------------------------------------

    def lease(self, request: Request, encoded: bytes) -> None:
        """`request` was taken from the queue by this worker."""
        lease = request.meta.setdefault(LEASE, uuid.uuid4().hex)
        value = f"{-request.priority}|".encode() + encoded
        self.send(lambda: self.client.hset(self.leases, lease, value))

    def release(self, request: Request | None) -> None:
        """Everything `request` produced is in Redis (or waits, in order, before this): done."""
        lease = request.meta.get(LEASE) if request is not None else None
        if lease:
            self.send(lambda: self.client.hdel(self.leases, lease))

    def send(self, write: Callable[[], object]) -> None:
        """Do a Redis write now or, Redis being away, keep it for when it is back. Nothing
        overtakes a kept write, so a lease is never released before its page is in Redis."""
        if not self._outbox:
            try:
                write()
                return
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                logger.warning("Redis at %s: %s; keeping writes until it is back", self.url, exc)
        self._outbox.append(write)

    def flush(self) -> bool:
        """Do the kept writes; whether none is left."""
        while self._outbox:
            try:
                self._outbox[0]()
            except (redis.ConnectionError, redis.TimeoutError):
                return False
            self._outbox.pop(0)
        return True

    def recover(self) -> int:
        """Put the leases of crawlers whose heartbeat stopped back in the queue."""
        moved = 0
        prefix = leases_key(self.site, "")
        for key in self.client.scan_iter(match=prefix + "*"):
            owner = key.decode()[len(prefix) :]
            if owner == self.worker or is_alive(self.client, owner):
                continue
            count = int(self._recover(keys=[key, requests_key(self.site)]))
            if count:
                logger.warning("%d requests of %s (stopped) put back in the queue", count, owner)
                self.crawler.stats.inc_value("vnnews/frontier/recovered", count)  # type: ignore[union-attr]
                moved += count
        return moved

    # --- pages ------------------------------------------------------------------------------

    def hand_off(self, item: FetchedPage | FetchFailure) -> None:
        fields = encode(item)
        self.send(lambda: self.client.xadd(PAGES, fields))  # type: ignore[arg-type]
        kind = "pages" if isinstance(item, FetchedPage) else "failures"
        self.crawler.stats.inc_value(f"vnnews/handed_off/{kind}")  # type: ignore[union-attr]
        self.heartbeat.beat(done=1)

    def deliver(self, request: Request | None, outputs: Iterable[Any] | None) -> Iterator[Any]:
        """A callback's outputs: pages and failures go to Redis, requests on to Scrapy (whose
        scheduler pushes them to the queue before asking for the next output); then the
        request's lease is released."""
        for output in outputs or ():
            if isinstance(output, FetchedPage | FetchFailure):
                self.hand_off(output)
            else:
                yield output
        self.release(request)

    # --- the worker's life ------------------------------------------------------------------

    def opened(self, spider: Spider) -> None:
        self.spider = spider
        spider.since = seeded_since(self.client, self.site)  # type: ignore[attr-defined]
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("vnnews/distributed", self.worker)
        self.heartbeat.beat(force=True)
        args = {"redis": self.url, "base_url": getattr(spider, "base_url", None)}
        announce(self.client, "start", self.worker, "crawl", self.site, args)
        self.recover()
        self._ticker = task.LoopingCall(self.tick)
        self._ticker.start(max(self.ttl / 3, 0.5), now=False)

    def busy(self, *args: Any, **kwargs: Any) -> None:
        self._idle_since = None

    def tick(self) -> None:
        """Every ttl/3 seconds: heartbeat, leases of dead crawlers, back-pressure."""
        try:
            if not self.flush():
                return
            self.heartbeat.beat(force=True)
            self.recover()
            queued = int(self.client.xlen(PAGES))
            # A crawler running as a service follows each new seeding's --since.
            if self.spider is not None:
                self.spider.since = seeded_since(self.client, self.site)  # type: ignore[attr-defined]
        except redis.RedisError as exc:
            logger.warning("Redis at %s: %s; trying again", self.url, exc)
            return
        engine = self.crawler.engine
        if engine is None:
            return
        # Enrichment workers falling behind: stop fetching until they catch up.
        if self.max_queued and queued > self.max_queued and not self._paused:
            logger.info("%d pages wait for enrichment; pausing", queued)
            engine.pause()
            self._paused = True
        elif self._paused and queued <= self.max_queued // 2:
            engine.unpause()
            self._paused = False

    def idle(self, spider: Spider) -> None:
        """The queue is empty and nothing is in flight here: wait for work from other
        crawlers, or exit once idle for --idle-exit seconds."""
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        try:
            waiting = not self.flush() or self.recover()
        except redis.RedisError:
            waiting = True
        if waiting or self.idle_exit is None or now - self._idle_since < self.idle_exit:
            raise DontCloseSpider

    def closed(self, spider: Spider, reason: str) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        stats = self.crawler.stats
        if not self.flush():  # stopped while Redis was away: its leases bring the work back
            logger.error(
                "%d writes to Redis not done; their requests will be crawled again",
                len(self._outbox),
            )
        try:
            everything = dict(stats.get_stats() if stats else {})
            announce(self.client, "finish", self.worker, "crawl", self.site, {}, reason, everything)
            self.heartbeat.stop()
        except redis.RedisError as exc:
            logger.error("Redis at %s: the run's end not recorded: %s", self.url, exc)


class LeasedScheduler(Scheduler):
    """scrapy-redis's scheduler, with each request taken leased to this worker until done."""

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.frontier: Frontier = spider.frontier  # type: ignore[attr-defined]

    def enqueue_request(self, request: Request) -> bool:
        push = super().enqueue_request
        queued = [True]  # if Redis is away, the request waits in the frontier's outbox

        def enqueue() -> None:
            queued[0] = bool(push(request))

        self.frontier.send(enqueue)
        # A retry or a redirect of a leased request: the queue holds it now.
        self.frontier.release(request)
        return queued[0]

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests())
        except redis.RedisError:
            return True  # unknown: not a reason to stop

    def next_request(self) -> Request | None:
        try:
            request = super().next_request()
        except redis.RedisError:
            return None  # Redis is away: nothing to take now (the frontier says so)
        if request is not None:
            # The queue's own encoding, so a recovered lease goes back exactly as it came.
            self.frontier.lease(request, self.queue._encode_request(request))
        return request
