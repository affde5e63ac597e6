"""Ingest hook: keeps ``facts.duckdb`` in step with the catalog (facts, chart series, tables).

Every fact is tied to the chunk it can be cited from: prose facts come from chunk text
directly; chart series and table rows are recovered from the whole document and then located
in the chunk that holds their numbers (or title), so the expert can cite them like any hit.

>>> kb = KnowledgeBase.open_or_create(settings, "demo", hooks=[FactsHook()])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from zhiku.bi.charts_recover import recover_series, recover_shares, series_facts
from zhiku.bi.facts import Fact, extract_facts
from zhiku.bi.store import FactStore
from zhiku.bi.tables import TableData, read_tables, table_facts, table_from_rows
from zhiku.types import Block, Chunk, Document, DocumentRecord

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase


def store_for(kb: KnowledgeBase) -> FactStore:
    return FactStore(Path(kb.path) / "facts.duckdb")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _locate(chunks: Sequence[Chunk], needles: Sequence[str]) -> Chunk | None:
    """The first chunk containing all ``needles`` (whitespace ignored), else any one of them."""
    texts = [(c, _squash(c.text)) for c in chunks]
    wanted = [_squash(n) for n in needles if n and _squash(n)]
    for chunk, text in texts:
        if wanted and all(n in text for n in wanted):
            return chunk
    for n in wanted:
        for chunk, text in texts:
            if n in text:
                return chunk
    return None


def document_facts(document: Document, chunks: Sequence[Chunk], doc_id: str) -> list[Fact]:
    """Prose facts per chunk plus chart-series facts located in their chunk."""
    facts: list[Fact] = []
    for chunk in chunks:
        for f in extract_facts(chunk.text):
            facts.append(replace(f, chunk_id=chunk.chunk_id, doc_id=doc_id, page=chunk.page))
    text = "\n".join(b.text for b in document.blocks)
    for series in recover_series(text):
        points = series_facts(series, text)
        if not points:
            continue
        raws = [points[0].raw, points[-1].raw]
        located = _locate(chunks, raws) or _locate(chunks, [series.title]) or (chunks[0] if chunks else None)
        if located is None:
            continue
        chunk = located
        facts.extend(replace(f, chunk_id=chunk.chunk_id, doc_id=doc_id, page=chunk.page) for f in points)
    for share in recover_shares(text):
        at = _locate(chunks, [share.raw, share.sentence.split("：")[0]]) or _locate(chunks, [share.raw])
        if at is not None:
            facts.append(replace(share, chunk_id=at.chunk_id, doc_id=doc_id, page=at.page))
    return facts


def document_tables(document: Document, record: DocumentRecord) -> list[TableData]:
    tables: list[TableData] = []
    path = Path(record.source)
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm") and path.is_file():
        tables = read_tables(path)
    if not tables:
        heading = ""
        for block in document.blocks:
            if block.kind == "heading":
                heading = block.text.strip()
            elif block.kind == "table" and block.rows:
                table = table_from_rows(
                    block.rows, f"table{len(tables) + 1}", record.source, block.page, heading
                )
                if table is not None:
                    tables.append(table)
    return tables


def _row_line(text: str, row: str, raw: str) -> str:
    """The quote a table citation shows: the table's title line, its header and the row itself."""
    title, header = "", ""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" not in line:
            title, header = line, ""
            continue
        if not header:
            header = line
        if row and row in line and raw in line.replace(",", ""):
            parts = [title, header if header != line else "", line]
            return " / ".join(p for p in parts if p)[:400]
    return ""


def _derive(
    record: DocumentRecord, document: Document, chunks: Sequence[Chunk]
) -> tuple[str, list[Fact], list[TableData]]:
    """Facts (prose, charts, table cells located in their chunk) and tables of one document."""
    facts = document_facts(document, chunks, record.doc_id)
    tables = document_tables(document, record)
    for table in tables:
        for f in table_facts(table):
            chunk = _locate(chunks, [f.row, f.raw]) or (chunks[0] if chunks else None)
            if chunk is not None:
                quote = _row_line(chunk.text, f.row, f.raw) or f.sentence
                facts.append(
                    replace(f, chunk_id=chunk.chunk_id, doc_id=record.doc_id, page=chunk.page, sentence=quote)
                )
    return record.doc_id, facts, tables


class FactsHook:
    """``IngestHook`` named ``facts``: extracts facts/series/tables on ingest, drops them on removal."""

    name = "facts"

    def on_documents(
        self, kb: KnowledgeBase, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
    ) -> None:
        """Several documents (one JSON Lines corpus file) written in one DuckDB transaction."""
        store_for(kb).replace_documents(
            [_derive(record, document, chunks) for record, document, chunks in items]
        )

    def on_remove(self, kb: KnowledgeBase, doc_id: str) -> None:
        store_for(kb).remove_document(doc_id)

    def on_rebuild(self, kb: KnowledgeBase) -> None:
        """Re-derive from the catalog's chunks (and source files still on disk for tables)."""
        store_for(kb).clear()
        items = []
        for record in kb.documents():
            chunks = kb.catalog.chunks(record.doc_id)
            blocks = tuple(Block(kind=c.kind, text=c.text, page=c.page) for c in chunks)
            document = Document(source=record.source, title=record.title, format=record.format, blocks=blocks)
            items.append((record, document, chunks))
        self.on_documents(kb, items)
