"""A portal added without code: a user's profile file, or the generic spider."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from tests.conftest import FIXTURES, crawl_snapshot, run

PROFILES = FIXTURES / "profiles"
GOOD = (PROFILES / "namdinh.toml").read_text(encoding="utf-8")
ARTICLE = (
    "https://namdinh.dcs.vn/vi/news/tin-tuc-su-kien/"
    "hoi-nghi-ban-chap-hanh-dang-bo-tinh-lan-thu-12-1823.html"
)


def test_a_profile_file_is_a_site_and_a_spider() -> None:
    sites = run("vnnews", "sites", "--profiles", str(PROFILES))
    assert "namdinh" in sites.stdout and "(your profile)" in sites.stdout
    listed = run("scrapy", "list", env={"VNNEWS_PROFILES_DIR": str(PROFILES)})
    assert "namdinh" in listed.stdout.split()


def test_crawl_a_portal_described_only_by_a_profile(tmp_path: Path) -> None:
    path = tmp_path / "namdinh.db"
    result = crawl_snapshot(
        "namdinh", FIXTURES / "namdinh", path, "--profiles", str(PROFILES), "--since", "2022-01-01"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    db = Database(path)
    row = next(db["articles"].rows)
    assert (row["url"], row["site"], row["layout"]) == (ARTICLE, "namdinh", "nukeviet4")
    assert row["title"] == "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 12"
    assert row["published_at"] == "2022-07-04T04:34:00+07:00"
    assert json.loads(row["authors"]) == ["Vân Anh"]
    assert row["body"].startswith("Đồng chí Phạm Gia Túc")
    assert "Những tin mới hơn" not in row["body"]
    assert db["articles"].count == 1
    stats = json.loads(next(db["runs"].rows)["stats"])
    assert stats["vnnews/sitemap/entries"] == 3
    assert stats["vnnews/discovery/before_since"] == 1  # the 2021 entry, not fetched
    assert stats["vnnews/discovery/failed"] == 1  # the index names a sitemap that is gone
    assert "sitemap-page.xml failed: HTTP 404" in result.stderr
    assert db["images"].count == 1


def test_a_bad_profile_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    bad = GOOD.replace('name = "namdinh"', 'name = "namdinh2"').replace(
        'sapo = ["div.hometext"]', 'sappo = ["div.hometext"]'
    )
    (tmp_path / "typo.toml").write_text(bad, encoding="utf-8")
    result = run("vnnews", "sites", "--profiles", str(tmp_path))
    assert result.returncode == 2
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if text.startswith("sappo"))
    assert (
        f"typo.toml: line {line}: layouts.0.sappo: Extra inputs are not permitted" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_profile_reusing_a_builtin_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "clash.toml").write_text(
        GOOD.replace('name = "namdinh"', 'name = "nhandan"'), encoding="utf-8"
    )
    result = run("vnnews", "sites", "--profiles", str(tmp_path))
    assert result.returncode == 2
    assert "clash.toml: name: 'nhandan' is already the name of another site" in result.stderr


def test_generic_spider_from_the_command_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "listing.html").write_text(
        '<html><body><ul><li><a href="/kinh-te/lam-dong-xuat-khau-ca-phe-5-thang-dat-210-trieu-usd-98765/">'
        'Cà phê</a></li><li><a href="/lien-he/">Liên hệ</a></li></ul></body></html>',
        encoding="utf-8",
    )
    page = FIXTURES / "generic" / "wordpress-baolamdong" / "page.html"
    (site / "index.json").write_text(
        json.dumps(
            {
                "routes": {
                    "/robots.txt": str(FIXTURES / "tuyengiao" / "robots.txt"),
                    "/kinh-te/": "listing.html",
                    "/kinh-te/lam-dong-xuat-khau-ca-phe-5-thang-dat-210-trieu-usd-98765/": str(
                        page
                    ),
                }
            }
        )
    )
    path = tmp_path / "generic.db"
    result = crawl_snapshot(
        "generic",
        site,
        path,
        "--start",
        "https://baolamdong.vn/kinh-te/",
        "--article-pattern",
        r"/kinh-te/.+-\d+/$",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    row = next(Database(path)["articles"].rows)
    assert (row["site"], row["layout"]) == ("baolamdong.vn", "generic")
    assert row["title"] == "Lâm Đồng: Xuất khẩu cà phê 5 tháng đạt 210 triệu USD"
    assert row["published_at"] == "2024-06-05T09:15:00+07:00"
    assert Database(path)["articles"].count == 1


def test_generic_spider_needs_its_arguments() -> None:
    result = run("vnnews", "crawl", "generic")
    assert result.returncode == 2
    assert "crawl generic needs --start URL and --article-pattern REGEX" in result.stderr
