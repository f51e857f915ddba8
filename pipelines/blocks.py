"""Reading a body element as paragraphs, and cutting boilerplate boxes out of it.

Portals mix `<p>` paragraphs, bare text broken by `<br>`, and `<div>`s with inline text; a
paragraph here is a run of inline content between block boundaries or line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from selectolax.lexbor import LexborNode

from pipelines.text import label_key, tidy_line

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
# Never reader-visible text; skipped wherever they appear.
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "video",
        "audio",
        "source",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "map",
        "head",
        "title",
        "meta",
        "link",
    ]
)


def paragraphs(node: LexborNode) -> list[str]:
    """The reader-visible paragraphs under `node`, in order, each one tidy line."""
    return [p for p in (tidy_line(chunk) for chunk in _chunks(node)) if p]


def _chunks(node: LexborNode) -> Iterator[str]:
    buffer: list[str] = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            buffer.append(child.text_content or "")
        elif tag == "br":
            buffer.append("\n")
        elif tag in SKIP_TAGS or not child.is_element_node:
            continue
        elif tag in BLOCK_TAGS:
            yield from "".join(buffer).split("\n")
            buffer.clear()
            yield from _chunks(child)
        else:  # inline element: its text joins the current paragraph
            buffer.append("\n".join(_chunks(child)) if _has_break(child) else _inline_text(child))
    yield from "".join(buffer).split("\n")


def _inline_text(node: LexborNode) -> str:
    parts = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif child.is_element_node and child.tag not in SKIP_TAGS:
            parts.append(_inline_text(child))
    return "".join(parts)


def _has_break(node: LexborNode) -> bool:
    return node.css_first("br, p, div, li") is not None


def drop_labelled_boxes(body: LexborNode, labels: Iterable[str]) -> int:
    """Remove boxes headed by a boilerplate label ("Tin liên quan", "Xem thêm: ...").

    A label that heads a box of links removes the box; a label standing alone in the body
    (a heading followed by link lists) removes itself and the link-dense siblings after it.
    Returns how many boxes were removed.
    """
    keys = {label_key(label) for label in labels}
    starts = re.compile("^(?:" + "|".join(re.escape(k) for k in keys) + r")\s*:")
    doomed: list[LexborNode] = []
    doomed_ids: set[int] = set()
    # Decide first, remove after: a removed node must never be visited again.
    for node in body.css("*"):
        raw = node.text()
        if len(raw) > 400:  # a label, or a "Xem thêm: <link>" line, is short
            continue
        text = label_key(raw)
        if not text:
            continue
        boxes: list[LexborNode] = []
        if text in keys:
            box = _box_of(node, body)
            boxes = [box, *(_following_link_blocks(box) if box.mem_id == node.mem_id else [])]
        elif node.tag in BLOCK_TAGS and starts.match(text) and _link_share(node) > 0.5:
            boxes = [node]  # "Xem thêm: <a>Another article</a>"
        # Walking up the tree costs more than the checks above, which rarely match.
        if boxes and has_ancestor_in(node, doomed_ids, stop=body):
            continue
        for box in boxes:
            if box.mem_id not in doomed_ids:
                doomed.append(box)
                doomed_ids.add(box.mem_id)
    for box in doomed:
        box.decompose()
    return len(doomed)


def has_ancestor_in(node: LexborNode, ids: set[int], stop: LexborNode | None = None) -> bool:
    parent = node.parent
    while parent is not None and (stop is None or parent.mem_id != stop.mem_id):
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _box_of(label: LexborNode, body: LexborNode) -> LexborNode:
    """The largest ancestor below `body` whose only text besides the label is link text."""
    label_len = len(tidy_line(label.text()))
    box = label
    parent = label.parent
    while parent is not None and parent.mem_id != body.mem_id:
        text_len = len(tidy_line(parent.text()))
        if text_len - label_len - _link_text_len(parent) > 20:
            break
        box = parent
        parent = parent.parent
    return box


def _following_link_blocks(label: LexborNode) -> list[LexborNode]:
    blocks = []
    sibling = label.next
    while sibling is not None:
        if sibling.is_element_node:
            if _link_share(sibling) < 0.5:
                break
            blocks.append(sibling)
        sibling = sibling.next
    return blocks


def _link_text_len(node: LexborNode) -> int:
    return sum(len(tidy_line(a.text())) for a in node.css("a"))


def _link_share(node: LexborNode) -> float:
    total = len(tidy_line(node.text()))
    return _link_text_len(node) / total if total else 0.0
