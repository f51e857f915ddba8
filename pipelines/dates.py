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
    tz = _offset(text)
    if tz is None:
        return None
    try:
        return datetime(year, month, day, hour, minute, sec, tzinfo=tz)
    except ValueError:
        return None


def _from_iso(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute = (int(match[i]) for i in range(1, 6))
    sec = int(match[6] or 0)
    tz: timezone | None = VIETNAM
    if match[7] == "Z":
        tz = UTC
    elif match[7]:
        digits = match[7][1:].replace(":", "")
        tz = _zone(match[7][0], int(digits[:2]), int(digits[2:]))
    if tz is None:
        return None
    try:
        return datetime(year, month, day, hour, minute, sec, tzinfo=tz)
    except ValueError:
        return None


def _offset(text: str) -> timezone | None:
    gmt = _GMT.search(text)
    if not gmt:
        return VIETNAM
    return _zone(gmt[1], int(gmt[2]), int(gmt[3] or 0))


def _zone(sign: str, hours: int, minutes: int) -> timezone | None:
    """The UTC offset printed, or None when no clock has it (GMT+25, +07:75): a garbled
    date is no date."""
    if hours > 14 or minutes > 59:
        return None
    return timezone((-1 if sign == "-" else 1) * timedelta(hours=hours, minutes=minutes))
