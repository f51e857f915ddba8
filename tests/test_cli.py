"""The `vnnews` command line as a user meets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.conftest import SNAPSHOT, article_cases, expected, run

COMMANDS = [
    "crawl",
    "extract",
    "demo",
    "sites",
    "mirror",
    "reprocess",
    "search",
    "entity",
    "figures",
    "export",
    "serve",
    "changes",
    "runs",
    "failures",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run("vnnews", command, "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout


@pytest.mark.parametrize("command", ["crawl", "demo", "reprocess"])
def test_db_option_after_the_command(command: str) -> None:
    help_text = run("vnnews", command, "--help").stdout
    assert "--db FILE" in help_text
    assert "VNNEWS_DB" in help_text


def test_sites_lists_portals_and_layouts() -> None:
    result = run("vnnews", "sites")
    assert result.returncode == 0
    assert "tuyengiao" in result.stdout
    assert "layout 2021" in result.stdout and "layout aspnet" in result.stdout


def test_extract_prints_the_expected_output_in_input_order() -> None:
    cases = article_cases()
    result = run("vnnews", "extract", "--no-enrich", *(str(case / "page.html") for case in cases))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(case / "page.html") for case in cases]
    for line, case in zip(lines, cases, strict=True):
        assert {k: v for k, v in line.items() if k != "file"} == expected(case)


def test_extract_recognises_the_site_without_url(tmp_path: Path) -> None:
    # No canonical link, no og:url, unknown host: the site is found by its markup.
    html = (SNAPSHOT / "articles" / "148517" / "page.html").read_text(encoding="utf-8")
    page = tmp_path / "saved.html"
    html = html.replace('<link rel="canonical"', '<link rel="alternate"')
    page.write_text(html.replace('property="og:url"', 'property="og:see_also"'), encoding="utf-8")
    result = run("vnnews", "extract", str(page), "--url", "http://archive.example/saved.html")
    line = json.loads(result.stdout)
    assert line["site"] == "tuyengiao"
    assert line["url"] == "http://archive.example/saved.html"
    assert line["title"].startswith("Kiên quyết đấu tranh")


def test_extract_reports_bad_pages_and_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"\xff\xfe<html><body>nothing here</body>")
    good = SNAPSHOT / "articles" / "148318" / "page.html"
    result = run("vnnews", "extract", str(bad), str(good))
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert "error" in first and "no URL" in first["error"]
    assert second["title"].startswith("Chú trọng khen thưởng")
    assert "Traceback" not in result.stderr


def test_unknown_site_is_a_usage_error() -> None:
    result = run("vnnews", "crawl", "nhandann")
    assert result.returncode == 2
    assert (
        "unknown site 'nhandann'; known sites: baochinhphu, dangcongsan, nhandan" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_vnnews_db_environment_variable(tmp_path: Path, mirror) -> None:
    path = tmp_path / "from-env.db"
    seed = expected(SNAPSHOT / "articles" / "148318")["url"]
    result = run(
        "vnnews",
        "crawl",
        "tuyengiao",
        "--base-url",
        mirror.url,
        "--url",
        seed,
        env={"VNNEWS_DB": str(path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert Database(path)["articles"].count == 1


def test_demo_prints_a_summary_and_leaves_the_database(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = run("vnnews", "demo", "--db", str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Articles: 10 (2021: 8, aspnet: 2), images: 13" in result.stdout
    assert "Published: 2019-05-15T08:15:00+07:00 … 2024-06-09T07:30:00+07:00" in result.stdout
    assert "Failures recorded: 2" in result.stdout
    assert "Found: 10 people, 13 provinces" in result.stdout
    assert "most named: Lê Thành Đô (3)" in result.stdout
    assert "Cao Bằng: Trao 250 suất học bổng cho học sinh nghèo vượt khó" in result.stdout
    assert Database(path)["articles"].count == 10
    again = run("vnnews", "demo", "--db", str(path))
    assert again.returncode == 0
    assert Database(path)["articles"].count == 10


def test_mirror_command_serves_the_snapshot() -> None:
    import subprocess
    import urllib.request

    from tests.conftest import BIN

    proc = subprocess.Popen(
        [str(BIN / "vnnews"), "mirror", "--port", "0"], stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stderr.readline()
        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url + "/robots.txt", timeout=10) as response:
            assert b"Disallow: /print/" in response.read()
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url + "/khong-co-trang-nay-999999", timeout=10)
        assert info.value.code == 404
        info.value.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()


def test_unusable_database_is_a_configuration_error(tmp_path: Path) -> None:
    result = run("vnnews", "crawl", "tuyengiao", "--db", str(tmp_path / "missing-dir" / "x.db"))
    assert result.returncode == 2
    assert "cannot use database" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_from_a_newer_vnnews_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = Database(path)
    db.execute("PRAGMA user_version = 42")
    db.close()
    result = run("vnnews", "demo", "--db", str(path))
    assert result.returncode == 2
    assert "schema version 42 is newer than this vnnews understands" in result.stderr
