"""Large files are committed in batches; a run killed mid-file leaves a KB that opens and resumes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from interrupt_hook import KillInBatch
from sample_corpus import write_corpus

from zhiku.bi.hook import FactsHook, store_for
from zhiku.config import Settings
from zhiku.ingest import pipeline
from zhiku.kb import KnowledgeBase
from zhiku.types import Chunk, Document, DocumentRecord

pytestmark = pytest.mark.integration

ROWS = 30


def _corpus(tmp_path: Path) -> Path:
    return write_corpus(
        tmp_path, ROWS, lambda i: f"第{i}号样例公司2023年营业收入为{i + 10}亿元，员工{i + 3}百人。"
    )


def test_batched_run_killed_midway_opens_and_completes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 8)
    corpus = _corpus(tmp_path)
    kb = KnowledgeBase.create(settings, "t", hooks=[FactsHook(), KillInBatch(2)])
    with pytest.raises(KeyboardInterrupt):
        kb.ingest([corpus])
    kb.close()

    # batch 1 is complete, batch 2 reached the catalog but was not marked done, the rest is absent
    reopened = KnowledgeBase(settings, "t", hooks=[FactsHook()])
    assert sorted(d.status for d in reopened.documents()) == ["ok"] * 8 + ["pending"] * 8
    # the first search opens the vector store, which finishes the pending batch
    assert any(h.text.startswith("第3号") for h in reopened.search("第3号样例公司营业收入", top_k=3))
    assert [d.status for d in reopened.documents()] == ["ok"] * 16
    assert {f.doc_id for f in store_for(reopened).facts()} == {d.doc_id for d in reopened.documents()}

    report = reopened.ingest([corpus])
    assert [f.status for f in report.files] == ["updated"]
    assert report.files[0].chunks == ROWS - 16  # only what the killed run had not committed
    docs = reopened.documents()
    assert len(docs) == ROWS and {d.status for d in docs} == {"ok"}
    assert reopened.catalog.count_chunks() == ROWS
    assert len({f.doc_id for f in store_for(reopened).facts()}) == ROWS
    hits = reopened.search("第27号样例公司营业收入", top_k=3)
    assert any(h.text.startswith("第27号") and "dense" in h.scores for h in hits)
    assert [f.status for f in reopened.ingest([corpus]).files] == ["unchanged"]
    reopened.close()


def test_batches_follow_the_chunk_budget(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 7)
    seen: list[int] = []

    class Count(KillInBatch):
        def on_documents(
            self, kb: KnowledgeBase, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
        ) -> None:
            seen.append(len(items))

    kb = KnowledgeBase.create(settings, "t", hooks=[Count(0)])
    report = kb.ingest([_corpus(tmp_path)])
    assert report.chunks == ROWS and seen == [7, 7, 7, 7, 2]
    kb.close()


def test_new_documents_delete_no_vectors_and_changed_ones_do(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch k's vectors are written after batch k+1 reached the catalog: the documents that need
    no delete first must still be batch k's own (a delete costs ~0.2 s a call on a Milvus server)."""
    from zhiku.store.vectors import MilvusVectorStore

    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 8)
    deleted: list[str] = []
    real = MilvusVectorStore.delete_documents

    def spy(self: MilvusVectorStore, doc_ids: Sequence[str]) -> None:
        deleted.extend(doc_ids)
        real(self, doc_ids)

    monkeypatch.setattr(MilvusVectorStore, "delete_documents", spy)
    corpus = _corpus(tmp_path)
    kb = KnowledgeBase.create(settings, "t")
    assert kb.ingest([corpus]).chunks == ROWS
    assert deleted == []  # every document was new

    lines = corpus.read_text(encoding="utf-8").splitlines()
    for i in (3, 20):  # one row changed in the first batch, one in the third
        lines[i] = lines[i].replace("营业收入", "营业总收入")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = kb.ingest([corpus])
    assert report.files[0].chunks == 2
    assert len(deleted) == 2 and len(set(deleted)) == 2  # exactly the two changed documents
    hits = kb.search("第20号样例公司营业总收入", top_k=3)
    assert any(h.text.startswith("第20号") and "营业总收入" in h.text for h in hits)
    assert kb._dense_store().count() == ROWS  # type: ignore[union-attr]
    kb.close()
