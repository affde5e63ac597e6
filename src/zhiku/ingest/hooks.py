"""Derived stores that follow the catalog (facts, tables, graph) plug in as ingest hooks.

The pipeline calls every hook after a document's chunks are committed, and on removal and
rebuild, so derived stores never hold evidence the catalog no longer has.  A failing hook
marks the file's result with a warning; it never rolls back the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from zhiku.types import Chunk, Document, DocumentRecord

# The knowledge base a hook serves.  Generic so that this module need not import ``zhiku.kb``
# (which imports it): ``kb.py`` holds ``IngestHook[KnowledgeBase]``.
KbT_contra = TypeVar("KbT_contra", contravariant=True)


class IngestHook(Protocol[KbT_contra]):
    name: str

    def on_documents(
        self, kb: KbT_contra, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
    ) -> None:
        """Committed documents, one or a whole corpus file at once (one transaction per batch)."""
        ...

    def on_remove(self, kb: KbT_contra, doc_id: str) -> None: ...

    def on_rebuild(self, kb: KbT_contra) -> None: ...
