"""The generic extractor: an article from a page of a portal no profile describes.

Metadata comes from what pages declare (JSON-LD, OpenGraph and meta tags, `time[datetime]`),
then from Vietnamese date text near the title. The main text is found by content, not by a
site list: paragraphs vote for their ancestors by length and punctuation (the readability
scheme), containers lose what share of their text is links, the best one wins, and its
siblings join when they carry text of their own. Boxes headed by Vietnamese boilerplate labels
("Tin liên quan", "Xem thêm", ...) are cut out, as they are for profiled sites.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.blocks import SKIP_TAGS, drop_labelled_boxes, has_ancestor_in, paragraphs
from pipelines.bylines import parse_byline
from pipelines.dates import parse_datetime
from pipelines.errors import NotAnArticle
from pipelines.images import take_images
from pipelines.text import same_text, text_length, tidy_line
from schemas.article import Article, Image
from schemas.profile import Layout

BOILERPLATE_LABELS = [
    "Những tin mới hơn",
    "Những tin cũ hơn",
    "Tin xem nhiều",
    "Tác giả bài viết",
    "Tin liên quan",
    "Các tin khác",
    "Bài liên quan",
    "Tin cùng chuyên mục",
    "Xem thêm",
    "Đọc thêm",
    "Bình luận",
    "Ý kiến bạn đọc",
    "Chia sẻ",
    "Đọc nhiều",
    "Tin đọc nhiều",
    "Tags",
    "Từ khóa",
    "Mới nhất",
    "Tin mới",
    "Phản hồi",
    "Gửi bình luận",
    "In bài viết",
    "Related",
    "Read more",
    "Comments",
    "Share",
    "Most read",
    "Related articles",
]
# Tags that never hold the article's text.
_CHROME = "nav, aside, footer, header, menu, " + ", ".join(sorted(SKIP_TAGS - {"title"}))
_UNLIKELY = re.compile(
    r"-ad-|\bads?\b|advert|banner|breadcrumb|combx|comment|community|cookie|disqus|footer"
    r"|gdpr|header|menu|masthead|newsletter|outbrain|pagination|pager|popup|promo|related"
    r"|remark|replies|rss|share|shoutbox|sidebar|skyscraper|social|sponsor|subscribe"
    r"|taboola|tags|toolbar|widget|recommend|most-?read|read-?more|signup|modal",
    re.IGNORECASE,
)
_LIKELY = re.compile(
    r"and|article|body|column|content|main|shadow|story|post|entry|detail", re.IGNORECASE
)
_POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|news",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer"
    r"|footnote|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox"
    r"|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|caption|byline|author",
    re.IGNORECASE,
)
# Photos in the main text, read the way a profile's layout reads them.
_PHOTOS = Layout(
    name="generic",
    container=["body"],
    title=["h1"],
    body=["body"],
    images=["figure", "table.picture", "table.image", "div.wp-caption"],
    caption=["figcaption", "td.caption", "td.image-caption", ".wp-caption-text", ".caption"],
)
_AUTHOR_LINE = re.compile(r"^(?:Tác giả(?: bài viết)?|Author)\s*:\s*(.{2,60})$", re.IGNORECASE)
_BLOCK_CHILDREN = "p, div, table, ul, ol, section, article, blockquote, pre, figure, h1, h2, h3"


@dataclass(frozen=True)
class _Candidate:
    node: LexborNode
    score: float


def extract_generic(html: str, url: str, site: str | None = None) -> Article:
    """The article in a page no profile describes; NotAnArticle when no main text is found."""
    tree = LexborHTMLParser(html)
    meta = _metadata(tree, html)
    title = meta.get("title") or _first_heading(tree) or _page_title(tree)
    body_root = tree.body
    if body_root is None or not title:
        raise NotAnArticle("no title or no body in the page")
    for node in body_root.css(_CHROME):
        node.decompose()
    _drop_unlikely(body_root)
    top = _best_container(body_root)
    if top is None:
        raise NotAnArticle("no block of text long enough to be an article")
    page_url = meta.get("url") or url
    images = take_images(top, _PHOTOS, page_url)
    lines = _article_lines(top, images)
    if not lines:
        raise NotAnArticle("the main block has no text")
    authors, agency = meta.get("authors") or [], None
    if (byline := parse_byline(lines[-1])) is not None:
        lines = lines[:-1]
        authors = authors or byline.authors
        agency = byline.agency
    if lines and tidy_line(lines[0]) == tidy_line(title):
        lines = lines[1:]
    return Article(
        url=page_url,
        site=site or (urlsplit(url).hostname or "generic"),
        layout="generic",
        title=title,
        sapo=meta.get("description"),
        published_at=meta.get("published"),
        authors=authors,
        agency=agency,
        body="\n\n".join(lines) or title,
        images=images,
    )


# --- metadata ----------------------------------------------------------------------------------


def _metadata(tree: LexborHTMLParser, html: str) -> dict:
    found: dict = {}
    for script in tree.css('script[type="application/ld+json"]'):
        for item in _json_ld_items(script.text()):
            if not isinstance(item, dict):
                continue
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(str(k).endswith(("Article", "BlogPosting", "Report")) for k in kinds):
                continue
            found.setdefault("title", _clean(item.get("headline")))
            found.setdefault("published", _when(item.get("datePublished")))
            found.setdefault("description", _clean(item.get("description")))
            author = item.get("author")
            people = author if isinstance(author, list) else [author]
            names = [_clean(a.get("name") if isinstance(a, dict) else a) for a in people]
            found.setdefault("authors", [n for n in names if n])
    metas = {
        (node.attributes.get("property") or node.attributes.get("name") or "").lower(): (
            node.attributes.get("content") or ""
        ).strip()
        for node in tree.css("meta[content]")
    }
    found["title"] = found.get("title") or _clean(metas.get("og:title"))
    found["description"] = found.get("description") or _clean(
        metas.get("og:description") or metas.get("description")
    )
    found["published"] = found.get("published") or next(
        (
            when
            for key in (
                "article:published_time",
                "pubdate",
                "publishdate",
                "date",
                "dc.date.issued",
                "og:published_time",
                "datepublished",
            )
            if (when := _when(metas.get(key)))
        ),
        None,
    )
    if not found["published"]:
        time_node = tree.css_first("time[datetime]")
        found["published"] = _when(time_node.attributes.get("datetime")) if time_node else None
    if not found["published"]:
        found["published"] = _date_near_title(tree)
    found["authors"] = found.get("authors") or (
        [a] if (a := _clean(metas.get("author"))) and not a.startswith("http") else []
    )
    if not found["authors"] and "Tác giả" in html:
        found["authors"] = _author_line(tree)
    canonical = tree.css_first('link[rel="canonical"]')
    href = (canonical.attributes.get("href") or "").strip() if canonical else ""
    found["url"] = href if href.startswith(("http://", "https://")) else metas.get("og:url")
    return {key: value for key, value in found.items() if value}


def _author_line(tree: LexborHTMLParser) -> list[str]:
    """'Tác giả bài viết: Vân Anh', as NukeViet and many provincial CMSs print it."""
    for node in tree.css("p, div, span"):
        text = node.text()
        if len(text) < 80 and (match := _AUTHOR_LINE.match(tidy_line(text))):
            return [match[1].strip()]
    return []


def _json_ld_items(text: str) -> list:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    graph = [node for item in items if isinstance(item, dict) for node in item.get("@graph", [])]
    return items + graph


def _clean(value: object) -> str | None:
    return tidy_line(value) or None if isinstance(value, str) else None


def _when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _date_near_title(tree: LexborHTMLParser) -> datetime | None:
    """A Vietnamese date printed just before or after the h1 (provincial CMSs)."""
    heading = tree.css_first("h1")
    if heading is None or heading.parent is None:
        return None
    scope = heading.parent
    for _ in range(2):
        when = parse_datetime(tidy_line(scope.text(separator=" "))[:2000])
        if when and (when.hour or when.minute):
            return when
        if scope.parent is None:
            break
        scope = scope.parent
    return None


def _first_heading(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("h1")
    return tidy_line(node.text()) or None if node else None


def _page_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    if node is None:
        return None
    # "Title - Site name" / "Title | Site name": keep the longest part.
    parts = re.split(r"\s+[|\-–—]\s+", tidy_line(node.text()))
    return max(parts, key=len) or None


# --- main text ---------------------------------------------------------------------------------


def _class_id(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


@lru_cache(maxsize=4096)  # class names repeat across a page and across a site's pages
def _is_unlikely(names: str) -> bool:
    return bool(_UNLIKELY.search(names)) and not _LIKELY.search(names)


_DROPPABLE = frozenset("div section ul ol table span p aside form figure".split())


def _drop_unlikely(root: LexborNode) -> None:
    total = len(root.text())
    doomed = []
    for node in root.css("[class], [id]"):
        # A wrapper named "ad-margins" that holds most of the page is layout, not an ad.
        if (
            node.tag in _DROPPABLE
            and _is_unlikely(_class_id(node))
            and len(node.text()) < 0.4 * total
        ):
            doomed.append(node)
    ids = {n.mem_id for n in doomed}
    for node in doomed:
        if not has_ancestor_in(node, ids):
            node.decompose()


def _weight(node: LexborNode) -> float:
    return _names_weight(_class_id(node))


@lru_cache(maxsize=4096)
def _names_weight(names: str) -> float:
    weight = 0.0
    if _NEGATIVE.search(names):
        weight -= 25
    if _POSITIVE.search(names):
        weight += 25
    return weight


def _base_score(node: LexborNode) -> float:
    tag = node.tag
    base = {
        "div": 5,
        "article": 8,
        "main": 5,
        "section": 3,
        "pre": 3,
        "td": 3,
        "blockquote": 3,
    }.get(tag or "", 0)
    if tag in ("address", "ol", "ul", "dl", "dd", "dt", "li", "form"):
        base = -3
    elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "th"):
        base = -5
    return base + _weight(node)


def _best_container(root: LexborNode) -> LexborNode | None:
    scores: dict[int, list] = {}  # mem_id → [node, score]
    for node in root.css("p, pre, td, blockquote, div, article, section, font, span"):
        if node.tag in ("span", "font") and node.parent is not None and node.parent.tag == "p":
            continue
        if node.tag != "p" and node.css_first(_BLOCK_CHILDREN):
            text = _own_text(node)  # a container: only the text written directly in it counts
            if text_length(text) >= 25:
                _credit(scores, node, text, start_level=-1)
            continue
        text = node.text()
        if text_length(text) < 25:
            continue
        _credit(scores, node, text)
    if not scores:
        return None
    # Link density is costly to measure: only the strongest candidates need it.
    strongest = sorted(scores.values(), key=lambda entry: entry[1], reverse=True)[:8]
    best = max(
        (_Candidate(node, score * (1 - _link_density(node))) for node, score in strongest),
        key=lambda c: c.score,
    )
    return best.node


def _credit(scores: dict[int, list], node: LexborNode, text: str, start_level: int = 0) -> None:
    """Give a paragraph's points to its ancestors: all to the parent, less further up."""
    points = 1 + text.count(",") + min(text_length(text) // 100, 3)
    target = node if start_level < 0 else node.parent
    level = 0
    while target is not None and level < 4 and target.tag not in ("body", "html"):
        entry = scores.get(target.mem_id)
        if entry is None:
            entry = scores[target.mem_id] = [target, _base_score(target)]
        entry[1] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
        target, level = target.parent, level + 1


def _own_text(node: LexborNode) -> str:
    parts = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif child.tag in ("a", "b", "strong", "i", "em", "span", "font", "u", "br", "sup", "sub"):
            parts.append(child.text() if child.tag != "br" else " ")
    return "".join(parts)


def _link_density(node: LexborNode) -> float:
    text = text_length(node.text())
    if not text:
        return 1.0
    links = sum(text_length(a.text()) for a in node.css("a"))
    return min(links / text, 1.0)


def _article_lines(top: LexborNode, images: list[Image]) -> list[str]:
    drop_labelled_boxes(top, BOILERPLATE_LABELS)
    for node in top.css("figcaption, .caption, .wp-caption-text"):
        node.decompose()
    captions = [image.caption for image in images if image.caption]
    lines: list[str] = []
    for line in paragraphs(top):
        if line in lines[-3:] or any(same_text(line, caption) for caption in captions):
            continue
        lines.append(line)
    return lines
