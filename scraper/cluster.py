"""The commands of a crawl spread over machines, besides the crawlers themselves
(`scraper.frontier`): `seed` fills a portal's shared queue, `enrich-worker` parses and
enriches fetched pages, `ingest` is the one writer of the SQLite file, and `cluster` shows
how it all goes.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import redis
from scrapy_redis.queue import PriorityQueue
from sqlite_utils import Database

from pipelines.failures import RetryPolicy
from pipelines.store import finish_run, start_run, worker_run
from pipelines.workers import enrich_batch
from pipelines.writer import Writer
from schemas.page import FetchedPage, FetchFailure, ParsedPage, RunEvent
from scraper.queues import (
    DEAD,
    PAGES,
    RESULTS,
    WORKERS,
    Heartbeat,
    RedisUnavailable,
    Stream,
    announce,
    connect,
    dupefilter_key,
    is_alive,
    requests_key,
    seeded_since,
    since_key,
    worker_name,
)
from scraper.reading import parse_page

logger = logging.getLogger(__name__)

Entries = list[tuple[bytes, dict[bytes, bytes]]]


def seed(site: str, url: str, base_url: str | None = None, since: date | None = None) -> int:
    """Put `site`'s start requests (its listings, feeds and sitemaps) in the shared queue;
    returns how many. They bypass the duplicate filter, so each seeding reads the listings
    again for new articles; the articles themselves are fetched once. `since` holds for the
    crawl that follows (feed and sitemap entries older are not followed, articles older not
    stored); seeding without it lifts it."""
    from scraper.profiles import get_profile
    from scraper.spiders.portals import spider_class

    client = connect(url)
    spider = spider_class(get_profile(site))()
    spider.base_url = (base_url or spider.profile.base_url).rstrip("/")
    spider.shared = True
    if since is None:
        client.delete(since_key(site))
    else:
        client.set(since_key(site), since.isoformat())
    queue = PriorityQueue(client, spider, requests_key(site))
    requests = list(spider.discovery_requests())
    for request in requests:
        queue.push(request)
    return len(requests)


class Worker:
    """The loop shared by enrichment workers and the writer: take entries from a stream,
    handle them, until stopped (SIGTERM, SIGINT) or idle for `idle_exit` seconds. Redis
    going away is waited out, with a warning, for as long as the worker would wait idle."""

    def __init__(
        self, client: redis.Redis, stream: Stream, heartbeat: Heartbeat, idle_exit: float | None
    ) -> None:
        self.client, self.stream, self.heartbeat = client, stream, heartbeat
        self.idle_exit = idle_exit
        self.stopping = False

    def run(
        self,
        handle: Callable[[Entries], int],
        batch: int,
        hold: Callable[[], bool] = lambda: False,
    ) -> str:
        """Until stopped or idle; while `hold()` is true (the next stage is behind), wait."""
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._stop)
        self.stream.ensure_group()
        self.heartbeat.beat(force=True)
        idle_since = time.monotonic()
        unreachable_since: float | None = None
        while not self.stopping:
            try:
                if hold():
                    self.heartbeat.beat()
                    time.sleep(1)
                    idle_since = time.monotonic()  # holding back is not idling
                    continue
                entries = self.stream.take(batch, block=1.0)
                self.heartbeat.beat(done=handle(entries) if entries else 0)
                unreachable_since = None
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                now = time.monotonic()
                if unreachable_since is None:
                    logger.warning("Redis unreachable (%s); waiting for it", exc)
                    unreachable_since = now
                if now - unreachable_since > max(self.idle_exit or 0, 60):
                    raise RedisUnavailable(f"Redis unreachable for a minute: {exc}") from None
                time.sleep(1)
                continue
            now = time.monotonic()
            if entries:
                idle_since = now
            elif self.idle_exit is not None and now - idle_since >= self.idle_exit:
                return "idle"
        return "stopped"

    def _stop(self, signum: int, frame: object) -> None:
        logger.info("%s received; finishing the current batch", signal.Signals(signum).name)
        self.stopping = True


def enrich_worker(
    url: str,
    idle_exit: float | None,
    batch: int = 8,
    claim_idle: float = 60.0,
    max_waiting: int = 5000,
) -> Counter[str]:
    """Parse and enrich fetched pages from `vnnews:pages`; results to `vnnews:results`,
    holding back while more than `max_waiting` results wait for the writer (so pages back
    up instead, and the crawlers pause)."""
    client = connect(url)
    name = worker_name("enrich")
    stream = Stream(client, PAGES, name, claim_idle)
    heartbeat = Heartbeat(client, name, "enrich", "*", ttl=max(claim_idle, 3.0))
    counts: Counter[str] = Counter()

    def handle(entries: Entries) -> int:
        ids: list[bytes] = []
        results: list[Any] = []
        for entry_id, item in stream.readable(entries, (FetchedPage, FetchFailure, RunEvent)):
            if isinstance(item, FetchedPage):
                item = parse_page(item)
                counts["vnnews/parse/ok" if item.article else "vnnews/parse/failed"] += 1
            ids.append(entry_id)
            results.append(item)
        results = _enriched([r for r in results if not _before_since(client, r, counts)], counts)
        stream.pass_on(ids, results, to=RESULTS)
        return len(ids)

    announce(client, "start", name, "enrich-worker", "*", {"redis": url})
    behind = lambda: int(client.xlen(RESULTS)) > max_waiting  # noqa: E731
    reason = Worker(client, stream, heartbeat, idle_exit).run(handle, batch, hold=behind)
    counts["vnnews/dead"] = stream.dead_lettered
    announce(client, "finish", name, "enrich-worker", "*", {}, reason, dict(counts))
    heartbeat.stop()
    return counts


def _before_since(client: redis.Redis, result: Any, counts: Counter[str]) -> bool:
    """An article published before its portal's `seed --since` date: not passed on."""
    if not isinstance(result, ParsedPage) or result.article is None:
        return False
    published, since = result.article.published_at, seeded_since(client, result.article.site)
    if since is None or published is None or published.date() >= since:
        return False
    counts["vnnews/articles/before_since"] += 1
    return True


