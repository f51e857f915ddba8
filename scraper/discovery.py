"""Finding article URLs besides HTML listings: RSS/Atom feeds, sitemaps, JSON listings.

Pure functions over response bodies, so the spider stays a router and each format is
tested alone. Broken input gives a `DiscoveryError` with what is wrong, never a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

import lxml.etree
from scrapy.utils.sitemap import Sitemap

from pipelines.dates import VIETNAM, parse_datetime
from pipelines.errors import VnnewsError


class DiscoveryError(VnnewsError):
    pass


@dataclass(frozen=True)
class Entry:
    url: str
    when: datetime | None  # pubDate / published / lastmod, when the source gives one


def feed_entries(body: bytes) -> list[Entry]:
    """Items of an RSS 2.0 or Atom feed: link and date."""
    try:
        root = lxml.etree.fromstring(
            body,
            parser=lxml.etree.XMLParser(recover=False, resolve_entities=False, no_network=True),
        )
    except lxml.etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not valid XML: {exc}") from None
    entries = []
    for item in root.iter("item", "{*}entry"):
        link = item.findtext("link") or ""
        if not link.strip():
            atom = item.find("{*}link")
            link = atom.get("href", "") if atom is not None else ""
        stamp = (
            item.findtext("pubDate")
            or item.findtext("{*}published")
            or item.findtext("{*}updated")
            or item.findtext("{*}date")
            or ""
        )
        if link.strip():
            entries.append(Entry(link.strip(), feed_date(stamp)))
    if root.tag not in ("rss", "{http://www.w3.org/2005/Atom}feed", "feed") and not entries:
        raise DiscoveryError(f"not an RSS or Atom feed (root element <{root.tag}>)")
    return entries


def feed_date(stamp: str) -> datetime | None:
    """RFC 822 as feeds should write it, else whatever form the portal uses
    (baochinhphu.vn: '9/14/2026 6:44:00 PM')."""
    stamp = stamp.strip()
    if not stamp:
        return None
    try:
        when = parsedate_to_datetime(stamp)
    except (TypeError, ValueError, IndexError):
        return parse_datetime(stamp)
    return when if when.utcoffset() is not None else when.replace(tzinfo=VIETNAM)


def sitemap_entries(body: bytes) -> tuple[str, list[Entry]]:
    """('urlset' | 'sitemapindex', entries with their lastmod)."""
    if not body.strip():
        raise DiscoveryError("empty sitemap")
    try:
        sitemap = Sitemap(body)
    except (lxml.etree.XMLSyntaxError, StopIteration) as exc:
        raise DiscoveryError(f"not valid XML: {exc}") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap (root element <{sitemap.type}>)")
    entries = [
        Entry(item["loc"], parse_datetime(item.get("lastmod", "")))
        for item in sitemap
        if item.get("loc")
    ]
    return sitemap.type, entries


def json_listing_html(body: str, path: str) -> str:
    """The HTML a JSON listing endpoint carries at `path` ('data.articles' for nhandan.vn)."""
    try:
        value: object = json.loads(body)
    except ValueError as exc:
        raise DiscoveryError(f"not valid JSON: {exc}") from None
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise DiscoveryError(f"no {path!r} in the JSON listing")
        value = value[key]
    if not isinstance(value, str):
        raise DiscoveryError(f"{path!r} in the JSON listing is not HTML text")
    return value


def on_or_after(when: datetime | None, since: date | None) -> bool:
    """Whether an entry may be fetched under --since (undated entries always may)."""
    return since is None or when is None or when.date() >= since
