"""Sentences with their offsets, split by underthesea's sentence tokenizer."""

from __future__ import annotations

from collections.abc import Iterator


def split_sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) for each sentence of each paragraph of `text`."""
    from underthesea import sent_tokenize

    position = 0
    for paragraph in text.split("\n"):
        if paragraph.strip():
            cursor = 0
            for sentence in sent_tokenize(paragraph):
                found = paragraph.find(sentence, cursor)
                if found < 0:  # the tokenizer changed the text: fall back to the cursor
                    found = cursor
                cursor = found + len(sentence)
                yield position + found, sentence
        position += len(paragraph) + 1
