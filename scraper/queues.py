"""The Redis side of a crawl spread over machines: the connection, the two streams between the
stages, the dead-letter stream and the workers' heartbeats.

    crawlers ──pages──▶ enrichment workers ──results──▶ the writer (`vnnews ingest`)

Each stream is read through a consumer group and an entry is acknowledged (and deleted) only
once what it produced is safe downstream: delivery is at-least-once, and every stage is
idempotent, so an entry delivered twice changes nothing. Entries a dead consumer had taken
are claimed by a live one after `claim_idle` seconds.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import redis

from pipelines.errors import VnnewsError
from pipelines.messages import BadMessage, Message, decode, encode
from schemas.page import RunEvent

logger = logging.getLogger(__name__)

PREFIX = "vnnews"
PAGES = f"{PREFIX}:pages"  # FetchedPage, FetchFailure, RunEvent: read by enrichment workers
RESULTS = f"{PREFIX}:results"  # ParsedPage, FetchFailure, RunEvent: read by the writer
DEAD = f"{PREFIX}:dead"  # entries no worker could read, with the reason
WORKERS = f"{PREFIX}:workers"  # worker name → JSON: role, host, pid, started, seen, done
GROUPS = {PAGES: "enrich", RESULTS: "ingest"}


def alive_key(worker: str) -> str:
    return f"{PREFIX}:alive:{worker}"


def requests_key(site: str) -> str:
    """scrapy-redis's request queue of one portal (SCHEDULER_QUEUE_KEY)."""
    return f"{PREFIX}:{site}:requests"


def dupefilter_key(site: str) -> str:
    return f"{PREFIX}:{site}:dupefilter"


def since_key(site: str) -> str:
    """The date `vnnews seed --since` set: older articles are neither followed nor stored."""
    return f"{PREFIX}:{site}:since"


def seeded_since(client: redis.Redis, site: str) -> date | None:
    value = client.get(since_key(site))
    if not value:
        return None
    return date.fromisoformat(value.decode() if isinstance(value, bytes) else value)


def leases_key(site: str, worker: str) -> str:
    """Requests a crawler has taken from the queue and not finished (see scraper.frontier)."""
    return f"{PREFIX}:{site}:leases:{worker}"


def worker_name(role: str) -> str:
    """Unique per process and readable: 'crawl@host:1234'."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}"


class RedisUnavailable(VnnewsError):
    pass


def connect(url: str) -> redis.Redis:
    """A client for `url`, checked now: a wrong URL or a server that is down fails in seconds
    with a message saying which, instead of at the first queue operation."""
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=3, socket_timeout=30, health_check_interval=30
        )
        client.ping()
    except ValueError as exc:
        raise RedisUnavailable(
            f"{url!r} is not a Redis URL ({exc}); e.g. redis://host:6379/0"
        ) from None
    except redis.AuthenticationError as exc:
        raise RedisUnavailable(f"Redis at {url} refused the credentials: {exc}") from None
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from None
    return client


@dataclass
class Stream:
    """One stream read by one consumer of its group."""

    client: redis.Redis
    key: str
    consumer: str
    claim_idle: float = 60.0  # seconds before another consumer's unacknowledged entry is ours
    dead_lettered: int = 0

    @property
    def group(self) -> str:
        return GROUPS[self.key]

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def take(self, count: int, block: float) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Up to `count` entries: first those this consumer took and never acknowledged (it
        was restarted), then those a dead consumer left, then new ones (waiting up to `block`
        seconds)."""
        mine = self.client.xreadgroup(self.group, self.consumer, {self.key: "0"}, count=count)
        entries = [e for e in _entries(mine) if e[1]]  # a deleted entry comes back empty
        if entries:
            return entries
        claimed = self.client.xautoclaim(
            self.key, self.group, self.consumer, int(self.claim_idle * 1000), count=count
        )
        entries = [e for e in claimed[1] if e[1]]
        if entries:
            return entries
        new = self.client.xreadgroup(
            self.group, self.consumer, {self.key: ">"}, count=count, block=int(block * 1000)
        )
        return list(_entries(new))

    def readable(
        self, entries: list[tuple[bytes, dict[bytes, bytes]]], accept: tuple[type, ...]
    ) -> Iterator[tuple[bytes, Message]]:
        """The entries' items, in order; one that cannot be read, or has no place in this
        stream (not one of `accept`), goes to the dead-letter stream instead."""
        for entry_id, fields in entries:
            try:
                item = decode(fields)
            except BadMessage as exc:
                self.dead_letter(entry_id, fields, str(exc))
                continue
            if not isinstance(item, accept):
                self.dead_letter(entry_id, fields, f"a {type(item).__name__} in {self.key}")
                continue
            yield entry_id, item

    def pass_on(self, ids: list[bytes], items: list[Message], to: str) -> None:
        """Add `items` to the stream `to` and acknowledge `ids` here, in one transaction: the
        entries are never both gone from here and missing there."""
        with self.client.pipeline(transaction=True) as pipe:
            for item in items:
                pipe.xadd(to, encode(item))  # type: ignore[arg-type]
            self._done(pipe, ids)
            pipe.execute()

    def acknowledge(self, ids: list[bytes]) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            self._done(pipe, ids)
            pipe.execute()

    def dead_letter(self, entry_id: bytes, fields: dict[bytes, bytes], reason: str) -> None:
        """Move an entry no worker can read to the dead-letter stream, with why."""
        logger.error("%s %s: moved to %s: %s", self.key, entry_id.decode(), DEAD, reason)
        self.dead_lettered += 1
        dead: dict[Any, Any] = dict(fields)
        dead.update(
            {
                b"dead_reason": reason.encode("utf-8"),
                b"dead_from": self.key.encode(),
                b"dead_id": entry_id,
                b"dead_by": self.consumer.encode(),
            }
        )
        with self.client.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD, dead)
            self._done(pipe, [entry_id])
            pipe.execute()

    def _done(self, pipe: Any, ids: list[bytes]) -> None:
        if ids:
            pipe.xack(self.key, self.group, *ids)
            pipe.xdel(self.key, *ids)  # acknowledged entries are not kept: memory stays flat


