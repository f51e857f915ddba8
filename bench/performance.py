"""The performance suite. Every comparison runs side by side in this one invocation and is
reported as a ratio, so the numbers travel between machines better than seconds do.

    make bench                                   # everything (about 15 minutes on 2 cores)
    .venv/bin/python bench/performance.py --quick          # a smaller, faster smoke run
    .venv/bin/python bench/performance.py --only enrich    # one section: parse, enrich,
                                                           # crawl, search

Writes bench/results/performance.json and the tables of docs/performance.md. The
article-extraction pages come from ../shared/benchmarks (or $VNNEWS_BENCHMARKS); without
them the generic extractor is measured on the generic fixtures only, and the page says so.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import multiprocessing
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.doctable import replace_between  # noqa: E402
from bench.sitegen import (  # noqa: E402
    build_site,
    corpus_sentences,
    fixture_paragraphs,
    spliced_sentence,
)

RESULTS = ROOT / "bench" / "results" / "performance.json"
DOC = ROOT / "docs" / "performance.md"
BENCHMARKS = Path(os.environ.get("VNNEWS_BENCHMARKS", ROOT.parent / "shared" / "benchmarks"))
BIN = Path(sys.executable).parent


def best_rates(works: list[Callable[[], int]], rounds: int) -> list[float]:
    """Items per second of each of `works` (each returns its count), the fastest of `rounds`
    runs — the least disturbed by the rest of the machine. The works take turns within each
    round, so a machine that slows down or speeds up meanwhile weighs on all of them alike."""
    best = [0.0] * len(works)
    for _ in range(rounds):
        for number, work in enumerate(works):
            started = time.perf_counter()
            count = work()
            best[number] = max(best[number], count / (time.perf_counter() - started))
    return best


# --- parsing ----------------------------------------------------------------------------------


def fixture_pages() -> list[tuple[str, str, str]]:
    """(html, url, site) of every portal's article fixtures."""
    pages = []
    for output in sorted((ROOT / "tests" / "fixtures").glob("*/articles/*/output.json")):
        record = json.loads(output.read_text(encoding="utf-8"))
        html = (output.parent / "page.html").read_text(encoding="utf-8")
        pages.append((html, record["url"], record["site"]))
    return pages


def benchmark_pages() -> list[tuple[str, str]]:
    data = BENCHMARKS / "article-extraction"
    if not (data / "ground-truth.json").is_file():
        return []
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        (
            gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()).decode(),
            truth[key]["url"],
        )
        for key in sorted(truth)
    ]


def bench_parsing(quick: bool) -> dict[str, object]:
    import trafilatura

    from pipelines.generic import extract_generic
    from scraper.reading import read_article

    rounds = 2 if quick else 5
    portal = fixture_pages()

    def profile_parser() -> int:
        for html, url, site in portal:
            read_article(html, url, site)
        return len(portal)

    def trafilatura_on(pages: list[tuple[str, str]]) -> Callable[[], int]:
        def run() -> int:
            for html, url in pages:
                trafilatura.extract(html, url=url)
            return len(pages)

        return run

    ours, theirs = best_rates(
        [profile_parser, trafilatura_on([(h, u) for h, u, _ in portal])], rounds * 2
    )
    generic_pages = benchmark_pages()
    source = f"{len(generic_pages)} article-extraction benchmark pages"
    if not generic_pages:
        generic_pages = [
            (p.read_text(encoding="utf-8"), "https://example.vn/tin-1.html")
            for p in sorted((ROOT / "tests" / "fixtures" / "generic").glob("*/page.html"))
        ]
        source = f"{len(generic_pages)} generic fixtures (benchmark pages not found)"
    if quick:
        generic_pages = generic_pages[:40]

    def generic() -> int:
        for html, url in generic_pages:
            with contextlib.suppress(Exception):  # a page without an article counts as done
                extract_generic(html, url, site="bench")
        return len(generic_pages)

    ours_generic, theirs_generic = best_rates([generic, trafilatura_on(generic_pages)], rounds)
    return {
        "profile_pages": len(portal),
        "profile_pages_per_s": ours,
        "trafilatura_on_fixtures_pages_per_s": theirs,
        "profile_vs_trafilatura": ours / theirs,
        "generic_source": source,
        "generic_pages_per_s": ours_generic,
        "trafilatura_on_generic_pages_per_s": theirs_generic,
        "generic_vs_trafilatura": ours_generic / theirs_generic,
    }


