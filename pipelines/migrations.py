"""Schema migrations, numbered by `PRAGMA user_version`.

Each migration takes the database from version N-1 to N. Never edit a released migration:
add the next one. docs/schema.md describes the schema at the latest version.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from pipelines.errors import VnnewsError


def _v1_initial(db: Database) -> None:
    db.table("runs").create(
        {
            "id": int,
            "site": str,
            "command": str,
            "args": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "pages_fetched": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "failures": int,
            "stats": str,
        },
        pk="id",
        not_null={"site", "command", "started_at"},
    )
    db.table("pages").create(
        {
            "id": int,
            "url": str,
            "site": str,
            "status": int,
            "fetched_at": str,
            "fetched_from": str,
            "sha256": str,
            "html": bytes,
        },
        pk="id",
        not_null={"url", "site", "status", "fetched_at", "sha256", "html"},
    )
    db.table("pages").create_index(["url", "sha256"], unique=True)
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "site": str,
            "layout": str,
            "title": str,
            "sapo": str,
            "published_at": str,
            "category": str,
            "authors": str,
            "agency": str,
            "body": str,
            "tags": str,
            "page_id": int,
            "content_sha256": str,
            "first_seen_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"url", "site", "title", "body", "content_sha256", "first_seen_at"},
        foreign_keys=[("page_id", "pages", "id")],
    )
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["site", "published_at"])
    db.table("images").create(
        {"article_id": int, "position": int, "src": str, "caption": str},
        pk=("article_id", "position"),
        not_null={"src"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("failures").create(
        {
            "id": int,
            "run_id": int,
            "site": str,
            "url": str,
            "stage": str,
            "reason": str,
            "status": int,
            "at": str,
        },
        pk="id",
        not_null={"url", "stage", "reason", "at"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("failures").create_index(["url"])


def _v2_enrichment(db: Database) -> None:
    """Who, where, how much: entities, their mentions, and figures (the enrich stage)."""
    db.table("articles").add_column("enriched_at", str)
    db.table("entities").create(
        {"id": int, "kind": str, "key": str, "name": str, "province_2025": str},
        pk="id",
        not_null={"kind", "key", "name"},
    )
    db.table("entities").create_index(["kind", "key"], unique=True)
    db.table("entities").create_index(["name"])
    db.table("mentions").create(
        {
            "id": int,
            "article_id": int,
            "entity_id": int,
            "field": str,
            "start": int,
            "end": int,
            "surface": str,
            "role": str,
            "sentence": str,
        },
        pk="id",
        not_null={"article_id", "entity_id", "field", "start", "end", "surface"},
        foreign_keys=[("article_id", "articles", "id"), ("entity_id", "entities", "id")],
    )
    db.table("mentions").create_index(["article_id"])
    db.table("mentions").create_index(["entity_id"])
    db.table("figures").create(
        {
            "id": int,
            "article_id": int,
            "field": str,
            "start": int,
            "end": int,
            "text": str,
            "value": float,
            "unit": str,
            "counted": str,
            "qualifier": str,
            "province": str,
            "sentence": str,
        },
        pk="id",
        not_null={"article_id", "field", "start", "end", "text", "value", "unit"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("figures").create_index(["article_id"])
    db.table("figures").create_index(["province", "unit"])


def _fold_d(column: str) -> str:
    # No SQLite tokenizer folds đ to d; the search copy does it in SQL, so any writer keeps it.
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def _v3_search(db: Database) -> None:
    """Full-text search: a đ-folded copy of each article, indexed by FTS5 with
    `unicode61 remove_diacritics 2`, kept in sync by triggers; entity names too; and the
    views researchers query most."""
    db.table("articles_search").create({"id": int, "title": str, "sapo": str, "body": str}, pk="id")
    folded = ", ".join(_fold_d(f"new.{c}") for c in ("title", "sapo", "body"))
    db.executescript(f"""
        INSERT INTO articles_search (id, title, sapo, body)
            SELECT id, {_fold_d("title")}, {_fold_d("sapo")}, {_fold_d("body")} FROM articles;
        CREATE TRIGGER articles_to_search_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_search (id, title, sapo, body) VALUES (new.id, {folded});
        END;
        CREATE TRIGGER articles_to_search_au AFTER UPDATE ON articles BEGIN
            DELETE FROM articles_search WHERE id = old.id;
            INSERT INTO articles_search (id, title, sapo, body) VALUES (new.id, {folded});
        END;
        CREATE TRIGGER articles_to_search_ad AFTER DELETE ON articles BEGIN
            DELETE FROM articles_search WHERE id = old.id;
        END;
    """)
    db.table("articles_search").enable_fts(
        ["title", "sapo", "body"], tokenize="unicode61 remove_diacritics 2", create_triggers=True
    )
    db.table("entities").enable_fts(
        ["name", "key"], tokenize="unicode61 remove_diacritics 2", create_triggers=True
    )
    db.executescript("""
        CREATE VIEW article_people AS
            SELECT a.id AS article_id, a.published_at, a.site, a.title, a.url,
                   e.id AS person_id, e.name AS person, m.role, m.sentence
            FROM mentions m JOIN entities e ON e.id = m.entity_id
            JOIN articles a ON a.id = m.article_id WHERE e.kind = 'person';
        CREATE VIEW article_provinces AS
            SELECT a.id AS article_id, a.published_at, a.site, a.title, a.url,
                   e.id AS province_id, e.name AS province, e.province_2025,
                   count(*) AS mentions
            FROM mentions m JOIN entities e ON e.id = m.entity_id
            JOIN articles a ON a.id = m.article_id WHERE e.kind = 'province'
            GROUP BY a.id, e.id;
        CREATE VIEW article_list AS
            SELECT id, substr(published_at, 1, 10) AS day, substr(published_at, 1, 7) AS month,
                   site, category, title, authors, agency, url
            FROM articles;
        CREATE VIEW province_figures AS
            SELECT f.province, substr(a.published_at, 1, 4) AS year, f.text, f.value, f.unit,
                   f.counted, f.qualifier, f.sentence, a.published_at, a.title, a.url, a.site
            FROM figures f JOIN articles a ON a.id = f.article_id
            WHERE f.province IS NOT NULL;
    """)


def _v4_revisions(db: Database) -> None:
    """Silent edits and removals are findings: earlier versions are kept, removals dated."""
    db.table("articles").add_column("removed_at", str)
    db.table("articles").add_column("removed_reason", str)
    db.table("revisions").create(
        {
            "id": int,
            "article_id": int,
            "seen_from": str,
            "replaced_at": str,
            "changed": str,
            "title": str,
            "sapo": str,
            "body": str,
            "content_sha256": str,
        },
        pk="id",
        not_null={"article_id", "replaced_at", "changed"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("revisions").create_index(["article_id"])


def _v5_run_outcome(db: Database) -> None:
    """What cron saw: each run's exit code and how many stored articles it found removed."""
    db.table("runs").add_column("exit_code", int)
    db.table("runs").add_column("articles_removed", int)
    db.table("runs").add_column("problem", str)


