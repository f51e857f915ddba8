"""Processes for the CPU-heavy enrich stage, so it runs on every core and never on Scrapy's
reactor thread. Each worker loads underthesea's models once, when it starts."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


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
