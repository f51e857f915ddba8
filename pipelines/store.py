"""The store stage: articles, raw pages, runs and failures in one SQLite file.

Plain functions over a sqlite-utils Database. Writes are idempotent: storing the same page or
the same article again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlite_utils import Database

from pipelines.errors import VnnewsError
from pipelines.migrations import SCHEMA_VERSION, migrate
from schemas.article import Article
from schemas.enrichment import Enrichment
from schemas.page import FetchedPage

Outcome = Literal["new", "updated", "unchanged"]


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) a vnnews database at the latest schema, in WAL mode."""
    db = Database(path)
    # A reader (Datasette) or another portal's crawl may hold the file for a moment: wait.
    db.execute("PRAGMA busy_timeout = 10000")
    db.enable_wal()
    # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits,
    # which the next run fetches again. FULL would fsync every page stored.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)
    return db


class DatabaseUnusable(VnnewsError):
    pass


def open_db_readonly(path: str | Path) -> Database:
    """Open an existing vnnews database for reading; a missing file or another schema
    version is a DatabaseUnusable with what to do about it."""
    location = Path(path)
    if not location.is_file():
        raise DatabaseUnusable(f"{path}: no such database (crawl into it first, or pass --db)")
    try:
        conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=10)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise DatabaseUnusable(f"{path}: cannot read: {exc}") from None
    if version != SCHEMA_VERSION:
        conn.close()
        older = "older" if version < SCHEMA_VERSION else "newer"
        advice = (
            f"upgrade it with: vnnews reprocess --db {path}"
            if version < SCHEMA_VERSION
            else "upgrade vnnews"
        )
        raise DatabaseUnusable(
            f"{path}: schema version {version} is {older} than this "
            f"vnnews's ({SCHEMA_VERSION}); {advice}"
        )
    return Database(conn)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_page(db: Database, page: FetchedPage) -> int:
    """Keep the raw HTML (compressed); a page identical to a stored one is not stored again."""
    data = page.html.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    existing = db.execute(
        "SELECT id FROM pages WHERE url = ? AND sha256 = ?", [page.url, digest]
    ).fetchone()
    if existing:
        return int(existing[0])
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO pages (url, site, status, fetched_at, fetched_from, sha256, html) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                page.url,
                page.site,
                page.status,
                page.fetched_at.isoformat(timespec="seconds"),
                page.fetched_from,
                digest,
                zlib.compress(data, 6),
            ],
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def article_row(article: Article) -> dict[str, object]:
    """The `articles` columns that come from parsing (lists as JSON arrays)."""
    return {
        "url": article.url,
        "site": article.site,
        "layout": article.layout,
        "title": article.title,
        "sapo": article.sapo,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "category": article.category,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "agency": article.agency,
        "body": article.body,
        "tags": json.dumps(article.tags, ensure_ascii=False),
    }


