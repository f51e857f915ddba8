"""What an operator relies on from cron: one writer at a time, and exit codes that mean it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from scraper.locks import lock_path
from scraper.mirror import Mirror
from tests.conftest import FIXTURES, crawl, run


def test_a_second_writer_exits_75_and_leaves_the_first_alone(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    held = lock_path(db, "tuyengiao")
    fd = os.open(held, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a run in progress
    os.write(fd, b"pid 4242")
    try:
        result = run(
            "vnnews", "crawl", "tuyengiao", "--db", str(db), "--base-url", "http://127.0.0.1:9"
        )
        assert result.returncode == 75
        assert "held by pid 4242" in result.stderr and "skipped" in result.stderr
        assert "Traceback" not in result.stderr
        demo = run("vnnews", "demo", "--db", str(db))
        assert demo.returncode == 75
        # Another portal of the same database is not blocked by it.
        other = run(
            "vnnews",
            "crawl",
            "qdnd",
            "--db",
            str(db),
            "--base-url",
            "http://127.0.0.1:9",
            "-s",
            "RETRY_TIMES=0",
        )
        assert other.returncode == 1  # it ran (and found the portal down)
    finally:
        os.close(fd)


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    db = tmp_path / "free.db"
    fd = os.open(lock_path(db, "tuyengiao"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.close(fd)  # as when a run is killed: the kernel releases the lock
    with Mirror(FIXTURES / "tuyengiao") as mirror:
        result = run(
            "vnnews", "crawl", "tuyengiao", "--db", str(db), "--base-url", mirror.url, "--no-enrich"
        )
    assert result.returncode == 0, result.stderr[-2000:]


def test_exit_1_when_every_fetch_fails(tmp_path: Path) -> None:
    result = run(
        "vnnews",
        "crawl",
        "tuyengiao",
        "--db",
        str(tmp_path / "down.db"),
        "--base-url",
        "http://127.0.0.1:9",
        "-s",
        "RETRY_TIMES=0",
    )
    assert result.returncode == 1
    assert "every fetch failed" in result.stderr


def test_exit_1_when_listings_have_no_article_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "empty.html").write_text("<html><body><p>Trang đang bảo trì.</p></body></html>")
    routes = {"/robots.txt": str(FIXTURES / "tuyengiao" / "robots.txt")}
    for path in (
        "/thoi-su-chinh-tri",
        "/bao-ve-nen-tang-tu-tuong-cua-dang",
        "/hoc-va-lam-theo-bac",
        "/nhip-cau-tuyen-giao",
        "/van-hoa-xa-hoi",
        "/khoa-giao",
        "/kinh-te",
        "/tuyen-giao-cac-cap",
    ):
        routes[f"{path}?page=1"] = "empty.html"
    import json

    (site / "index.json").write_text(json.dumps({"routes": routes}))
    with Mirror(site) as mirror:
        result = run(
            "vnnews",
            "crawl",
            "tuyengiao",
            "--db",
            str(tmp_path / "empty.db"),
            "--base-url",
            mirror.url,
        )
    assert result.returncode == 1
    assert "yielded no article link" in result.stderr


def test_exit_1_over_the_error_limit(tmp_path: Path) -> None:
    with Mirror(FIXTURES / "tuyengiao") as mirror:
        result = run(
            "vnnews",
            "crawl",
            "tuyengiao",
            "--db",
            str(tmp_path / "errors.db"),
            "--base-url",
            mirror.url,
            "--no-enrich",
            "-s",
            "VNNEWS_MAX_ERRORS=1",
        )
    assert result.returncode == 1  # the snapshot has two failing pages
    assert "more than VNNEWS_MAX_ERRORS (1)" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert run("vnnews", "crawl").returncode == 2
    assert run("vnnews", "crawl", "tuyengiao", "--max-pages", "-1").returncode == 2


def test_runs_and_failures_commands(tmp_path: Path) -> None:
    import json

    db = tmp_path / "log.db"
    with Mirror(FIXTURES / "tuyengiao") as mirror:
        crawl(db, mirror.url, "--no-enrich")
    crawl(db, "http://127.0.0.1:9", "-s", "RETRY_TIMES=0", "--full", expect=1)
    runs = [
        json.loads(line)
        for line in run("vnnews", "runs", "--db", str(db), "--json").stdout.splitlines()
    ]
    assert [(r["id"], r["exit_code"]) for r in runs] == [(2, 1), (1, 0)]
    assert runs[1]["articles_new"] == 10 and runs[1]["failures"] == 2
    assert runs[0]["problem"].startswith("every fetch failed")
    table = run("vnnews", "failures", "--db", str(db), "--run", "1")
    assert "HTTP 404" in table.stdout and "no tuyengiao layout" in table.stdout
    rows = [
        json.loads(line)
        for line in run("vnnews", "failures", "--db", str(db), "--json").stdout.splitlines()
    ]
    assert sorted((r["stage"], r["attempts"], r["state"]) for r in rows) == [
        ("fetch", 1, "retrying"),
        ("parse", 1, "retrying"),
    ]
    assert all(r["first_seen"] == r["last_seen"] and r["retry_after"] for r in rows)
    assert (
        run("vnnews", "failures", "--db", str(db), "--state", "resolved").stdout.count(
            "tuyengiao.vn"
        )
        == 0
    )
