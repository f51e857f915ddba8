"""One writer at a time: a lock file per database and portal, held for the whole run.

`fcntl.flock` is released by the kernel when the process ends, however it ends (`kill -9`
included), so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.errors import VnnewsError

EXIT_LOCKED = 75  # EX_TEMPFAIL: cron may simply try again next time


class Locked(VnnewsError):
    pass


def lock_path(db_path: str | Path, name: str) -> Path:
    db = Path(db_path)
    return db.with_name(f"{db.name}.{name}.lock")


@contextmanager
def database_lock(db_path: str | Path, name: str) -> Iterator[Path]:
    """Hold the lock for `name` (a portal, or 'reprocess') on this database, or raise Locked."""
    path = lock_path(db_path, name)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise Locked(
                f"{path} is held by {holder}: another vnnews run is writing "
                f"{name} into {db_path}; skipped"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the lock