def store_article(db: Database, article: Article, page_id: int | None) -> Outcome:
    """Insert or update the article (and its images) by URL; unchanged content is not written."""
    row = article_row(article)
    images = [img.model_dump() for img in article.images]
    digest = hashlib.sha256(
        json.dumps([row, images], ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    existing = db.execute(
        "SELECT id, content_sha256, title, sapo, body, updated_at, removed_at "
        "FROM articles WHERE url = ?",
        [article.url],
    ).fetchone()
    if existing and existing[1] == digest:
        if existing[6]:  # it answered again, unchanged: it is back
            with db.atomic():
                db.execute(
                    "UPDATE articles SET removed_at = NULL, removed_reason = NULL WHERE id = ?",
                    [existing[0]],
                )
        return "unchanged"
    now = utc_now()
    with db.atomic():
        if existing:
            article_id = int(existing[0])
            _keep_revision(db, existing, row, now)
            db.table("articles").update(
                article_id,
                {
                    **row,
                    "page_id": page_id,
                    "content_sha256": digest,
                    "updated_at": now,
                    "removed_at": None,
                    "removed_reason": None,
                },
            )
            db.execute("DELETE FROM images WHERE article_id = ?", [article_id])
        else:
            inserted = db.table("articles").insert(
                {
                    **row,
                    "page_id": page_id,
                    "content_sha256": digest,
                    "first_seen_at": now,
                    "updated_at": now,
                }
            )
            article_id = int(inserted.last_pk)  # type: ignore[arg-type]
        db.table("images").insert_all(
            {"article_id": article_id, "position": n, **image} for n, image in enumerate(images)
        )
    return "updated" if existing else "new"


def _keep_revision(db: Database, old: tuple, new: dict[str, object], now: str) -> None:
    """The version being replaced goes to `revisions`, with which text fields changed."""
    article_id, digest, title, sapo, body, seen_from = old[:6]
    changed = [
        name
        for name, value in (("title", title), ("sapo", sapo), ("body", body))
        if new[name] != value
    ] or ["images or metadata"]
    db.table("revisions").insert(
        {
            "article_id": article_id,
            "seen_from": seen_from,
            "replaced_at": now,
            "changed": json.dumps(changed),
            "title": title,
            "sapo": sapo,
            "body": body,
            "content_sha256": digest,
        }
    )


def mark_removed(db: Database, url: str, reason: str) -> bool:
    """A stored article that now answers 404/410 or redirects away: dated, its last copy
    kept. Returns whether `url` was a stored article (not already marked)."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE articles SET removed_at = ?, removed_reason = ? "
            "WHERE url = ? AND removed_at IS NULL",
            [utc_now(), reason, url],
        )
    return cursor.rowcount > 0


def start_run(
    db: Database, site: str, command: str, args: dict[str, object], alone: bool = True
) -> int:
    """A new `runs` row. When the run is `alone` (the caller holds the lock of `site` and
    `command`), unfinished runs of that command and site were killed: they are marked
    interrupted. The workers of a distributed crawl run side by side: not alone."""
    with db.atomic():
        if alone:
            db.execute(
                "UPDATE runs SET finish_reason = 'interrupted' WHERE site = ? AND command = ? "
                "AND finished_at IS NULL AND finish_reason IS NULL",
                [site, command],
            )
        inserted = db.table("runs").insert(
            {
                "site": site,
                "command": command,
                "started_at": utc_now(),
                "args": json.dumps(args, ensure_ascii=False, default=str),
            }
        )
    return int(inserted.last_pk)  # type: ignore[arg-type]


def worker_run(db: Database, worker: str) -> int | None:
    """The `runs` row of a distributed crawl's worker (named in its args), if recorded."""
    row = db.execute(
        "SELECT id FROM runs WHERE json_extract(args, '$.worker') = ? ORDER BY id DESC LIMIT 1",
        [worker],
    ).fetchone()
    return int(row[0]) if row else None


def finish_run(db: Database, run_id: int, finish_reason: str, stats: dict[str, object]) -> None:
    counts = {
        "pages_fetched": stats.get("vnnews/pages", 0),
        "articles_new": stats.get("vnnews/articles/new", 0),
        "articles_updated": stats.get("vnnews/articles/updated", 0),
        "articles_unchanged": stats.get("vnnews/articles/unchanged", 0),
        "failures": stats.get("vnnews/failures", 0),
        "articles_removed": stats.get("vnnews/articles/removed", 0),
    }
    with db.atomic():
        db.table("runs").update(
            run_id,
            {
                "finished_at": utc_now(),
                "finish_reason": finish_reason,
                **counts,
                "stats": json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
            },
        )


def record_exit(db: Database, run_id: int, exit_code: int, problem: str | None) -> None:
    """The exit status the command gave for this run, and why when it was not 0."""
    with db.atomic():
        db.execute(
            "UPDATE runs SET exit_code = ?, problem = ? WHERE id = ?", [exit_code, problem, run_id]
        )


def store_enrichment(db: Database, article_id: int, enrichment: Enrichment) -> None:
    """Replace the article's mentions and figures with these (never adds to old ones)."""
    with db.atomic():
        db.execute("DELETE FROM mentions WHERE article_id = ?", [article_id])
        db.execute("DELETE FROM figures WHERE article_id = ?", [article_id])
        entity_ids: dict[tuple[str, str], int] = {}
        mentions = []
        for mention in enrichment.mentions:
            identity = (mention.kind, mention.key)
            if identity not in entity_ids:
                entity_ids[identity] = _entity_id(
                    db, mention.kind, mention.key, mention.name, mention.province_2025
                )
            mentions.append(
                {
                    "article_id": article_id,
                    "entity_id": entity_ids[identity],
                    "field": mention.field,
                    "start": mention.start,
                    "end": mention.end,
                    "surface": mention.surface,
                    "role": "; ".join(mention.roles) or None,
                    "sentence": mention.sentence,
                }
            )
        db.table("mentions").insert_all(mentions)
        db.table("figures").insert_all(
            {"article_id": article_id, **figure.model_dump()} for figure in enrichment.figures
        )
        db.execute("UPDATE articles SET enriched_at = ? WHERE id = ?", [utc_now(), article_id])


def _entity_id(db: Database, kind: str, key: str, name: str, province_2025: str | None) -> int:
    row = db.execute("SELECT id FROM entities WHERE kind = ? AND key = ?", [kind, key]).fetchone()
    if row:
        return int(row[0])
    cursor = db.execute(
        "INSERT INTO entities (kind, key, name, province_2025) VALUES (?, ?, ?, ?)",
        [kind, key, name, province_2025],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def find_article_id(db: Database, url: str) -> int | None:
    row = db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
    return int(row[0]) if row else None


def is_enriched(db: Database, url: str) -> bool:
    row = db.execute("SELECT enriched_at FROM articles WHERE url = ?", [url]).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class StoredState:
    """What an incremental run needs to know about one portal in the database."""

    articles: dict[str, str | None]  # stored article URLs → publication time
    settled: set[str]  # failed URLs not due for another attempt (backoff, or given up)
    due: list[str]  # failed URLs whose next attempt is due
    unenriched: list[int]  # page ids of stored articles never enriched (an interrupted run)
    # The previous crawl of the portal ran to its end: listings may stop at known articles.
    caught_up: bool = True


def stored_state(db_path: str | Path, site: str) -> StoredState:
    """Read what is stored for `site`; empty when the database does not exist yet."""
    if not Path(db_path).is_file():
        return StoredState({}, set(), [], [])
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "articles" not in tables:
            return StoredState({}, set(), [], [])
        articles = dict(
            conn.execute(
                "SELECT a.url, a.published_at FROM articles a WHERE a.site = ?", [site]
            ).fetchall()
        )
        # An article's page may be stored under the URL it was fetched by.
        fetched = dict(
            conn.execute(
                "SELECT p.url, a.published_at FROM articles a JOIN pages p ON p.id = a.page_id "
                "WHERE a.site = ?",
                [site],
            ).fetchall()
        )
        settled: set[str] = set()
        due: list[str] = []
        if "retry_after" in {row[1] for row in conn.execute("PRAGMA table_info(failures)")}:
            now = utc_now()
            for url, state, retry_after in conn.execute(
                "SELECT url, state, retry_after FROM failures "
                "WHERE site = ? AND state != 'resolved' ORDER BY id",
                [site],
            ):
                if state == "retrying" and retry_after <= now:
                    due.append(url)
                else:
                    settled.add(url)
        last = conn.execute(
            "SELECT finish_reason FROM runs WHERE site = ? AND command = 'crawl' "
            "ORDER BY id DESC LIMIT 1",
            [site],
        ).fetchone()
        failing = settled | set(due)  # those are retried as a whole, fetch included
        unenriched = [
            int(page_id)
            for page_id, url in conn.execute(
                "SELECT page_id, url FROM articles WHERE site = ? AND enriched_at IS NULL "
                "AND page_id IS NOT NULL ORDER BY id",
                [site],
            )
            if url not in failing
        ]
    finally:
        conn.close()
    # Killed, timed out or stopped: articles further down the listings may never have been
    # fetched, so the next run reads the listings to their page limit.
    caught_up = last is None or last[0] == "finished"
    return StoredState({**articles, **fetched}, settled, due, unenriched, caught_up)


def stored_page(conn: sqlite3.Connection, page_id: int, replayed: bool = False) -> FetchedPage:
    """A stored raw page, as it was fetched."""
    row = conn.execute(
        "SELECT url, fetched_from, site, status, fetched_at, html FROM pages WHERE id = ?",
        [page_id],
    ).fetchone()
    if row is None:
        raise KeyError(f"no stored page {page_id}")
    return FetchedPage(
        url=row[0],
        fetched_from=row[1] or row[0],
        site=row[2],
        status=row[3],
        fetched_at=datetime.fromisoformat(row[4]),
        html=zlib.decompress(row[5]).decode("utf-8"),
        replayed=replayed,
    )


def stored_pages(db_path: str | Path, page_ids: list[int]) -> Iterator[FetchedPage]:
    """Stored raw pages to run through parse and enrich again, one at a time (they may be
    many), from a read-only connection of their own."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        for page_id in page_ids:
            yield stored_page(conn, page_id, replayed=True)
    finally:
        conn.close()
