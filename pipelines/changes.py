"""What changed after publication: edits (from `revisions`) and removals, word by word."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from datetime import date

from sqlite_utils import Database


def word_diff(old: str | None, new: str | None, context: int = 6) -> str:
    """Only the changed words, with a few words of context: [-removed-] {+added+}."""
    a, b = (old or "").split(), (new or "").split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                words = (
                    [*words[:context], "…", *words[-context:]] if out else ["…", *words[-context:]]
                )
            out += words
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def list_changes(db: Database, since: date | None = None) -> Iterator[dict]:
    """Edits (each revision against the version that replaced it) and removals, by date."""
    after = since.isoformat() if since else ""
    edits = db.execute(
        """SELECT r.id, r.article_id, r.replaced_at, r.changed, r.title, r.sapo, r.body, a.url
           FROM revisions r JOIN articles a ON a.id = r.article_id
           WHERE r.replaced_at >= ? ORDER BY r.replaced_at, r.id""",
        [after],
    ).fetchall()
    found = []
    for rev_id, article_id, at, changed, title, sapo, body, url in edits:
        newer = (
            db.execute(
                """SELECT title, sapo, body FROM revisions WHERE article_id = ? AND id > ?
               ORDER BY id LIMIT 1""",
                [article_id, rev_id],
            ).fetchone()
            or db.execute(
                "SELECT title, sapo, body FROM articles WHERE id = ?", [article_id]
            ).fetchone()
        )
        old = {"title": title, "sapo": sapo, "body": body}
        new = dict(zip(("title", "sapo", "body"), newer, strict=True))
        diffs = {f: word_diff(old[f], new[f]) for f in json.loads(changed) if f in old}
        found.append(
            {
                "kind": "edited",
                "at": at,
                "url": url,
                "title": new["title"],
                "changed": json.loads(changed),
                "diffs": diffs,
            }
        )
    for url, title, at, reason in db.execute(
        """SELECT url, title, removed_at, removed_reason FROM articles
               WHERE removed_at IS NOT NULL AND removed_at >= ?""",
        [after],
    ).fetchall():
        found.append({"kind": "removed", "at": at, "url": url, "title": title, "reason": reason})
    yield from sorted(found, key=lambda change: change["at"])
