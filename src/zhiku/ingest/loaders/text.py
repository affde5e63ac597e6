"""Plain text (.txt): encoding detection, then either the PDF-extraction cleaner or paragraphs.

Why two paths: a ``.txt`` is often the output of a PDF-to-text tool (page furniture, broken
lines, chart residue) and then needs :mod:`zhiku.ingest.clean`; a hand-written note only needs
its paragraphs.  :func:`zhiku.ingest.clean.looks_like_pdf_extraction` decides.
"""

from __future__ import annotations

import re
from pathlib import Path

from zhiku.config import IngestSettings
from zhiku.ingest.clean import clean_text, looks_like_pdf_extraction
from zhiku.ingest.loaders.base import decode_text, paragraphs, title_from
from zhiku.types import Block, Document

_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")


def load(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    decoded = decode_text(path, data, "TXT")
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta = {"encoding": decoded.encoding, "encoding_confidence": round(decoded.confidence, 3)}
    if looks_like_pdf_extraction(text):
        blocks = clean_text(text)
        meta["cleaned"] = True
        pages = max((b.page or 1 for b in blocks), default=1)
    else:
        blocks = _plain_blocks(text)
        pages = 1
    return [
        Document(
            source=str(path),
            title=title_from(blocks, path),
            format="txt",
            blocks=tuple(blocks),
            pages=pages,
            meta=meta,
        )
    ]


def _plain_blocks(text: str) -> list[Block]:
    """Paragraphs at blank lines; a one-line paragraph that is short and has no sentence stop,
    or starts with Markdown-style #, is a heading."""
    blocks: list[Block] = []
    for block in paragraphs(text, page=1):
        match = _HEADING.match(block.text)
        if match:
            blocks.append(Block(kind="heading", text=match.group(2), page=1, level=len(match.group(1))))
        elif _heading_like(block.text):
            blocks.append(Block(kind="heading", text=block.text, page=1, level=1))
        else:
            blocks.append(block)
    return blocks


def _heading_like(text: str) -> bool:
    return (
        len(text) <= 30 and "\n" not in text and not re.search(r"[。！？!?；;，,：:.、]$|[。！？；，]", text)
    )