def announce(
    client: redis.Redis,
    event: str,
    worker: str,
    command: str,
    site: str,
    args: dict[str, Any] | None = None,
    finish_reason: str | None = None,
    stats: dict[str, Any] | None = None,
) -> None:
    """A worker's start or finish, sent to the writer for its `runs` table."""
    run = RunEvent(
        event=event,  # type: ignore[arg-type]
        worker=worker,
        command=command,
        site=site,
        at=datetime.now(UTC),
        args=args or {},
        finish_reason=finish_reason,
        stats=stats or {},
    )
    client.xadd(RESULTS, encode(run))  # type: ignore[arg-type]


def _entries(reply: Any) -> Iterator[tuple[bytes, dict[bytes, bytes]]]:
    for _, entries in reply or []:
        yield from entries


class Heartbeat:
    """A worker's presence: `vnnews:alive:NAME` expires `ttl` seconds after the last beat, and
    `vnnews:workers` keeps what `vnnews cluster` shows."""

    def __init__(self, client: redis.Redis, name: str, role: str, site: str, ttl: float) -> None:
        self.client, self.name, self.ttl = client, name, ttl
        self.info: dict[str, Any] = {
            "role": role,
            "site": site,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": _now(),
            "done": 0,
        }
        self._last = 0.0

    def beat(self, done: int = 0, force: bool = False) -> None:
        """Count `done` items; write to Redis at most every ttl/3 seconds (or when forced)."""
        self.info["done"] += done
        now = time.monotonic()
        if not force and now - self._last < self.ttl / 3:
            return
        self._last = now
        self.info["seen"] = _now()
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.set(alive_key(self.name), 1, px=int(self.ttl * 1000))
                pipe.hset(WORKERS, self.name, json.dumps(self.info))
                pipe.execute()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # Redis away: the worker's own next command says so; a missed beat only lets
            # others take over its work early, which at-least-once delivery allows.
            logger.debug("heartbeat not sent: %s", exc)

    def stop(self) -> None:
        self.info["stopped"] = _now()
        self.client.delete(alive_key(self.name))
        self.client.hset(WORKERS, self.name, json.dumps(self.info))


def is_alive(client: redis.Redis, worker: str) -> bool:
    return bool(client.exists(alive_key(worker)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
