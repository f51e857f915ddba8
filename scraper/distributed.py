"""Commands of a crawl spread over machines: seed, enrich-worker, ingest, cluster.

(`vnnews crawl SITE --redis URL` is the crawler worker; see docs/distributed.md.)
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from pipelines.errors import VnnewsError
from scraper.cli import (
    ConfigError,
    _known_site,
    _usable_db,
    _writer_lock,
    check_redis,
    cli,
    db_option,
    idle_option,
)


def redis_option(function: Any) -> Any:
    return click.option(
        "--redis",
        "redis_url",
        required=True,
        envvar="VNNEWS_REDIS_URL",
        metavar="URL",
        help="The Redis of the crawl, e.g. redis://host:6379/0 (env: VNNEWS_REDIS_URL).",
    )(function)


@cli.command()
@click.argument("site")
@redis_option
@click.option(
    "--base-url", help="Fetch from this origin instead (a mirror); URLs stay the portal's."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only articles published on or after this date (YYYY-MM-DD), for this seeding.",
)
def seed(site: str, redis_url: str, base_url: str | None, since: datetime | None) -> None:
    """Queue SITE's listings, feeds and sitemaps for the crawler workers.

    \b
    Examples:
      vnnews seed tuyengiao --redis redis://queue.lan:6379/0
      vnnews seed nhandan --redis redis://queue.lan:6379/0 --since 2024-01-01
    """
    from scraper.cluster import seed as seed_queue

    _known_site(site)
    check_redis(redis_url)
    count = seed_queue(site, redis_url, base_url, since.date() if since else None)
    click.echo(f"{site}: {count} start requests queued at {redis_url}", err=True)


@cli.command("enrich-worker")
@redis_option
@idle_option
@click.option("--batch", type=click.IntRange(min=1), default=8, show_default=True)
@click.option(
    "--claim-after",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Take over pages another worker took this long ago without finishing.",
)
@click.option(
    "--max-waiting",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Hold back while this many results wait for the writer.",
)
def enrich_worker(
    redis_url: str, idle_exit: float | None, batch: int, claim_after: float, max_waiting: int
) -> None:
    """Parse and enrich fetched pages from Redis; one process per core.

    \b
    Examples:
      vnnews enrich-worker --redis redis://queue.lan:6379/0
    """
    from scraper.cluster import enrich_worker as serve

    check_redis(redis_url)
    counts = _serving(lambda: serve(redis_url, idle_exit, batch, claim_after, max_waiting))
    click.echo(
        f"enrich-worker: {counts['vnnews/parse/ok']} articles, "
        f"{counts['vnnews/parse/failed']} pages without one, "
        f"{counts['vnnews/dead']} unreadable entries",
        err=True,
    )


@cli.command()
@redis_option
@db_option()
@idle_option
def ingest(redis_url: str, db_path: str, idle_exit: float | None) -> None:
    """Write the results of the workers into the database: the one writer.

    \b
    Examples:
      vnnews ingest --redis redis://queue.lan:6379/0 --db vnnews.db
    """
    from pipelines.failures import RetryPolicy
    from pipelines.store import open_db
    from scraper.cluster import ingest as serve
    from scraper.runner import crawl_settings

    check_redis(redis_url)
    _usable_db(db_path)
    policy = RetryPolicy.from_settings(crawl_settings())
    with _writer_lock(db_path, "ingest"), open_db(db_path) as db:
        counts = _serving(lambda: serve(redis_url, db, idle_exit, policy))
    click.echo(
        f"ingest: {counts['vnnews/articles/new']} new, {counts['vnnews/articles/updated']} "
        f"updated, {counts['vnnews/articles/unchanged']} unchanged, "
        f"{counts['vnnews/failures']} failures → {db_path}",
        err=True,
    )


@cli.command()
@redis_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def cluster(redis_url: str, as_json: bool) -> None:
    """Queues, unfinished work and the workers seen in the last minute.

    \b
    Examples:
      vnnews cluster --redis redis://queue.lan:6379/0
    """
    from scraper.cluster import status

    check_redis(redis_url)
    shown = status(redis_url)
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for site, queue in shown["sites"].items():
        click.echo(
            f"{site:<14} {queue['queued']:>8} requests queued, {queue['in_flight']} in flight, "
            f"{queue['seen']} URLs seen"
        )
    for key, stream in shown["streams"].items():
        click.echo(f"{key:<14} {stream['length']:>8} entries, {stream['pending']} taken, not done")
    for worker in shown["workers"]:
        state = "alive" if worker["alive"] else f"gone ({worker.get('stopped', 'killed?')})"
        rate = f"{worker['per_second']}/s" if worker["per_second"] is not None else "-"
        click.echo(
            f"{worker['name']:<32} {worker['role']:<7} {worker['site']:<12} "
            f"{worker['done']:>7} done {rate:>8}  {state}"
        )


def _serving(run: Any) -> Any:
    """Run a worker loop; Redis lost for good is one line and exit 1, not a traceback."""
    from scraper.queues import RedisUnavailable

    try:
        return run()
    except RedisUnavailable as exc:
        click.echo(f"vnnews: {exc}", err=True)
        sys.exit(1)
    except VnnewsError as exc:
        raise ConfigError(str(exc)) from None
