"""Publication times as the portals print them."""

from __future__ import annotations

import pytest

from pipelines.dates import parse_datetime


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Thứ Hai, 20/3/2023 14:36'(GMT+7)", "2023-03-20T14:36:00+07:00"),
        ("Thứ Sáu, 12/05/2023 08:05", "2023-05-12T08:05:00+07:00"),
        ("Thứ Hai, 3/7/2023 9:05'(GMT+7)", "2023-07-03T09:05:00+07:00"),
        ("22:45, ngày 22-11-2020", "2020-11-22T22:45:00+07:00"),
        ("Thứ hai - 04/07/2022 04:34", "2022-07-04T04:34:00+07:00"),
        ("06:48 Thứ Ba ngày 21/03/2017", "2017-03-21T06:48:00+07:00"),
        ("Thứ Năm, 14/11/2019 - 15:20", "2019-11-14T15:20:00+07:00"),
        ("2023-03-20T14:36:00+0700", "2023-03-20T14:36:00+07:00"),
        ("2023-03-20T07:36:00Z", "2023-03-20T07:36:00+00:00"),
        ("2023-03-20 14:36", "2023-03-20T14:36:00+07:00"),
        ("9/14/2026 6:44:00 PM", "2026-09-14T18:44:00+07:00"),
        ("1/2/2026 12:05:00 AM", "2026-01-02T00:05:00+07:00"),
        ("Cập nhật lúc 14h36 ngày 20/3/2023", "2023-03-20T14:36:00+07:00"),
        ("Thứ Ba, 16/7/2024", "2024-07-16T00:00:00+07:00"),
    ],
)
def test_parse_datetime(text: str, iso: str) -> None:
    when = parse_datetime(text)
    assert when is not None
    assert when.isoformat() == iso


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tuyên giáo các cấp",
        "31/02/2023 10:00",
        "14:36",
        "Số 2 Trần Phú, Ba Đình",
        # Offsets no clock has (found by tests/test_fuzz.py): no date, rather than a crash.
        "2023-10-06T16:20:00+27:00",
        "6/10/2023 16:20 (GMT+25)",
        "2023-10-06T16:20:00+07:75",
    ],
)
def test_no_date(text: str) -> None:
    assert parse_datetime(text) is None
