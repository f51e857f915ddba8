"""The enrich stage: `enrich_article(article) → Enrichment`, pure and CPU-heavy.

Every sentence of the title, sapo, body and captions goes through underthesea's CRF tagger
and our rules: people with their titles, provinces by gazetteer (resolved by the article's
date), organisations, and figures.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

from pipelines.figures import find_figures
from pipelines.ner import ner_spans
from pipelines.organizations import find_organizations
from pipelines.people import find_people
from pipelines.provinces import find_provinces
from pipelines.sentences import split_sentences
from pipelines.text import fold
from schemas.article import Article
from schemas.enrichment import Enrichment, Figure, Mention

# Beyond this many characters an article is not a news article (a pasted report, a broken
# page); the rest is not analysed so one page cannot hold a worker for minutes.
MAX_CHARS = 200_000
# Sentences longer than this are not sent to the CRF (its cost grows with length); the rules
# still read them.
MAX_NER_SENTENCE = 2_000


def article_fields(article: Article) -> Iterator[tuple[str, str]]:
    """(field, text) pairs in reading order; captions are fields of their own."""
    yield "title", article.title
    if article.sapo:
        yield "sapo", article.sapo
    yield "body", article.body
    for number, image in enumerate(article.images):
        if image.caption:
            yield f"caption:{number}", image.caption


def enrich_article(article: Article) -> Enrichment:
    published = article.published_at.date() if article.published_at else None
    return enrich_fields(article_fields(article), published)


def enrich_fields(fields: Iterator[tuple[str, str]], published: date | None) -> Enrichment:
    mentions: list[Mention] = []
    pending: list[tuple[str, Figure]] = []  # (sentence provinces key, figure) until all known
    budget = MAX_CHARS
    for field, text in fields:
        if budget <= 0:
            break
        # Offsets are into the NFC text, which is what the articles table holds.
        text = unicodedata.normalize("NFC", text[:budget])
        budget -= len(text)
        for start, sentence in split_sentences(text):
            found = _sentence_mentions(sentence, field, start, published)
            mentions.extend(found)
            provinces = {m.name for m in found if m.kind == "province"}
            for figure in find_figures(sentence):
                pending.append(
                    (
                        next(iter(provinces)) if len(provinces) == 1 else "",
                        Figure(
                            text=figure.text,
                            value=figure.value,
                            unit=figure.unit,
                            counted=figure.counted,
                            qualifier=figure.qualifier,
                            field=field,
                            start=start + figure.start,
                            end=start + figure.end,
                            sentence=sentence,
                        ),
                    )
                )
    article_provinces = {m.name for m in mentions if m.kind == "province"}
    only = next(iter(article_provinces)) if len(article_provinces) == 1 else None
    figures = [
        figure.model_copy(update={"province": province or only}) for province, figure in pending
    ]
    return Enrichment(mentions=_unify_people(mentions), figures=figures)


def _sentence_mentions(
    sentence: str, field: str, offset: int, published: date | None
) -> list[Mention]:
    # No letters (a figure table's row, a dateline), no name: the CRF is not asked.
    tagged = len(sentence) <= MAX_NER_SENTENCE and any(c.isalpha() for c in sentence)
    spans = ner_spans(sentence) if tagged else ()
    place: dict[str, Any] = {"field": field, "sentence": sentence}
    found = [
        Mention(
            kind="person",
            key=fold(p.name),
            name=p.name,
            surface=p.surface,
            roles=p.roles,
            start=offset + p.start,
            end=offset + p.end,
            **place,
        )
        for p in find_people(sentence, spans)
    ]
    found += [
        Mention(
            kind="province",
            key=m.province.key,
            name=m.province.name,
            surface=m.surface,
            province_2025=m.province.province_2025,
            start=offset + m.start,
            end=offset + m.end,
            **place,
        )
        for m in find_provinces(sentence, published)
    ]
    found += [
        Mention(
            kind="organization",
            key=fold(o.name),
            name=o.name,
            surface=o.surface,
            start=offset + o.start,
            end=offset + o.end,
            **place,
        )
        for o in find_organizations(sentence)
    ]
    return found


def _unify_people(mentions: list[Mention]) -> list[Mention]:
    """One name per person: 'Le Thanh Do' and 'LÊ THÀNH ĐÔ' take the best-written form."""
    forms: dict[str, Counter[str]] = {}
    for mention in mentions:
        if mention.kind == "person":
            forms.setdefault(mention.key, Counter())[mention.name] += 1
    best = {
        key: max(counts, key=lambda name: (name != fold(name), counts[name]))
        for key, counts in forms.items()
    }
    return [
        m.model_copy(update={"name": best[m.key]}) if m.kind == "person" else m for m in mentions
    ]
