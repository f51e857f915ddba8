"""Our generic extractor vs trafilatura on the article-extraction benchmark, in one run.

    .venv/bin/python bench/extraction.py [--write] [--limit N]

The data (181 real pages with human-checked bodies) lies in ../shared/benchmarks/
article-extraction/. The metric is the benchmark's own: 4-token shingles of `\\w+` tokens,
per-page precision and recall averaged over pages, F1 from the two means, and a bootstrap
standard deviation over 1,000 resamples of the pages. trafilatura is a benchmark-only
dependency (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import gzip
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.doctable import replace_between  # noqa: E402
from pipelines.evaluation import page_scores  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
DOC = ROOT / "docs" / "extraction.md"
START, END = "<!-- extraction-table -->", "<!-- /extraction-table -->"


def summarise(scores: list[tuple[float | None, float | None]]) -> tuple[float, float, float]:
    precisions = [p for p, _ in scores if p is not None]
    recalls = [r for _, r in scores if r is not None]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bootstrap_f1(scores: list[tuple[float | None, float | None]], rounds: int = 1000) -> float:
    rng = random.Random(1)
    f1s = [summarise([rng.choice(scores) for _ in scores])[2] for _ in range(rounds)]
    mean = sum(f1s) / len(f1s)
    return (sum((f - mean) ** 2 for f in f1s) / len(f1s)) ** 0.5


def load(limit: int | None = None) -> list[tuple[str, str, str, str]]:
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        html = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        pages.append((key, truth[key]["url"], html, truth[key]["articleBody"]))
    return pages


def ours(html: str, url: str) -> str:
    from pipelines.generic import extract_generic

    try:
        return extract_generic(html, url).body
    except Exception:
        return ""


def trafilatura_extract(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def run(
    pages: list[tuple[str, str, str, str]], extractor: Callable[[str, str], str]
) -> tuple[list, float]:
    extractor(pages[0][2], pages[0][1])  # imports and caches outside the timing
    scores = []
    started = time.perf_counter()
    outputs = [extractor(html, url) for _, url, html, _ in pages]
    elapsed = time.perf_counter() - started
    for output, (_, _, _, truth) in zip(outputs, pages, strict=True):
        scores.append(page_scores(output, truth))
    return scores, elapsed


def main() -> None:
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
    pages = load(limit)
    rows = []
    times = {}
    for name, extractor in (("vnnews generic", ours), ("trafilatura.extract", trafilatura_extract)):
        scores, elapsed = run(pages, extractor)
        p, r, f1 = summarise(scores)
        times[name] = elapsed / len(pages)
        rows.append(
            f"| {name} | {f1:.3f} ± {bootstrap_f1(scores):.3f} | {p:.3f} | {r:.3f} "
            f"| {times[name] * 1000:.1f} |"
        )
    ratio = times["trafilatura.extract"] / times["vnnews generic"]
    table = "\n".join(
        [
            "| extractor | F1 ± sd | precision | recall | ms per page |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    note = (
        f"\n\n{len(pages)} pages, one run, one process; vnnews is {ratio:.1f}× faster than "
        f"trafilatura. Python {platform.python_version()}, {platform.machine()}."
    )
    print(table + note)
    if "--write" in sys.argv:
        replace_between(DOC, START, END, table + note)


if __name__ == "__main__":
    main()
