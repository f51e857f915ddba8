"""Our enrichment vs stock `underthesea.ner` on the hand-annotated gold set.

    .venv/bin/python bench/gold_vs_stock.py            # print the table
    .venv/bin/python bench/gold_vs_stock.py --write    # also refresh docs/enrichment.md's table

Stock underthesea has no notion of provinces or figures: its PER spans are taken as people,
and its LOC spans that are exactly a province name (after a tỉnh / thành phố / TP prefix) as
provinces ("LOC-as-province"). It finds no figures, so that row is ours alone.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.doctable import replace_between  # noqa: E402
from pipelines.evaluation import Prediction, load_gold, ours, score, table  # noqa: E402
from pipelines.provinces import gazetteer  # noqa: E402
from pipelines.text import modern_tones  # noqa: E402

_PREFIX = re.compile(r"^(?:tỉnh|Tỉnh|thành phố|Thành phố|TP\.?|Tp\.?)\s*")
DOC = ROOT / "docs" / "enrichment.md"
START, END = "<!-- gold-table -->", "<!-- /gold-table -->"


def stock(text: str, published: date) -> Prediction:
    from underthesea import ner

    persons, provinces = set(), set()
    current: list[str] = []
    kind = None
    for word, _pos, _chunk, tag in [*ner(text), ("", "", "", "O")]:
        if tag.startswith("I-") and kind == tag[2:]:
            current.append(word)
            continue
        if kind == "PER":
            persons.add(" ".join(current))
        elif kind == "LOC":
            name = gazetteer().surfaces.get(modern_tones(_PREFIX.sub("", " ".join(current))))
            if name:
                provinces.add(name)
        current, kind = ([word], tag[2:]) if tag != "O" else ([], None)
    return {"persons": sorted(persons), "provinces": sorted(provinces)}


def main() -> None:
    passages = load_gold(ROOT / "tests" / "fixtures" / "nlp" / "gold.json")
    started = time.perf_counter()
    mine = score(passages, ours)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = score(passages, stock)
    theirs_seconds = time.perf_counter() - started
    del theirs["figures"]
    result = table({"vnnews": mine, "underthesea.ner (stock)": theirs})
    note = (
        f"\n\n{len(passages)} passages; vnnews {ours_seconds:.1f} s, stock ner "
        f"{theirs_seconds:.1f} s in the same run (model loading included in the first)."
    )
    print(result + note)
    if "--write" in sys.argv:
        replace_between(DOC, START, END, result + note)


if __name__ == "__main__":
    main()
