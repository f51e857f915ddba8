"""Printing rows: a readable table in a terminal, JSON lines or CSV for machines."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
from tabulate import tabulate


def emit(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    widths: dict[str, int] | None = None,
) -> int:
    """Write `rows` as a table, JSON lines or CSV; returns how many were written."""
    count = 0
    rows = (_whole_numbers(row) for row in rows)
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    else:
        table = []
        for row in rows:
            table.append([_cell(row.get(c), (widths or {}).get(c, 60)) for c in columns])
            count += 1
        if table:
            click.echo(
                tabulate(table, headers=list(columns), tablefmt="simple", disable_numparse=True)
            )
    return count


def _whole_numbers(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite stores figures' values as REAL: 33191000000000.0 reads better as an integer.
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in row.items()}


def _cell(value: object, width: int) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
