"""Datasette plugin loaded by `vnnews serve`: SQL functions for Vietnamese search.

vn_fold(text)  → the folded form entity keys use ('Lê Thành Đô' → 'le thanh do')
vn_fts(query)  → a safe FTS5 query, đ folded ('Lê Thành Đô' → '"Lê Thành Dô"')
"""

from __future__ import annotations

from datasette import hookimpl


def _fts(query: str | None) -> str:
    from pipelines.search import BadQuery, fts_query

    try:
        return fts_query(query or "")
    except BadQuery:
        return '""'  # matches nothing, raises nothing


@hookimpl
def prepare_connection(conn):  # type: ignore[no-untyped-def]
    from pipelines.text import fold

    conn.create_function("vn_fold", 1, lambda text: fold(text) if text else "", deterministic=True)
    conn.create_function("vn_fts", 1, _fts, deterministic=True)
