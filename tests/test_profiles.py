"""Site profiles: the built-in one loads, a broken one is refused with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.errors import ProfileError, UnknownSite
from scraper.profiles import builtin_profiles, get_profile, load_profile, profile_for_url

GOOD = (Path(__file__).parent.parent / "scraper" / "sites" / "tuyengiao.toml").read_text("utf-8")


def test_tuyengiao_has_both_layouts_newest_first() -> None:
    profile = get_profile("tuyengiao")
    assert [layout.name for layout in profile.layouts] == ["2021", "aspnet"]
    assert profile.layout("2021").title == ["h1.story-headline"]
    assert profile.layout("aspnet").title[0] == "span.story_headline"
    assert "Phản hồi" in profile.boilerplate


@pytest.mark.parametrize(
    ("path", "is_article"),
    [
        (
            "/chu-trong-khen-thuong-lao-dong-truc-tiep-cac-tap-the-o-vung-sau-vung-bien-gioi-148318",
            True,
        ),
        ("/bao-ve-nen-tang-tu-tuong-cua-dang/mot-bai-viet-113371", True),
        ("/tuyen-giao-cac-cap", False),
        ("/gioi-thieu", False),
        ("/a/b/c-123456", False),
        ("/bai-viet-12", False),
    ],
)
def test_article_url_rule(path: str, is_article: bool) -> None:
    import re

    assert bool(re.match(get_profile("tuyengiao").urls.article, path)) is is_article


def test_profile_for_url() -> None:
    assert profile_for_url("https://tuyengiao.vn/x-148318") is get_profile("tuyengiao")
    assert profile_for_url("https://example.com/x-148318") is None


def test_unknown_site_names_the_known_ones() -> None:
    with pytest.raises(UnknownSite, match=r"known sites: baochinhphu, .*, tuyengiao"):
        get_profile("nhandann")


def test_builtin_profiles_are_keyed_by_name() -> None:
    assert set(builtin_profiles()) == {
        "tuyengiao",
        "nhandan",
        "dangcongsan",
        "baochinhphu",
        "qdnd",
        "tapchicongsan",
    }


def test_misspelled_field_is_an_error_naming_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        GOOD.replace('sapo = ["div.story-teaser"]', 'sappo = ["div.story-teaser"]'),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value)
    assert "layouts.0.sappo" in str(info.value)


def test_bad_regex_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("article = '", "article = '(", 1), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"urls\.article: .*not a valid regular expression"):
        load_profile(path)


def test_invalid_toml_is_an_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\ntitle = \n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"not valid TOML: .*line 2"):
        load_profile(path)
