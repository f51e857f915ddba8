"""One spider per built-in site profile, each named after its portal (`scrapy list`)."""

from __future__ import annotations

from scraper.profiles import builtin_profiles
from scraper.spiders.portal import PortalSpider


def spider_class(profile_name: str) -> type[PortalSpider]:
    profile = builtin_profiles()[profile_name]
    return type(
        f"{profile.name.capitalize()}Spider",
        (PortalSpider,),
        {"name": profile.name, "profile": profile, "__module__": __name__},
    )


# Scrapy's spider loader finds spiders among a module's globals: publish each class once.
globals().update({cls.__name__: cls for cls in map(spider_class, builtin_profiles())})
