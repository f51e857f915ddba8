"""Exceptions of vnnews, one tree so a caller can catch them all::

VnnewsError
├── ProfileError        a site profile is malformed (file, field and reason in the message)
├── UnknownSite         no profile has that name, or none claims that URL
└── ParseError          a page could not become an Article
    └── NotAnArticle    no layout of the profile matches the page (listing, gallery, 404 page)
"""

from __future__ import annotations


class VnnewsError(Exception):
    """Base class: every error vnnews raises on purpose."""


class ProfileError(VnnewsError):
    pass


class UnknownSite(VnnewsError):
    pass


class ParseError(VnnewsError):
    pass


class NotAnArticle(ParseError):
    pass
