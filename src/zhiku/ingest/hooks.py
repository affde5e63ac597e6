"""Derived stores that follow the catalog (facts, tables, graph) plug in as ingest hooks.

The pipeline calls every hook after a document's chunks are committed, and on removal and
rebuild, so derived stores never hold evidence the catalog no longer has.  A failing hook
marks the file's result with a warning; it never rolls back the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from zhiku.types import Chunk, Document, DocumentRecord

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase


class IngestHook(Protocol):
    name: str

    def on_documents(
        self, kb: KnowledgeBase, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
    ) -> None:
        """Committed documents, one or a whole corpus file at once (one transaction per batch)."""
        ...

    def on_remove(self, kb: KnowledgeBase, doc_id: str) -> None: ...

    def on_rebuild(self, kb: KnowledgeBase) -> None: ...
