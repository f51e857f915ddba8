"""The seed article must come out exactly as the issue states, through `vnnews extract`."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SNAPSHOT, run

SEED = SNAPSHOT / "articles" / "148318" / "page.html"
SEVEN = ["Điện Biên", "Sơn La", "Hà Giang", "Lạng Sơn", "Lào Cai", "Lai Châu", "Cao Bằng"]


@pytest.fixture(scope="module")
def line() -> dict:
    result = run("vnnews", "extract", str(SEED))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_people_are_le_thanh_do_and_nobody_else(line: dict) -> None:
    names = [person["name"] for person in line["persons"]]
    assert [n for n in names if n != "Hồ Chí Minh"] == ["Lê Thành Đô"]
    roles = line["persons"][names.index("Lê Thành Đô")]["roles"]
    assert roles[:2] == [
        "Chủ tịch UBND tỉnh Điện Biên",
        "Trưởng Cụm thi đua 7 tỉnh miền núi biên giới phía Bắc",
    ]


def test_the_author_is_not_a_person_mentioned(line: dict) -> None:
    assert line["authors"] == ["Xuân Tư"]
    assert "Xuân Tư" not in [person["name"] for person in line["persons"]]


def test_provinces_with_their_2025_province(line: dict) -> None:
    assert [p["name"] for p in line["provinces"]] == SEVEN
    by_name = {p["name"]: p for p in line["provinces"]}
    assert by_name["Hà Giang"] == {
        "name": "Hà Giang",
        "surfaces": ["Hà Giang"],
        "province_2025": "Tuyên Quang",
    }
    assert by_name["Lào Cai"]["province_2025"] == "Lào Cai"
    assert by_name["Điện Biên"]["province_2025"] == "Điện Biên"


def test_figures_in_text_order(line: dict) -> None:
    texts = [f["text"] for f in line["figures"] if f["text"] != "7 tỉnh"]
    assert texts == [
        "8,21%",
        "33.191 tỷ đồng",
        "302 xã",
        "8 xã",
        "174 tập thể",
        "274 cá nhân",
        "102 tập thể",
        "181 cá nhân",
        "8 tập thể",
        "6 cá nhân",
    ]
    assert sum(f["text"] == "7 tỉnh" for f in line["figures"]) == 10
    budget = next(f for f in line["figures"] if f["text"] == "33.191 tỷ đồng")
    assert budget == {
        "text": "33.191 tỷ đồng",
        "value": 33191000000000,
        "unit": "VND",
        "counted": None,
        "qualifier": None,
        "province": None,
        "sentence": "Thu ngân sách trên địa bàn 7 tỉnh đạt 33.191 tỷ đồng.",
    }
    growth = next(f for f in line["figures"] if f["text"] == "8,21%")
    assert (growth["value"], growth["unit"], growth["qualifier"]) == (8.21, "%", "trên")
    count = next(f for f in line["figures"] if f["text"] == "174 tập thể")
    assert (count["value"], count["unit"], count["counted"]) == (174, "count", "tập thể")


def test_no_year_or_year_range_is_a_figure(line: dict) -> None:
    for figure in line["figures"]:
        assert not any(year in figure["text"] for year in ("2021", "2022", "2023", "2025"))


def test_organisations(line: dict) -> None:
    assert {"name": "UBND tỉnh Điện Biên"} in line["organizations"]


def test_no_enrich_leaves_the_keys_out() -> None:
    result = run("vnnews", "extract", "--no-enrich", str(SEED))
    assert "persons" not in json.loads(result.stdout)
