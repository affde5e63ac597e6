"""Keeps the graph in step with the catalog: extract on ingestion, clean up on removal.

Registered in ``zhiku.wiring.ingest_hooks``.  A failure here becomes a warning on the file's
result (the pipeline's rule), never a failed ingestion.

>>> hooks = [GraphHook(settings.graph)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from zhiku.config import GraphSettings
from zhiku.graph.service import graph_for, kb_documents
from zhiku.types import Chunk, Document, DocumentRecord

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase


class GraphHook:
    """IngestHook: ``on_documents`` indexes the document's chunks; ``on_rebuild`` redoes all.

    The LLM extractor is not run here (it costs money and time per chunk); ``zhiku graph build``
    runs it, incrementally, when configured.
    """

    name = "graph"

    def __init__(self, settings: GraphSettings | None = None) -> None:
        self.settings = settings or GraphSettings()

    def on_documents(
        self, kb: KnowledgeBase, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
    ) -> None:
        """Index a batch, then merge what the batch shows to be one entity (once per batch).

        The batch is one SQLite transaction: a commit per document was a fifth of the hook's
        time on a 5,000-passage corpus.  Until the pipeline marks the batch ``ok`` its documents
        are ``pending``, so a crash inside it is redone whole by the next open.
        """
        if not self.settings.enabled:
            return
        graph = graph_for(kb)
        with graph.store.batch():
            for record, _, chunks in items:
                graph.index_document(record.doc_id, chunks)
            graph.merge_inferred()

    def on_remove(self, kb: KnowledgeBase, doc_id: str) -> None:
        graph_for(kb).remove_document(doc_id)

    def on_rebuild(self, kb: KnowledgeBase) -> None:
        if self.settings.enabled:
            graph_for(kb).rebuild(kb_documents(kb))
        else:
            graph_for(kb).store.clear()
