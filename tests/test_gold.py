"""Our enrichment against the hand-annotated gold set, with the thresholds of the issue."""

from __future__ import annotations

import pytest

from pipelines.evaluation import Score, load_gold, ours, score, table
from tests.conftest import ROOT

GOLD = ROOT / "tests" / "fixtures" / "nlp" / "gold.json"
THRESHOLDS = {"persons": 0.90, "provinces": 0.97, "figures": 0.90}


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    result = score(load_gold(GOLD), ours)
    print("\n" + table({"vnnews": result}))
    return result


def test_gold_set_is_large_enough() -> None:
    passages = load_gold(GOLD)
    assert sum(p["id"].startswith("seed-") for p in passages) == 25  # every seed sentence
    assert sum(p["id"].startswith("written-") for p in passages) >= 30


@pytest.mark.parametrize("kind", THRESHOLDS)
def test_f1_above_threshold(scores: dict[str, Score], kind: str) -> None:
    assert scores[kind].f1 >= THRESHOLDS[kind], table({"vnnews": scores})


def test_scorer_counts_what_it_should() -> None:
    s = Score()
    s.add(["A", "B", "C"], ["A", "B", "D"], optional=["C"])
    assert (s.true_positives, s.false_positives, s.false_negatives) == (2, 0, 1)
    assert s.precision == 1.0 and round(s.recall, 3) == 0.667
