"""underthesea's NER pipeline — word segmentation, POS, chunking, NER — with its own CRF
models and feature templates, and the features computed once per sentence.

Stock `underthesea.ner` spends about 90 % of its time building features: for every token and
every template it rebuilds the sentence's columns and re-parses the template with a regex.
Here each template is parsed once, and each column value (a word, its lower case, whether it
is title-cased, a bigram) is computed once per sentence, by underthesea's own functions. Same
models, same features, same tags: `tests/test_tagger.py` checks it on the 2,119 sentences
underthesea ships and on every sentence of our fixtures.

The equivalence holds for the underthesea version it was checked against (pinned in
pyproject.toml); with any other version `ner` warns once and uses stock `underthesea.ner`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from functools import cache

# underthesea depends on huggingface-hub; nothing here may reach the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
logger = logging.getLogger(__name__)

UNDERTHESEA_VERSION = "9.5.0"

Token = tuple[str, str, str, str]  # word, POS, chunk, NER tag — as underthesea.ner gives them
# One template entry: feature prefix, first offset, span length, column, function name.
Feature = tuple[str, int, int, int, str | None]

# underthesea's template syntax (tagged_feature.py): T[-1,0][1].lower
_SYNTAX = re.compile(
    r"T\[(?P<index1>\-?\d+)(\,(?P<index2>\-?\d+))?\](\[(?P<column>.*)\])?(\.(?P<function>.*))?"
)


def compile_template(template: Sequence[str]) -> list[Feature]:
    """Parse each template entry once (stock parses it again for every token)."""
    compiled = []
    for syntax in template:
        match = _SYNTAX.match(syntax)
        if match is None:
            raise ValueError(f"not an underthesea feature template: {syntax!r}")
        first = int(match["index1"])
        span = int(match["index2"]) - first + 1 if match["index2"] is not None else 1
        column = int(match["column"]) if match["column"] else 0
        compiled.append((f"{syntax}=", first, span, column, match["function"]))
    return compiled


def featurize(columns: Sequence[Sequence[str]], template: list[Feature]) -> list[list[str]]:
    """The CRF features of one sentence given as columns (words, POS tags, ...): exactly what
    underthesea's `word2features` gives for each token, built template by template."""
    functions = _functions()
    size = len(columns[0])
    values_of: dict[tuple[int, int, str | None], list[str]] = {}
    per_template = []
    for prefix, first, span, column, function in template:
        values = values_of.get((column, span, function))
        if values is None:
            cells = columns[column]
            words = (
                list(cells)
                if span == 1
                else [" ".join(cells[a : a + span]) for a in range(size - span + 1)]
            )
            if function is not None:
                # str(): stock formats a function's result into the feature (True → "True").
                apply = functions[function]
                words = [str(apply(word)) for word in words]
            values = values_of[(column, span, function)] = words
        # Token i reads the value starting at i + first: "BOS" before the sentence, "EOS"
        # when the span runs past its end (stock checks the start, then the end, likewise).
        last = size - span  # the last start whose whole span lies in the sentence
        before = min(size, max(0, -first))
        inside = max(0, min(size - 1, last - first) - before + 1)
        start = before + first
        per_template.append(
            [prefix + "BOS"] * before
            + [prefix + value for value in values[start : start + inside]]
            + [prefix + "EOS"] * (size - before - inside)
        )
    return [list(features) for features in zip(*per_template, strict=True)]


@cache
def _functions() -> dict[str, Callable[[str], object]]:
    """underthesea's feature functions by name (its apply_function rebuilds this dict on
    every call)."""
    from underthesea.pipeline.ner import tagged_feature as stock

    return {
        "lower": stock.text_lower,
        "istitle": stock.text_istitle,
        "isallcap": stock.text_isallcap,
        "isdigit": stock.text_isdigit,
        "is_in_dict": stock.text_is_in_dict,
    }


class FastTagger:
    """`tagger(sentence)` is `underthesea.ner(sentence)`, several times faster."""

    def __init__(self) -> None:
        from underthesea import word_tokenize
        from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
        from underthesea.pipeline.ner.model_crf import CRFNERPredictor
        from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

        # The stock predictors' own loaded models and templates: nothing is copied.
        pos, chunk, ner = (
            predictor.Instance()
            for predictor in (CRFPOSTagPredictor, CRFChunkingPredictor, CRFNERPredictor)
        )
        self.word_tokenize = word_tokenize
        self.models = (pos.model, chunk.model, ner.model)
        self.templates = tuple(
            compile_template(predictor.transformer.template) for predictor in (pos, chunk, ner)
        )

    def __call__(self, sentence: str) -> list[Token]:
        words = self.word_tokenize(sentence)
        if not words:
            return []
        # Each model sees the tags before it, and "X" where stock fills its own column.
        unknown = ["X"] * len(words)
        pos_model, chunk_model, ner_model = self.models
        pos_template, chunk_template, ner_template = self.templates
        pos = pos_model.tag(featurize([words, unknown], pos_template))
        chunks = chunk_model.tag(featurize([words, pos, unknown], chunk_template))
        tags = ner_model.tag(featurize([words, pos, chunks, unknown], ner_template))
        return list(zip(words, pos, chunks, tags, strict=True))


@cache
def tagger() -> Callable[[str], list[Token]]:
    """The fast tagger, or stock `underthesea.ner` when the installed underthesea is not the
    version the fast one was proven identical with."""
    import underthesea

    if underthesea.__version__ != UNDERTHESEA_VERSION:
        logger.warning(
            "underthesea %s is installed, vnnews's fast tagger was checked against %s: "
            "using the stock (slower) underthesea.ner",
            underthesea.__version__,
            UNDERTHESEA_VERSION,
        )
        from underthesea import ner

        return ner  # type: ignore[no-any-return]
    return FastTagger()


def ner(sentence: str) -> list[Token]:
    """(word, POS, chunk, NER tag) for each word of `sentence`, as `underthesea.ner` gives."""
    return tagger()(sentence)
