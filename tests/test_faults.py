"""Fault injection: crawls in a row against a mirror that answers 5xx, hangs, cuts bodies
short, drops connections and loops redirects — and one run killed with SIGKILL."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from sqlite_utils import Database

from pipelines.store import open_db
from tests.conftest import (
    BIN,
    FIXTURES,
    ROOT,
    article_cases,
    assert_each_article_once,
    crawl_args,
    expected,
)
from tests.conftest import crawl as crawl_tuyengiao
from tests.faults import Fault, FaultyMirror, windows_1258

SNAPSHOT = FIXTURES / "tuyengiao"
PORTAL = "https://tuyengiao.vn"
BUDGET = "/thoi-su-chinh-tri/lao-cai-thu-ngan-sach-9-thang-dat-hon-6-200-ty-dong-148402"
AWARDS = "/chu-trong-khen-thuong-lao-dong-truc-tiep-cac-tap-the-o-vung-sau-vung-bien-gioi-148318"
DAK_LAK = (
    "/hoc-va-lam-theo-bac/"
    "dak-lak-lan-toa-sau-rong-viec-hoc-tap-va-lam-theo-tu-tuong-dao-duc-phong-cach-ho-chi-minh-148650"
)
CAO_BANG = "/khoa-giao/cao-bang-trao-250-suat-hoc-bong-cho-hoc-sinh-ngheo-vuot-kho-149002"
SON_LA = "/kinh-te/son-la-xuat-khau-nong-san-6-thang-dau-nam-dat-98-trieu-usd-148733"
REPORTERS = "/nhip-cau-tuyen-giao/nang-cao-chat-luong-doi-ngu-bao-cao-vien-co-so-120544"
AROUND = "/tuyen-giao-cac-cap/ha-giang-hoi-nghi-ban-chap-hanh-dang-bo-tinh-lan-thu-15-148801"
UNDATED = (
    "/bao-ve-nen-tang-tu-tuong-cua-dang/"
    "nhan-dien-va-dau-tranh-voi-cac-luan-dieu-xuyen-tac-ve-dan-chu-nhan-quyen-o-viet-nam-113371"
)

# Fast faults: two seconds to time out, two retries a tenth of a second apart, and across
# runs no backoff and two attempts before giving up, so a few runs show the whole cycle.
FAST = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2", "-s", "VNNEWS_RETRY_DELAY=0.1"]
CYCLE = {"VNNEWS_RETRY_BACKOFF_HOURS": "0", "VNNEWS_MAX_ATTEMPTS": "2"}


def crawl(db: Path, mirror: FaultyMirror, *extra: str, env: dict[str, str] | None = None) -> dict:
    """One cron run, without enrichment: exit code 0 expected; returns the run's stats."""
    crawl_tuyengiao(db, mirror.url, "--no-enrich", *FAST, *extra, env=env)
    return last_stats(db)


def last_stats(db: Path) -> dict:
    return json.loads(Database(db).execute("SELECT stats FROM runs ORDER BY id DESC").fetchone()[0])


def failures(db: Path) -> dict[str, dict]:
    return {r["url"].removeprefix(PORTAL): r for r in Database(db)["failures"].rows}


def stored(db: Path) -> set[str]:
    return {r["url"].removeprefix(PORTAL) for r in Database(db)["articles"].rows}


