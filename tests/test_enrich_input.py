"""Bad input for the enrich stage: an empty or correct result, never an exception."""

from __future__ import annotations

import unicodedata

from pipelines.enrich import MAX_CHARS, enrich_fields

SENTENCE = "Chủ tịch UBND tỉnh Khánh Hoà Nguyễn Văn An cho biết, tỉnh thu ngân sách 12.500 tỷ đồng."


def enrich(text: str):
    return enrich_fields(iter([("body", text)]), None)


def test_empty_text() -> None:
    assert enrich("").mentions == [] and enrich("").figures == []
    assert enrich("   \n\n  ").mentions == []


def test_text_that_is_not_vietnamese() -> None:
    result = enrich("The quick brown fox jumps over the lazy dog. Revenue grew by 5 per cent.")
    assert result.persons() == [] and result.provinces() == []


def test_nfd_text_gives_the_nfc_result() -> None:
    nfd = enrich(unicodedata.normalize("NFD", SENTENCE))
    nfc = enrich(SENTENCE)
    assert (
        nfd.persons()
        == nfc.persons()
        == [{"name": "Nguyễn Văn An", "roles": ["Chủ tịch UBND tỉnh Khánh Hòa"]}]
    )
    assert [p["name"] for p in nfd.provinces()] == ["Khánh Hòa"]
    assert [f.value for f in nfd.figures] == [12500000000000]


def test_old_tone_placement() -> None:
    provinces = enrich(SENTENCE).provinces()
    assert provinces == [
        {"name": "Khánh Hòa", "surfaces": ["Khánh Hoà"], "province_2025": "Khánh Hòa"}
    ]


def test_a_ten_megabyte_body_is_cut_at_the_limit() -> None:
    huge = (SENTENCE + " ") * (10_000_000 // (len(SENTENCE) + 1))
    result = enrich(huge)
    analysed = max(m.end for m in result.mentions)
    assert analysed <= MAX_CHARS
    assert result.persons()[0]["name"] == "Nguyễn Văn An"


def test_one_endless_sentence_skips_the_tagger_not_the_rules() -> None:
    endless = "tỉnh Sơn La " * 400 + "có 302 xã"
    result = enrich(endless)
    assert result.provinces()[0]["name"] == "Sơn La"
    assert [f.text for f in result.figures] == ["302 xã"]