def _enriched(results: list[Any], counts: Counter[str]) -> list[Any]:
    """The batch's articles enriched together, in this process (one worker per core)."""
    places = [n for n, r in enumerate(results) if isinstance(r, ParsedPage) and r.article]
    outcomes = enrich_batch([results[n].article for n in places])
    for place, outcome in zip(places, outcomes, strict=True):
        if isinstance(outcome, str):
            counts["vnnews/enrich/failed"] += 1
            results[place] = results[place].model_copy(update={"enrich_error": outcome})
        else:
            counts["vnnews/enrich/ok"] += 1
            results[place] = results[place].model_copy(update={"enrichment": outcome})
    return results


def ingest(
    url: str, db: Database, idle_exit: float | None, policy: RetryPolicy, batch: int = 200
) -> Counter[str]:
    """Drain `vnnews:results` into the database: the one writer. The caller holds the lock."""
    client = connect(url)
    # One name for the writer, so a restarted writer first takes back what it had taken.
    stream = Stream(client, RESULTS, "writer")
    heartbeat = Heartbeat(client, worker_name("ingest"), "ingest", "*", ttl=30.0)
    counts: Counter[str] = Counter()
    run_id = start_run(db, "*", "ingest", {"redis": url})
    writer = Writer(db, run_id, policy, lambda key: counts.update([key]), commit_items=10**9)

    def handle(entries: Entries) -> int:
        ids: list[bytes] = []
        for entry_id, item in stream.readable(entries, (ParsedPage, FetchFailure, RunEvent)):
            if isinstance(item, RunEvent):
                record_run_event(db, item)
            else:
                writer.write(item)  # type: ignore[arg-type]
            ids.append(entry_id)
        writer.commit()  # then, and only then, Redis may forget them
        stream.acknowledge(ids)
        return len(ids)

    try:
        reason = Worker(client, stream, heartbeat, idle_exit).run(handle, batch)
    finally:
        writer.commit()
        heartbeat.stop()
    counts["vnnews/dead"] = stream.dead_lettered
    finish_run(db, run_id, reason, dict(counts))
    return counts


def record_run_event(db: Database, event: RunEvent) -> None:
    """A worker's start or finish, in `runs`; an event delivered twice is recorded once."""
    run_id = worker_run(db, event.worker)
    if event.event == "start" and run_id is None:
        args = {**event.args, "worker": event.worker}
        start_run(db, event.site, event.command, args, alone=False)
    elif event.event == "finish":
        if run_id is None:  # its start was lost (a dead-lettered entry): record it now
            run_id = start_run(db, event.site, event.command, {"worker": event.worker}, alone=False)
        finish_run(db, run_id, event.finish_reason or "finished", event.stats)


def status(url: str, recent: float = 60.0) -> dict[str, Any]:
    """Queue lengths, unacknowledged entries, workers seen in the last `recent` seconds and
    their throughput: what `vnnews cluster` prints."""
    client = connect(url)
    streams = {}
    for key in (PAGES, RESULTS, DEAD):
        length = int(client.xlen(key)) if client.exists(key) else 0
        pending = 0
        if key != DEAD and client.exists(key):
            for group in client.xinfo_groups(key):
                pending += int(group["pending"])
        streams[key] = {"length": length, "pending": pending}
    sites = {}
    # A portal's queue disappears when empty (Redis drops empty keys); its filter stays.
    names = {
        _text(key).split(":")[1]
        for pattern in (requests_key("*"), dupefilter_key("*"))
        for key in client.scan_iter(match=pattern)
    }
    for site in sorted(names):
        key = requests_key(site)
        leases = sum(int(client.hlen(k)) for k in client.scan_iter(match=f"vnnews:{site}:leases:*"))
        sites[site] = {
            "queued": int(client.zcard(key)),
            "seen": int(client.scard(dupefilter_key(site))),
            "in_flight": leases,
        }
    now = datetime.now(UTC)
    workers = []
    for field, raw in client.hgetall(WORKERS).items():
        name, info = _text(field), json.loads(raw)
        seen = datetime.fromisoformat(info.get("seen") or info["started"])
        age = (now - seen).total_seconds()
        if age > recent and not is_alive(client, name):
            continue
        running = (seen - datetime.fromisoformat(info["started"])).total_seconds()
        workers.append(
            {
                "name": name,
                **info,
                "seen_seconds_ago": round(age, 1),
                "alive": is_alive(client, name),
                "per_second": round(info.get("done", 0) / running, 2) if running > 0 else None,
            }
        )
    return {"streams": streams, "sites": sites, "workers": sorted(workers, key=lambda w: w["name"])}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
