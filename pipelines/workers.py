"""Processes for the CPU-heavy enrich stage, so it runs on every core and never on Scrapy's
reactor thread. Each worker loads underthesea's models once, when it starts; articles go to
the workers in batches."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from pipelines.enrich import enrich_article
from schemas.article import Article
from schemas.enrichment import Enrichment

# What enriching one article gave: its Enrichment, or why it failed ("ValueError: ...").
Outcome = Enrichment | str


def warm_up() -> None:
    """Load the models now rather than on a worker's first article."""
    from pipelines.ner import ner_spans
    from pipelines.provinces import gazetteer
    from pipelines.sentences import split_sentences

    gazetteer()
    list(split_sentences("Khởi động."))
    ner_spans("Chủ tịch UBND tỉnh Điện Biên Lê Thành Đô phát biểu.")


def enrich_pool(workers: int = 0) -> ProcessPoolExecutor:
    """A pool of `workers` processes (0: one per CPU). 'spawn' keeps workers independent of
    the reactor and threads of the parent process."""
    return ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=warm_up,
    )


def enrich_batch(articles: list[Article]) -> list[Outcome]:
    """Each article's Enrichment, in order; one that fails gives its error instead, so a bad
    article costs only itself and not its batch."""
    outcomes: list[Outcome] = []
    for article in articles:
        try:
            outcomes.append(enrich_article(article))
        except Exception as exc:
            outcomes.append(f"{type(exc).__name__}: {exc}")
    return outcomes


class BatchFeeder:
    """Feeds a process pool from asyncio code in batches: each `await feeder.enrich(article)`
    joins the open batch, which goes to a worker once it holds `size` articles or `wait`
    seconds after its first. A batch per task rather than an article per task: fewer
    round trips to the workers, and each worker's sentence cache sees more of a site's
    repeated captions."""

    def __init__(self, pool: ProcessPoolExecutor, size: int, wait: float) -> None:
        self.pool, self.size, self.wait = pool, max(1, size), wait
        self.batches_sent = 0
        self._open: list[tuple[Article, asyncio.Future[Outcome]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def enrich(self, article: Article) -> Outcome:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Outcome] = loop.create_future()
        self._open.append((article, result))
        if len(self._open) >= self.size:
            self.send()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self.send)
        return await result

    def send(self) -> None:
        """Hand the open batch to the pool now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._open = self._open, []
        if not batch:
            return
        self.batches_sent += 1
        task = self.pool.submit(enrich_batch, [article for article, _ in batch])
        loop = asyncio.get_running_loop()
        waiting = [result for _, result in batch]
        task.add_done_callback(lambda done: loop.call_soon_threadsafe(_deliver, done, waiting))


def _deliver(task: Future[list[Outcome]], waiting: list[asyncio.Future[Outcome]]) -> None:
    """On the event loop: each waiting article gets its outcome, or the batch's failure (a
    worker that died takes its whole batch with it)."""
    if task.cancelled():
        for result in waiting:
            result.cancel()
        return
    failure = task.exception()
    outcomes = (
        task.result()
        if failure is None
        else [f"{type(failure).__name__}: {failure}"] * len(waiting)
    )
    for result, outcome in zip(waiting, outcomes, strict=True):
        if not result.done():
            result.set_result(outcome)
