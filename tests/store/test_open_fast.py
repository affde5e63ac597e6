"""Opening a KB maps what was persisted (BM25, the vector mirror) and defers the vector engine.

Real Milvus Lite, no mocks: a clean reopen answers searches without starting the engine; a
missing or damaged persisted index is rebuilt (or re-read from the engine), never trusted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from zhiku.config import Settings
from zhiku.kb import KnowledgeBase

pytestmark = pytest.mark.integration

TOPICS = [
    "人工智能产业规模",
    "智能算力市场",
    "大模型发布",
    "数据要素流通",
    "芯片国产化",
    "new energy vehicle exports",
]


def _kb_with_docs(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):
        text = f"第{i}号报告讨论{TOPICS[i % 6]}。Report {i} covers {TOPICS[i % 6]}."
        (folder / f"doc{i:02d}.txt").write_text(text, encoding="utf-8")
    kb = KnowledgeBase.create(settings, "t", hooks=[])
    kb.ingest([folder])
    kb.close()


def test_clean_reopen_searches_without_starting_the_engine(settings: Settings, tmp_path: Path) -> None:
    _kb_with_docs(settings, tmp_path)
    kb = KnowledgeBase(settings, "t", hooks=[])
    hits = kb.search("芯片国产化", top_k=3)
    assert hits and "芯片国产化" in hits[0].text
    assert "new energy vehicle exports" in kb.search("new energy vehicle exports", top_k=1)[0].text
    assert kb._vectors is not None and not kb._vectors.connected  # served from the mapped mirror
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "q.txt").write_text(
        "量子计算与光子芯片的新进展。Quantum computing.", encoding="utf-8"
    )
    kb.ingest([tmp_path / "more"])  # a write connects the engine
    assert kb._vectors.connected
    assert kb.search("量子计算光子芯片", top_k=1)[0].text.startswith("量子计算")
    kb.close()
    again = KnowledgeBase(settings, "t", hooks=[])
    assert again.search("quantum computing", top_k=1)[0].text.startswith("量子计算")
    assert again._vectors is not None and not again._vectors.connected
    again.close()


def test_missing_fulltext_index_is_rebuilt_on_open(settings: Settings, tmp_path: Path) -> None:
    _kb_with_docs(settings, tmp_path)
    kb_dir = settings.kb_dir("t")
    shutil.rmtree(kb_dir / "fulltext")
    kb = KnowledgeBase(settings, "t", hooks=[])
    assert (kb_dir / "fulltext" / "zhiku.json").is_file()
    assert len(kb.fulltext) == kb.catalog.count_chunks() == 12
    assert kb.fulltext.search("数据要素流通", top_k=1)[0][0] == kb.search("数据要素流通", top_k=1)[0].chunk_id
    kb.close()


def test_stale_or_damaged_mirror_snapshot_is_not_trusted(settings: Settings, tmp_path: Path) -> None:
    _kb_with_docs(settings, tmp_path)
    mirror = settings.kb_dir("t") / "vectors.db.mirror"
    (mirror / "ids.json").unlink()  # what a write leaves until its flush (a killed ingest)
    kb = KnowledgeBase(settings, "t", hooks=[])
    assert "大模型发布" in kb.search("大模型发布", top_k=1)[0].text
    assert kb._vectors is not None and kb._vectors.connected  # read back from the engine
    assert kb._vectors.count() == 12
    kb.flush()  # a fresh snapshot
    kb.close()
    matrix = np.load(mirror / "vectors.npy")
    np.save(mirror / "vectors.npy", matrix[:5])  # rows no longer match the ids
    kb = KnowledgeBase(settings, "t", hooks=[])
    assert "大模型发布" in kb.search("大模型发布", top_k=1)[0].text
    assert kb._vectors is not None and kb._vectors.connected and kb._vectors.count() == 12
    kb.close()


def test_a_reader_follows_what_another_writer_flushed(tmp_path: Path) -> None:
    """``zhiku serve`` (a reader on the snapshot) next to a ``zhiku ingest`` (the writer)."""
    from zhiku.store.vectors import MilvusVectorStore

    uri = str(tmp_path / "v.db")
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((30, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"d{i}:00000" for i in range(30)]
    first = MilvusVectorStore(uri, "c", 16, memory_rows=1000)
    first.upsert(ids[:20], [i.split(":")[0] for i in ids[:20]], ["txt"] * 20, vectors[:20])
    first.flush()
    first.close()
    reader = MilvusVectorStore(uri, "c", 16, memory_rows=1000)
    assert not reader.connected and reader.search(vectors[25], 1)[0][0] != ids[25]
    writer = MilvusVectorStore(uri, "c", 16, memory_rows=1000)  # connects: the reader never did
    writer.upsert(ids[20:], [i.split(":")[0] for i in ids[20:]], ["txt"] * 10, vectors[20:])
    writer.delete_documents(["d3"])
    writer.flush()
    writer.close()
    assert reader.search(vectors[25], 1)[0][0] == ids[25]  # the newer snapshot was mapped
    assert all(hit != ids[3] for hit, _ in reader.search(vectors[3], 5))
    assert reader.count() == 29 and not reader.connected
    reader.close()


def test_a_flush_during_an_ingest_persists_rows_without_a_snapshot(tmp_path: Path) -> None:
    """The pipeline flushes the engine before its last batch (the engine indexes meanwhile); a
    snapshot then would be stale at once, so only the run's final flush writes one."""
    from zhiku.store.vectors import MilvusVectorStore

    uri = str(tmp_path / "v.db")
    snapshot = Path(uri + ".mirror") / "ids.json"
    vectors = np.eye(16, dtype=np.float32)
    ids = [f"d{i}:00000" for i in range(16)]
    store = MilvusVectorStore(uri, "c", 16, memory_rows=1000)
    store.upsert(ids[:10], [i.split(":")[0] for i in ids[:10]], ["txt"] * 10, vectors[:10], new=True)
    store.flush(snapshot=False)
    assert not snapshot.exists()
    store.upsert(ids[10:], [i.split(":")[0] for i in ids[10:]], ["txt"] * 6, vectors[10:], new=True)
    store.flush()
    assert snapshot.exists()
    store.close()
    reopened = MilvusVectorStore(uri, "c", 16, memory_rows=1000)
    assert reopened.count() == 16 and reopened.search(vectors[12], 1)[0][0] == ids[12]
    reopened.close()
