"""The failures table's bookkeeping: attempts, backoff, giving up, resolving."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pipelines.failures import RetryPolicy, record_failure, resolve_failure
from pipelines.store import open_db

URL = "https://nhandan.vn/tin-1.html"


def waits(row: dict) -> timedelta:
    return datetime.fromisoformat(row["retry_after"]) - datetime.fromisoformat(row["last_seen"])


def test_backoff_doubles_until_given_up(tmp_path: Path) -> None:
    db = open_db(tmp_path / "f.db")
    policy = RetryPolicy(backoff_hours=6, max_attempts=4)
    states = []
    hours = []
    for _ in range(4):
        states.append(record_failure(db, None, "nhandan", URL, "fetch", "HTTP 503", 503, policy))
        row = next(db["failures"].rows)
        hours.append(waits(row) / timedelta(hours=1) if row["retry_after"] else None)
    assert states == ["retrying", "retrying", "retrying", "gave up"]
    assert hours == [6, 12, 24, None]
    assert db["failures"].count == 1 and next(db["failures"].rows)["attempts"] == 4


def test_a_resolved_url_that_fails_again_starts_over(tmp_path: Path) -> None:
    db = open_db(tmp_path / "f.db")
    record_failure(db, None, "nhandan", URL, "parse", "no nhandan layout", 200)
    record_failure(db, None, "nhandan", URL, "parse", "no nhandan layout", 200)
    assert resolve_failure(db, URL) is True
    assert resolve_failure(db, URL) is False  # already resolved
    row = next(db["failures"].rows)
    assert (row["state"], row["retry_after"], row["attempts"]) == ("resolved", None, 2)
    assert row["resolved_at"]
    record_failure(db, None, "nhandan", URL, "enrich", "ValueError: x")
    row = next(db["failures"].rows)
    assert (row["state"], row["attempts"], row["stage"], row["resolved_at"]) == (
        "retrying",
        1,
        "enrich",
        None,
    )
    assert row["first_seen"] == row["last_seen"]
