"""The enrichment pool, fed in batches: outcomes come back in order, one per article, and a
bad article costs only itself."""

from __future__ import annotations

import asyncio

from pipelines.enrich import enrich_article
from pipelines.parse import parse_article
from pipelines.workers import BatchFeeder, enrich_batch, enrich_pool
from schemas.article import Article
from scraper.profiles import get_profile
from tests.conftest import article_cases, expected


def fixture_articles() -> list[Article]:
    profile = get_profile("tuyengiao")
    return [
        parse_article(
            (case / "page.html").read_text(encoding="utf-8"), expected(case)["url"], profile
        )
        for case in article_cases()
    ]


def broken_article() -> Article:
    # Built without validation, as a bug elsewhere could: enrichment cannot read its body.
    return Article.model_construct(
        url="https://tuyengiao.vn/x-1", site="tuyengiao", title=None, sapo=None, body=None
    )


def test_a_failing_article_gives_its_error_and_not_its_batch() -> None:
    good = fixture_articles()[0]
    outcomes = enrich_batch([good, broken_article(), good])
    assert outcomes[0] == outcomes[2] == enrich_article(good)
    assert isinstance(outcomes[1], str) and outcomes[1].startswith("TypeError: ")


def test_the_feeder_sends_full_batches_then_the_rest_after_the_wait() -> None:
    articles = fixture_articles()[:5]

    async def enrich_all(feeder: BatchFeeder) -> list[object]:
        return list(await asyncio.gather(*(feeder.enrich(a) for a in articles)))

    with enrich_pool(2) as pool:
        feeder = BatchFeeder(pool, size=2, wait=0.2)
        outcomes = asyncio.run(enrich_all(feeder))
    assert feeder.batches_sent == 3  # 2 + 2 when full, 1 after the wait
    assert outcomes == [enrich_article(a) for a in articles]
