"""Capacity of a crawl spread over processes, measured on this machine: crawler and
enrichment-worker throughput (one vs three crawlers, one vs two enrichment workers, each
ratio from runs in this one invocation), the writer's rate, Redis memory per million URLs
in the duplicate filter and per thousand queued pages, and SQLite bytes per article.

    make bench-cluster                                 # about 5 minutes on 2 cores
    .venv/bin/python bench/cluster.py --pages 300      # smaller

Everything runs against a real redis-server on a loopback port and the generated tuyengiao
mirror of bench/sitegen.py. Rates are taken between the first and the last item a stage
produced, so a worker's start-up (loading underthesea's models) is not counted. Writes
bench/results/cluster.json and the table of docs/distributed.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bench.doctable import replace_between  # noqa: E402
from bench.performance import machine  # noqa: E402
from bench.sitegen import build_site  # noqa: E402
from scraper.mirror import Mirror  # noqa: E402
from scraper.queues import PAGES, RESULTS  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

RESULTS_FILE = ROOT / "bench" / "results" / "cluster.json"
DOC = ROOT / "docs" / "distributed.md"
BIN = Path(sys.executable).parent


def start(*args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "VNNEWS_DB"}
    return subprocess.Popen(
        [str(BIN / "vnnews"), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def added(client: redis.Redis, key: str) -> int:
    return int(client.xinfo_stream(key)["entries-added"]) if client.exists(key) else 0


def rate(
    client: redis.Redis,
    key: str,
    expected: int,
    workers: list[subprocess.Popen[bytes]],
    skip: int = 0,
) -> float:
    """Items per second into `key`, from the first after `skip` (the workers' start events)
    to the `expected`-th."""
    first = None
    while (count := added(client, key)) < expected:
        now = time.perf_counter()
        if count > skip and first is None:
            first = (now, count)
        if all(w.poll() is not None for w in workers):
            raise RuntimeError(f"workers exited with {count} of {expected} items in {key}")
        time.sleep(0.02)
    last = time.perf_counter()
    assert first is not None
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        if worker.returncode != 0:
            raise RuntimeError(stderr.decode(errors="replace")[-2000:])
    return (expected - first[1]) / (last - first[0])


def crawlers(server: RedisServer, site_url: str, count: int, pages: int) -> float:
    client = server.client()
    client.flushall()
    seeded = subprocess.run(
        [str(BIN / "vnnews"), "seed", "tuyengiao", "--redis", server.url, "--base-url", site_url],
        capture_output=True,
        check=True,
    )
    assert seeded.returncode == 0
    command = ["crawl", "tuyengiao", "--redis", server.url, "--base-url", site_url]
    options = ["--max-pages", "0", "--idle-exit", "2", "--log-level", "WARNING"]
    workers = [start(*command, *options) for _ in range(count)]
    return rate(client, PAGES, pages, workers)


def enrichers(server: RedisServer, entries: list[dict], count: int) -> float:
    client = server.client()
    client.delete(PAGES, RESULTS)
    with client.pipeline(transaction=False) as pipe:
        for fields in entries:
            pipe.xadd(PAGES, fields)
        pipe.execute()
    workers = [
        start("enrich-worker", "--redis", server.url, "--idle-exit", "3") for _ in range(count)
    ]
    return rate(client, RESULTS, len(entries) + count, workers, skip=count)


def ingest(server: RedisServer, db: Path) -> float:
    """Seconds `vnnews ingest` takes to drain the results stream into `db` and exit."""
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "vnnews"), "ingest", "--redis", server.url, "--db", str(db), "--idle-exit", "1"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="generated article pages")
    parser.add_argument("--enrich-pages", type=int, default=200, help="pages to enrich")
    args = parser.parse_args()
    results: dict[str, object] = {"machine": machine(), "pages": args.pages}
    with tempfile.TemporaryDirectory(prefix="vnnews-cluster-") as tmp:
        work = Path(tmp)
        # Eight sections, eight listings to page through at once, as the real portal has:
        # one listing is a chain no number of crawlers can walk faster.
        build_site(work / "site", args.pages, sections=8)
        with RedisServer(work) as server, Mirror(work / "site") as mirror:
            client = server.client()
            # Crawlers: one, three, one again (the machine's speed drifts: the best of each).
            rates: dict[int, list[float]] = {1: [], 3: []}
            for count in (1, 3, 1, 3):
                print(f"bench: {count} crawler(s) ...", file=sys.stderr, flush=True)
                rates[count].append(crawlers(server, mirror.url, count, args.pages))
            one, three = max(rates[1]), max(rates[3])
            results["crawlers"] = {"one": one, "three": three, "ratio": three / one, "runs": rates}
            # Enrichment workers, over the same pages each time.
            entries = [fields for _, fields in client.xrange(PAGES, count=args.enrich_pages)]
            enrich: dict[int, list[float]] = {1: [], 2: []}
            for count in (1, 2, 1, 2):
                print(f"bench: {count} enrichment worker(s) ...", file=sys.stderr, flush=True)
                enrich[count].append(enrichers(server, entries, count))
            single, double = max(enrich[1]), max(enrich[2])
            results["enrichers"] = {
                "one": single,
                "two": double,
                "ratio": double / single,
                "runs": enrich,
            }
            # The writer, draining the last run's results into a new file; its start-up and
            # idle wait are timed alone first, on an empty stream, and taken off.
            print("bench: the writer ...", file=sys.stderr, flush=True)
            db = work / "cluster.db"
            saved = [fields for _, fields in client.xrange(RESULTS)]
            client.delete(RESULTS)
            overhead = ingest(server, work / "empty.db")
            with client.pipeline(transaction=False) as pipe:
                for fields in saved:
                    pipe.xadd(RESULTS, fields)
                pipe.execute()
            seconds = ingest(server, db) - overhead
            with sqlite3.connect(db) as conn:
                stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            results["writer"] = {
                "results_per_s": len(saved) / seconds,
                "articles": stored,
                "db_bytes_per_article": db.stat().st_size / max(stored, 1),
            }
            # Redis memory: the duplicate filter, and pages waiting for enrichment.
            client.flushall()
            empty = memory(client)
            with client.pipeline(transaction=False) as pipe:
                for number in range(1_000_000):
                    pipe.sadd(
                        "vnnews:tuyengiao:dupefilter", hashlib.sha1(b"%d" % number).hexdigest()
                    )
                    if number % 10_000 == 9_999:
                        pipe.execute()
                pipe.execute()
            results["redis_bytes_per_million_urls"] = memory(client) - empty
            client.flushall()
            empty = memory(client)
            with client.pipeline(transaction=False) as pipe:
                for fields in entries[:1000]:
                    pipe.xadd(PAGES, fields)
                pipe.execute()
            per_page = (memory(client) - empty) / min(len(entries), 1000)
            results["redis_bytes_per_thousand_pages"] = per_page * 1000
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="minutes")
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    replace_between(DOC, "<!-- cluster-table -->", "<!-- /cluster-table -->", table)
    print(table)


def markdown(r: dict) -> str:
    m = r["machine"]
    c, e, w = r["crawlers"], r["enrichers"], r["writer"]
    rows = [
        ("crawler workers, enrichment off (pages handed to Redis)",
         f"one: {c['one']:.0f} pages/s", f"three: {c['three']:.0f} pages/s", f"{c['ratio']:.2f}×"),
        ("enrichment workers (parse + enrich)",
         f"one: {e['one']:.1f} pages/s", f"two: {e['two']:.1f} pages/s", f"{e['ratio']:.2f}×"),
        ("the writer (`vnnews ingest`)", f"{w['results_per_s']:.0f} results/s", "—", "—"),
        ("SQLite, raw pages and enrichment kept",
         f"{w['db_bytes_per_article'] / 1024:.1f} KB/article",
         f"{w['db_bytes_per_article'] * 1e6 / 2**30:.1f} GB per million articles", "—"),
        ("Redis, duplicate filter",
         f"{r['redis_bytes_per_million_urls'] / 2**20:.0f} MB per million URLs", "—", "—"),
        ("Redis, pages waiting for enrichment",
         f"{r['redis_bytes_per_thousand_pages'] / 2**20:.1f} MB per thousand pages", "—", "—"),
    ]  # fmt: skip
    head = (
        f"Measured {r['measured_at']} on {m['cpu']}, {m['cores']} cores (every worker, the "
        f"mirror and Redis on the same machine), {r['pages']} generated tuyengiao pages."
    )
    table = ["| what | measured | with more workers | ratio |", "|---|---|---|---|"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join([head, "", *table])


if __name__ == "__main__":
    main()
