"""A knowledge base: one directory with the catalog (source of truth) and derived indexes.

Layout of ``$ZHIKU_HOME/kb/<name>/``::

    catalog.sqlite     documents, chunks, ingestion runs (SQLite, WAL)
    kb.json            embedder name + dimension, flags (local_only), created_at
    fulltext/          bm25s index over jieba tokens (derived)
    vectors.db         Milvus Lite file (derived; absent when a Milvus server is configured)
    facts.duckdb       tables and numeric facts (derived, BI)

>>> kb = KnowledgeBase.open_or_create(settings, "demo")
>>> report = kb.ingest([Path("examples")])
>>> kb.search("2023年中国人工智能产业规模", top_k=3)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from zhiku.answer.base import SearchFilters
from zhiku.config import Settings
from zhiku.types import Chunk, DocumentRecord, Hit


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file (one row of the per-file table)."""

    path: str
    status: Literal["added", "updated", "unchanged", "failed", "removed"]
    documents: int = 0
    chunks: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    ms: float = 0.0


@dataclass
class IngestReport:
    run_id: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files)


@dataclass(frozen=True)
class IngestEvent:
    """Progress callback payload: ``done`` of ``total`` files, the current file and its result."""

    done: int
    total: int
    path: str
    result: FileResult | None = None


ProgressFn = Callable[[IngestEvent], None]
