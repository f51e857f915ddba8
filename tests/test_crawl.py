"""End to end: the real Scrapy engine, through the CLI, against the loopback mirror."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from scraper.mirror import Mirror
from tests.conftest import ROOT, SNAPSHOT, article_cases, crawl, expected, run, stored_images

SEED_URL = (
    "https://tuyengiao.vn/"
    "chu-trong-khen-thuong-lao-dong-truc-tiep-cac-tap-the-o-vung-sau-vung-bien-gioi-148318"
)


def snapshot_rows(db: Database) -> dict[str, list[dict]]:
    return {table: list(db[table].rows) for table in ("articles", "images", "pages", "failures")}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, mirror: Mirror) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("crawl") / "tuyengiao.db"
    result = run("vnnews", "crawl", "tuyengiao", "--db", str(path), "--base-url", mirror.url)
    return path, result


def test_crawl_exits_0_and_reports(crawled: tuple[Path, object]) -> None:
    _, result = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        "tuyengiao: 10 new, 0 updated, 0 unchanged, 2 failures; finished: finished" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_every_article_of_the_snapshot_is_stored(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    urls = {row["url"] for row in db["articles"].rows}
    assert urls == {expected(case)["url"] for case in article_cases()}
    assert db["articles"].count == 10
    assert {row["site"] for row in db["articles"].rows} == {"tuyengiao"}


def test_stored_rows_equal_the_expected_outputs(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    for case in article_cases():
        want = expected(case)
        row = next(db["articles"].rows_where("url = ?", [want["url"]]))
        assert row["title"] == want["title"]
        assert row["published_at"] == want["published_at"]
        assert row["body"] == want["body"]
        assert json.loads(row["authors"]) == want["authors"]
        assert stored_images(db, row["id"]) == want["images"]


def test_seed_article_in_the_database(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    row = next(db["articles"].rows_where("url = ?", [SEED_URL]))
    assert row["title"] == (
        "Chú trọng khen thưởng lao động trực tiếp, các tập thể ở vùng sâu, vùng biên giới"
    )
    assert row["published_at"] == "2023-03-20T14:36:00+07:00"
    assert row["category"] == "Tuyên giáo các cấp"
    assert row["body"].startswith("Tham dự có đại diện lãnh đạo Ủy ban nhân dân 7 tỉnh")
    assert row["body"].endswith("cụm thi đua 7 tỉnh miền núi biên giới phía Bắc năm 2022.")
    for label in ("Phản hồi", "Các tin khác", "Thư viện ảnh", "Liên kết website", "Mới nhất"):
        assert label not in row["body"]
    images = list(db["images"].rows_where("article_id = ?", [row["id"]], order_by="position"))
    assert len(images) == 4
    for image in images:
        assert image["caption"] not in row["body"]
    assert images[0]["caption"] == images[2]["caption"]
    assert json.loads(row["authors"]) == ["Xuân Tư"]
    assert row["agency"] == "TTXVN"


def test_raw_html_is_kept_as_fetched(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    row = next(db["pages"].rows_where("url = ?", [SEED_URL]))
    html = zlib.decompress(row["html"]).decode("utf-8")
    assert html == (SNAPSHOT / "articles" / "148318" / "page.html").read_text(encoding="utf-8")
    assert row["status"] == 200
    assert row["fetched_from"].startswith("http://127.0.0.1:")
    article = next(db["articles"].rows_where("url = ?", [SEED_URL]))
    assert article["page_id"] == row["id"]


def test_failures_are_recorded_with_reasons(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    failures = {row["url"]: row for row in db["failures"].rows}
    gallery = failures["https://tuyengiao.vn/thu-vien-anh/sac-mau-le-hoi-hoa-ban-150201"]
    assert gallery["stage"] == "parse"
    assert "no tuyengiao layout" in gallery["reason"]
    removed = failures[
        "https://tuyengiao.vn/van-hoa-xa-hoi/tuan-van-hoa-the-thao-dan-toc-mong-147777"
    ]
    assert (removed["stage"], removed["reason"], removed["status"]) == ("fetch", "HTTP 404", 404)
    assert len(failures) == 2
    for row in failures.values():  # tried again after six hours (VNNEWS_RETRY_BACKOFF_HOURS)
        assert (row["run_id"], row["attempts"], row["state"]) == (1, 1, "retrying")
        waited = datetime.fromisoformat(row["retry_after"]) - datetime.fromisoformat(
            row["last_seen"]
        )
        assert waited == timedelta(hours=6)


def test_robots_txt_is_obeyed(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    stats = json.loads(next(db["runs"].rows)["stats"])
    assert stats["robotstxt/forbidden"] == 1  # the /print/ copy linked from a listing
    assert not list(db["pages"].rows_where("url LIKE '%/print/%'"))


def test_run_is_recorded(crawled: tuple[Path, object]) -> None:
    db = Database(crawled[0])
    run_row = next(db["runs"].rows)
    assert run_row["site"] == "tuyengiao"
    assert run_row["finish_reason"] == "finished"
    assert run_row["articles_new"] == 10
    assert run_row["pages_fetched"] == 11  # ten articles and the gallery page
    assert run_row["failures"] == 2
    stats = json.loads(run_row["stats"])
    assert stats["vnnews/listing/pages"] == 9
    assert "python-requests" not in stats.get("user_agent", "")


def test_second_crawl_adds_and_changes_nothing(
    crawled: tuple[Path, object], mirror: Mirror, tmp_path: Path
) -> None:
    path = tmp_path / "again.db"
    path.write_bytes(crawled[0].read_bytes())
    before = snapshot_rows(Database(path))
    failures_before = len(before["failures"])
    # --full fetches everything again: identical pages change nothing.
    result = crawl(path, mirror.url, "--full")
    assert "0 new, 0 updated, 10 unchanged" in result.stderr
    after = snapshot_rows(Database(path))
    for table in ("articles", "images", "pages"):
        assert after[table] == before[table], table
    # The same two pages fail again: still one row each, with a second attempt counted.
    assert len(after["failures"]) == failures_before == 2
    assert [row["attempts"] for row in after["failures"]] == [2, 2]
    assert all(row["first_seen"] <= row["last_seen"] for row in after["failures"])
    assert Database(path)["runs"].count == 2


def test_incremental_run_fetches_only_what_is_new(
    crawled: tuple[Path, object], mirror: Mirror, tmp_path: Path
) -> None:
    path = tmp_path / "cron.db"
    path.write_bytes(crawled[0].read_bytes())
    before = snapshot_rows(Database(path))
    result = crawl(path, mirror.url)  # exit 0: nothing new is not a failure
    assert "0 new, 0 updated, 0 unchanged" in result.stderr
    stats = json.loads(list(Database(path)["runs"].rows)[-1]["stats"])
    assert stats["vnnews/articles/known_skipped"] >= 11  # ten articles and the gallery page
    assert stats["vnnews/listing/caught_up"] >= 1  # a page of known articles ends a listing
    assert stats.get("vnnews/recheck/requests", 0) == 0  # nothing published in the last 7 days
    after = snapshot_rows(Database(path))
    for table in ("articles", "images", "pages"):
        assert after[table] == before[table], table


def test_recheck_refetches_stored_articles_from_the_database(
    crawled: tuple[Path, object], mirror: Mirror, tmp_path: Path
) -> None:
    path = tmp_path / "recheck.db"
    path.write_bytes(crawled[0].read_bytes())
    result = crawl(path, mirror.url, "--recheck")
    assert "0 new, 0 updated, 10 unchanged" in result.stderr
    stats = json.loads(list(Database(path)["runs"].rows)[-1]["stats"])
    assert stats["vnnews/recheck/requests"] == 10
    assert stats.get("vnnews/listing/pages", 0) == 0  # not from listings


def test_recheck_window_from_the_environment(
    crawled: tuple[Path, object], mirror: Mirror, tmp_path: Path
) -> None:
    path = tmp_path / "window.db"
    path.write_bytes(crawled[0].read_bytes())
    # A window reaching back to 2019 covers every stored article.
    result = run(
        "vnnews",
        "crawl",
        "tuyengiao",
        "--db",
        str(path),
        "--base-url",
        mirror.url,
        env={"VNNEWS_RECHECK_DAYS": "4000"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    stats = json.loads(list(Database(path)["runs"].rows)[-1]["stats"])
    assert stats["vnnews/recheck/requests"] == 10


def test_single_url(mirror: Mirror, tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    crawl(path, mirror.url, "--url", SEED_URL)
    db = Database(path)
    assert [row["url"] for row in db["articles"].rows] == [SEED_URL]
    assert json.loads(next(db["runs"].rows)["stats"]).get("vnnews/listing/pages") is None


def test_max_articles_limits_the_crawl(mirror: Mirror, tmp_path: Path) -> None:
    path = tmp_path / "few.db"
    crawl(path, mirror.url, "--max-articles", "3")
    db = Database(path)
    stats = json.loads(next(db["runs"].rows)["stats"])
    assert stats["vnnews/article_requests"] == 3
    fetched_or_failed = db["articles"].count + db["failures"].count
    assert fetched_or_failed + stats.get("robotstxt/forbidden", 0) == 3


def test_max_pages_1_reads_only_first_listing_pages(mirror: Mirror, tmp_path: Path) -> None:
    path = tmp_path / "p1.db"
    crawl(path, mirror.url, "--max-pages", "1")
    stats = json.loads(next(Database(path)["runs"].rows)["stats"])
    assert stats["vnnews/listing/pages"] == 8  # page 1 of each of the eight sections
    urls = {row["url"] for row in Database(path)["articles"].rows}
    assert (
        "https://tuyengiao.vn/kinh-te/son-la-xuat-khau-nong-san-6-thang-dau-nam-dat-98-trieu-usd-148733"
        in urls
    )


def test_scrapy_crawl_from_the_repository_root(mirror: Mirror, tmp_path: Path) -> None:
    path = tmp_path / "scrapy.db"
    result = run(
        "scrapy",
        "crawl",
        "tuyengiao",
        "-s",
        f"VNNEWS_BASE_URL={mirror.url}",
        "-s",
        f"VNNEWS_DB={path}",
        "-s",
        "LOG_LEVEL=INFO",
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert Database(path)["articles"].count == 10
    listed = run("scrapy", "list", cwd=ROOT)
    assert listed.stdout.split() == [
        "baochinhphu",
        "dangcongsan",
        "generic",
        "nhandan",
        "qdnd",
        "tapchicongsan",
        "tuyengiao",
    ]


def test_unreachable_portal_exits_1_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "dead.db"
    # A loopback port nobody listens on: every request fails fast.
    result = run(
        "vnnews",
        "crawl",
        "tuyengiao",
        "--db",
        str(path),
        "--base-url",
        "http://127.0.0.1:9",
        "-s",
        "RETRY_TIMES=0",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "0 new" in result.stderr


def test_malformed_pages_are_recorded_and_the_crawl_goes_on(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (site / "garbage.html").write_bytes(b"\x00\xff<html><h1 class='story-headline'>\xc3(")
    (site / "untitled.html").write_text(
        '<div class="flex-fill"><h1 class="story-headline">  </h1>'
        '<div class="story-body"><p>Nội dung</p></div></div>',
        encoding="utf-8",
    )
    (site / "listing.html").write_text(
        '<div class="clearfix"><a href="/tin-hong-100001">a</a><a href="/tin-trong-100002">b</a>'
        '<a href="/chu-trong-khen-thuong-100003">c</a></div>',
        encoding="utf-8",
    )
    seed = (SNAPSHOT / "articles" / "148318" / "page.html").read_bytes()
    (site / "seed.html").write_bytes(
        seed.replace(SEED_URL.encode(), b"https://tuyengiao.vn/chu-trong-khen-thuong-100003")
    )
    (site / "index.json").write_text(
        json.dumps(
            {
                "routes": {
                    "/robots.txt": "robots.txt",
                    "/tuyen-giao-cac-cap?page=1": "listing.html",
                    "/tin-hong-100001": "garbage.html",
                    "/tin-trong-100002": "untitled.html",
                    "/chu-trong-khen-thuong-100003": "seed.html",
                }
            }
        )
    )
    path = tmp_path / "bad.db"
    with Mirror(site) as server:
        result = crawl(path, server.url, "--max-pages", "1")
    assert "Traceback" not in result.stderr
    db = Database(path)
    assert [row["url"] for row in db["articles"].rows] == [
        "https://tuyengiao.vn/chu-trong-khen-thuong-100003"
    ]
    reasons = {row["url"].rsplit("/", 1)[1]: row["reason"] for row in db["failures"].rows}
    assert "no tuyengiao layout" in reasons["tin-hong-100001"]
    assert "title is empty" in reasons["tin-trong-100002"]
    assert db["pages"].count == 3  # bad pages are kept too, for a later re-parse
