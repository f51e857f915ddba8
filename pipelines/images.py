"""Photos with their captions, each caption kept once however the page doubles it."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from pipelines.blocks import has_ancestor_in, paragraphs
from pipelines.text import same_text, tidy_line
from schemas.article import Image
from schemas.profile import Layout

# Lazy-loading CMSs keep the real address in one of these and a placeholder in `src`.
_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "src")
_DOUBLED = re.compile(r"(.{8,}?)\s*\1")
_FILENAME = re.compile(r"^[\w\-. ]+\.(?:jpe?g|png|gif|webp)$", re.IGNORECASE)


def take_images(root: LexborNode, layout: Layout, page_url: str) -> list[Image]:
    """Read every photo under `root` and remove its markup, so no caption reaches the body."""
    images: list[Image] = []
    seen: set[str] = set()
    for node in _image_nodes(root, layout.images):
        image = _read_image(node, layout.caption, page_url)
        node.decompose()
        if image and image.src not in seen:
            seen.add(image.src)
            images.append(image)
    return images


def _image_nodes(root: LexborNode, selectors: list[str]) -> list[LexborNode]:
    if not selectors:
        return []
    nodes = root.css(", ".join(selectors))
    # A `figure` inside a `table.picture` is one photo, not two: keep the outermost match.
    ids = {n.mem_id for n in nodes}
    return [n for n in nodes if not has_ancestor_in(n, ids)]


def _read_image(node: LexborNode, caption_selectors: list[str], page_url: str) -> Image | None:
    img = node if node.tag == "img" else node.css_first("img")
    if img is None:
        return None
    src = next(
        (
            value
            for attr in _SRC_ATTRS
            if (value := (img.attributes.get(attr) or "").strip()) and not value.startswith("data:")
        ),
        None,
    )
    if src is None:
        return None
    src = urljoin(page_url, src)
    if not src.startswith(("http://", "https://")):
        return None  # javascript:, about:blank and other non-images
    caption = _caption_text(node, caption_selectors) or _caption_from_attrs(img)
    return Image(src=src, caption=caption)


def _caption_text(node: LexborNode, selectors: list[str]) -> str | None:
    for selector in selectors:
        parts: list[str] = []
        for cap in node.css(selector):
            for line in paragraphs(cap):
                # The same caption printed twice (two cells, or <p> + <em>) is one caption.
                if not any(same_text(line, seen) for seen in parts):
                    parts.append(line)
        if parts:
            return _undouble(" ".join(parts))
    return None


def _undouble(text: str) -> str:
    """'X X' or 'XX' → 'X': a caption printed twice by two inline elements (screen + print)."""
    doubled = _DOUBLED.fullmatch(text)
    return doubled[1] if doubled else text


def _caption_from_attrs(img: LexborNode) -> str | None:
    for attr in ("title", "alt"):
        value = tidy_line(img.attributes.get(attr) or "")
        if len(value.split()) >= 3 and not _FILENAME.match(value):
            return value
    return None
