"""Pydantic models: the shapes that pass between the stages (fetch → parse → store)."""

from schemas.article import Article, Image
from schemas.enrichment import Enrichment, Figure, Mention
from schemas.page import FetchedPage, FetchFailure, ParsedPage
from schemas.profile import Layout, Profile, UrlRules

__all__ = [
    "Article",
    "Enrichment",
    "FetchFailure",
    "FetchedPage",
    "Figure",
    "Image",
    "Layout",
    "Mention",
    "ParsedPage",
    "Profile",
    "UrlRules",
]
