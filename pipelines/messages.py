"""Items as Redis stream entries, for a crawl spread over machines: what crawlers send to
enrichment workers (fetched pages, failed fetches), what those send to the writer (parsed
and enriched pages, failures) and every worker's start and finish (run events).

An entry is three fields: `v` (the message version), `kind` and `body` (the item as JSON,
zlib-compressed: raw pages shrink four- to five-fold). A worker of another version, a
truncated body or an unknown kind is a BadMessage, with the reason; nothing is guessed.
"""

from __future__ import annotations

import zlib

from pydantic import BaseModel, ValidationError

from pipelines.errors import VnnewsError
from schemas.page import FetchedPage, FetchFailure, ParsedPage, RunEvent

# Raise it whenever an item schema changes in a way an older worker would misread.
MESSAGE_VERSION = 1

Message = FetchedPage | FetchFailure | ParsedPage | RunEvent
KINDS: dict[str, type[BaseModel]] = {
    "page": FetchedPage,
    "failure": FetchFailure,
    "parsed": ParsedPage,
    "run": RunEvent,
}
_KIND_OF = {model: kind for kind, model in KINDS.items()}


class BadMessage(VnnewsError):
    """An entry no worker of this version can read; it goes to the dead-letter stream."""


def encode(item: Message) -> dict[str, bytes]:
    return {
        "v": str(MESSAGE_VERSION).encode(),
        "kind": _KIND_OF[type(item)].encode(),
        "body": zlib.compress(item.model_dump_json().encode("utf-8"), 1),
    }


def decode(fields: dict[bytes, bytes]) -> Message:
    version = fields.get(b"v", b"").decode("latin-1")
    if version != str(MESSAGE_VERSION):
        raise BadMessage(
            f"message version {version or 'missing'}, this vnnews reads {MESSAGE_VERSION}: "
            "upgrade the worker that sent it, or this one"
        )
    kind = fields.get(b"kind", b"").decode("latin-1")
    model = KINDS.get(kind)
    if model is None:
        raise BadMessage(f"unknown kind {kind!r}")
    try:
        text = zlib.decompress(fields.get(b"body", b""))
    except zlib.error as exc:
        raise BadMessage(f"{kind}: body is not zlib data ({exc})") from None
    try:
        return model.model_validate_json(text)  # type: ignore[return-value]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise BadMessage(f"{kind}: invalid: {problems}") from None
