"""Stored names are counted only when an upper bound says the linking automaton may be stale;
the graph must be exactly the one that counting after every document gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import GraphSettings, IngestSettings
from zhiku.graph.service import KnowledgeGraph
from zhiku.ingest.chunk import Chunker
from zhiku.ingest.loaders import load_path
from zhiku.types import Document

pytestmark = pytest.mark.integration


def _documents(shared_bench: Path, folder: Path, n: int) -> list[Document]:
    """The first ``n`` passages of the RGB-zh corpus (news text: many names, places, companies)."""
    with (shared_bench / "rgb_zh" / "corpus.jsonl").open(encoding="utf-8") as handle:
        head = [line for _, line in zip(range(n), handle, strict=False)]
    part = folder / "part.jsonl"
    part.write_text("".join(head), encoding="utf-8")
    return load_path(part, IngestSettings())


def _graph_rows(graph: KnowledgeGraph) -> tuple[list[tuple[object, ...]], ...]:
    db = graph.store._db
    return tuple(
        sorted(db.execute(f"SELECT * FROM {table}").fetchall())
        for table in ("entity_names", "mentions", "edge_evidence", "aliases")
    )


def test_bounded_count_builds_the_same_graph(shared_bench: Path, tmp_path: Path) -> None:
    docs = _documents(shared_bench, tmp_path, 150)
    chunker = Chunker(IngestSettings())
    chunked = [(f"d{i}", chunker.split(d, f"d{i}")) for i, d in enumerate(docs)]
    bounded = KnowledgeGraph(tmp_path / "a", GraphSettings())
    exact = KnowledgeGraph(tmp_path / "b", GraphSettings())
    for doc_id, chunks in chunked:
        bounded.index_document(doc_id, chunks)
        exact.builder._bound = None  # forget the bound: the store is counted before every document
        exact.index_document(doc_id, chunks)
    assert bounded.builder._global is not None and exact.builder._global is not None
    assert bounded.builder._global[0] > 50  # the automaton was rebuilt as the store grew, not only built once
    assert bounded.builder._global[0] == exact.builder._global[0]
    assert _graph_rows(bounded) == _graph_rows(exact)
