"""The short report `vnnews demo` prints about a database."""

from __future__ import annotations

import json
import textwrap

from sqlite_utils import Database


def summarize(db: Database, path: str) -> str:
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    images = db.execute("SELECT count(*) FROM images").fetchone()[0]
    pages = db.execute("SELECT count(*) FROM pages").fetchone()[0]
    failures = db.execute("SELECT count(*) FROM failures WHERE state != 'resolved'").fetchone()[0]
    first, last = db.execute("SELECT min(published_at), max(published_at) FROM articles").fetchone()
    layouts = ", ".join(
        f"{layout}: {count}"
        for layout, count in db.execute(
            "SELECT layout, count(*) FROM articles GROUP BY layout ORDER BY layout"
        ).fetchall()
    )
    lines = [
        f"Database: {path}",
        f"Articles: {articles} ({layouts or 'none'}), images: {images}, raw pages kept: {pages}",
        f"Published: {first or '-'} … {last or '-'}",
        f"Failures recorded: {failures} (see: vnnews failures)",
    ]
    kinds = dict(db.execute("SELECT kind, count(*) FROM entities GROUP BY kind").fetchall())
    if kinds:
        figures = db.execute("SELECT count(*) FROM figures").fetchone()[0]
        people = db.execute(
            "SELECT e.name, count(*) FROM mentions m JOIN entities e ON e.id = m.entity_id "
            "WHERE e.kind = 'person' GROUP BY e.id ORDER BY 2 DESC, 1 LIMIT 3"
        ).fetchall()
        lines.append(
            f"Found: {kinds.get('person', 0)} people, {kinds.get('province', 0)} provinces, "
            f"{kinds.get('organization', 0)} organisations, {figures} figures; most named: "
            + ", ".join(f"{name} ({count})" for name, count in people)
        )
    sample = db.execute(
        "SELECT title, published_at, url, authors, body FROM articles "
        "ORDER BY published_at DESC LIMIT 1"
    ).fetchone()
    if sample:
        title, published_at, url, authors, body = sample
        lines += [
            "",
            "Newest article:",
            f"  {title}",
            f"  {published_at}  {url}",
            f"  by: {', '.join(json.loads(authors)) or '-'}",
            *textwrap.wrap(
                body.split("\n\n")[0],
                92,
                initial_indent="  ",
                subsequent_indent="  ",
                max_lines=3,
                placeholder=" …",
            ),
        ]
    lines += [
        "",
        f'Explore it: sqlite3 {path} "SELECT published_at, title FROM articles ORDER BY 1"',
    ]
    return "\n".join(lines)
