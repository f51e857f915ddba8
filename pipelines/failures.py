"""The `failures` table: one row per URL that gave no article, retried on later runs with
backoff, given up after a number of attempts, and marked resolved when it finally works.

A page can fail for a day (a 503, a half-deployed template) and work the next: each run
schedules the failures that are due, from the database, like the re-check window does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scrapy.settings import BaseSettings
from sqlite_utils import Database

Stage = str  # fetch, parse, enrich, store


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed URL is tried again: `backoff_hours` after the first failure, doubling
    after each further one, until `max_attempts` failures in a row."""

    backoff_hours: float = 6.0
    max_attempts: int = 5

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RetryPolicy:
        """VNNEWS_RETRY_BACKOFF_HOURS and VNNEWS_MAX_ATTEMPTS."""
        return cls(
            backoff_hours=settings.getfloat("VNNEWS_RETRY_BACKOFF_HOURS"),
            max_attempts=settings.getint("VNNEWS_MAX_ATTEMPTS"),
        )

    def retry_after(self, attempts: int, now: datetime) -> datetime | None:
        if attempts >= self.max_attempts:
            return None
        return now + timedelta(hours=self.backoff_hours * 2 ** (attempts - 1))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def record_failure(
    db: Database,
    run_id: int | None,
    site: str,
    url: str,
    stage: Stage,
    reason: str,
    status: int | None = None,
    policy: RetryPolicy | None = None,
) -> str:
    """Count one more failed attempt at `url`; returns its state (retrying or gave up).

    A URL that had been resolved and fails again starts a new series of attempts."""
    policy = policy or RetryPolicy()
    now = datetime.now(UTC)
    row = db.execute("SELECT id, attempts, state FROM failures WHERE url = ?", [url]).fetchone()
    restart = row is None or row[2] == "resolved"
    attempts = 1 if restart else int(row[1]) + 1
    retry_at = policy.retry_after(attempts, now)
    state = "retrying" if retry_at else "gave up"
    values = {
        "run_id": run_id,
        "site": site,
        "url": url,
        "stage": stage,
        "reason": reason,
        "status": status,
        "last_seen": _stamp(now),
        "attempts": attempts,
        "state": state,
        "retry_after": _stamp(retry_at) if retry_at else None,
        "resolved_at": None,
    }
    if restart:
        values["first_seen"] = values["last_seen"]
    with db.atomic():
        if row is None:
            db.table("failures").insert(values)
        else:
            db.table("failures").update(row[0], values)
    return state


def resolve_failure(db: Database, url: str) -> bool:
    """`url` went through every stage this time: its failure, if any, is resolved."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE failures SET state = 'resolved', resolved_at = ?, retry_after = NULL "
            "WHERE url = ? AND state != 'resolved'",
            [_stamp(datetime.now(UTC)), url],
        )
    return cursor.rowcount > 0