# --- enrichment -------------------------------------------------------------------------------


def enrichment_articles(count: int, seed: int = 2) -> list[object]:
    """Articles of real prose, as few repeated sentences as a real crawl: the fixture articles
    of every portal, then articles of sentences spliced from underthesea's corpus."""
    from schemas.article import Article

    rng = random.Random(seed)
    sentences = corpus_sentences()
    articles = [
        Article(**{k: v for k, v in json.loads(p.read_text()).items() if k in Article.model_fields})
        for p in sorted((ROOT / "tests" / "fixtures").glob("*/articles/*/output.json"))
    ][:count]
    while len(articles) < count:
        number = len(articles)
        articles.append(
            Article(
                url=f"https://tuyengiao.vn/bai-{number}-{100000 + number}",
                site="tuyengiao",
                layout="2021",
                title=spliced_sentence(rng, sentences)[:120],
                sapo=spliced_sentence(rng, sentences),
                body="\n\n".join(
                    " ".join(spliced_sentence(rng, sentences) for _ in range(3)) for _ in range(6)
                ),
            )
        )
    return articles


def bench_enrichment(quick: bool) -> dict[str, object]:
    import underthesea

    from pipelines.enrich import article_fields, enrich_article
    from pipelines.ner import ner_spans
    from pipelines.sentences import split_sentences
    from pipelines.tagger import ner

    articles = enrichment_articles(30 if quick else 100)
    sentences = [
        sentence
        for article in articles
        for _field, text in article_fields(article)  # type: ignore[arg-type]
        for _start, sentence in split_sentences(text)
    ]
    enrich_article(articles[0])  # load the models outside the clock
    underthesea.ner("Khởi động.")

    def stock() -> int:
        for sentence in sentences:
            underthesea.ner(sentence)
        return len(sentences)

    def ours() -> int:
        ner_spans.cache_clear()  # each round starts cold
        for article in articles:
            enrich_article(article)  # type: ignore[arg-type]
        return len(sentences)

    def tagger_only() -> int:
        for sentence in sentences:
            ner(sentence)
        return len(sentences)

    stock_rate, ours_rate, tagger_rate = best_rates([stock, ours, tagger_only], 1 if quick else 2)
    identical = sum(ner(s) == underthesea.ner(s) for s in sentences[:300])
    per_article = len(sentences) / len(articles)
    return {
        "articles": len(articles),
        "sentences": len(sentences),
        "stock_ner_sentences_per_s": stock_rate,
        "stock_ner_articles_per_s": stock_rate / per_article,
        "tagger_sentences_per_s": tagger_rate,
        "enrich_sentences_per_s": ours_rate,
        "enrich_articles_per_s": ours_rate / per_article,
        "enrich_vs_stock_ner": ours_rate / stock_rate,
        "tagger_vs_stock_ner": tagger_rate / stock_rate,
        "identical_tags_checked": 300,
        "identical_tags": identical,
    }


# --- end to end -------------------------------------------------------------------------------


