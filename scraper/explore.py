"""Commands that read the database: search, entity, figures, export, serve."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime
from typing import Any

import click

from pipelines.errors import VnnewsError
from scraper.cli import ConfigError, cli, db_option
from scraper.output import emit

FORMATS = click.Choice(["table", "json", "csv"])
DATE = click.DateTime(formats=["%Y-%m-%d"])


def _format_option(function: Any) -> Any:
    function = click.option("--csv", "fmt", flag_value="csv", help="CSV output.")(function)
    function = click.option("--json", "fmt", flag_value="json", help="One JSON object per line.")(
        function
    )
    return click.option(
        "--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format."
    )(function)


def _open(db_path: str):  # type: ignore[no-untyped-def]
    from pipelines.store import open_db_readonly

    try:
        return open_db_readonly(db_path)
    except VnnewsError as exc:
        raise ConfigError(str(exc)) from None


def _day(value: datetime | None):  # type: ignore[no-untyped-def]
    return value.date() if value else None


def _run(action):  # type: ignore[no-untyped-def]
    """Turn expected failures into one line and an exit code, never a traceback."""
    try:
        return action()
    except VnnewsError as exc:
        raise click.UsageError(str(exc)) from None
    except sqlite3.OperationalError as exc:
        raise click.ClickException(f"database error: {exc}") from None


@cli.command()
@click.argument("query")
@db_option()
@click.option("--site", help="Only this portal.")
@click.option("--since", type=DATE, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@_format_option
def search(
    query: str,
    db_path: str,
    site: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """Full-text search, with or without diacritics; best hits first.

    A name of two to five words is searched as a phrase; put words in double quotes to
    make a phrase yourself.

    \b
    Examples:
      vnnews search "Le Thanh Do"
      vnnews search "ngân sách" --site tuyengiao --since 2023-01-01 --json
    """
    from pipelines.search import search_articles

    db = _open(db_path)
    hits = _run(lambda: search_articles(db, query, site, _day(since), _day(until), limit))
    rows = [
        {
            "published_at": (h.published_at or "")[:16],
            "site": h.site,
            "title": h.title,
            "url": h.url,
            "snippet": h.snippet,
            "score": round(h.score, 3),
        }
        for h in hits
    ]
    if (
        emit(
            rows,
            ["published_at", "site", "title", "snippet", "url", "score"],
            fmt,
            {"title": 50, "snippet": 70, "url": 40},
        )
        == 0
        and fmt == "table"
    ):
        click.echo(f"No article matches {query!r}.", err=True)


@cli.command()
@click.argument("name")
@db_option()
@click.option("--kind", type=click.Choice(["person", "province", "organization"]))
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
def entity(name: str, db_path: str, kind: str | None, as_json: bool) -> None:
    """A person, province or organisation: where it is named, with whom, which figures.

    Matching ignores diacritics and case: "le thanh do" finds Lê Thành Đô.

    \b
    Examples:
      vnnews entity "Le Thanh Do"
      vnnews entity "Lào Cai" --kind province --json
    """
    import json

    from pipelines.search import entity_report, find_entities

    db = _open(db_path)
    found = _run(lambda: find_entities(db, name, kind))
    if not found:
        raise click.ClickException(f"no {kind or 'entity'} named {name!r} in {db_path}")
    report = entity_report(db, found[0])
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, default=str))
        return
    others = ", ".join(f"{e['name']} ({e['kind']})" for e in found[1:])
    click.echo(
        f"{report['name']} ({report['kind']}), named {len(report['mentions'])} times"
        + (f"; also matching: {others}" if others else "")
    )
    emit(
        [{**m, "published_at": (m["published_at"] or "")[:10]} for m in report["mentions"]],
        ["published_at", "title", "role", "sentence"],
        "table",
        {"title": 40, "role": 40, "sentence": 80},
    )
    if report["co_mentioned"]:
        click.echo("\nNamed in the same articles:")
        emit(report["co_mentioned"], ["name", "count"], "table")
    if report["figures"]:
        click.echo("\nFigures reported for it:")
        emit(
            report["figures"],
            ["published_at", "text", "value", "unit", "sentence"],
            "table",
            {"sentence": 70},
        )


@cli.command()
@db_option()
@click.option("--province", help="The province the figure is about (any spelling).")
@click.option("--counted", help="What is counted, e.g. xã, tập thể.")
@click.option("--unit", help="VND, USD, %, count, km, ha, tấn, ...")
@click.option("--since", type=DATE, help="Published on or after (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=100, show_default=True)
@_format_option
def figures(
    db_path: str,
    province: str | None,
    counted: str | None,
    unit: str | None,
    since: datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """Figures (money, percentages, counts, measures) with the articles they come from.

    \b
    Examples:
      vnnews figures --province "Lao Cai" --unit VND
      vnnews figures --counted xã --csv > xa.csv
    """
    from pipelines.search import find_entities

    db = _open(db_path)
    where, params = [], {}
    if province:
        names = [e["name"] for e in _run(lambda: find_entities(db, province, "province"))]
        if not names:
            raise click.ClickException(f"no province named {province!r} in {db_path}")
        where.append("f.province = :province")
        params["province"] = names[0]
    for column, value in (("counted", counted), ("unit", unit)):
        if value:
            where.append(f"f.{column} = :{column}")
            params[column] = value
    if since:
        where.append("a.published_at >= :since")
        params["since"] = since.date().isoformat()
    sql = (
        "SELECT substr(a.published_at, 1, 10) AS published_at, f.province, f.text, f.value, "
        "f.unit, f.counted, f.qualifier, f.sentence, a.title, a.url FROM figures f "
        "JOIN articles a ON a.id = f.article_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.published_at, f.id LIMIT :limit"
    )
    cursor = _run(lambda: db.execute(sql, {**params, "limit": limit}))
    names = [d[0] for d in cursor.description]
    rows = (dict(zip(names, row, strict=True)) for row in cursor)
    emit(
        rows,
        ["published_at", "province", "text", "value", "unit", "counted", "url"]
        if fmt == "table"
        else names,
        fmt,
        {"url": 50},
    )


@cli.command()
@db_option()
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--table", default="articles", show_default=True, help="Any table or view.")
@click.option("--since", type=DATE, help="Rows of articles published on or after.")
def export(db_path: str, fmt: str, table: str, since: datetime | None) -> None:
    """Stream a table or view as JSON lines or CSV, a row at a time.

    \b
    Examples:
      vnnews export > articles.jsonl
      vnnews export --table province_figures --format csv > figures.csv
    """
    from pipelines.search import iter_rows

    db = _open(db_path)
    rows = _run(lambda: iter_rows(db, table, _day(since)))
    first = next(rows, None)
    if first is None:
        return
    columns = list(first)

    def all_rows():  # type: ignore[no-untyped-def]
        yield first
        yield from rows

    emit(all_rows(), columns, "json" if fmt == "jsonl" else "csv")


@cli.command()
@db_option()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
def serve(db_path: str, host: str, port: int) -> None:
    """Explore the database in Datasette (read-only): facets, search, canned queries.

    \b
    Example:
      vnnews serve --db vnnews-demo.db      # then open http://127.0.0.1:8001
    """
    import os

    from scraper.datasette_config import datasette_command

    _open(db_path).close()  # a clear message for a missing or out-of-date file
    command = datasette_command(db_path, host, port)
    sys.stdout.flush()
    os.execv(command[0], command)


@cli.command()
@db_option()
@click.option("--since", type=DATE, help="Changes seen on or after (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def changes(db_path: str, since: datetime | None, as_json: bool) -> None:
    """Silent edits and removals: each earlier version against the next, word by word.

    Words removed are shown [-like this-], words added {+like this+}.

    \b
    Examples:
      vnnews changes --db vnnews.db --since 2026-01-01
    """
    import json

    from pipelines.changes import list_changes

    db = _open(db_path)
    for change in _run(lambda: list_changes(db, _day(since))):
        if as_json:
            click.echo(json.dumps(change, ensure_ascii=False))
            continue
        click.echo(f"{change['at'][:16]}  {change['kind']:<7} {change['title']}\n  {change['url']}")
        for field, diff in change.get("diffs", {}).items():
            click.echo(f"  {field}: {diff}")
        if change["kind"] == "removed":
            click.echo(f"  {change['reason']}")


@cli.command()
@db_option()
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@_format_option
def runs(db_path: str, limit: int, fmt: str) -> None:
    """The latest runs: what each fetched, stored and failed, and the exit code cron got.

    \b
    Example:
      vnnews runs --db vnnews.db --limit 5
    """
    db = _open(db_path)
    cursor = _run(
        lambda: db.execute(
            "SELECT id, site, command, started_at, finished_at, finish_reason, exit_code, problem, "
            "pages_fetched, articles_new, articles_updated, articles_unchanged, articles_removed, "
            "failures FROM runs ORDER BY id DESC LIMIT ?",
            [limit],
        )
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    emit(
        rows,
        [
            "id",
            "site",
            "command",
            "started_at",
            "exit_code",
            "pages_fetched",
            "articles_new",
            "articles_updated",
            "articles_unchanged",
            "articles_removed",
            "failures",
            "problem",
        ]
        if fmt == "table"
        else names,
        fmt,
        {"started_at": 19, "problem": 50},
    )


@cli.command()
@db_option()
@click.option("--run", "run_id", type=int, help="Only those this run saw last.")
@click.option(
    "--state",
    type=click.Choice(["retrying", "gave up", "resolved", "all"]),
    default=None,
    help="Only these (default: all but resolved).",
)
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=50, show_default=True)
@_format_option
def failures(db_path: str, run_id: int | None, state: str | None, limit: int, fmt: str) -> None:
    """URLs that gave no article: stage, reason, attempts, and when the next one is due.

    A failed URL is tried again by later runs with backoff (VNNEWS_RETRY_BACKOFF_HOURS,
    doubling) and given up after VNNEWS_MAX_ATTEMPTS failures; it is resolved once it works.

    \b
    Examples:
      vnnews failures --db vnnews.db
      vnnews failures --db vnnews.db --state "gave up" --csv
    """
    db = _open(db_path)
    clauses: list[str] = []
    params: list[object] = []
    if run_id:
        clauses.append("run_id = ?")
        params.append(run_id)
    if state is None:
        clauses.append("state != 'resolved'")
    elif state != "all":
        clauses.append("state = ?")
        params.append(state)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    cursor = _run(
        lambda: db.execute(
            "SELECT id, run_id, site, url, stage, status, reason, attempts, state, first_seen, "
            f"last_seen, retry_after, resolved_at FROM failures {where} "
            "ORDER BY last_seen DESC, id DESC LIMIT ?",
            [*params, limit],
        )
    )
    names = [d[0] for d in cursor.description]
    emit(
        (dict(zip(names, row, strict=True)) for row in cursor),
        ["last_seen", "stage", "status", "attempts", "state", "retry_after", "reason", "url"]
        if fmt == "table"
        else names,
        fmt,
        {"last_seen": 19, "retry_after": 19, "reason": 40, "url": 70},
    )
