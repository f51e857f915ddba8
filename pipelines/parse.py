"""The parse stage: `parse_article(html, url, profile) → Article`, a pure function.

The spider (through `pipelines.adapters`) and `vnnews extract` both call it, so a saved page
parses exactly as it did during the crawl.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from pydantic import ValidationError
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.blocks import drop_labelled_boxes, paragraphs
from pipelines.bylines import Byline, parse_byline
from pipelines.dates import parse_datetime
from pipelines.errors import NotAnArticle, ParseError
from pipelines.images import take_images
from pipelines.text import text_key, tidy, tidy_line
from schemas.article import Article
from schemas.profile import Layout, Profile

# How many closing paragraphs may hold the byline when no byline element is known.
_BYLINE_TAIL = 2


def parse_article(html: str, url: str, profile: Profile) -> Article:
    """Parse one article page of `profile`'s portal; raise NotAnArticle or ParseError."""
    tree = LexborHTMLParser(html)
    layout, container = choose_layout(tree, profile)
    for selector in layout.drop:
        for node in container.css(selector):
            node.decompose()

    title = _first_text(container, layout.title)
    if not title:
        raise NotAnArticle(f"layout {layout.name!r} matched but the title is empty")
    article_url = canonical_url(tree, url, profile)
    sapo = _strip_prefixes(_first_text(container, layout.sapo), profile.strip_prefixes)
    published_at = _published(tree, container, layout.published)
    category = _first_text(container, layout.category)
    tags = _all_texts(container, layout.tags)
    byline = _byline_from(container, layout.byline)

    body_node = _first_node(container, layout.body)
    if body_node is None:
        raise NotAnArticle(f"layout {layout.name!r} matched but no body element was found")
    # Photos are read from the whole container: older layouts put the lead photo above the body.
    images = take_images(container, layout, article_url)
    drop_labelled_boxes(body_node, profile.boilerplate)
    lines = _body_lines(paragraphs(body_node), images, title, sapo)
    if lines and profile.strip_prefixes:  # "(ĐCSVN) - " may open the body when there is no sapo
        lines[0] = _strip_prefixes(lines[0], profile.strip_prefixes) or lines[0]
    if byline is None:
        byline, lines = _byline_from_tail(lines)
    if not lines:
        raise ParseError(f"layout {layout.name!r}: the body has no text")

    try:
        return Article(
            url=article_url,
            site=profile.name,
            layout=layout.name,
            title=title,
            sapo=sapo,
            published_at=published_at,
            category=category,
            authors=byline.authors if byline else [],
            agency=byline.agency if byline else None,
            body="\n\n".join(lines),
            images=images,
            tags=tags,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ParseError(f"invalid article: {problems}") from None


def choose_layout(tree: LexborHTMLParser, profile: Profile) -> tuple[Layout, LexborNode]:
    """The first layout (newest first) with a container holding both a title and a body."""
    for layout in profile.layouts:
        for selector in layout.container:
            for container in tree.css(selector):
                if _first_node(container, layout.title) and _first_node(container, layout.body):
                    return layout, container
    names = ", ".join(layout.name for layout in profile.layouts)
    raise NotAnArticle(f"no {profile.name} layout ({names}) matches: no title and body found")


def canonical_url(tree: LexborHTMLParser, url: str, profile: Profile) -> str:
    """The page's own canonical URL when it points into the portal, else `url`; no fragment."""
    candidates = [
        (node.attributes.get("href") or "") for node in tree.css('link[rel="canonical"]')
    ] + [(node.attributes.get("content") or "") for node in tree.css('meta[property="og:url"]')]
    chosen = url
    for candidate in candidates:
        absolute = urljoin(url, candidate.strip())
        if candidate.strip() and urlsplit(absolute).hostname in profile.domains:
            chosen = absolute
            break
    parts = urlsplit(chosen)
    query = parts.query if profile.urls.keep_query else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _first_node(root: LexborNode, selectors: list[str]) -> LexborNode | None:
    for selector in selectors:
        node = root.css_first(selector)
        if node is not None:
            return node
    return None


def _first_text(root: LexborNode, selectors: list[str]) -> str | None:
    for selector in selectors:
        for node in root.css(selector):
            text = tidy_line(" ".join(paragraphs(node)))
            if text:
                return text
    return None


def _all_texts(root: LexborNode, selectors: list[str]) -> list[str]:
    texts: list[str] = []
    for selector in selectors:
        for node in root.css(selector):
            text = tidy_line(node.text())
            if text and text not in texts:
                texts.append(text)
    return texts


def _published(
    tree: LexborHTMLParser, container: LexborNode, selectors: list[str]
) -> datetime | None:
    """The first stated publication time; a date with a time beats a bare date.

    `meta` and `script` selectors read the whole page (they live in its head); the others
    only the article's container, so the page header's date of today is never taken.
    """
    bare_date = None
    for selector in selectors:
        in_head = selector.startswith(("meta", "script"))
        for node in tree.css(selector) if in_head else container.css(selector):
            if node.tag == "script":  # JSON-LD: its datePublished, not the first date in it
                value = _json_ld_date(node.text())
                if value and (when := parse_datetime(value)):
                    return when
                continue
            for value in (
                node.attributes.get("datetime"),
                node.attributes.get("content"),
                node.text(),
            ):
                when = parse_datetime(tidy(value)) if value else None
                if when and (when.hour or when.minute):
                    return when
                bare_date = bare_date or when
    return bare_date


def _json_ld_date(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    items = data if isinstance(data, list) else [data]
    items += [node for item in items if isinstance(item, dict) for node in item.get("@graph", [])]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
            return str(item["datePublished"])
    return None


def _strip_prefixes(text: str | None, prefixes: list[str]) -> str | None:
    for prefix in prefixes:
        if text and text.startswith(prefix):
            text = text[len(prefix) :].strip() or None
    return text


def _byline_from(root: LexborNode, selectors: list[str]) -> Byline | None:
    node = _first_node(root, selectors)
    if node is None:
        return None
    byline = parse_byline(node.text(), trusted=True)
    node.decompose()
    return byline


def _byline_from_tail(lines: list[str]) -> tuple[Byline | None, list[str]]:
    for back in range(1, min(_BYLINE_TAIL, len(lines)) + 1):
        byline = parse_byline(lines[-back])
        if byline:
            return byline, lines[:-back] + lines[len(lines) - back + 1 :]
    return None, lines


def _body_lines(lines: list[str], images: list, title: str, sapo: str | None) -> list[str]:
    """Drop what is not body text: captions repeated as paragraphs, a repeated title or sapo."""
    repeated = {text_key(image.caption) for image in images if image.caption}
    repeated |= {text_key(title), *([text_key(sapo)] if sapo else [])}
    return [line for line in lines if text_key(line) not in repeated]