class PeakRss:
    """Peak of the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _tree(self) -> Iterable[int]:
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            yield pid
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            total = 0
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def crawl_once(
    site_url: str, db: Path, *options: str, cpus: set[int] | None = None
) -> dict[str, float]:
    """One `vnnews crawl` of the generated mirror; `cpus` pins it (and the enrichment
    workers it starts, which inherit the affinity) to those cores."""
    command = [
        str(BIN / "vnnews"),
        "crawl",
        "tuyengiao",
        "--db",
        str(db),
        "--base-url",
        site_url,
        "--max-pages",
        "0",
        "--log-level",
        "WARNING",
        *options,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    memory = PeakRss(process.pid)
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    peak = memory.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"crawl failed ({process.returncode}): {stderr[-2000:]}")
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        enriched = conn.execute("SELECT count(enriched_at) FROM articles").fetchone()[0]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "articles": articles,
        "enriched": enriched,
        "seconds": wall,
        "pages_per_s": articles / wall,
        "cpu_seconds": cpu,
        "cpu_cores_busy": cpu / wall,
        "peak_rss_mb": peak / 2**20,
        "db_bytes_per_article": db.stat().st_size / max(articles, 1),
    }


def _spin(_: object) -> float:
    started = time.perf_counter()
    total = 0
    for number in range(20_000_000):
        total += number
    return time.perf_counter() - started


def parallel_ceiling() -> float:
    """What this machine gives two CPU-bound processes at once, compared with one: 2.0 on
    two free cores, less when the cores are hyperthreads or a VM host is busy."""
    context = multiprocessing.get_context("spawn")
    cores = os.cpu_count() or 1
    with context.Pool(1) as pool:
        alone = pool.map(_spin, [0])[0]
    with context.Pool(cores) as pool:
        together = pool.map(_spin, range(cores))
    return cores * alone / max(together)


def bench_crawl(quick: bool, work: Path) -> dict[str, object]:
    from scraper.mirror import Mirror

    pages = 200 if quick else 2000
    site = work / "site"
    build_site(site, pages)
    results: dict[str, object] = {"pages": pages, "cores": os.cpu_count()}
    ceilings = [parallel_ceiling()]
    with Mirror(site) as mirror:
        # "One core": the whole crawl pinned to one CPU, its one enrichment worker too.
        # "All cores": unpinned, one worker per core. The mirror serves from this process.
        runs: dict[str, tuple[tuple[str, ...], set[int] | None]] = {
            "enrich_off": (("--no-enrich",), None),
            "enrich_one_core": (("-s", "VNNEWS_ENRICH_WORKERS=1"), {min(os.sched_getaffinity(0))}),
            "enrich_all_cores": (("-s", "VNNEWS_ENRICH_WORKERS=0"), None),
        }
        for name, (options, cpus) in runs.items():
            db = work / f"{name}.db"
            for leftover in work.glob(f"{name}.db*"):
                leftover.unlink()
            results[name] = crawl_once(mirror.url, db, *options, cpus=cpus)
    one = results["enrich_one_core"]["pages_per_s"]  # type: ignore[index]
    all_cores = results["enrich_all_cores"]["pages_per_s"]  # type: ignore[index]
    results["all_cores_vs_one_core"] = all_cores / one
    ceilings.append(parallel_ceiling())
    results["parallel_ceiling"] = ceilings  # before and after the crawls
    return results


# --- storage and search -----------------------------------------------------------------------

QUERIES = ["Lào Cai", "lao cai", "ngân sách", "ngan sach nha nuoc", "Đảng bộ", "dang bo tinh"]


def bench_search(quick: bool, work: Path) -> dict[str, object]:
    from pipelines.search import search_articles
    from pipelines.store import open_db

    count = 10_000 if quick else 100_000
    path = work / "search.db"
    for leftover in work.glob("search.db*"):
        leftover.unlink()
    rng = random.Random(3)
    sentences, paragraphs = corpus_sentences(), fixture_paragraphs()
    provinces = ["Lào Cai", "Điện Biên", "Hà Giang", "Sơn La", "Cao Bằng", "Nghệ An", "Đắk Lắk"]
    db = open_db(path)
    started = time.perf_counter()
    batch = []
    for number in range(count):
        body = "\n\n".join(
            rng.choice(paragraphs) if rng.random() < 0.5 else rng.choice(sentences)
            for _ in range(5)
        )
        batch.append(
            (
                f"https://tuyengiao.vn/bai-{number}-{number + 100000}",
                "tuyengiao",
                "2021",
                f"{rng.choice(provinces)}: {rng.choice(sentences)[:80]}",
                rng.choice(sentences),
                f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:00:00+07:00",
                body,
                "[]",
                "[]",
                f"{number:064x}",
                "2026-11-26T00:00:00+00:00",
            )
        )
        if len(batch) == 5000 or number == count - 1:
            with db.conn:
                db.conn.executemany(
                    "INSERT INTO articles (url, site, layout, title, sapo, published_at, body, "
                    "authors, tags, content_sha256, first_seen_at) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
            batch = []
    load_seconds = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    latencies: dict[str, list[float]] = {}
    runs = 30 if quick else 100
    for query in QUERIES:
        search_articles(db, query, limit=20)  # warm the page cache
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            search_articles(db, query, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        latencies[query] = times
    every = sorted(t for times in latencies.values() for t in times)
    db.close()
    return {
        "articles": count,
        "insert_articles_per_s": count / load_seconds,
        "db_bytes_per_article": path.stat().st_size / count,
        "queries": QUERIES,
        "runs_per_query": runs,
        "p50_ms": statistics.median(every),
        "p95_ms": every[int(len(every) * 0.95) - 1],
        "per_query_p95_ms": {q: sorted(t)[int(len(t) * 0.95) - 1] for q, t in latencies.items()},
    }


# --- report -----------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    import underthesea

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "underthesea": underthesea.__version__,
        "platform": platform.platform(),
    }


def verdict(value: float, target: float, higher: bool = True) -> str:
    met = value >= target if higher else value <= target
    return "met" if met else "**not met**"


def markdown(results: dict[str, dict]) -> str:
    m = results["machine"]
    rows: list[tuple[str, str, str, str, str]] = []
    if p := results.get("parse"):
        rows += [
            (
                f"site-profile parser, {p['profile_pages']} fixture pages",
                f"{p['profile_pages_per_s']:.0f} pages/s",
                f"trafilatura {p['trafilatura_on_fixtures_pages_per_s']:.0f} pages/s",
                f"{p['profile_vs_trafilatura']:.1f}×",
                f"≥ 20× {verdict(p['profile_vs_trafilatura'], 20)}",
            ),
            (
                f"generic extractor, {p['generic_source']}",
                f"{p['generic_pages_per_s']:.0f} pages/s",
                f"trafilatura {p['trafilatura_on_generic_pages_per_s']:.0f} pages/s",
                f"{p['generic_vs_trafilatura']:.1f}×",
                f"≥ 5× {verdict(p['generic_vs_trafilatura'], 5)}",
            ),
        ]
    if e := results.get("enrich"):
        rows += [
            (
                f"enrich stage, one core, {e['articles']} articles, {e['sentences']} sentences",
                f"{e['enrich_sentences_per_s']:.0f} sentences/s, "
                f"{e['enrich_articles_per_s']:.1f} articles/s",
                f"bare `underthesea.ner` loop: {e['stock_ner_sentences_per_s']:.0f} sentences/s, "
                f"{e['stock_ner_articles_per_s']:.1f} articles/s",
                f"{e['enrich_vs_stock_ner']:.1f}×",
                f"≥ 5× {verdict(e['enrich_vs_stock_ner'], 5)}",
            ),
            (
                f"the tagger alone (identical tags: {e['identical_tags']} of "
                f"{e['identical_tags_checked']} checked here)",
                f"{e['tagger_sentences_per_s']:.0f} sentences/s",
                f"{e['stock_ner_sentences_per_s']:.0f} sentences/s",
                f"{e['tagger_vs_stock_ner']:.1f}×",
                "—",
            ),
        ]
    if c := results.get("crawl"):
        off, one, every = c["enrich_off"], c["enrich_one_core"], c["enrich_all_cores"]
        rows += [
            (
                f"crawl of {c['pages']} generated pages, enrichment off",
                f"{off['pages_per_s']:.0f} pages/s, {off['cpu_cores_busy']:.2f} cores busy, "
                f"peak RSS {off['peak_rss_mb']:.0f} MB",
                "—",
                "—",
                f"≥ 300 pages/s {verdict(off['pages_per_s'], 300)}",
            ),
            (
                f"crawl, enrichment on, all {c['cores']} cores",
                f"{every['pages_per_s']:.1f} pages/s, {every['cpu_cores_busy']:.2f} cores busy, "
                f"peak RSS {every['peak_rss_mb']:.0f} MB",
                f"pinned to one core: {one['pages_per_s']:.1f} pages/s, "
                f"peak RSS {one['peak_rss_mb']:.0f} MB",
                f"{c['all_cores_vs_one_core']:.2f}× (a bare CPU loop on all cores: "
                + " and ".join(f"{x:.2f}×" for x in c.get("parallel_ceiling", []))
                + ", before and after)",
                f"≥ 1.7× {verdict(c['all_cores_vs_one_core'], 1.7)}; "
                f"RSS ≤ 500 MB {verdict(every['peak_rss_mb'], 500, higher=False)}",
            ),
            (
                "database size, crawled (raw pages and enrichment kept)",
                f"{every['db_bytes_per_article'] / 1024:.1f} KB/article",
                "—",
                "—",
                "—",
            ),
        ]
    if s := results.get("search"):
        rows += [
            (
                f"FTS search, {s['articles']:,} synthetic articles, "
                f"{len(s['queries'])} queries × {s['runs_per_query']}",
                f"p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms",
                "—",
                "—",
                f"p95 ≤ 50 ms {verdict(s['p95_ms'], 50, higher=False)}",
            ),
            (
                "database size, articles only (no raw pages, no enrichment)",
                f"{s['db_bytes_per_article'] / 1024:.1f} KB/article",
                "—",
                "—",
                "—",
            ),
        ]
    stamps = ", ".join(
        f"{name} {results[name]['measured_at']}"
        for name in ("parse", "enrich", "crawl", "search")
        if name in results and "measured_at" in results[name]
    )
    header = (
        f"Measured ({stamps}) on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; "
        f"Python {m['python']}, SQLite {m['sqlite']}, underthesea {m['underthesea']}"
        + (" (quick run: smaller sizes)" if results.get("quick") else "")
        + "."
    )
    table = ["| what | ours | baseline | ratio | target |", "|---|---|---|---|---|"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join([header, "", *table])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run")
    parser.add_argument("--only", choices=["parse", "enrich", "crawl", "search"], action="append")
    args = parser.parse_args()
    sections = args.only or ["parse", "enrich", "crawl", "search"]
    results: dict[str, object] = {"machine": machine(), "quick": args.quick}
    if RESULTS.is_file() and args.only:  # keep the sections not re-run
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        results.update({k: v for k, v in previous.items() if k not in (*sections, "machine")})
    with tempfile.TemporaryDirectory(prefix="vnnews-bench-") as tmp:
        work = Path(tmp)
        for section in sections:
            print(f"bench: {section} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            stamp = datetime.now(UTC).isoformat(timespec="minutes")
            if section == "parse":
                results["parse"] = bench_parsing(args.quick)
            elif section == "enrich":
                results["enrich"] = bench_enrichment(args.quick)
            elif section == "crawl":
                results["crawl"] = bench_crawl(args.quick, work)
            else:
                results["search"] = bench_search(args.quick, work)
            results[section]["measured_at"] = stamp  # type: ignore[index]
            print(f"bench: {section} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    table = markdown(results)  # type: ignore[arg-type]
    replace_between(DOC, "<!-- performance-table -->", "<!-- /performance-table -->", table)
    print(table)


if __name__ == "__main__":
    main()
