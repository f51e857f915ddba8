"""Entities, mentions and figures in SQLite: replaced on re-enrichment, never duplicated."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from sqlite_utils import Database

from pipelines.enrich import enrich_article
from pipelines.migrations import SCHEMA_VERSION
from pipelines.parse import parse_article
from pipelines.store import open_db, store_article, store_enrichment
from scraper.mirror import Mirror
from scraper.profiles import get_profile
from tests.conftest import SNAPSHOT, crawl, expected, run

SEED = SNAPSHOT / "articles" / "148318"


def seed_article():
    html = (SEED / "page.html").read_text(encoding="utf-8")
    return parse_article(html, expected(SEED)["url"], get_profile("tuyengiao"))


def test_schema_version_2_adds_the_tables(tmp_path: Path) -> None:
    db = open_db(tmp_path / "v2.db")
    assert SCHEMA_VERSION >= 2
    assert {"entities", "mentions", "figures"} <= set(db.table_names())
    assert "enriched_at" in db["articles"].columns_dict


def test_re_enriching_replaces_mentions_and_figures(tmp_path: Path) -> None:
    db = open_db(tmp_path / "e.db")
    article = seed_article()
    store_article(db, article, None)
    enrichment = enrich_article(article)
    store_enrichment(db, 1, enrichment)
    counts = db["mentions"].count, db["figures"].count, db["entities"].count
    store_enrichment(db, 1, enrichment)
    assert (db["mentions"].count, db["figures"].count, db["entities"].count) == counts
    assert db["figures"].count == 20  # 10 × "7 tỉnh" and 10 others
    person = next(db["entities"].rows_where("kind = 'person'"))
    assert person["name"] == "Lê Thành Đô"
    roles = [row["role"] for row in db["mentions"].rows_where("entity_id = ?", [person["id"]])]
    assert (
        "Chủ tịch UBND tỉnh Điện Biên; Trưởng Cụm thi đua 7 tỉnh miền núi biên giới phía Bắc"
        in roles
    )
    ha_giang = next(db["entities"].rows_where("kind = 'province' AND name = 'Hà Giang'"))
    assert ha_giang["province_2025"] == "Tuyên Quang"
    budget = next(db["figures"].rows_where("text = '33.191 tỷ đồng'"))
    assert budget["value"] == 33191000000000 and budget["unit"] == "VND"
    mention = next(db["mentions"].rows_where("surface = 'Hà Giang'"))
    body = next(db["articles"].rows)["body"]
    assert body[mention["start"] : mention["end"]] == "Hà Giang"


def test_crawl_stores_enrichment_and_no_enrich_does_not(mirror: Mirror, tmp_path: Path) -> None:
    seed_url = expected(SEED)["url"]
    on, off = tmp_path / "on.db", tmp_path / "off.db"
    for path, flag in ((on, "--enrich"), (off, "--no-enrich")):
        crawl(path, mirror.url, "--url", seed_url, flag)
    enriched = Database(on)
    assert [r["name"] for r in enriched["entities"].rows_where("kind = 'person'")] == [
        "Lê Thành Đô"
    ]
    assert next(enriched["articles"].rows)["enriched_at"]
    assert Database(off)["mentions"].count == 0
    assert next(Database(off)["articles"].rows)["enriched_at"] is None


def test_reprocess_reparses_and_enriches_without_duplicates(mirror: Mirror, tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    crawl(path, mirror.url, "--no-enrich")
    assert Database(path)["mentions"].count == 0
    first = run("vnnews", "reprocess", "--db", str(path))
    assert first.returncode == 0, first.stderr[-2000:]
    assert "11 pages: 0 new, 0 updated, 10 unchanged articles, 1 failures" in first.stderr
    db = Database(path)
    mentions, figures = db["mentions"].count, db["figures"].count
    assert mentions > 50 and figures > 50
    again = run("vnnews", "reprocess", "--db", str(path), "--site", "tuyengiao")
    assert again.returncode == 0
    assert (db["mentions"].count, db["figures"].count) == (mentions, figures)
    runs = [row["command"] for row in db["runs"].rows]
    assert runs == ["crawl", "reprocess", "reprocess"]
    assert json.loads(list(db["runs"].rows)[1]["args"])["pages"] == 11


def test_enrichment_goes_to_the_workers_in_batches(mirror: Mirror, tmp_path: Path) -> None:
    """Ten articles, batches of four: 4 + 4 go when full, the last 2 when the wait ends. Each
    article's mentions are those enriching it alone, in this process, gives."""
    path = tmp_path / "batches.db"
    crawl(path, mirror.url, "-s", "VNNEWS_ENRICH_BATCH=4", "-s", "VNNEWS_ENRICH_BATCH_WAIT=3")
    db = Database(path)
    stats = json.loads(db.execute("SELECT stats FROM runs").fetchone()[0])
    assert (stats["vnnews/enrich/ok"], stats["vnnews/enrich/batches"]) == (10, 3)
    profile = get_profile("tuyengiao")
    for row in db.query(
        "SELECT a.id, a.url, p.html FROM articles a JOIN pages p ON p.id = a.page_id"
    ):
        html = zlib.decompress(row["html"]).decode("utf-8")
        alone = enrich_article(parse_article(html, row["url"], profile))
        stored = db.execute(
            "SELECT e.kind, e.key, m.field, m.start, m.end FROM mentions m "
            "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ?",
            [row["id"]],
        ).fetchall()
        assert sorted(stored) == sorted(
            (m.kind, m.key, m.field, m.start, m.end) for m in alone.mentions
        )
        assert db["figures"].count_where("article_id = ?", [row["id"]]) == len(alone.figures)
