"""The fast tagger gives exactly stock underthesea.ner's output, on underthesea's own 2,119
real sentences and on every sentence of our fixtures."""

from __future__ import annotations

import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import underthesea

from pipelines.enrich import article_fields
from pipelines.sentences import split_sentences
from pipelines.tagger import FastTagger, compile_template, featurize, tagger
from schemas.article import Article
from tests.conftest import FIXTURES

GOLD = json.loads((FIXTURES / "nlp" / "gold.json").read_text(encoding="utf-8"))["passages"]
CORPUS = (
    Path(underthesea.__file__).parent
    / "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
)


def corpus_sentences() -> list[str]:
    """One token per line (tab-separated tags), a blank line between sentences: the tokens
    joined back into text."""
    sentences, words = [], []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            words.append(line.split("\t")[0])
        elif words:
            sentences.append(" ".join(words))
            words = []
    if words:
        sentences.append(" ".join(words))
    return sentences


def fixture_sentences() -> list[str]:
    """Every sentence of every expected article (all portals, generic pages) and of the gold
    set's passages."""
    texts = [passage["text"] for passage in GOLD]
    for output in sorted(FIXTURES.glob("**/output.json")):
        record = json.loads(output.read_text(encoding="utf-8"))
        article = Article(**{k: v for k, v in record.items() if k in Article.model_fields})
        texts += [text for _field, text in article_fields(article)]
    return [sentence for text in texts for _start, sentence in split_sentences(text)]


def test_identical_tags_on_underthesea_corpus_and_fixtures() -> None:
    corpus = corpus_sentences()
    fixtures = fixture_sentences()
    assert len(corpus) >= 2000 and len(fixtures) >= 250, (len(corpus), len(fixtures))
    fast = FastTagger()
    # Edge cases too: empty, one character, punctuation only, digits, capitals, very long.
    edges = ["", " ", ".", "1", "A", "ĐẢNG CỘNG SẢN VIỆT NAM", "10.000.000 đồng", "x " * 400]
    sentences = corpus + fixtures + edges
    # Stock takes ~25 ms a sentence: spread it over the cores.
    with ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn")) as pool:
        stock = list(pool.map(underthesea.ner, sentences, chunksize=50))
    different = [s for s, tags in zip(sentences, stock, strict=True) if fast(s) != tags]
    assert different == [], f"{len(different)} sentences differ, e.g. {different[:3]}"


def test_features_match_underthesea_word2features() -> None:
    from underthesea.pipeline.ner.model_crf import CRFNERPredictor
    from underthesea.pipeline.ner.tagged_feature import word2features

    template = CRFNERPredictor.Instance().transformer.template
    rows = [
        ("Chủ tịch", "N", "B-NP", "X"),
        ("UBND", "Np", "B-NP", "X"),
        ("tỉnh", "N", "B-NP", "X"),
        ("Điện Biên", "Np", "B-NP", "X"),
        ("Lê Thành Đô", "Np", "B-NP", "X"),
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    stock = [word2features(rows, i, template) for i in range(len(rows))]
    assert featurize(columns, compile_template(template)) == stock
    assert stock[4][:3] == ["T[-2].lower=tỉnh", "T[-1].lower=điện biên", "T[0].lower=lê thành đô"]


def test_another_underthesea_version_falls_back_to_stock(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    tagger.cache_clear()
    monkeypatch.setattr(underthesea, "__version__", "10.0.0")
    try:
        with caplog.at_level(logging.WARNING):
            assert tagger() is underthesea.ner
        assert "underthesea 10.0.0 is installed" in caplog.text
    finally:
        tagger.cache_clear()
    monkeypatch.undo()
    assert isinstance(tagger(), FastTagger)