def test_every_fault_ends_as_a_failure_retried_then_given_up(tmp_path: Path) -> None:
    db = tmp_path / "faults.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        mirror.faults = {
            BUDGET: Fault("status", 503, times=2),  # a bad minute: the third try works
            AWARDS: Fault("status", 500),
            DAK_LAK: Fault("hang", seconds=5),
            CAO_BANG: Fault("truncate"),
            SON_LA: Fault("loop"),
            REPORTERS: Fault("drop"),
        }
        first = crawl(db, mirror, env=CYCLE)
        assert mirror.hits[BUDGET] == 3 and BUDGET in stored(db)
        assert first["vnnews/retry/waited"] >= 2  # retries waited (VNNEWS_RETRY_DELAY)
        assert len(stored(db)) == 5  # ten articles, five of them broken
        failed = failures(db)
        assert failed[AWARDS]["reason"] == "HTTP 500" and failed[AWARDS]["status"] == 500
        assert "Timeout" in failed[DAK_LAK]["reason"]
        assert "DataLoss" in failed[CAO_BANG]["reason"]
        assert "redirections" in failed[SON_LA]["reason"]
        assert failed[REPORTERS]["stage"] == "fetch" and failed[REPORTERS]["status"] is None
        for path in (AWARDS, DAK_LAK, CAO_BANG, SON_LA, REPORTERS):
            assert (failed[path]["attempts"], failed[path]["state"]) == (1, "retrying"), path
        for path in (AWARDS, DAK_LAK, CAO_BANG, REPORTERS):
            assert mirror.hits[path] == 3, path  # the first try and RETRY_TIMES=2 retries
        assert mirror.hits[SON_LA] == 21  # followed until REDIRECT_MAX_TIMES (20), not retried

        # Next run: the portal has fixed one page; the others fail a second time.
        del mirror.faults[CAO_BANG]
        second = crawl(db, mirror, env=CYCLE)
        assert second["vnnews/failures/retried"] == 7  # five faults, the gallery, the 404
        failed = failures(db)
        assert CAO_BANG in stored(db)
        assert failed[CAO_BANG]["state"] == "resolved" and failed[CAO_BANG]["resolved_at"]
        for path in (AWARDS, DAK_LAK, SON_LA, REPORTERS):
            assert (failed[path]["attempts"], failed[path]["state"]) == (2, "gave up"), path
            assert failed[path]["retry_after"] is None
        assert second["vnnews/failures/gave_up"] == 6  # and the gallery and the 404

        # Given up: later runs leave them alone, even once they work again...
        mirror.faults.clear()
        hits = mirror.hits.copy()
        third = crawl(db, mirror, env=CYCLE)
        assert "vnnews/failures/retried" not in third
        assert all(mirror.hits[path] == hits[path] for path in (AWARDS, DAK_LAK, SON_LA))
        assert len(stored(db)) == 6

        # ...until an operator asks for everything with --full.
        crawl(db, mirror, "--full", env=CYCLE)
    assert len(stored(db)) == 10
    states = {path: row["state"] for path, row in failures(db).items()}
    assert [states[p] for p in (AWARDS, DAK_LAK, SON_LA, REPORTERS)] == ["resolved"] * 4
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (
            10,
            10,
        )


def test_backoff_waits_before_a_failed_url_is_tried_again(tmp_path: Path) -> None:
    db = tmp_path / "backoff.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        mirror.faults[AWARDS] = Fault("status", 502)
        crawl(db, mirror, "-s", "RETRY_TIMES=0")
        mirror.faults.clear()
        # An hour later (the default backoff is six hours): not yet.
        again = crawl(db, mirror)
        assert mirror.hits[AWARDS] == 1 and "vnnews/failures/retried" not in again
        assert failures(db)[AWARDS]["state"] == "retrying"
        # Six hours later it is due: fetched from the database's list, stored, resolved.
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE failures SET retry_after = '2000-01-01T00:00:00+00:00'")
        later = crawl(db, mirror)
    assert later["vnnews/failures/retried"] == 3  # with the gallery and the 404
    assert AWARDS in stored(db) and failures(db)[AWARDS]["state"] == "resolved"
    assert failures(db)[AWARDS]["attempts"] == 1


def test_a_run_killed_mid_crawl_is_completed_by_the_next(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        # Slow article pages, one at a time, so the kill lands with the crawl half done.
        for route, target in mirror.routes.items():
            if "articles" in str(target):
                mirror.faults[route] = Fault("slow", seconds=0.6)
        # Commits of two items, so the kill finds some committed and maybe one not yet.
        argv = crawl_args(
            db, mirror.url, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "VNNEWS_COMMIT_ITEMS=2"
        )
        command = [str(BIN / argv[0]), *argv[1:]]
        env = {k: v for k, v in os.environ.items() if k != "VNNEWS_DB"}
        victim = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its enrichment workers die with it
        )
        try:
            count = 0
            deadline = time.monotonic() + 90
            while count < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
                count = _count(db, "SELECT count(*) FROM articles")
            assert 3 <= count < 10, count
        finally:
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
        assert victim.returncode == -signal.SIGKILL
        mirror.faults.clear()
        crawl_tuyengiao(db, mirror.url)
    assert_each_article_once(db)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT finish_reason, exit_code FROM runs ORDER BY id").fetchall()
    assert runs == [("interrupted", None), ("finished", 0)]


def test_an_interrupted_enrichment_is_finished_without_fetching_again(tmp_path: Path) -> None:
    db = tmp_path / "catch-up.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        crawl(db, mirror)  # --no-enrich, as if enrichment had been cut off
        articles = [route for route, target in mirror.routes.items() if "articles" in str(target)]
        fetched = [mirror.hits[route] for route in articles]
        crawl_tuyengiao(db, mirror.url)
        assert [mirror.hits[route] for route in articles] == fetched  # none fetched again
    stats = last_stats(db)
    assert stats["vnnews/enrich/catch_up"] == 10
    assert stats.get("vnnews/pages", 0) == 0  # read back from the database, not fetched
    assert _count(db, "SELECT count(enriched_at) FROM articles") == 10
    assert _count(db, "SELECT count(*) FROM mentions") > 0


