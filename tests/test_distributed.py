"""A crawl spread over processes through a real redis-server (`--redis`): crawlers sharing
scrapy-redis's queue and duplicate filter, enrichment workers and one writer, each its own
`vnnews` process as on separate machines — and some of them killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from sqlite_utils import Database

from pipelines.messages import MESSAGE_VERSION, encode
from schemas.page import FetchedPage
from tests.conftest import (
    BIN,
    ROOT,
    SNAPSHOT,
    article_cases,
    assert_each_article_once,
    expected,
    run,
    stored_images,
)
from tests.faults import Fault, FaultyMirror
from tests.redis_server import RedisServer

PORTAL = "https://tuyengiao.vn"
ARTICLES = {expected(case)["url"] for case in article_cases()}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as redis_server:
        yield redis_server


class Processes:
    """`vnnews` commands started in the background, each logging to its own file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = self.directory / f"{args[0]}-{len(self.started)}.log"
        environment = {k: v for k, v in os.environ.items() if k != "VNNEWS_DB"} | (env or {})
        with log.open("wb") as stderr:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                [str(BIN / "vnnews"), *args],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return next(log for p, log in self.started if p is process).read_text(errors="replace")

    def finish(self, process: subprocess.Popen[bytes], timeout: float = 180) -> str:
        """Wait for `process` to exit by itself; it must exit 0 without a traceback."""
        process.wait(timeout=timeout)
        log = self.log(process)
        assert process.returncode == 0, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        assert "py.warnings" not in log, log[-3000:]  # scrapy-redis's deprecations filtered
        return log

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def crawler(
    server: RedisServer, mirror: FaultyMirror, *extra: str, idle_exit: str | None = "3"
) -> list[str]:
    idle = ["--idle-exit", idle_exit] if idle_exit else []
    return [
        "crawl", "tuyengiao", "--redis", server.url, "--base-url", mirror.url, *idle,
        "-s", "VNNEWS_WORKER_TTL=3", *extra,
    ]  # fmt: skip


def seed(server: RedisServer, mirror: FaultyMirror) -> None:
    result = run("vnnews", "seed", "tuyengiao", "--redis", server.url, "--base-url", mirror.url)
    assert result.returncode == 0, result.stderr
    assert "tuyengiao: 8 start requests queued" in result.stderr


def articles(db: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT url, enriched_at FROM articles ORDER BY url").fetchall()


def test_three_crawlers_two_enrichers_one_writer_store_each_article_once(
    server: RedisServer, processes: Processes, tmp_path: Path
) -> None:
    db = tmp_path / "cluster.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        writer = processes.start(
            "ingest", "--redis", server.url, "--db", str(db), "--idle-exit", "8"
        )
        seed(server, mirror)
        crawlers = [processes.start(*crawler(server, mirror)) for _ in range(3)]
        enrichers = [
            processes.start("enrich-worker", "--redis", server.url, "--idle-exit", "6")
            for _ in range(2)
        ]
        for process in [*crawlers, *enrichers, writer]:
            processes.finish(process)
        shown = json.loads(run("vnnews", "cluster", "--redis", server.url, "--json").stdout)
        # The shared duplicate filter: no article was fetched twice, by any crawler.
        assert [mirror.hits[url.removeprefix(PORTAL)] for url in sorted(ARTICLES)] == [1] * 10
    stored = Database(db)
    assert [url for url, _ in articles(db)] == sorted(ARTICLES)
    assert all(enriched for _, enriched in articles(db))
    for case in article_cases():
        want = expected(case)
        row = next(stored["articles"].rows_where("url = ?", [want["url"]]))
        assert (row["title"], row["body"]) == (want["title"], want["body"])
        assert stored_images(stored, row["id"]) == want["images"]
    assert stored["mentions"].count > 50
    # The crawl's two failures (a 404 and a page that is no article), as a local crawl has.
    assert {(r["stage"], r["state"]) for r in stored["failures"].rows} == {
        ("fetch", "retrying"),
        ("parse", "retrying"),
    }
    # Every worker's run, recorded by the writer; the crawlers between them fetched all.
    runs = list(stored.query("SELECT command, finish_reason, stats FROM runs ORDER BY id"))
    assert sorted(r["command"] for r in runs) == sorted(
        ["ingest", "crawl", "crawl", "crawl", "enrich-worker", "enrich-worker"]
    )
    assert all(r["finish_reason"] in ("finished", "idle") for r in runs), runs
    crawls = [json.loads(r["stats"]) for r in runs if r["command"] == "crawl"]
    assert sum(s.get("vnnews/handed_off/pages", 0) for s in crawls) == 11  # 10 and a non-article
    assert sum(s.get("vnnews/handed_off/failures", 0) for s in crawls) == 1
    # `vnnews cluster`: the six workers seen, none left alive, what each stage did in all.
    workers = shown["workers"]
    assert sorted(w["role"] for w in workers) == sorted(["crawl"] * 3 + ["enrich"] * 2 + ["ingest"])
    assert not any(w["alive"] for w in workers)
    done = {
        role: sum(w["done"] for w in workers if w["role"] == role)
        for role in ("crawl", "enrich", "ingest")
    }
    # 12 pages and failures; the writer also took the five workers' start and finish.
    assert done == {"crawl": 12, "enrich": 12, "ingest": 12 + 10}
    assert shown["streams"]["vnnews:pages"] == {"length": 0, "pending": 0}
    assert shown["streams"]["vnnews:results"] == {"length": 0, "pending": 0}
    assert shown["sites"]["tuyengiao"]["in_flight"] == 0
    # Article-shaped URLs through the shared filter: the 12, and the /print/ copy robots.txt
    # forbids (not fetched, not a failure).
    assert shown["sites"]["tuyengiao"]["seen"] == 13