def _v6_failures_per_url(db: Database) -> None:
    """One failures row per URL, with its attempts, so later runs retry it with backoff and
    give up; the per-run rows of earlier versions are folded into it (latest reason kept).

    One SQL script inside BEGIN/COMMIT: a kill during the upgrade leaves version 5 intact."""
    db.executescript("""
        BEGIN;
        CREATE TABLE failures_v6 (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            site TEXT,
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            status INTEGER,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            state TEXT NOT NULL,
            retry_after TEXT,
            resolved_at TEXT,
            run_id INTEGER REFERENCES runs(id)
        );
        INSERT INTO failures_v6 (url, site, stage, reason, status, first_seen, last_seen,
                                 attempts, state, retry_after, run_id)
            SELECT f.url, f.site, f.stage, f.reason, f.status, g.first_seen, g.last_seen,
                   g.attempts, 'retrying', g.last_seen, f.run_id
            FROM failures f JOIN (
                SELECT max(id) AS id, min(at) AS first_seen, max(at) AS last_seen,
                       count(*) AS attempts
                FROM failures GROUP BY url
            ) g ON g.id = f.id
            ORDER BY g.first_seen;
        DROP TABLE failures;
        ALTER TABLE failures_v6 RENAME TO failures;
        CREATE UNIQUE INDEX idx_failures_url ON failures (url);
        CREATE INDEX idx_failures_state_retry_after ON failures (state, retry_after);
        PRAGMA user_version = 6;
        COMMIT;
    """)


MIGRATIONS: list[Callable[[Database], None]] = [
    _v1_initial,
    _v2_enrichment,
    _v3_search,
    _v4_revisions,
    _v5_run_outcome,
    _v6_failures_per_url,
]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(VnnewsError):
    pass


def migrate(db: Database) -> int:
    """Bring `db` to SCHEMA_VERSION; return the version it had before."""
    before = db.execute("PRAGMA user_version").fetchone()[0]
    if before > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}: schema version {before} "
            f"is newer than this vnnews understands ({SCHEMA_VERSION}); upgrade vnnews"
        )
    for version in range(before + 1, SCHEMA_VERSION + 1):
        with db.conn:
            MIGRATIONS[version - 1](db)
            db.execute(f"PRAGMA user_version = {version}")
    return before
