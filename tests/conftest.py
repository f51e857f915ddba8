"""Shared fixtures: the bundled snapshot, a loopback mirror of it, and the `vnnews` command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from scraper.mirror import Mirror

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SNAPSHOT = FIXTURES / "tuyengiao"
PORTALS = ["tuyengiao", "nhandan", "dangcongsan", "baochinhphu", "qdnd", "tapchicongsan"]
BIN = Path(sys.executable).parent


def article_cases(site: str | None = "tuyengiao") -> list[Path]:
    """Each article fixture folder of `site` (None: of every portal): page.html and the
    expected output.json beside it."""
    pattern = f"{site or '*'}/articles/*/output.json"
    return sorted(p.parent for p in FIXTURES.glob(pattern))


def expected(case: Path) -> dict:
    return json.loads((case / "output.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def mirror() -> Iterator[Mirror]:
    with Mirror(SNAPSHOT) as server:
        yield server


def run(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a command from the project's environment, as a user would type it."""
    full_env = {key: value for key, value in os.environ.items() if key != "VNNEWS_DB"}
    full_env.update(env or {})
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(
        command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def crawl_args(path: Path, base_url: str, *extra: str) -> list[str]:
    """The command line of `vnnews crawl tuyengiao` into `path` from `base_url`."""
    return ["vnnews", "crawl", "tuyengiao", "--db", str(path), "--base-url", base_url, *extra]


def crawl(
    path: Path,
    base_url: str,
    *extra: str,
    expect: int = 0,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`vnnews crawl tuyengiao` into `path` from `base_url`, checked for its exit code."""
    result = run(*crawl_args(path, base_url, *extra), env=env)
    assert result.returncode == expect, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return result


def crawl_snapshot(
    site: str, root: Path, path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`vnnews crawl SITE` into `path` from a mirror of the snapshot folder `root`."""
    with Mirror(root) as mirror:
        return run("vnnews", "crawl", site, "--db", str(path), "--base-url", mirror.url, *extra)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled snapshot crawled and enriched by `vnnews demo`, as a user gets it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = run("vnnews", "demo", "--db", str(path))
    assert result.returncode == 0, result.stderr[-3000:]
    return path


def stored_images(db: Database, article_id: int) -> list[dict]:
    """An article's images as `vnnews extract` prints them: src and caption, in page order."""
    return [
        {"src": r["src"], "caption": r["caption"]}
        for r in db["images"].rows_where("article_id = ?", [article_id], order_by="position")
    ]


def assert_each_article_once(db: Path, articles: int = 10) -> None:
    """After a crash and a recovery: the file is sound, and every article is stored exactly
    once, enriched, with its raw page, and no raw page twice."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute(
            "SELECT count(*), count(DISTINCT url), count(enriched_at), count(page_id) FROM articles"
        ).fetchone() == (articles, articles, articles, articles)
        assert conn.execute(
            "SELECT count(*) FROM (SELECT url FROM pages GROUP BY url, sha256 HAVING count(*) > 1)"
        ).fetchone() == (0,)
        assert (
            conn.execute(
                "SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id"
            ).fetchone()[0]
            == conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
            > 0
        )
