"""Searching the database the way journalists type: with or without diacritics.

The index (`articles_search_fts`) holds a đ-folded copy of each article, tokenised with
`unicode61 remove_diacritics 2`; a query is folded the same way, so "Le Thanh Do", "Lê Thành
Đô" and "LÊ THÀNH ĐÔ" are the same search. User input never reaches FTS5 syntax unescaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlite_utils import Database

from pipelines.errors import VnnewsError
from pipelines.text import fold

MAX_TERMS = 32
_TERM = re.compile(r"\w+")
_PHRASE = re.compile(r'"([^"]*)"')


class BadQuery(VnnewsError):
    pass


def fold_d(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")


def fts_query(text: str) -> str:
    """An FTS5 query for what the user typed: quoted phrases stay phrases; a short name-like
    query (2 to 5 words) is a phrase; anything else is all of its words. Operators, quotes,
    parentheses and stars in the input are treated as text."""
    text = fold_d(text)
    phrases = [" ".join(_TERM.findall(p)) for p in _PHRASE.findall(text)]
    rest = _TERM.findall(_PHRASE.sub(" ", text))
    parts = [f'"{p}"' for p in phrases if p]
    if rest and not parts and 2 <= len(rest) <= 5:
        parts.append('"' + " ".join(rest) + '"')
    else:
        parts += [f'"{t}"' for t in rest]
    if not parts:
        raise BadQuery("the query has no words to search for")
    return " ".join(parts[:MAX_TERMS])


@dataclass(frozen=True)
class Hit:
    url: str
    site: str
    title: str
    published_at: str | None
    snippet: str
    score: float


def search_articles(
    db: Database,
    query: str,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Articles matching `query`, best first (bm25; title weighs most, then sapo, then body)."""
    match = fts_query(query)
    where, params = ["articles_search_fts MATCH :match"], {"match": match, "limit": limit}
    if site:
        where.append("a.site = :site")
        params["site"] = site
    if since:
        where.append("a.published_at >= :since")
        params["since"] = since.isoformat()
    if until:
        where.append("a.published_at < date(:until, '+1 day')")
        params["until"] = until.isoformat()
    # Rank the matches on ids and scores alone, then read the few winners' text: sorting
    # whole rows would read every matching body (a common word matches thousands).
    filters = "JOIN articles a ON a.id = articles_search_fts.rowid" if len(where) > 1 else ""
    sql = f"""
        WITH best AS (
            SELECT articles_search_fts.rowid AS id,
                   bm25(articles_search_fts, 10.0, 3.0, 1.0) AS score
            FROM articles_search_fts {filters}
            WHERE {" AND ".join(where)}
            ORDER BY score LIMIT :limit
        )
        SELECT a.url, a.site, a.title, a.published_at, a.body, best.score
        FROM best JOIN articles a ON a.id = best.id
        ORDER BY best.score
    """
    rows = db.execute(sql, params).fetchall()
    words = _TERM.findall(fold(query))
    # Mark the phrase when the search was one, else each word.
    terms = [" ".join(words)] if match.count('"') == 2 and len(words) > 1 else words
    return [
        Hit(url, site_, title, published, snippet(body, terms), -score)
        for url, site_, title, published, body, score in rows
    ]


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    """The part of `text` around the first query term, the terms marked [like this].

    Terms are found in the folded text; folding keeps NFC length for Vietnamese, so the
    positions are those of the original."""
    text = text.replace("\n", " ")
    folded = _fold_each(text)
    if not terms:
        return text[:width]
    first = min((i for t in terms if (i := _find_word(folded, t)) >= 0), default=0)
    start = max(0, first - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    window, window_folded = text[start : start + width], folded[start : start + width]
    marked = _mark(window, window_folded, terms)
    return ("…" if start else "") + marked + ("…" if start + width < len(text) else "")


def _fold_each(text: str) -> str:
    """`fold`, character by character, so positions in the result are positions in `text`."""
    return "".join(map(_fold_char, text))


@lru_cache(maxsize=4096)  # an alphabet's worth of characters, folded once
def _fold_char(ch: str) -> str:
    folded = fold(ch) or ch
    return folded if len(folded) == 1 else ch


def _find_word(folded: str, term: str) -> int:
    match = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", folded)
    return match.start() if match else -1


def _mark(window: str, folded: str, terms: list[str]) -> str:
    spans = sorted(
        (m.start(), m.end())
        for t in terms
        for m in re.finditer(rf"(?<!\w){re.escape(t)}(?!\w)", folded)
    )
    out, cursor = [], 0
    for start, end in spans:
        if start < cursor:
            continue
        out += [window[cursor:start], "[", window[start:end], "]"]
        cursor = end
    out.append(window[cursor:])
    return "".join(out)


def find_entities(db: Database, name: str, kind: str | None = None) -> list[dict]:
    """Entities whose name matches `name` whatever its diacritics or case: exact first."""
    key = fold(name)
    if not key.strip():
        raise BadQuery("the name is empty")
    of_kind = "AND e.kind = :kind" if kind else ""
    rows = db.execute(
        f"""SELECT e.id, e.kind, e.name, e.province_2025 FROM entities e
            WHERE (e.key = :key OR e.name = :name) {of_kind}
            UNION ALL
            SELECT e.id, e.kind, e.name, e.province_2025 FROM entities_fts
            JOIN entities e ON e.rowid = entities_fts.rowid
            WHERE entities_fts MATCH :match AND e.key != :key {of_kind}
            LIMIT 20""",
        {"key": key, "name": name, "kind": kind, "match": fts_query(name)},
    ).fetchall()
    return [{"id": r[0], "kind": r[1], "name": r[2], "province_2025": r[3]} for r in rows]


def entity_report(db: Database, entity: dict) -> dict:
    """An entity's mentions over time, the people named with it, and its figures."""
    mentions = [
        {"url": r[0], "title": r[1], "published_at": r[2], "sentence": r[3], "role": r[4]}
        for r in db.execute(
            """SELECT a.url, a.title, a.published_at, m.sentence, m.role FROM mentions m
               JOIN articles a ON a.id = m.article_id WHERE m.entity_id = ?
               ORDER BY a.published_at, m.id""",
            [entity["id"]],
        ).fetchall()
    ]
    co_mentioned = [
        {"name": r[0], "count": r[1]}
        for r in db.execute(
            """SELECT e.name, count(DISTINCT m.article_id) AS n FROM mentions m
               JOIN entities e ON e.id = m.entity_id
               WHERE e.kind = 'person' AND e.id != :id AND m.article_id IN
                   (SELECT article_id FROM mentions WHERE entity_id = :id)
               GROUP BY e.id ORDER BY n DESC, e.name LIMIT 20""",
            {"id": entity["id"]},
        ).fetchall()
    ]
    figures = []
    if entity["kind"] == "province":
        figures = [
            dict(
                zip(
                    (
                        "text",
                        "value",
                        "unit",
                        "counted",
                        "qualifier",
                        "sentence",
                        "published_at",
                        "url",
                    ),
                    r,
                    strict=True,
                )
            )
            for r in db.execute(
                """SELECT f.text, f.value, f.unit, f.counted, f.qualifier, f.sentence,
                                 a.published_at, a.url FROM figures f
                          JOIN articles a ON a.id = f.article_id WHERE f.province = ?
                          ORDER BY a.published_at, f.id""",
                [entity["name"]],
            ).fetchall()
        ]
    return {
        "name": entity["name"],
        "kind": entity["kind"],
        "mentions": mentions,
        "co_mentioned": co_mentioned,
        "figures": figures,
    }


def iter_rows(db: Database, table: str, since: date | None = None) -> Iterator[dict]:
    """Every row of `table`, one at a time (a cursor, never the whole table in memory)."""
    if table not in db.table_names() + db.view_names():
        raise BadQuery(f"no table or view named {table!r}")
    columns = [c.name for c in db[table].columns]
    sql, params = f"SELECT * FROM [{table}]", []
    if since and "published_at" in columns:
        sql += " WHERE published_at >= ?"
        params.append(since.isoformat())
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)