def test_a_reader_holding_the_database_never_fails_the_crawl(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        crawl(db, mirror)
        # Datasette-like: a long read transaction, and a writer holding the lock for 3 s.
        reader = sqlite3.connect(db, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM articles").fetchone()
        writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        writer.execute("BEGIN IMMEDIATE")
        release = threading.Timer(3.0, writer.execute, ["COMMIT"])
        release.start()
        try:
            stats = crawl(db, mirror, "--full")
        finally:
            release.join()
            reader.execute("COMMIT")
            reader.close()
            writer.close()
    assert stats["vnnews/articles/unchanged"] == 10
    assert stats.get("vnnews/store/failed", 0) == 0


def test_an_item_that_aborts_the_whole_transaction_costs_only_itself(tmp_path: Path) -> None:
    """Items are committed in batches; SQLite may roll a whole transaction back (a full disk,
    a trigger's RAISE(ROLLBACK)): the batch's other items are written again, one by one."""
    db = tmp_path / "rollback.db"
    open_db(db).execute(
        "CREATE TRIGGER refuse_budget BEFORE INSERT ON articles WHEN new.url LIKE '%-148402' "
        "BEGIN SELECT RAISE(ROLLBACK, 'refused by the test trigger'); END"
    )
    with FaultyMirror(SNAPSHOT) as mirror:
        # The budget article is neither first nor last of the run's one batch.
        stats = crawl(db, mirror, "-s", "CONCURRENT_REQUESTS=1")
    every = {expected(case)["url"].removeprefix(PORTAL) for case in article_cases()}
    assert stored(db) == every - {BUDGET} and len(every) == 10
    assert stats["vnnews/articles/new"] == 9  # counted once, though written twice
    assert stats["vnnews/store/failed"] == 1
    refused = failures(db)[BUDGET]
    assert (refused["stage"], refused["state"]) == ("store", "retrying")
    assert "refused by the test trigger" in refused["reason"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # The other articles' raw pages survived the rollback too.
        assert conn.execute(
            "SELECT count(*) FROM articles a JOIN pages p ON p.id = a.page_id"
        ).fetchone() == (9,)


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_pages_in_any_encoding_or_shape_end_as_articles_or_failures(tmp_path: Path) -> None:
    """Bad input through the real engine: declared and misdeclared encodings, binary data,
    a JavaScript shell, ten megabytes, no date. Each page ends as an article or a failure."""
    db = tmp_path / "shapes.db"
    with FaultyMirror(SNAPSHOT) as mirror:
        html = {route: mirror.routes[route].read_text(encoding="utf-8") for route in mirror.routes}
        legacy = {  # the same page in windows-1258, its meta tag saying so
            route: windows_1258(text.replace('charset="utf-8"', 'charset="windows-1258"'))
            for route, text in html.items()
        }
        huge = html[DAK_LAK].replace("</p>", "</p>" + "<p>Lặp lại để trang nặng 10 MB.</p>" * 80, 1)
        huge = huge.replace("</p>", "</p>" + "<p>Nội dung.</p>" * 600_000, 1)
        assert len(huge.encode("utf-8")) > 10_000_000
        mirror.faults = {
            BUDGET: Fault(
                "serve", body=legacy[BUDGET], content_type="text/html; charset=windows-1258"
            ),
            AWARDS: Fault("serve", body=legacy[AWARDS], content_type="text/html"),  # meta only
            CAO_BANG: Fault(
                "serve",
                body=html[CAO_BANG].encode("utf-16"),  # with its byte-order mark
                content_type="text/html",
            ),
            REPORTERS: Fault(  # says UTF-8, is windows-1258
                "serve", body=legacy[REPORTERS], content_type="text/html; charset=utf-8"
            ),
            SON_LA: Fault("serve", body=bytes(range(256)) * 64, content_type="text/html"),
            AROUND: Fault(
                "serve",
                body=b'<html><body><div id="app"></div><script src="/app.js"></script></body></html>',
                content_type="text/html; charset=utf-8",
            ),
            DAK_LAK: Fault("serve", body=huge.encode("utf-8"), content_type="text/html"),
            UNDATED: Fault(
                "serve",
                body=re.sub(  # the story's date line emptied
                    r'(class="story_date">)[^<]*', r"\1", html[UNDATED]
                ).encode(),
                content_type="text/html; charset=utf-8",
            ),
        }
        crawl(db, mirror)
    articles = {r["url"].removeprefix(PORTAL): r for r in Database(db)["articles"].rows}
    failed = failures(db)
    for route in (BUDGET, AWARDS, CAO_BANG, REPORTERS):
        assert articles[route]["title"] == _expected_title(route), route
        assert "\ufffd" not in articles[route]["body"], route
    assert len(articles[DAK_LAK]["body"]) > 5_000_000
    assert articles[UNDATED]["published_at"] is None
    assert failed[SON_LA]["stage"] == "parse" and failed[AROUND]["stage"] == "parse"
    assert len(articles) == 8


def _expected_title(route: str) -> str:
    for case in article_cases("tuyengiao"):
        if expected(case)["url"] == PORTAL + route:
            return str(expected(case)["title"])
    raise KeyError(route)
