"""Large files are committed in batches; a run killed mid-file leaves a KB that opens and resumes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from zhiku.bi.hook import FactsHook, store_for
from zhiku.config import Settings
from zhiku.ingest import pipeline
from zhiku.kb import KnowledgeBase
from zhiku.types import Chunk, Document, DocumentRecord

pytestmark = pytest.mark.integration

ROWS = 30


class _KillInBatch:
    """An ingest hook that stops the process-like run in its n-th batch (a BaseException, as a
    KeyboardInterrupt or SIGTERM handler would raise), after the batch reached the catalog."""

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


def _corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps(
            {"id": f"r{i:03d}", "text": f"第{i}号样例公司2023年营业收入为{i + 10}亿元，员工{i + 3}百人。"},
            ensure_ascii=False,
        )
        for i in range(ROWS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_batched_run_killed_midway_opens_and_completes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 8)
    corpus = _corpus(tmp_path)
    kb = KnowledgeBase.create(settings, "t", hooks=[FactsHook(), _KillInBatch(2)])
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

    class Count(_KillInBatch):
        def on_documents(
            self, kb: KnowledgeBase, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]
        ) -> None:
            seen.append(len(items))

    kb = KnowledgeBase.create(settings, "t", hooks=[Count(0)])
    report = kb.ingest([_corpus(tmp_path)])
    assert report.chunks == ROWS and seen == [7, 7, 7, 7, 2]
    kb.close()
