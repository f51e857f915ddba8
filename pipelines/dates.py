"""Publication times as Vietnamese portals print them, read as aware datetimes.

Formats seen (see docs/sites.md): `Thứ Hai, 20/3/2023 14:36'(GMT+7)`, `20/03/2023 14:36`,
`22:45, ngày 22-11-2020`, `Thứ hai - 04/07/2022 04:34`, `06:48 Thứ Ba ngày 21/03/2017`,
ISO 8601 (`2023-03-20T14:36:00+0700`), and RSS's `9/14/2026 6:44:00 PM` (month first).
Dates are day-first except in that 12-hour RSS form. Times without an offset are the
portals' local time, Asia/Ho_Chi_Minh (+07:00, no daylight saving).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*[:hg]\s*(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?(?![\d/])"
)
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")


def parse_datetime(text: str) -> datetime | None:
    """The first date (with its time, if printed) in `text`, or None when there is none.

    A date without a time is read as midnight local time.
    """
    iso = _ISO.search(text)
    if iso:
        return _from_iso(iso)
    date = _DMY.search(text)
    if not date:
        return None
    first, second, year = int(date[1]), int(date[3]), int(date[4])
    rest = text[: date.start()] + " " + text[date.end() :]
    time = _TIME.search(rest)
    hour = minute = sec = 0
    meridiem = None
    if time:
        hour, minute, sec = int(time[1]), int(time[2]), int(time[3] or 0)
        meridiem = (time[4] or "").upper() or None
    if meridiem:  # the RSS form: month/day/year, 12-hour clock
        month, day = first, second
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    else:
        day, month = first, second
    try:
        return datetime(year, month, day, hour, minute, sec, tzinfo=_offset(text))
    except ValueError:
        return None


def _from_iso(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute = (int(match[i]) for i in range(1, 6))
    sec = int(match[6] or 0)
    tz = VIETNAM
    if match[7] == "Z":
        tz = UTC
    elif match[7]:
        sign = -1 if match[7][0] == "-" else 1
        digits = match[7][1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(year, month, day, hour, minute, sec, tzinfo=tz)
    except ValueError:
        return None


def _offset(text: str) -> timezone:
    gmt = _GMT.search(text)
    if not gmt:
        return VIETNAM
    sign = -1 if gmt[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(gmt[2]), minutes=int(gmt[3] or 0)))
