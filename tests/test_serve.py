"""`vnnews serve`: Datasette on the demo database, driven by a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BIN

SEED_TITLE = "Chú trọng khen thưởng lao động trực tiếp, các tập thể ở vùng sâu, vùng biên giới"
CANNED = [
    "search_articles",
    "articles_mentioning_person",
    "people_co_mentioned",
    "province_figures_for",
    "articles_per_portal_per_month",
    "roles_over_time",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_db: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "vnnews"), "serve", "--db", str(demo_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # Datasette starts in about a second; give it ten
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_metadata_lists_the_canned_queries(server: str) -> None:
    metadata = get_json(server + "/-/metadata.json")
    database = metadata["databases"]["demo"]  # type: ignore[index]
    assert list(database["queries"]) == CANNED
    assert database["tables"]["articles"]["fts_table"] == "articles_search_fts"
    assert "published_at" in database["tables"]["articles"]["columns"]


def test_table_search_and_facets(server: str) -> None:
    # Datasette's own search box: each word must appear (diacritics folded by the index).
    data = get_json(server + "/demo/articles.json?_search=Le+Thanh+Do&_shape=objects")
    assert SEED_TITLE in [row["title"] for row in data["rows"]]  # type: ignore[index]
    facets = get_json(server + "/demo/article_list.json?_facet=month")
    assert "month" in facets["facet_results"]  # type: ignore[index]


def test_canned_queries_fold_diacritics(server: str) -> None:
    rows = get_json(
        server + "/demo/search_articles.json?q=%C4%90i%E1%BB%87n+Bi%C3%AAn&_shape=array"
    )
    assert SEED_TITLE in [row["title"] for row in rows]  # type: ignore[union-attr]
    figures = get_json(server + "/demo/province_figures_for.json?province=lao+cai&_shape=array")
    assert any(row["text"] == "6.234 tỷ đồng" for row in figures)  # type: ignore[union-attr]
    views = get_json(
        server + "/demo/article_people.json?_shape=array&person=L%C3%AA+Th%C3%A0nh+%C4%90%C3%B4"
    )
    assert len(views) == 3  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("search", "/demo/articles?_search=Le+Thanh+Do"),
        ("person", "/demo/articles_mentioning_person?person=Le+Thanh+Do"),
    ],
)
def test_in_a_real_browser(server: str, tmp_path: Path, name: str, path: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is installed by scripts/setup.sh (Debian package 'chromium')"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", server + path], capture_output=True, text=True, timeout=60
    ).stdout
    assert SEED_TITLE in dom
    shot = tmp_path / f"{name}.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1280,900", f"--screenshot={shot}", server + path],
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_every_table_and_column_is_described(demo_db: Path) -> None:
    from sqlite_utils import Database

    from scraper.datasette_config import metadata_for

    tables = metadata_for(str(demo_db))["databases"]["demo"]["tables"]
    db = Database(demo_db)
    shown = [t for t in db.table_names() if not t.startswith(("articles_search", "entities_fts"))]
    for name in shown + db.view_names():
        assert tables[name]["description"], name
        columns = tables[name].get("columns", {})
        missing = [c.name for c in db[name].columns if c.name not in columns]
        assert missing == [], f"{name}: {missing}"
