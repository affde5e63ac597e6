"""An ingest hook that interrupts a run, for the tests that kill an ingest and resume it."""

from __future__ import annotations

from collections.abc import Sequence

from zhiku.kb import KnowledgeBase
from zhiku.types import Chunk, Document, DocumentRecord


class KillInBatch:
    """Stops the run in its n-th batch (a BaseException, as a KeyboardInterrupt or SIGTERM
    handler would raise), after the batch reached the catalog."""

    name = "kill"

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self.calls = 0

    def on_documents(
        self, kb: KnowledgeBase, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
    ) -> None:
        self.calls += 1
        if self.calls == self.batch:
            raise KeyboardInterrupt

    def on_remove(self, kb: KnowledgeBase, doc_id: str) -> None:
        return None

    def on_rebuild(self, kb: KnowledgeBase) -> None:
        return None
