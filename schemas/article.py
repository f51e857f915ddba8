"""The article: what parsing a page yields, and what the `articles` table stores."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelines.text import tidy


class Image(BaseModel):
    """A photo of the article with its caption, kept once however often the page prints it."""

    model_config = ConfigDict(frozen=True)

    src: str = Field(pattern=r"^https?://")
    caption: str | None = None

    @field_validator("caption")
    @classmethod
    def _tidy_caption(cls, value: str | None) -> str | None:
        return tidy(value) or None if value is not None else None


class Article(BaseModel):
    """One news article, parsed and cleaned; text is NFC with tidy whitespace."""

    model_config = ConfigDict(frozen=True)

    url: str = Field(pattern=r"^https?://", description="canonical URL on the portal")
    site: str = Field(min_length=1, description="short portal name, e.g. 'tuyengiao'")
    layout: str = Field(description="which of the profile's layouts matched")
    title: str = Field(min_length=1)
    sapo: str | None = Field(default=None, description="the lead paragraph shown under the title")
    published_at: datetime | None = None
    category: str | None = None
    authors: list[str] = Field(default_factory=list)
    agency: str | None = Field(default=None, description="news agency credited, e.g. TTXVN")
    body: str = Field(min_length=1, description="paragraphs separated by one blank line")
    images: list[Image] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("title", "sapo", "category", "agency")
    @classmethod
    def _tidy_text(cls, value: str | None) -> str | None:
        return tidy(value) or None if value is not None else None

    @field_validator("body")
    @classmethod
    def _nfc_body(cls, value: str) -> str:
        # Enrichment offsets index this text: it must be the one form every stage sees.
        return unicodedata.normalize("NFC", value)

    @field_validator("published_at")
    @classmethod
    def _require_offset(cls, value: datetime | None) -> datetime | None:
        # A naive time is ambiguous across portals; every parser must attach +07:00 or the
        # offset the page states.
        if value is not None and value.utcoffset() is None:
            raise ValueError("published_at needs a UTC offset")
        return value

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n")

    def to_record(self) -> dict[str, object]:
        """The JSON shape printed by `vnnews extract` and kept beside each fixture."""
        record = self.model_dump(mode="json")
        record["published_at"] = self.published_at.isoformat() if self.published_at else None
        return record
