"""Writing a benchmark's table into its doc page, between two marker comments."""

from __future__ import annotations

from pathlib import Path


def replace_between(doc: Path, start: str, end: str, text: str) -> None:
    """Replace what lies between the `start` and `end` markers of `doc` with `text`."""
    page = doc.read_text(encoding="utf-8")
    head, rest = page.split(start, 1)
    tail = rest.split(end, 1)[1]
    doc.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")
