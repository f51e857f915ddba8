"""Re-running parse (and enrich) over the raw pages already stored, without fetching."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from sqlite_utils import Database

from pipelines.failures import record_failure
from pipelines.store import (
    find_article_id,
    finish_run,
    start_run,
    store_article,
    store_enrichment,
    stored_page,
)
from pipelines.workers import Outcome, enrich_batch, enrich_pool
from schemas.article import Article
from scraper.reading import parse_page

BATCH = 32


def latest_pages(db: Database, site: str | None) -> list[tuple[int, str, str]]:
    """(page id, url, site) of the newest stored version of each page."""
    where, params = ("WHERE site = ?", [site]) if site else ("", [])
    rows = db.execute(
        f"SELECT max(id), url, site FROM pages {where} GROUP BY url ORDER BY 1", params
    ).fetchall()
    return [(int(row[0]), row[1], row[2]) for row in rows]


def reprocess(
    db: Database,
    site: str | None,
    enrich: bool,
    workers: int = 0,
    advance: Callable[[int], None] = lambda n: None,
) -> Counter[str]:
    """Parse every stored page again, store what it yields, and re-enrich the articles."""
    pages = latest_pages(db, site)
    run_id = start_run(db, site or "*", "reprocess", {"enrich": enrich, "pages": len(pages)})
    counts: Counter[str] = Counter()
    pool = enrich_pool(workers) if enrich else None
    try:
        for batch in _batches(pages, BATCH):
            parsed: list[tuple[int, Article]] = []
            for page_id, url, page_site in batch:
                page = stored_page(db.conn, page_id)
                result = parse_page(page)
                if result.article is None:
                    counts["vnnews/failures"] += 1
                    record_failure(db, run_id, page_site, url, "parse", result.error or "?")
                else:
                    parsed.append((page_id, result.article))
            outcomes = (
                _enrich(pool, workers or os.cpu_count() or 1, [article for _, article in parsed])
                if pool
                else []
            )
            for number, (page_id, article) in enumerate(parsed):
                counts[f"vnnews/articles/{store_article(db, article, page_id)}"] += 1
                if not pool:
                    continue
                outcome = outcomes[number]
                if isinstance(outcome, str):  # stored without its entities, retried later
                    counts["vnnews/failures"] += 1
                    record_failure(db, run_id, article.site, article.url, "enrich", outcome)
                else:
                    store_enrichment(db, find_article_id(db, article.url) or 0, outcome)
            counts["vnnews/pages"] += len(batch)
            advance(len(batch))
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
        finish_run(db, run_id, "finished", dict(counts))
    return counts


def _enrich(pool: ProcessPoolExecutor, workers: int, articles: list[Article]) -> list[Outcome]:
    """The articles' outcomes in order, a slice of them to each of `workers` at once."""
    size = max(1, -(-len(articles) // workers))
    slices = [articles[start : start + size] for start in range(0, len(articles), size)]
    return [outcome for part in pool.map(enrich_batch, slices) for outcome in part]


def _batches(items: list[tuple[int, str, str]], size: int) -> Iterator[list[tuple[int, str, str]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
