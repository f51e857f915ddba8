"""People: names without titles, titles as roles, and the CRF's known mistakes repaired."""

from __future__ import annotations

import pytest

from pipelines.enrich import enrich_fields
from pipelines.ner import ner_spans
from pipelines.people import find_people


def people(sentence: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.name, p.roles) for p in find_people(sentence, ner_spans(sentence))]


def test_province_glued_to_the_name_is_cut_off() -> None:
    sentence = (
        "Chủ tịch UBND tỉnh Điện Biên Lê Thành Đô, Trưởng Cụm thi đua 7 tỉnh, trao Bằng khen."
    )
    assert people(sentence) == [
        ("Lê Thành Đô", ("Chủ tịch UBND tỉnh Điện Biên", "Trưởng Cụm thi đua 7 tỉnh"))
    ]


def test_the_crf_glues_the_province_on_its_own() -> None:
    # The reason for the repair: stock underthesea returns one PER "Điện Biên Lê Thành Đô".
    sentence = (
        "Chủ tịch UBND tỉnh Điện Biên Lê Thành Đô, Trưởng Cụm thi đua 7 tỉnh, trao Bằng khen."
    )
    crf_people = [sentence[s:e] for s, e, tag in ner_spans(sentence) if tag == "PER"]
    assert "Điện Biên Lê Thành Đô" in crf_people
    assert "Trưởng Cụm" in crf_people


def test_apposition_after_the_name() -> None:
    sentence = (
        "GS.TS Nguyễn Xuân Thắng, Ủy viên Bộ Chính trị, Chủ tịch Hội đồng Lý luận Trung "
        "ương, trình bày tham luận."
    )
    assert people(sentence) == [
        ("Nguyễn Xuân Thắng", ("Ủy viên Bộ Chính trị", "Chủ tịch Hội đồng Lý luận Trung ương"))
    ]


def test_list_of_comrades() -> None:
    sentence = (
        "Tham dự có các đồng chí: Nguyễn Thị Thanh Hà, Phó Bí thư Tỉnh ủy; Trần Quốc Bảo, "
        "Chủ tịch UBND tỉnh; Lò Văn Mừng, Trưởng Ban Dân vận Tỉnh ủy."
    )
    assert [name for name, _ in people(sentence)] == [
        "Nguyễn Thị Thanh Hà",
        "Trần Quốc Bảo",
        "Lò Văn Mừng",
    ]


def test_two_officials_joined_by_va() -> None:
    sentence = (
        "Bí thư Tỉnh ủy Thanh Hóa Lê Văn Tùng và Chủ tịch UBND tỉnh Đỗ Minh Khải đã tiếp đoàn."
    )
    assert people(sentence) == [
        ("Lê Văn Tùng", ("Bí thư Tỉnh ủy Thanh Hóa",)),
        ("Đỗ Minh Khải", ("Chủ tịch UBND tỉnh",)),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Toàn tỉnh có 302 xã đạt chuẩn nông thôn mới.",  # sentence-initial "Toàn"
        "Chủ tịch UBND tỉnh Điện Biên tặng Bằng khen 8 tập thể.",  # "Bằng" of "Bằng khen"
        "Theo phóng viên TTXVN tại Tây Ninh, lượng khách tăng.",  # an acronym
        "Lâm Đồng và Đắk Nông ký kết hợp tác.",  # provinces that start with a family name
        "Đoàn Thanh niên thành phố ra quân.",  # an organisation
        "Phong trào “Toàn dân đoàn kết xây dựng đời sống văn hóa” được triển khai.",
    ],
)
def test_not_people(sentence: str) -> None:
    assert people(sentence) == []


def test_capitals_and_missing_diacritics_are_one_entity() -> None:
    enrichment = enrich_fields(
        iter(
            [
                ("body", "Đại biểu HỒ QUỐC DŨNG, Bí thư Tỉnh ủy Bình Định, phát biểu."),
                ("caption:0", "Ông Ho Quoc Dung, Bí thư Tỉnh ủy, phát biểu."),
                ("caption:1", "Bí thư Tỉnh ủy Bình Định Hồ Quốc Dũng thăm hỏi nhân dân."),
            ]
        ),
        None,
    )
    persons = enrichment.persons()
    assert [p["name"] for p in persons] == ["Hồ Quốc Dũng"]
    assert {m.surface for m in enrichment.mentions if m.kind == "person"} == {
        "HỒ QUỐC DŨNG",
        "Ho Quoc Dung",
        "Hồ Quốc Dũng",
    }