def test_seed_since_keeps_older_articles_out(
    server: RedisServer, processes: Processes, tmp_path: Path
) -> None:
    db = tmp_path / "since.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        result = run(
            "vnnews", "seed", "tuyengiao", "--redis", server.url, "--base-url", mirror.url,
            "--since", "2023-07-01",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        workers = [
            processes.start(*crawler(server, mirror)),
            processes.start("enrich-worker", "--redis", server.url, "--idle-exit", "6"),
            processes.start("ingest", "--redis", server.url, "--db", str(db), "--idle-exit", "8"),
        ]
        for process in workers:
            processes.finish(process)
    newer = sorted(
        expected(case)["url"]
        for case in article_cases()
        if expected(case)["published_at"] >= "2023-07-01"
    )
    assert len(newer) == 5
    assert [url for url, _ in articles(db)] == newer
    stats = json.loads(
        Database(db).execute("SELECT stats FROM runs WHERE command = 'enrich-worker'").fetchone()[0]
    )
    assert stats["vnnews/articles/before_since"] == 5
    # The next seeding without --since lifts it.
    assert run("vnnews", "seed", "tuyengiao", "--redis", server.url).returncode == 0
    assert server.client().get("vnnews:tuyengiao:since") is None


def test_killed_crawler_and_writer_lose_nothing(
    server: RedisServer, processes: Processes, tmp_path: Path
) -> None:
    db = tmp_path / "killed.db"
    client = server.client()
    with FaultyMirror(SNAPSHOT) as mirror:
        # Slow article pages, one request at a time per crawler: the kills land mid-crawl.
        for route, target in mirror.routes.items():
            if "articles" in str(target):
                mirror.faults[route] = Fault("slow", seconds=1.0)
        one_at_a_time = ("-s", "CONCURRENT_REQUESTS=1")
        writer = processes.start("ingest", "--redis", server.url, "--db", str(db))
        seed(server, mirror)
        victim = processes.start(*crawler(server, mirror, *one_at_a_time))
        survivor = processes.start(*crawler(server, mirror, *one_at_a_time))
        enricher = processes.start("enrich-worker", "--redis", server.url, "--idle-exit", "15")
        wait_for(lambda: pages_handed_off(client) >= 2)
        processes.kill(victim)  # holding a leased request, its page half fetched
        restarted = processes.start(*crawler(server, mirror, *one_at_a_time))
        wait_for(lambda: len(articles(db)) >= 1)
        processes.kill(writer)  # with entries taken and maybe not yet committed
        assert len(articles(db)) < 10
        writer = processes.start(
            "ingest", "--redis", server.url, "--db", str(db), "--idle-exit", "20"
        )
        for process in (survivor, restarted, enricher, writer):
            processes.finish(process)
    assert_each_article_once(db)
    with sqlite3.connect(db) as conn:
        crawls = conn.execute(
            "SELECT finish_reason, stats FROM runs WHERE command = 'crawl' ORDER BY id"
        ).fetchall()
        ingests = conn.execute(
            "SELECT finish_reason FROM runs WHERE command = 'ingest' ORDER BY id"
        ).fetchall()
    assert [url for url, _ in articles(db)] == sorted(ARTICLES)
    # The killed crawler never said it finished; what it had taken was put back in the queue.
    assert sorted(reason or "killed" for reason, _ in crawls) == ["finished", "finished", "killed"]
    recovered = sum(
        json.loads(stats or "{}").get("vnnews/frontier/recovered", 0) for _, stats in crawls
    )
    assert recovered >= 1
    assert ingests == [("interrupted",), ("idle",)]


