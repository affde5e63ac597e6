"""Spreadsheets: CSV/TSV and XLSX → one heading + one ``table`` block per sheet, rows kept.

Why keep ``rows``: the text rendering (``a | b | c`` per line) is what retrieval reads, and the
rows (first row = header) are what the BI expert loads into SQL tables later.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.errors import FileTooLargeError
from zhiku.ingest.loaders.base import clean_cell, corrupt, decode_text, table_text
from zhiku.types import Block, Document


def load_csv(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    text = decode_text(path, data, "CSV").text.lstrip("\ufeff")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    rows = [tuple(clean_cell(c) for c in row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    rows = _trim(rows)
    if not rows:
        raise corrupt(path, "CSV", "没有数据行 / no data rows")
    block = Block(
        kind="table",
        text=table_text(rows),
        page=1,
        rows=tuple(rows),
        meta={"header": True, "sheet": path.stem},
    )
    return [Document(source=str(path), title=path.stem, format="csv", blocks=(block,), pages=1)]


def load_xlsx(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    import openpyxl

    if not data.startswith(b"PK"):
        raise corrupt(path, "XLSX", "不是 ZIP 容器 / not a ZIP container")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise corrupt(path, "XLSX", str(exc) or type(exc).__name__) from exc
    blocks: list[Block] = []
    try:
        budget = [settings.max_cells]
        for number, sheet in enumerate(book.worksheets, start=1):
            rows = _trim([tuple(_cell(v) for v in row) for row in _bounded(path, sheet, budget)])
            if not rows:
                continue
            caption, rows = _split_caption(rows)
            text = table_text(rows)
            blocks.append(Block(kind="heading", text=str(sheet.title), page=number, level=1))
            blocks.append(
                Block(
                    kind="table",
                    text=f"{caption}\n{text}" if caption else text,
                    page=number,
                    rows=tuple(rows),
                    meta={"header": True, "sheet": str(sheet.title), "caption": caption},
                )
            )
        title = book.properties.title if book.properties is not None else None
    finally:
        book.close()
    if not blocks:
        raise corrupt(path, "XLSX", "所有工作表都是空的 / every sheet is empty")
    return [
        Document(
            source=str(path),
            title=title.strip() if isinstance(title, str) and title.strip() else path.stem,
            format="xlsx",
            blocks=tuple(blocks),
            pages=sum(1 for b in blocks if b.kind == "table"),
        )
    ]


def _bounded(path: Path, sheet: Any, budget: list[int]) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, refusing the file once it has read more than ``ingest.max_cells`` cells.

    Why: a sheet of millions of empty-but-styled cells is small zipped and passes the archive
    guard, yet would build millions of Python objects here.
    """
    for row in sheet.iter_rows(values_only=True):
        budget[0] -= max(len(row), 1)
        if budget[0] < 0:
            raise FileTooLargeError(
                "表格单元格过多，超过上限（ingest.max_cells）",
                "the spreadsheet has too many cells, over the limit (ingest.max_cells)",
                path=str(path),
            )
        yield row


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return clean_cell(value)


def _split_caption(rows: list[tuple[str, ...]]) -> tuple[str, list[tuple[str, ...]]]:
    """A first row with a single filled cell above a wider table is a caption, not the header."""
    if len(rows) >= 3 and sum(1 for c in rows[0] if c) == 1 and sum(1 for c in rows[1] if c) >= 2:
        caption = next(c for c in rows[0] if c)
        body = _trim(rows[1:])
        return caption, body
    return "", rows


def _sniff_delimiter(text: str) -> str:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|，").delimiter
    except csv.Error:
        return ","


def _trim(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Drop empty rows and trailing empty columns (spreadsheets are padded)."""
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        return []
    width = max(max((i + 1 for i, c in enumerate(row) if c), default=0) for row in rows)
    return [tuple(list(row[:width]) + [""] * (width - len(row))) for row in rows]
