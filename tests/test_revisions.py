"""Silent edits and removals across crawls: a mirror that changes between two runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlite_utils import Database

from scraper.mirror import Mirror
from tests.conftest import FIXTURES, crawl_snapshot, expected, run

SNAPSHOT = FIXTURES / "tuyengiao"
EDITED = SNAPSHOT / "articles" / "148402"  # Lào Cai budget
GONE = SNAPSHOT / "articles" / "148517"  # removed after publication
MOVED = SNAPSHOT / "articles" / "148899"  # now redirects to the home page


def site_copy(root: Path) -> Path:
    """A copy of the snapshot whose index.json the test rewrites between runs."""
    shutil.copytree(SNAPSHOT, root)
    return root


def path_of(case: Path) -> str:
    return expected(case)["url"].removeprefix("https://tuyengiao.vn")


def test_edits_and_removals_are_recorded(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    db_path = tmp_path / "changes.db"
    first = crawl_snapshot("tuyengiao", site, db_path, "--no-enrich")
    assert first.returncode == 0, first.stderr[-2000:]

    # Between the runs the portal edits one article, deletes one, and redirects one.
    index = json.loads((site / "index.json").read_text(encoding="utf-8"))
    page = (site / "articles" / "148402" / "page.html").read_text(encoding="utf-8")
    edited = page.replace("đạt 6.234 tỷ đồng", "đạt 6.243 tỷ đồng").replace(
        "Lào Cai: Thu ngân sách 9 tháng đạt hơn 6.200 tỷ đồng",
        "Lào Cai: Thu ngân sách 9 tháng đạt 6.243 tỷ đồng",
    )
    (site / "edited.html").write_text(edited, encoding="utf-8")
    index["routes"][path_of(EDITED)] = "edited.html"
    del index["routes"][path_of(GONE)]
    index["routes"]["/"] = "listings/tuyen-giao-cac-cap-1.html"  # the home page
    (site / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")

    with Mirror(site) as mirror:
        mirror.redirects[path_of(MOVED)] = "/"
        second = run(
            "vnnews",
            "crawl",
            "tuyengiao",
            "--db",
            str(db_path),
            "--base-url",
            mirror.url,
            "--no-enrich",
            "--recheck",
        )
    assert second.returncode == 0, second.stderr[-3000:]

    db = Database(db_path)
    row = next(db["articles"].rows_where("url = ?", [expected(EDITED)["url"]]))
    assert row["title"] == "Lào Cai: Thu ngân sách 9 tháng đạt 6.243 tỷ đồng"
    revision = next(db["revisions"].rows)
    assert revision["title"] == "Lào Cai: Thu ngân sách 9 tháng đạt hơn 6.200 tỷ đồng"
    assert json.loads(revision["changed"]) == ["title", "body"]
    assert db["revisions"].count == 1

    gone = next(db["articles"].rows_where("url = ?", [expected(GONE)["url"]]))
    assert gone["removed_at"] and gone["removed_reason"] == "HTTP 404"
    assert gone["body"] == expected(GONE)["body"]  # its last copy is kept
    moved = next(db["articles"].rows_where("url = ?", [expected(MOVED)["url"]]))
    assert moved["removed_reason"] == "redirected to https://tuyengiao.vn/"

    changes = run("vnnews", "changes", "--db", str(db_path), "--json")
    kinds = [json.loads(line) for line in changes.stdout.splitlines()]
    edit = next(c for c in kinds if c["kind"] == "edited")
    assert "[-hơn 6.200-] {+6.243+}" in edit["diffs"]["title"]
    assert "[-6.234-] {+6.243+}" in edit["diffs"]["body"]
    assert {c["url"] for c in kinds if c["kind"] == "removed"} == {
        expected(GONE)["url"],
        expected(MOVED)["url"],
    }
