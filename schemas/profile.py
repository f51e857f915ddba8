"""A site profile: one portal described as data (loaded from `scraper/sites/*.toml`).

Selectors are CSS (as selectolax/lexbor understands them). Every selector field takes a list:
the first selector that matches wins, so one layout can cover markup variants of the same
part (captions as `table.picture` or as `figure`).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    # A typo in a profile (`titel = ...`) must be an error, not a silently ignored key.
    model_config = ConfigDict(extra="forbid", frozen=True)


class UrlRules(_Strict):
    """Which URLs are articles or listings, and where a crawl starts."""

    article: str = Field(description="regex on the URL path; a match is an article page")
    listing: str | None = Field(default=None, description="regex on the path of listing pages")
    start: list[str] = Field(
        default_factory=list,
        description="listing paths a crawl starts from; '{page}' in a path is the page number, "
        "otherwise the page goes in the `page_param` query parameter",
    )
    page_param: str = Field(default="page", description="query parameter of listing pages")
    first_page: int = 1
    listing_links: list[str] = Field(
        default_factory=lambda: ["a[href]"],
        description="selectors of links on a listing page that may lead to articles",
    )
    listing_json: str | None = Field(
        default=None,
        description="listings answer JSON; the listing HTML is at this dotted path",
    )
    feeds: list[str] = Field(default_factory=list, description="RSS or Atom feed paths")
    sitemaps: list[str] = Field(default_factory=list, description="sitemap (or index) paths")
    keep_query: bool = Field(
        default=True, description="whether the query string is part of an article's URL"
    )

    @model_validator(mode="after")
    def _has_a_way_in(self) -> UrlRules:
        if not (self.start or self.feeds or self.sitemaps):
            raise ValueError("give at least one of start, feeds or sitemaps")
        return self

    @field_validator("article", "listing")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class Layout(_Strict):
    """One era of a portal's article markup."""

    name: str
    description: str = ""
    container: list[str] = Field(
        min_length=1,
        description="the element holding the article; the first one containing the title is used",
    )
    title: list[str] = Field(min_length=1)
    body: list[str] = Field(min_length=1)
    sapo: list[str] = Field(default_factory=list)
    published: list[str] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    byline: list[str] = Field(
        default_factory=list,
        description="elements holding the byline; without them the body's last lines are tried",
    )
    tags: list[str] = Field(default_factory=list)
    images: list[str] = Field(default_factory=list, description="elements each holding one photo")
    caption: list[str] = Field(default_factory=list, description="caption, inside an image element")
    drop: list[str] = Field(default_factory=list, description="blocks removed before reading")


class Profile(_Strict):
    """A portal: its name, where it lives, its URL rules and its layouts (newest first)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    base_url: str = Field(pattern=r"^https?://[^/]+$", description="scheme and host, no path")
    domains: list[str] = Field(min_length=1, description="hosts whose URLs belong to this portal")
    urls: UrlRules
    layouts: list[Layout] = Field(min_length=1)
    boilerplate: list[str] = Field(
        default_factory=list,
        description="headings of blocks that are not the article ('Tin liên quan', ...)",
    )
    strip_prefixes: list[str] = Field(
        default_factory=list, description="prefixes removed from the sapo, e.g. '(ĐCSVN) - '"
    )

    def layout(self, name: str) -> Layout:
        return next(layout for layout in self.layouts if layout.name == name)
