"""Search and explore from the command line, with or without diacritics."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from pipelines.search import BadQuery, fts_query
from tests.conftest import run

SEED_TITLE = "Chú trọng khen thưởng lao động trực tiếp, các tập thể ở vùng sâu, vùng biên giới"


def search(db: Path, *args: str) -> list[dict]:
    result = run("vnnews", "search", *args, "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("query", ["Le Thanh Do", "Lê Thành Đô", "LÊ THÀNH ĐÔ", "le thanh do"])
def test_a_name_with_or_without_diacritics(demo_db: Path, query: str) -> None:
    hits = search(demo_db, query)
    assert [hit["title"] for hit in hits] == [SEED_TITLE]
    assert "[Lê Thành Đô]" in hits[0]["snippet"]
    assert set(hits[0]) >= {"url", "site", "title", "published_at", "snippet", "score"}


def test_dien_bien_and_dang(demo_db: Path) -> None:
    dien_bien = {hit["title"] for hit in search(demo_db, "Dien Bien")}
    assert SEED_TITLE in dien_bien and "Điện Biên: Khai mạc Lễ hội Hoa Ban năm 2024" in dien_bien
    assert {h["url"] for h in search(demo_db, "Dang")} == {
        h["url"] for h in search(demo_db, "Đảng")
    }
    assert len(search(demo_db, "Đảng")) >= 3


def test_filters_and_csv(demo_db: Path) -> None:
    assert search(demo_db, "Điện Biên", "--since", "2024-01-01") == [
        h for h in search(demo_db, "Điện Biên") if h["published_at"] >= "2024-01-01"
    ]
    assert search(demo_db, "Điện Biên", "--site", "nhandan") == []
    result = run("vnnews", "search", "ngân sách", "--db", str(demo_db), "--csv", "--limit", "2")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2 and rows[0]["url"].startswith("https://tuyengiao.vn/")


@pytest.mark.parametrize(
    "text",
    [
        '"unclosed',
        "a AND (b OR",
        "x*",
        "-minus",
        "NEAR(a b)",
        "'; DROP TABLE articles; --",
        "a" * 10_000,
    ],
)
def test_user_input_never_breaks_the_query(demo_db: Path, text: str) -> None:
    # "--" ends the options, as for any command line: "-minus" is then a query.
    result = run("vnnews", "search", "--db", str(demo_db), "--", text)
    assert result.returncode == 0, result.stderr
    assert Database(demo_db)["articles"].count == 10


@pytest.mark.parametrize("text", ["", "   ", "!!! ... ???"])
def test_a_query_without_words_is_a_usage_error(demo_db: Path, text: str) -> None:
    result = run("vnnews", "search", text, "--db", str(demo_db))
    assert result.returncode == 2
    assert "the query has no words to search for" in result.stderr
    with pytest.raises(BadQuery):
        fts_query(text)


def test_fts_query_forms() -> None:
    assert fts_query("Lê Thành Đô") == '"Lê Thành Dô"'
    assert fts_query('"Điện Biên" ngân') == '"Diện Biên" "ngân"'
    assert fts_query("a OR b") == '"a OR b"'


def test_missing_and_outdated_databases(tmp_path: Path) -> None:
    missing = run("vnnews", "search", "x", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no such database" in missing.stderr
    old = Database(tmp_path / "old.db")
    old.execute("PRAGMA user_version = 2")
    old.close()
    outdated = run("vnnews", "entity", "x", "--db", str(tmp_path / "old.db"))
    assert outdated.returncode == 2
    assert "schema version 2 is older" in outdated.stderr and "Traceback" not in outdated.stderr


def test_entity_report(demo_db: Path) -> None:
    result = run("vnnews", "entity", "le thanh do", "--db", str(demo_db), "--json")
    report = json.loads(result.stdout)
    assert (report["name"], report["kind"]) == ("Lê Thành Đô", "person")
    assert len(report["mentions"]) == 3
    assert report["mentions"][0]["title"] == SEED_TITLE
    assert report["mentions"][0]["role"].startswith("Chủ tịch UBND tỉnh Điện Biên")
    assert set(report) == {"name", "kind", "mentions", "co_mentioned", "figures"}


def test_province_entity_has_its_figures(demo_db: Path) -> None:
    report = json.loads(
        run(
            "vnnews", "entity", "Lao Cai", "--kind", "province", "--db", str(demo_db), "--json"
        ).stdout
    )
    assert report["name"] == "Lào Cai"
    budget = next(f for f in report["figures"] if f["text"] == "6.234 tỷ đồng")
    assert budget["value"] == 6234000000000 and budget["unit"] == "VND"
    co = {
        c["name"]
        for c in json.loads(
            run("vnnews", "entity", "Pham Van Quang", "--db", str(demo_db), "--json").stdout
        )["co_mentioned"]
    }
    assert co == set()  # named alone


def test_unknown_entity_exits_1(demo_db: Path) -> None:
    result = run("vnnews", "entity", "Không Có Ai", "--db", str(demo_db))
    assert result.returncode == 1 and "no entity named" in result.stderr


def test_figures_command(demo_db: Path) -> None:
    result = run(
        "vnnews",
        "figures",
        "--db",
        str(demo_db),
        "--province",
        "Lào Cai",
        "--unit",
        "VND",
        "--json",
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["province"] for r in rows} == {"Lào Cai"}
    assert any(r["text"] == "6.234 tỷ đồng" and r["value"] == 6234000000000 for r in rows)
    counted = run("vnnews", "figures", "--db", str(demo_db), "--counted", "xã", "--json")
    assert {json.loads(line)["counted"] for line in counted.stdout.splitlines()} == {"xã"}


def test_export_streams_every_row(demo_db: Path) -> None:
    lines = run("vnnews", "export", "--db", str(demo_db)).stdout.splitlines()
    assert len(lines) == 10 and json.loads(lines[0])["url"].startswith("https://tuyengiao.vn/")
    since = run("vnnews", "export", "--db", str(demo_db), "--since", "2024-01-01").stdout
    assert len(since.splitlines()) == 2
    figures = run(
        "vnnews", "export", "--db", str(demo_db), "--table", "province_figures", "--format", "csv"
    ).stdout
    assert next(csv.DictReader(io.StringIO(figures)))["province"]
    bad = run("vnnews", "export", "--db", str(demo_db), "--table", "nope")
    assert bad.returncode == 2 and "no table or view named 'nope'" in bad.stderr


def test_search_stays_in_sync_with_articles(tmp_path: Path) -> None:
    from pipelines.search import search_articles
    from pipelines.store import open_db

    db = open_db(tmp_path / "sync.db")
    db["articles"].insert(
        {
            "url": "https://x.vn/a-1",
            "site": "x",
            "title": "Đảng bộ tỉnh",
            "body": "Nội dung.",
            "content_sha256": "1",
            "first_seen_at": "now",
        }
    )
    assert [h.title for h in search_articles(db, "dang bo")] == ["Đảng bộ tỉnh"]
    db["articles"].update(1, {"title": "Tin khác"})
    assert search_articles(db, "dang bo") == []
    db["articles"].delete(1)
    assert db["articles_search"].count == 0
