from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.graph.build import GraphBuilder
from zhiku.graph.export import export
from zhiku.graph.extract_small import SmallExtractor
from zhiku.graph.store import SqliteGraphStore
from zhiku.types import Chunk

pytestmark = pytest.mark.unit

DOC_A = [
    Chunk("a:0", "a", 0, "2023年，星海科技发布天枢大模型。星海科技与云帆智能在杭州合作。"),
    Chunk("a:1", "a", 1, "天枢大模型支持中文写作。"),
]
DOC_B = [Chunk("b:0", "b", 0, "云帆智能推出云帆GPT。云帆GPT和天枢都在杭州展出。")]


@pytest.fixture
def store(tmp_path: Path) -> SqliteGraphStore:
    return SqliteGraphStore(tmp_path / "graph.sqlite")


def build(store: SqliteGraphStore, doc: str, chunks: list[Chunk]) -> None:
    GraphBuilder(store).add_document(doc, chunks, SmallExtractor().extract(chunks))


def test_edges_nodes_and_evidence(store: SqliteGraphStore) -> None:
    build(store, "a", DOC_A)
    released = [e for e in store.edges_of("e:星海") if e.type == "released"]
    assert [(e.src_name, e.dst_name) for e in released] == [("星海科技", "天枢大模型")]
    assert released[0].evidence[0].chunk_id == "a:0"
    tianshu = store.entity("e:天枢")
    assert tianshu is not None and {"a:0", "a:1"} <= set(tianshu.chunks)  # linked where it is mentioned
    assert any(e.type == "mentions_with" for e in store.edges_of("e:杭州"))


def test_names_from_other_documents_are_linked(store: SqliteGraphStore) -> None:
    build(store, "a", DOC_A)
    build(store, "b", DOC_B)
    tianshu = store.entity("e:天枢")
    assert tianshu is not None and "b:0" in tianshu.chunks
    assert store.neighbours("e:星海", hops=2)  # 星海 → 天枢 → (b) 云帆GPT …
    assert store.shortest_path("e:星海", "e:云帆gpt")[0] == "e:星海"


def test_removing_a_document_removes_only_its_evidence(store: SqliteGraphStore) -> None:
    build(store, "a", DOC_A)
    build(store, "b", DOC_B)
    store.remove_document("b")
    assert store.entity("e:云帆gpt") is None  # only document b supported it
    assert store.entity("e:天枢") is not None
    assert all(ev.doc_id != "b" for e in store.all_edges() for ev in e.evidence)
    store.remove_document("a")
    assert store.stats().entities == 0 and store.stats().edges == 0


def test_reindexing_replaces_a_document(store: SqliteGraphStore) -> None:
    build(store, "a", DOC_A)
    build(store, "a", [Chunk("a:0", "a", 0, "星海科技收购了云帆智能。")])
    types = {e.type for e in store.edges_of("e:星海")}
    assert "acquired" in types and "released" not in types


def test_export_formats(store: SqliteGraphStore) -> None:
    build(store, "a", DOC_A)
    assert "天枢" in export(store, "json")
    assert "<graphml" in export(store, "graphml")


def test_display_types_agree_with_entities(store: SqliteGraphStore) -> None:
    """The one-query summary the ingest hook uses names and types each entity as ``entities()`` does."""
    build(store, "a", DOC_A)
    build(store, "b", DOC_B)
    english = [Chunk("c:0", "c", 0, "Northwind Labs released the Aurora model in Berlin.")]
    build(store, "c", english)
    summary = store.display_types()
    full = store.entities()
    assert len(full) >= 4
    assert summary == {e.entity_id: (e.name, e.type) for e in full}


def test_reindexing_a_new_document_keeps_other_documents(store: SqliteGraphStore) -> None:
    """A document indexed for the first time removes nothing (the early return for new documents)."""
    build(store, "a", DOC_A)
    before = {e.entity_id for e in store.entities()}
    build(store, "b", DOC_B)
    after = {e.entity_id for e in store.entities()}
    assert before <= after
    assert store.entity("e:天枢") is not None
