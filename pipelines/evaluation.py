"""Scoring extraction against the hand-annotated gold set (tests/fixtures/nlp/gold.json).

People and provinces are compared per passage as sets of names; figures as multisets of
(value, unit). Scores are micro-averaged over all passages. The same scorer runs our enrich
stage (in the tests) and stock `underthesea.ner` (in bench/), so the two are comparable.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipelines.enrich import enrich_fields


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(
        self, predicted: Iterable[Any], gold: Iterable[Any], optional: Iterable[Any] = ()
    ) -> None:
        ignored = set(optional)
        got = Counter(x for x in predicted if x not in ignored)
        want = Counter(gold)
        hits = sum((got & want).values())
        self.true_positives += hits
        self.false_positives += sum(got.values()) - hits
        self.false_negatives += sum(want.values()) - hits

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


Prediction = dict[str, list[Any]]  # "persons", "provinces", "figures" → predicted items


def load_gold(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["passages"])


def ours(text: str, published: date) -> Prediction:
    enrichment = enrich_fields(iter([("body", text)]), published)
    return {
        "persons": sorted({m.name for m in enrichment.mentions if m.kind == "person"}),
        "provinces": sorted({m.name for m in enrichment.mentions if m.kind == "province"}),
        "figures": [(f.value, f.unit) for f in enrichment.figures],
    }


def score(
    passages: list[dict[str, Any]], predict: Callable[[str, date], Prediction]
) -> dict[str, Score]:
    scores = {"persons": Score(), "provinces": Score(), "figures": Score()}
    for passage in passages:
        predicted = predict(passage["text"], date.fromisoformat(passage["date"]))
        scores["persons"].add(predicted["persons"], passage["persons"], passage["persons_optional"])
        scores["provinces"].add(predicted["provinces"], passage["provinces"])
        if "figures" in predicted:
            gold_figures = [(f["value"], f["unit"]) for f in passage["figures"]]
            scores["figures"].add(predicted["figures"], gold_figures)
    return scores


def table(results: dict[str, dict[str, Score]]) -> str:
    """A Markdown table: one row per (system, kind)."""
    lines = [
        "| system | kind | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for system, scores in results.items():
        for kind, s in scores.items():
            lines.append(
                f"| {system} | {kind} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} "
                f"| {s.true_positives} | {s.false_positives} | {s.false_negatives} |"
            )
    return "\n".join(lines)


_TOKEN = re.compile(r"\w+")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """4-token shingles of `\\w+` tokens, the article-extraction benchmark's unit."""
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def page_scores(predicted: str, truth: str) -> tuple[float | None, float | None]:
    """(precision, recall) of one page's extracted body; None where undefined."""
    got, want = shingles(predicted), shingles(truth)
    tp = sum((got & want).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall
