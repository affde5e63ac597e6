"""HTML via selectolax (lexbor): the main text, headings h1–h6, tables, lists.

Why a block walk instead of ``body.text()``: flattening loses headings and tables and glues the
navigation to the article.  We drop page chrome (nav, header, footer, aside, script, style,
forms), prefer ``<main>``/``<article>`` when present, and emit a block at every block-level
element so paragraphs stay apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.ingest.loaders.base import clean_cell, decode_text, join_lines, table_text, tidy, title_from
from zhiku.types import Block, BlockKind, Document

_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "nav",
        "footer",
        "header",
        "aside",
        "form",
        "svg",
        "iframe",
        "template",
        "button",
        "select",
        "head",
        "-comment",
    }
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS: dict[str, BlockKind] = {
    "p": "paragraph",
    "div": "paragraph",
    "section": "paragraph",
    "article": "paragraph",
    "main": "paragraph",
    "blockquote": "paragraph",
    "li": "list",
    "dt": "paragraph",
    "dd": "paragraph",
    "figcaption": "paragraph",
    "caption": "paragraph",
    "pre": "code",
    "ul": "list",
    "ol": "list",
    "dl": "paragraph",
    "figure": "paragraph",
    "address": "paragraph",
    "body": "paragraph",
    "br": "paragraph",
    "hr": "paragraph",
    "tr": "paragraph",
}
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "footer",
        "breadcrumb",
        "breadcrumbs",
        "sidebar",
        "toolbar",
        "cookie",
        "cookies",
        "advert",
        "ads",
        "share",
        "social",
        "pagination",
        "skip",
    }
)
_WORDS = re.compile(r"[\s_\-]+")
_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)


def load(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    from selectolax.lexbor import LexborHTMLParser

    html = _decode(path, data)
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    page_title = title_node.text(strip=True) if title_node is not None else None
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    walker = _Walker()
    if root is not None:
        walker.walk(root)
        walker.flush("paragraph")
    blocks = walker.blocks
    return [
        Document(
            source=str(path),
            title=title_from(blocks, path, page_title),
            format="html",
            blocks=tuple(blocks),
            pages=1,
        )
    ]


def _decode(path: Path, data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(path, data, "HTML").text


class _Walker:
    """Collect inline text into a buffer; every block-level element flushes it as a block."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def walk(self, node: Any) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.buffer.append(child.text(deep=False))
            elif tag in _DROP or _hidden(child):
                continue
            elif tag in _HEADINGS:
                self.flush("paragraph")
                text = tidy(child.text(separator=" "))
                if text:
                    self.blocks.append(Block(kind="heading", text=text, level=_HEADINGS[tag]))
            elif tag == "table":
                self.flush("paragraph")
                self._table(child)
            elif tag == "pre":
                self.flush("paragraph")
                code = child.text(deep=True).strip("\n")
                if code.strip():
                    self.blocks.append(Block(kind="code", text=code))
            elif tag in _BLOCKS:
                self.flush("paragraph")
                self.walk(child)
                self.flush(_BLOCKS[tag])
            else:
                self.walk(child)

    def flush(self, kind: BlockKind) -> None:
        text = tidy(join_lines("".join(self.buffer).split("\n")))
        self.buffer = []
        if text:
            self.blocks.append(Block(kind=kind, text=text))

    def _table(self, table: Any) -> None:
        rows: list[tuple[str, ...]] = []
        for tr in table.css("tr"):
            cells = tuple(clean_cell(cell.text(separator=" ")) for cell in tr.css("th, td"))
            if any(cells):
                rows.append(cells)
        if rows:
            has_header = table.css_first("th") is not None
            self.blocks.append(
                Block(kind="table", text=table_text(rows), rows=tuple(rows), meta={"header": has_header})
            )


def _hidden(node: Any) -> bool:
    """Invisible elements and page chrome marked by role, class or id (``<div class="navbar">``)."""
    attrs = node.attributes or {}
    style = (attrs.get("style") or "").replace(" ", "").lower()
    if "hidden" in attrs or attrs.get("aria-hidden") == "true" or "display:none" in style:
        return True
    if (attrs.get("role") or "").lower() in _CHROME_ROLES:
        return True
    words = _WORDS.split(f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower())
    return any(word in _CHROME_WORDS for word in words)
