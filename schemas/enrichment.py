"""What the enrich stage finds in an article: who, where, which bodies, how much."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Mention(BaseModel):
    """One place in the text where a person, province or organisation is named."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["person", "province", "organization"]
    key: str  # the entity's identity within its kind (folded name, or province key)
    name: str  # the entity's name: "Lê Thành Đô", "Hà Giang", "UBND tỉnh Điện Biên"
    surface: str  # as written here: "LÊ THÀNH ĐÔ", "TP.HCM"
    roles: tuple[str, ...] = ()  # persons: titles written with this mention
    province_2025: str | None = None  # provinces: the province after the 2025 merger
    field: str  # "title", "sapo", "body" or "caption:N"
    start: int  # character offsets in that field's text
    end: int
    sentence: str


class Figure(BaseModel):
    """A number with what it counts: money, percentage, count or measure."""

    model_config = ConfigDict(frozen=True)

    text: str  # "33.191 tỷ đồng"
    value: int | float  # in base units: 33191000000000
    unit: str  # "VND", "USD", "EUR", "%", "count", or a measure: "km", "ha", "tấn", ...
    counted: str | None = None  # for counts: "xã", "tập thể"
    qualifier: str | None = None  # "trên", "hơn", "khoảng", ...
    province: str | None = None  # the province the figure is about, when one is named
    field: str
    start: int
    end: int
    sentence: str


class Enrichment(BaseModel):
    model_config = ConfigDict(frozen=True)

    mentions: list[Mention] = []
    figures: list[Figure] = []

    def persons(self) -> list[dict[str, object]]:
        """One entry per distinct person: name and titles, most frequent title first."""
        roles: dict[str, Counter[str]] = {}
        names: dict[str, str] = {}
        for mention in self.mentions:
            if mention.kind == "person":
                names.setdefault(mention.key, mention.name)
                roles.setdefault(mention.key, Counter()).update(mention.roles)
        return [
            {"name": names[key], "roles": [role for role, _ in roles[key].most_common()]}
            for key in names
        ]

    def provinces(self) -> list[dict[str, object]]:
        found: dict[str, dict[str, object]] = {}
        for mention in self.mentions:
            if mention.kind == "province":
                entry = found.setdefault(
                    mention.key,
                    {"name": mention.name, "surfaces": [], "province_2025": mention.province_2025},
                )
                surfaces = entry["surfaces"]
                assert isinstance(surfaces, list)
                if mention.surface not in surfaces:
                    surfaces.append(mention.surface)
        return list(found.values())

    def organizations(self) -> list[dict[str, object]]:
        names = dict.fromkeys(m.name for m in self.mentions if m.kind == "organization")
        return [{"name": name} for name in names]

    def figure_records(self) -> list[dict[str, object]]:
        return [
            figure.model_dump(
                include={"text", "value", "unit", "counted", "qualifier", "sentence", "province"}
            )
            for figure in self.figures
        ]

    def to_record(self) -> dict[str, object]:
        """The keys `vnnews extract` adds to its output."""
        return {
            "persons": self.persons(),
            "provinces": self.provinces(),
            "organizations": self.organizations(),
            "figures": self.figure_records(),
        }
