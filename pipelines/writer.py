"""The one writer of a database: ParsedPage and FetchFailure items into SQLite, committed in
batches. The crawl's StorePipeline and `vnnews ingest` (the writer of a distributed crawl)
both write through a Writer, so an article is stored the same way whichever way it came."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from sqlite_utils import Database

from pipelines.failures import RetryPolicy, record_failure, resolve_failure
from pipelines.store import (
    find_article_id,
    is_enriched,
    mark_removed,
    store_article,
    store_enrichment,
    store_page,
)
from schemas.page import FetchFailure, ParsedPage

logger = logging.getLogger(__name__)

Item = ParsedPage | FetchFailure


class Writer:
    """`write(item)` stores one item in the open transaction and commits every
    `commit_items` items; `commit()` commits now. `count(key)` is told what happened
    ("vnnews/articles/new", "vnnews/failures/fetch", ...), once per item."""

    def __init__(
        self,
        db: Database,
        run_id: int | None,
        policy: RetryPolicy,
        count: Callable[[str], None],
        commit_items: int = 200,
    ) -> None:
        self.db, self.run_id, self.policy = db, run_id, policy
        self.commit_items = max(1, commit_items)
        self._count_to = count
        # Items written since the last commit, kept to write again one by one should SQLite
        # roll the whole transaction back (a full disk may).
        self.uncommitted: list[Item] = []
        self._counting = True

    def write(self, item: Item) -> None:
        if not self.db.conn.in_transaction:
            self.db.begin()
        self.uncommitted.append(item)
        self._write(item)
        if len(self.uncommitted) >= self.commit_items:
            self.commit()

    def commit(self) -> None:
        """Make the items written so far durable; if SQLite refuses, write them again one by
        one, so one bad item costs only itself."""
        batch, self.uncommitted = self.uncommitted, []
        try:
            self.db.commit()
        except sqlite3.Error as exc:
            logger.error(
                "commit failed (%s: %s); storing items one by one", type(exc).__name__, exc
            )
            self.db.rollback()
            self._write_again(batch)

    def _write(self, item: Item) -> None:
        try:
            # Each store function is a savepoint: a failing step undoes only its own writes,
            # and the raw page stays stored when its article cannot be.
            if isinstance(item, ParsedPage):
                self._store_parsed(item)
            else:
                if item.status in (404, 410) and mark_removed(self.db, item.url, item.reason):
                    self._count("vnnews/articles/removed")
                self._fail(item.site, item.url, "fetch", item.reason, item.status)
        except sqlite3.Error as exc:  # a full disk or a broken file costs this item, logged
            if not self.db.conn.in_transaction and len(self.uncommitted) > 1:
                # SQLite gave up the whole transaction: the items before this one are gone
                # from it, though they were fine.
                earlier, self.uncommitted = self.uncommitted[:-1], [item]
                self._write_again(earlier)
            self._count("vnnews/store/failed")
            url = item.page.url if isinstance(item, ParsedPage) else item.url
            logger.error("%s: not stored: %s: %s", url, type(exc).__name__, exc)
            self._fail_quietly(item, url, f"{type(exc).__name__}: {exc}")

    def _write_again(self, items: list[Item]) -> None:
        """Each item in its own transaction, counted once (it was counted when first written)."""
        self._counting = False
        try:
            for item in items:
                self._write(item)
                self.db.commit()
        finally:
            self._counting = True

    def _count(self, key: str) -> None:
        if self._counting:
            self._count_to(key)

    def _store_parsed(self, item: ParsedPage) -> None:
        requested = item.page.requested
        if (
            requested
            and requested != item.page.url
            and (item.article is None or item.article.url != requested)
            and mark_removed(self.db, requested, f"redirected to {item.page.url}")
        ):
            self._count("vnnews/articles/removed")
        page_id = store_page(self.db, item.page)
        if not item.page.replayed:  # read back from the database, not fetched
            self._count("vnnews/pages")
        if item.article is not None:
            # Mentions are rewritten only when the article changed or was never enriched.
            needs_enrichment = item.enrichment is not None and (
                not is_enriched(self.db, item.article.url)
            )
            outcome = store_article(self.db, item.article, page_id)
            if not (item.page.replayed and outcome == "unchanged"):
                self._count(f"vnnews/articles/{outcome}")
            if item.enrichment is not None and (outcome != "unchanged" or needs_enrichment):
                store_enrichment(
                    self.db, find_article_id(self.db, item.article.url) or 0, item.enrichment
                )
            if item.enrich_error:
                self._fail(item.page.site, item.article.url, "enrich", item.enrich_error, None)
            else:
                resolve_failure(self.db, item.article.url)
                if item.page.url != item.article.url:
                    resolve_failure(self.db, item.page.url)
        else:
            self._fail(
                item.page.site, item.page.url, "parse", item.error or "unknown", item.page.status
            )

    def _fail(self, site: str, url: str, stage: str, reason: str, status: int | None) -> None:
        self._count("vnnews/failures")
        self._count(f"vnnews/failures/{stage}")
        if record_failure(self.db, self.run_id, site, url, stage, reason, status, self.policy) == (
            "gave up"
        ):
            self._count("vnnews/failures/gave_up")
            logger.warning("%s: giving up after %d attempts", url, self.policy.max_attempts)

    def _fail_quietly(self, item: Item, url: str, reason: str) -> None:
        """Record a store-stage failure if the database still takes writes at all."""
        site = item.page.site if isinstance(item, ParsedPage) else item.site
        try:
            self._fail(site, url, "store", reason, None)
        except sqlite3.Error:
            logger.error("%s: the failure could not be recorded either", url)
