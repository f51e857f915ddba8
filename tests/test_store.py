"""The SQLite file: schema version, WAL, idempotent writes, raw pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from pipelines.migrations import SCHEMA_VERSION, SchemaTooNew
from pipelines.parse import parse_article
from pipelines.store import open_db, store_article, store_page, stored_page
from schemas.article import Article
from schemas.page import FetchedPage
from scraper.profiles import get_profile
from tests.conftest import SNAPSHOT, expected

CASE = SNAPSHOT / "articles" / "148402"


@pytest.fixture
def fresh_db(tmp_path: Path) -> Database:
    return open_db(tmp_path / "test.db")


@pytest.fixture
def article() -> Article:
    html = (CASE / "page.html").read_text(encoding="utf-8")
    return parse_article(html, expected(CASE)["url"], get_profile("tuyengiao"))


def fetched(html: str = "<html>x</html>") -> FetchedPage:
    return FetchedPage(
        url="https://tuyengiao.vn/x-148402",
        fetched_from="http://127.0.0.1/x-148402",
        site="tuyengiao",
        status=200,
        fetched_at=datetime(2024, 7, 16, tzinfo=UTC),
        html=html,
    )


def test_new_database_has_schema_version_and_wal(fresh_db: Database) -> None:
    assert fresh_db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert fresh_db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert set(fresh_db.table_names()) >= {"articles", "images", "pages", "runs", "failures"}


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    open_db(tmp_path / "a.db").close()
    db = open_db(tmp_path / "a.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_version_1_database_is_migrated_and_keeps_its_rows(
    tmp_path: Path, article: Article
) -> None:
    from pipelines.migrations import MIGRATIONS

    old = Database(tmp_path / "v1.db")
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old["articles"].insert(
        {
            "url": "https://tuyengiao.vn/a-148001",
            "site": "tuyengiao",
            "title": "Tin cũ",
            "body": "Nội dung.",
            "content_sha256": "x",
            "first_seen_at": "2024-01-01T00:00:00+00:00",
        }
    )
    old.close()
    db = open_db(tmp_path / "v1.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    row = next(db["articles"].rows)
    assert (row["title"], row["enriched_at"]) == ("Tin cũ", None)
    assert db["mentions"].count == 0


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = Database(tmp_path / "future.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(SchemaTooNew, match="schema version 99 is newer"):
        open_db(tmp_path / "future.db")


def test_store_article_is_idempotent(fresh_db: Database, article: Article) -> None:
    page_id = store_page(fresh_db, fetched())
    assert store_article(fresh_db, article, page_id) == "new"
    before = list(fresh_db["articles"].rows), list(fresh_db["images"].rows)
    assert store_article(fresh_db, article, page_id) == "unchanged"
    assert (list(fresh_db["articles"].rows), list(fresh_db["images"].rows)) == before


def test_changed_article_is_updated_in_place(fresh_db: Database, article: Article) -> None:
    store_article(fresh_db, article, None)
    edited = article.model_copy(
        update={"title": "Lào Cai: Thu ngân sách 9 tháng đạt 6.234 tỷ đồng"}
    )
    assert store_article(fresh_db, edited, None) == "updated"
    rows = list(fresh_db["articles"].rows)
    assert len(rows) == 1
    assert rows[0]["title"] == "Lào Cai: Thu ngân sách 9 tháng đạt 6.234 tỷ đồng"
    assert fresh_db["images"].count == 1


def test_article_row_values(fresh_db: Database, article: Article) -> None:
    store_article(fresh_db, article, None)
    row = next(fresh_db["articles"].rows)
    assert row["url"] == expected(CASE)["url"]
    assert row["site"] == "tuyengiao"
    assert row["published_at"] == "2023-10-06T16:20:00+07:00"
    assert json.loads(row["authors"]) == ["Thu Hằng"]
    assert json.loads(row["tags"]) == ["Lào Cai", "thu ngân sách", "kinh tế - xã hội"]
    image = next(fresh_db["images"].rows)
    assert image["article_id"] == row["id"]
    assert image["caption"] == "Quang cảnh phiên họp thường kỳ tháng 9 của UBND tỉnh Lào Cai."


def test_raw_page_kept_compressed_once(fresh_db: Database) -> None:
    html = (CASE / "page.html").read_text(encoding="utf-8")
    first = store_page(fresh_db, fetched(html))
    assert store_page(fresh_db, fetched(html)) == first
    assert fresh_db["pages"].count == 1
    assert stored_page(fresh_db.conn, first).html == html
    stored = fresh_db.execute("SELECT length(html) FROM pages").fetchone()[0]
    assert stored < len(html.encode("utf-8")) / 2
    assert store_page(fresh_db, fetched(html + "<!-- edited -->")) != first


def test_version_2_database_gains_search_and_views(tmp_path: Path, article: Article) -> None:
    from pipelines.migrations import MIGRATIONS
    from pipelines.search import search_articles

    old = Database(tmp_path / "v2.db")
    MIGRATIONS[0](old)
    MIGRATIONS[1](old)
    old.execute("PRAGMA user_version = 2")
    old.close()
    db = open_db(tmp_path / "v2.db")
    store_article(db, article, None)
    assert [h.title for h in search_articles(db, "Lao Cai thu ngan sach")] == [article.title]
    assert {"article_people", "article_provinces", "province_figures", "article_list"} <= set(
        db.view_names()
    )


def test_version_5_failures_become_one_row_per_url(tmp_path: Path) -> None:
    from pipelines.migrations import MIGRATIONS

    path = tmp_path / "v5.db"
    old = Database(path)
    for migration in MIGRATIONS[:5]:
        migration(old)
    old.execute("PRAGMA user_version = 5")
    old["runs"].insert_all(
        [{"id": n, "site": "qdnd", "command": "crawl", "started_at": "x"} for n in (1, 2)]
    )
    gone = "https://www.qdnd.vn/chinh-tri/tin-tuc/bai-da-go-800001"
    old["failures"].insert_all(
        [  # the same 404 seen by two runs, and one parse failure
            {
                "run_id": 1,
                "site": "qdnd",
                "url": gone,
                "stage": "fetch",
                "reason": "HTTP 503",
                "status": 503,
                "at": "2026-10-01T03:15:00+00:00",
            },
            {
                "run_id": 2,
                "site": "qdnd",
                "url": gone,
                "stage": "fetch",
                "reason": "HTTP 404",
                "status": 404,
                "at": "2026-10-02T03:15:00+00:00",
            },
            {
                "run_id": 2,
                "site": "qdnd",
                "url": "https://www.qdnd.vn/video/1",
                "stage": "parse",
                "reason": "no qdnd layout",
                "status": 200,
                "at": "2026-10-02T03:16:00+00:00",
            },
        ]
    )
    old.conn.commit()
    db = open_db(path)
    rows = {row["url"]: row for row in db["failures"].rows}
    assert len(rows) == 2
    assert {key: rows[gone][key] for key in ("reason", "status", "attempts", "run_id")} == {
        "reason": "HTTP 404",  # the latest failure's
        "status": 404,
        "attempts": 2,
        "run_id": 2,
    }
    assert (rows[gone]["first_seen"], rows[gone]["last_seen"]) == (
        "2026-10-01T03:15:00+00:00",
        "2026-10-02T03:15:00+00:00",
    )
    assert rows[gone]["state"] == "retrying"  # due at once: the next run tries it
    assert rows[gone]["retry_after"] == rows[gone]["last_seen"]
