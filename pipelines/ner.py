"""underthesea's CRF named-entity tagger, as character spans, computed once per sentence.

Only the CRF models shipped inside the underthesea wheel are used — never its deep-learning
mode, which downloads a model at run time — through `pipelines.tagger`, which gives the same
tags several times faster. underthesea is imported on first use: loading it takes about a
second, once per process.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from pipelines.tagger import ner
from pipelines.text import modern_tones

logger = logging.getLogger(__name__)

Span = tuple[int, int, str]  # start, end, tag ("PER", "LOC", "ORG", "MISC")


@lru_cache(maxsize=8192)  # captions and datelines repeat across an article and a crawl
def ner_spans(sentence: str) -> tuple[Span, ...]:
    """Entity spans the CRF finds in `sentence`, with offsets into `sentence`."""
    try:
        tokens = ner(sentence)
    except Exception:  # underthesea must not take a crawl down with it
        logger.warning(
            "underthesea.ner failed on a sentence of %d characters", len(sentence), exc_info=True
        )
        return ()
    # underthesea returns words tone-normalised (Hoà → Hòa); find them in the same form.
    text = modern_tones(sentence)
    spans: list[list[object]] = []
    cursor = 0
    previous = "O"
    for word, _pos, _chunk, tag in tokens:
        start = text.find(word, cursor)
        if start < 0:
            previous = "O"
            continue
        cursor = start + len(word)
        if tag.startswith("I-") and previous[2:] == tag[2:] and spans:
            spans[-1][1] = cursor
        elif tag != "O":  # B-X, or an I-X that starts a span
            spans.append([start, cursor, tag[2:]])
        previous = tag
    return tuple((int(s), int(e), str(t)) for s, e, t in spans)  # type: ignore[call-overload]