def pages_handed_off(client: redis.Redis) -> int:
    """Entries ever added to the pages stream (consumed ones included)."""
    if not client.exists("vnnews:pages"):
        return 0
    return int(client.xinfo_stream("vnnews:pages")["entries-added"])


def wait_for(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize(
    "command",
    [
        ["crawl", "tuyengiao"],
        ["seed", "tuyengiao"],
        ["enrich-worker"],
        ["ingest", "--db", "never.db"],
        ["cluster"],
    ],
)
def test_a_wrong_redis_url_fails_fast_and_says_so(command: list[str], tmp_path: Path) -> None:
    started = time.monotonic()
    result = run("vnnews", *command, "--redis", "redis://127.0.0.1:1/0", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 20
    assert not (tmp_path / "never.db").exists()


def test_unreadable_entries_go_to_the_dead_letter_stream(
    server: RedisServer, processes: Processes
) -> None:
    client = server.client()
    client.xadd("vnnews:pages", {"v": str(MESSAGE_VERSION), "kind": "page", "body": b"not zlib"})
    client.xadd("vnnews:pages", {"v": "0", "kind": "page", "body": b""})
    worker = processes.start("enrich-worker", "--redis", server.url, "--idle-exit", "1")
    processes.finish(worker)
    dead = client.xrange("vnnews:dead")
    reasons = [fields[b"dead_reason"].decode() for _, fields in dead]
    assert reasons == [
        "page: body is not zlib data (Error -3 while decompressing data: incorrect header check)",
        f"message version 0, this vnnews reads {MESSAGE_VERSION}: "
        "upgrade the worker that sent it, or this one",
    ]
    assert all(fields[b"dead_from"] == b"vnnews:pages" for _, fields in dead)
    assert client.xlen("vnnews:pages") == 0  # nothing left half-done
    status = run("vnnews", "cluster", "--redis", server.url, "--json")
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    assert shown["streams"]["vnnews:dead"]["length"] == 2
    assert shown["streams"]["vnnews:pages"] == {"length": 0, "pending": 0}


def test_an_enrichment_worker_waits_out_a_redis_restart(
    tmp_path: Path, processes: Processes
) -> None:
    page = fixture_page()
    with RedisServer(tmp_path, persist=True) as server:
        client = server.client()
        worker = processes.start("enrich-worker", "--redis", server.url, "--idle-exit", "8")
        client.xadd("vnnews:pages", encode(page))  # type: ignore[arg-type]
        wait_for(lambda: parsed_results(client) == 1)
        server.stop()  # a restart of Redis: the worker keeps trying
        time.sleep(3)
        server.start()
        client.xadd("vnnews:pages", encode(page))  # type: ignore[arg-type]
        wait_for(lambda: parsed_results(client) == 2)  # the first survived, the second came
        log = processes.finish(worker)
    assert "Redis unreachable" in log and "waiting for it" in log


def test_without_idle_exit_workers_run_until_stopped(
    server: RedisServer, processes: Processes, tmp_path: Path
) -> None:
    """As systemd runs them: until SIGTERM, which ends each cleanly, with exit 0."""
    db = tmp_path / "service.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        writer = processes.start("ingest", "--redis", server.url, "--db", str(db))
        crawl = processes.start(*crawler(server, mirror, idle_exit=None))
        enricher = processes.start("enrich-worker", "--redis", server.url)
        client = server.client()
        wait_for(lambda: len(client.hkeys("vnnews:workers")) == 3)
        time.sleep(6)  # longer than any idle time above: they are still there
        assert [p.poll() for p in (writer, crawl, enricher)] == [None, None, None]
        for process in (crawl, enricher):
            process.send_signal(signal.SIGTERM)
            processes.finish(process, timeout=60)
        wait_for(lambda: client.xlen("vnnews:results") == 0 and finished_runs(db) == 2)
        writer.send_signal(signal.SIGTERM)
        processes.finish(writer, timeout=60)
    with sqlite3.connect(db) as conn:
        ends = dict(conn.execute("SELECT command, finish_reason FROM runs").fetchall())
    assert ends == {"crawl": "shutdown", "enrich-worker": "stopped", "ingest": "stopped"}


def finished_runs(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(
                conn.execute(
                    "SELECT count(*) FROM runs WHERE finish_reason IS NOT NULL"
                ).fetchone()[0]
            )
    except sqlite3.Error:
        return 0


def test_a_killed_enrichment_workers_pages_are_taken_over(
    server: RedisServer, processes: Processes
) -> None:
    client = server.client()
    for _ in range(10):
        client.xadd("vnnews:pages", encode(fixture_page()))  # type: ignore[arg-type]
    victim = processes.start("enrich-worker", "--redis", server.url, "--batch", "10")
    # It has taken the ten (still loading underthesea's models): kill it mid-batch.
    wait_for(lambda: taken(client) == 10)
    processes.kill(victim)
    assert parsed_results(client) == 0
    heir = processes.start(
        "enrich-worker", "--redis", server.url, "--claim-after", "2", "--idle-exit", "4"
    )
    processes.finish(heir)
    assert parsed_results(client) == 10  # each page once: none lost, none twice
    assert taken(client) == 0
    assert client.xlen("vnnews:pages") == 0


def taken(client: redis.Redis) -> int:
    """Pages some enrichment worker has taken and not finished."""
    try:
        return int(client.xpending("vnnews:pages", "enrich")["pending"])
    except redis.ResponseError:  # no worker has made the group yet
        return 0


def test_a_crawler_keeps_its_pages_through_a_redis_restart(
    tmp_path: Path, processes: Processes
) -> None:
    with RedisServer(tmp_path, persist=True) as server, FaultyMirror(SNAPSHOT) as mirror:
        for route, target in mirror.routes.items():
            if "articles" in str(target):
                mirror.faults[route] = Fault("slow", seconds=0.5)
        seed(server, mirror)
        worker = processes.start(*crawler(server, mirror, "-s", "CONCURRENT_REQUESTS=1"))
        wait_for(lambda: pages_handed_off(server.client()) >= 2)
        server.stop()  # pages fetched meanwhile wait in the crawler, in order
        time.sleep(3)
        server.start()
        log = processes.finish(worker)
        client = server.client()
        assert pages_handed_off(client) == 12  # 11 pages and a failure: nothing lost
        assert "keeping writes until it is back" in log
        assert "ERROR" not in log
        assert not list(client.scan_iter(match="vnnews:tuyengiao:leases:*"))  # all released


def parsed_results(client: redis.Redis) -> int:
    try:
        entries = client.xrange("vnnews:results")
    except redis.ConnectionError:
        return -1
    return sum(fields[b"kind"] == b"parsed" for _, fields in entries)


def test_enrichment_holds_back_while_the_writer_is_behind(
    server: RedisServer, processes: Processes
) -> None:
    page = fixture_page()
    client = server.client()
    for _ in range(3):  # results no writer has taken yet
        client.xadd("vnnews:results", encode(page))  # type: ignore[arg-type]
    client.xadd("vnnews:pages", encode(page))  # type: ignore[arg-type]
    worker = processes.start(
        "enrich-worker", "--redis", server.url, "--idle-exit", "3", "--max-waiting", "3"
    )
    time.sleep(6)  # more than its idle time: holding back is not idling
    assert worker.poll() is None
    assert client.xlen("vnnews:pages") == 1 and parsed_results(client) == 0
    client.xtrim("vnnews:results", maxlen=0)  # the writer caught up
    processes.finish(worker)
    assert parsed_results(client) == 1 and client.xlen("vnnews:pages") == 0


def fixture_page() -> FetchedPage:
    """A fetched article page, as a crawler hands it on."""
    case = article_cases()[0]
    return FetchedPage(
        url=expected(case)["url"],
        fetched_from=expected(case)["url"],
        site="tuyengiao",
        status=200,
        fetched_at=datetime(2025, 7, 1, tzinfo=UTC),
        html=(case / "page.html").read_text(encoding="utf-8"),
    )
