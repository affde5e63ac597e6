"""Word (.docx) via python-docx: paragraphs and tables in body order, headings by style.

Why walk the XML body: ``document.paragraphs`` and ``document.tables`` are separate lists, and
a table's meaning depends on the paragraph before it.  Headings are recognised by style name
("Heading 2", "标题 2", "Title") or outline level.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.ingest.loaders.base import clean_cell, corrupt, table_text, tidy, title_from
from zhiku.types import Block, Document

_LEVEL = re.compile(r"(\d+)")


def load(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not data.startswith(b"PK"):
        raise corrupt(path, "DOCX", "不是 ZIP 容器 / not a ZIP container")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise corrupt(path, "DOCX", str(exc) or type(exc).__name__) from exc
    blocks = list(_blocks(document))
    title = document.core_properties.title if document.core_properties else None
    return [
        Document(
            source=str(path),
            title=title_from(blocks, path, title),
            format="docx",
            blocks=tuple(blocks),
            pages=1,
        )
    ]


def _blocks(document: Any) -> list[Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[Block] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            block = _paragraph(Paragraph(child, document))
            if block is not None:
                out.append(block)
        elif tag == "tbl":
            rows = _rows(Table(child, document))
            if rows:
                out.append(
                    Block(kind="table", text=table_text(rows), rows=tuple(rows), meta={"header": True})
                )
    return out


def _paragraph(paragraph: Any) -> Block | None:
    text = tidy(paragraph.text)
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    lowered = style.lower()
    if lowered == "title":
        return Block(kind="heading", text=text, level=1)
    if lowered.startswith("heading") or style.startswith("标题"):
        match = _LEVEL.search(style)
        return Block(kind="heading", text=text, level=int(match.group(1)) if match else 1)
    if "list" in lowered or "列表" in style:
        return Block(kind="list", text=text)
    return Block(kind="paragraph", text=text)


def _rows(table: Any) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # merged cells repeat the same cell object; keep one copy
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(clean_cell(cell.text))
        if any(cells):
            rows.append(tuple(cells))
    return rows
