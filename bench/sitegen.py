"""A generated tuyengiao.vn mirror of N article pages for the end-to-end benchmark.

Each page is the 2021-layout fixture (tests/fixtures/tuyengiao/articles/148402) with every
boilerplate block kept and its title, lead, date and body replaced by real Vietnamese prose:
one paragraph of a fixture article and sentences spliced from underthesea's own corpus, drawn
with a fixed seed so every run crawls the same site. One section lists them all, twenty
a page, as the real listing does.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATE = FIXTURES / "tuyengiao" / "articles" / "148402"
LISTING = FIXTURES / "tuyengiao" / "listings" / "thoi-su-chinh-tri-1.html"
PER_PAGE = 20


def corpus_sentences() -> list[str]:
    """underthesea's 2,119 word-segmented sentences, detokenised back into prose."""
    import underthesea

    path = (
        Path(underthesea.__file__).parent
        / "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
    )
    sentences, words = [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            words.append(line.split("\t")[0])
        elif words:
            sentences.append(_detokenise(" ".join(words)))
            words = []
    return sentences


def _detokenise(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?%)…])", r"\1", text)
    return re.sub(r"([(“])\s+", r"\1", text).replace(" ”", "”")


def spliced_sentence(rng: random.Random, sentences: list[str]) -> str:
    """A new sentence: the first part of one corpus sentence and the rest of another, cut at
    word boundaries. Real words and real phrasing, but (almost) never the same string twice:
    a crawl of real portals repeats few sentences, and the enrich stage caches repeats."""
    head, tail = rng.choice(sentences).split(), rng.choice(sentences).split()
    cut_head = rng.randint(1, max(1, len(head) - 1))
    cut_tail = rng.randint(0, max(0, len(tail) - 2))
    text = " ".join(head[:cut_head] + tail[cut_tail:])
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def fixture_paragraphs() -> list[str]:
    paragraphs = []
    for output in sorted(FIXTURES.glob("*/articles/*/output.json")):
        body = json.loads(output.read_text(encoding="utf-8"))["body"]
        paragraphs += [p for p in body.split("\n\n") if len(p) > 80]
    return paragraphs


SECTIONS = [
    "thoi-su-chinh-tri", "bao-ve-nen-tang-tu-tuong-cua-dang", "hoc-va-lam-theo-bac",
    "nhip-cau-tuyen-giao", "van-hoa-xa-hoi", "khoa-giao", "kinh-te", "tuyen-giao-cac-cap",
]  # fmt: skip


def build_site(root: Path, articles: int, seed: int = 1, sections: int = 1) -> list[str]:
    """Write the mirror folder (index.json, pages, listings, robots.txt) into `root`;
    returns the article paths. The articles are dealt to the first `sections` of the
    portal's eight sections in turn, each with its own listing (the others list nothing)."""
    rng = random.Random(seed)
    sentences = corpus_sentences()
    paragraphs = fixture_paragraphs()
    template = (TEMPLATE / "page.html").read_text(encoding="utf-8")
    old = json.loads((TEMPLATE / "output.json").read_text(encoding="utf-8"))
    old_path = old["url"].removeprefix("https://tuyengiao.vn")
    body_start = template.index('<div class="story-body">') + len('<div class="story-body">')
    body_end = template.index('<div class="related-box">')
    if root.exists():
        shutil.rmtree(root)
    (root / "a").mkdir(parents=True)
    routes = {"/robots.txt": "robots.txt"}
    shutil.copy(FIXTURES / "tuyengiao" / "robots.txt", root / "robots.txt")
    items = []
    start = datetime(2024, 1, 1, 7, 0)
    for number in range(articles):
        ident = 300000 + number
        section = SECTIONS[number % sections]
        path = f"/{section}/bai-viet-tong-hop-so-{number}-{ident}"
        title = " ".join(spliced_sentence(rng, sentences).split()[:14]).rstrip(",.;:")
        lead = spliced_sentence(rng, sentences)
        # One paragraph of a real article (repeated across pages, as boilerplate-like text
        # is), five of new sentences.
        blocks = [rng.choice(paragraphs)]
        blocks += [" ".join(spliced_sentence(rng, sentences) for _ in range(3)) for _ in range(5)]
        body = "\n".join(f"        <p>{text}</p>" for text in blocks)
        when = start + timedelta(hours=number)
        page = template[:body_start] + "\n" + body + "\n        " + template[body_end:]
        page = (
            page.replace(old["title"], title)
            .replace(old["sapo"], lead)
            .replace(old_path, path)
            .replace("Thứ Sáu, 6/10/2023 16:20", f"Thứ Hai, {when:%-d/%-m/%Y %H:%M}")
        )
        name = f"a/{ident}.html"
        (root / name).write_text(page, encoding="utf-8")
        routes[path] = name
        items.append((section, path, title))
    listing = LISTING.read_text(encoding="utf-8")
    item_start = listing.index('<div class="clearfix story-item">')
    item_end = listing.index('<ul class="pagination">')
    for section in SECTIONS[:sections]:
        listed = [(path, title) for where, path, title in items if where == section]
        pages = (len(listed) + PER_PAGE - 1) // PER_PAGE
        for page_number in range(1, pages + 1):
            chunk = listed[(page_number - 1) * PER_PAGE : page_number * PER_PAGE]
            links = "".join(
                f'<div class="clearfix story-item">\n'
                f'        <a class="story-thumb" href="{path}">'
                f'<img src="https://cdn.tuyengiao.vn/t/{n}.jpg" alt=""></a>\n'
                f'        <a class="story-title" href="{path}">{title}</a>\n'
                f"      </div>\n      "
                for n, (path, title) in enumerate(chunk)
            )
            html = listing[:item_start] + links + listing[item_end:]
            name = f"l-{section}-{page_number}.html"
            (root / name).write_text(html, encoding="utf-8")
            routes[f"/{section}?page={page_number}"] = name
    (root / "index.json").write_text(json.dumps({"routes": routes}), encoding="utf-8")
    return [path for _, path, _ in items]
