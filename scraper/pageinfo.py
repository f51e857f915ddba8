"""Reading a saved page from disk: its text and the URL it names for itself."""

from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def read_html(path: Path) -> str:
    """The page's text, decoded as its <meta charset> says (UTF-8 when it says nothing)."""
    data = path.read_bytes()
    match = _META_CHARSET.search(data[:4096])
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return data.decode("utf-8", errors="replace")


def page_url(html: str) -> str | None:
    """The canonical link or og:url of the page, if it has one."""
    tree = LexborHTMLParser(html)
    for selector, attr in (
        ('link[rel="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
    ):
        node = tree.css_first(selector)
        if node is not None and (value := (node.attributes.get(attr) or "").strip()):
            return value
    return None
