"""One spider per site profile — built-in or the user's own — each named after its portal
(`scrapy list`)."""

from __future__ import annotations

import logging

from schemas.profile import Profile
from scraper.profiles import all_profiles, user_profiles
from scraper.spiders.portal import PortalSpider


def spider_class(profile: Profile) -> type[PortalSpider]:
    return type(
        f"{profile.name.capitalize()}Spider",
        (PortalSpider,),
        {"name": profile.name, "profile": profile, "__module__": __name__},
    )


for _problem in user_profiles()[1]:  # a broken user profile must not hide the others
    logging.getLogger(__name__).error("site profile not loaded: %s", _problem)

# Scrapy's spider loader finds spiders among a module's globals: publish each class once.
globals().update({cls.__name__: cls for cls in map(spider_class, all_profiles().values())})
