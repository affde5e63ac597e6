"""What the ingestion pipeline needs from a knowledge base, as a protocol.

``KnowledgeBase.ingest`` hands itself to ``Ingestor``; typing the pipeline against this narrow
view instead of ``zhiku.kb`` keeps the dependency one-way (``kb`` imports ``ingest``, never the
reverse) and names the few operations a batch commit relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from zhiku.types import Chunk, Document, DocumentRecord

if TYPE_CHECKING:
    import numpy as np

    from zhiku.config import Settings
    from zhiku.models.embedders import Embedder
    from zhiku.store.catalog import Catalog


class IngestTarget(Protocol):
    """The knowledge base as the pipeline writes to it (``zhiku.kb.KnowledgeBase`` satisfies it)."""

    settings: Settings
    catalog: Catalog

    @property
    def local_only(self) -> bool: ...

    def _dense_embedder(self) -> Embedder | None: ...

    def write_vectors(
        self,
        records: Sequence[DocumentRecord],
        chunks: Sequence[Chunk],
        vectors: np.ndarray | None,
        fresh: frozenset[str] | None = None,
    ) -> None: ...

    def run_hooks(self, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]) -> list[str]: ...

    def delete_document(self, doc_id: str, *, refresh: bool = True) -> None: ...

    def flush(self, snapshot: bool = True) -> None: ...

    def pretokenize(self, items: Sequence[tuple[DocumentRecord, Sequence[Chunk]]]) -> None: ...

    def refresh_fulltext(self) -> None: ...
