"""The Redis streams between the stages of a distributed crawl, against a real redis-server:
entries are handed on in one transaction, taken back after a restart, claimed from a dead
consumer, and never lost in between."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.messages import decode, encode
from schemas.page import FetchedPage, FetchFailure
from scraper.queues import PAGES, RESULTS, Stream
from tests.redis_server import RedisServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as redis_server:
        yield redis_server


def page(number: int) -> FetchedPage:
    return FetchedPage(
        url=f"https://tuyengiao.vn/bai-{number}",
        fetched_from=f"http://127.0.0.1/bai-{number}",
        site="tuyengiao",
        status=200,
        fetched_at=datetime(2025, 7, 1, tzinfo=UTC),
        html=f"<h1>Bài {number}</h1><p>Lào Cai thu ngân sách đạt hơn 6.200 tỷ đồng.</p>",
    )


def test_a_page_survives_the_round_trip_compressed(server: RedisServer) -> None:
    client = server.client()
    client.xadd(PAGES, encode(page(1)))  # type: ignore[arg-type]
    ((_, fields),) = client.xrange(PAGES)
    assert decode(fields) == page(1)
    assert len(fields[b"body"]) < len(page(1).model_dump_json())


def test_entries_pass_on_and_leave_nothing_behind(server: RedisServer) -> None:
    client = server.client()
    pages = Stream(client, PAGES, "enrich@a:1")
    pages.ensure_group()
    for number in range(3):
        client.xadd(PAGES, encode(page(number)))  # type: ignore[arg-type]
    taken = pages.take(10, block=0.1)
    assert [decode(fields) for _, fields in taken] == [page(0), page(1), page(2)]
    failure = FetchFailure(url="https://tuyengiao.vn/x", site="tuyengiao", reason="HTTP 404")
    pages.pass_on([entry_id for entry_id, _ in taken], [failure], to=RESULTS)
    assert client.xlen(PAGES) == 0  # acknowledged and deleted
    assert client.xpending(PAGES, "enrich")["pending"] == 0
    assert [decode(fields) for _, fields in client.xrange(RESULTS)] == [failure]


def test_a_restarted_consumer_takes_back_what_it_had_taken(server: RedisServer) -> None:
    client = server.client()
    writer = Stream(client, RESULTS, "writer")
    writer.ensure_group()
    client.xadd(RESULTS, encode(page(1)))  # type: ignore[arg-type]
    first = writer.take(10, block=0.1)
    # Killed before acknowledging: the same consumer, restarted, gets the entry again.
    again = Stream(client, RESULTS, "writer").take(10, block=0.1)
    assert [entry_id for entry_id, _ in again] == [entry_id for entry_id, _ in first]
    writer.acknowledge([entry_id for entry_id, _ in again])
    assert Stream(client, RESULTS, "writer").take(10, block=0.1) == []


def test_what_a_dead_consumer_took_is_claimed_after_the_idle_time(server: RedisServer) -> None:
    client = server.client()
    dead = Stream(client, PAGES, "enrich@a:1", claim_idle=0.3)
    dead.ensure_group()
    client.xadd(PAGES, encode(page(7)))  # type: ignore[arg-type]
    assert len(dead.take(10, block=0.1)) == 1  # then the process dies
    live = Stream(client, PAGES, "enrich@b:2", claim_idle=0.3)
    assert live.take(10, block=0.1) == []  # not yet: it may only be slow
    time.sleep(0.4)
    claimed = live.take(10, block=0.1)
    assert [decode(fields) for _, fields in claimed] == [page(7)]
