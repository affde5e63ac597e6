"""The knowledge base end to end: real catalog, real Milvus Lite, real BM25."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zhiku.config import Settings, load_settings
from zhiku.errors import AlreadyExistsError, IndexMismatchError, NotFoundError
from zhiku.kb import KnowledgeBase
from zhiku.kbs import delete_kb, list_kbs
from zhiku.wiring import create_kb, open_kb, open_or_create_kb

pytestmark = pytest.mark.integration


def _kb(settings: Settings, name: str = "t") -> KnowledgeBase:
    return open_or_create_kb(settings, name, hooks=[])


def test_ingest_search_incremental_remove(settings: Settings, zh_docs: Path) -> None:
    kb = _kb(settings)
    report = kb.ingest([zh_docs])
    assert {f.status for f in report.files} == {"added"}, report.files
    assert len(report.files) == 4 and report.chunks >= 4
    top = kb.search("言犀大模型服务多少用户", top_k=3)[0]
    assert "言犀" in top.text and top.title and {"bm25", "dense"} <= set(top.scores)
    assert {f.status for f in kb.ingest([zh_docs]).files} == {"unchanged"}

    (zh_docs / "policy.txt").write_text(
        "政策时间线\n\n国家数据局于2023年10月25日挂牌成立。\n", encoding="utf-8"
    )
    statuses = {Path(f.path).name: f.status for f in kb.ingest([zh_docs]).files}
    assert statuses["policy.txt"] == "updated" and statuses["market.md"] == "unchanged"
    assert all("8月15日" not in h.text for h in kb.search("暂行办法施行", top_k=10))

    removed = kb.remove(str((zh_docs / "gbk.txt").resolve()))
    assert len(removed) == 1
    assert all("言犀" not in h.text for h in kb.search("言犀", top_k=10))
    store = kb._dense_store()
    assert store is not None and all(not i.startswith(removed[0].doc_id) for i in store.ids())
    with pytest.raises(NotFoundError):
        kb.remove("no-such-doc")
    kb.close()


def test_bad_files_are_reported_and_change_nothing(settings: Settings, zh_docs: Path, tmp_path: Path) -> None:
    kb = _kb(settings)
    kb.ingest([zh_docs])
    before = (kb.catalog.count_chunks(), len(kb.documents()))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "garbage.pdf").write_bytes(os.urandom(2048))
    (bad / "garbage.docx").write_bytes(os.urandom(2048))
    (bad / "notes.xyz").write_text("unknown format", encoding="utf-8")
    good = bad / "good.md"
    good.write_text("# 新文档\n\n智算中心在2024年新增了算力。", encoding="utf-8")
    files = [*sorted(bad.iterdir()), tmp_path / "missing.txt"]
    report = kb.ingest(files)
    status = {Path(f.path).name: f.status for f in report.files}
    assert status == {
        "empty.txt": "failed",
        "garbage.docx": "failed",
        "garbage.pdf": "failed",
        "good.md": "added",
        "notes.xyz": "failed",
        "missing.txt": "failed",
    }
    assert all(f.error for f in report.failed)
    assert (kb.catalog.count_chunks(), len(kb.documents())) > before
    assert len(kb.documents()) == before[1] + 1
    assert len(kb.catalog.failures()) == 5
    kb.close()


def test_size_limit(settings: Settings, tmp_path: Path) -> None:
    small = load_settings(home=settings.home, index={"embedder": "hashing"}, ingest={"max_file_mb": 0.001})
    big = tmp_path / "big.txt"
    big.write_text("大" * 2000, encoding="utf-8")
    kb = _kb(small)
    [result] = kb.ingest([big]).files
    assert result.status == "failed" and "MB" in (result.error or "")
    kb.close()


def test_jsonl_corpus_is_incremental_per_row(settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"id": f"p{i}", "title": f"标题{i}", "text": f"第{i}篇文章讲述了编号为{i}的项目进展。"}
        for i in range(5)
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    kb = _kb(settings)
    kb.ingest([corpus])
    assert len(kb.documents()) == 5
    first = {d.external_id: d.ingested_at + d.sha256 for d in kb.documents()}
    rows[2]["text"] = "第2篇文章已经改写，内容完全不同。"
    del rows[4]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    [result] = kb.ingest([corpus]).files
    assert result.status == "updated"
    docs = {d.external_id: d.ingested_at + d.sha256 for d in kb.documents()}
    assert set(docs) == {"p0", "p1", "p2", "p3"}
    assert docs["p0"] == first["p0"] and docs["p2"] != first["p2"]
    assert kb.search("改写", top_k=1)[0].text.startswith("第2篇")
    kb.close()


def test_rebuild_and_embedder_mismatch(settings: Settings, zh_docs: Path) -> None:
    kb = _kb(settings)
    kb.ingest([zh_docs])
    before = [h.chunk_id for h in kb.search("国家数据局", top_k=3)]
    kb.rebuild()
    assert [h.chunk_id for h in kb.search("国家数据局", top_k=3)] == before
    kb.close()
    other = load_settings(home=settings.home, index={"embedder": "usem3"})
    with pytest.raises(IndexMismatchError, match="rebuild"):
        open_kb(other, "t", hooks=[])


def test_crash_between_catalog_and_vectors_resumes(settings: Settings, zh_docs: Path) -> None:
    kb = _kb(settings)
    kb.ingest([zh_docs])
    doc = kb.documents()[0]
    store = kb._dense_store()
    assert store is not None
    store.delete_documents([doc.doc_id])  # simulate: vectors lost after the catalog commit
    kb.catalog.set_status([doc.doc_id], "pending")
    kb.close()
    again = _kb(settings)
    store = again._dense_store()
    assert store is not None
    assert any(i.startswith(doc.doc_id) for i in store.ids())
    assert all(d.status == "ok" for d in again.documents())
    again.close()


def test_kb_lifecycle(settings: Settings) -> None:
    create_kb(settings, "知识库一", hooks=[]).close()
    with pytest.raises(AlreadyExistsError):
        create_kb(settings, "知识库一", hooks=[])
    assert list_kbs(settings) == ["知识库一"]
    delete_kb(settings, "知识库一")
    assert list_kbs(settings) == []
    with pytest.raises(NotFoundError):
        open_kb(settings, "知识库一")


def test_pii_masked_at_ingestion_when_configured(settings: Settings, tmp_path: Path) -> None:
    masked = load_settings(
        home=settings.home, index={"embedder": "hashing"}, safety={"pii_mask_ingest": True}
    )
    doc = tmp_path / "contacts.md"
    doc.write_text(
        "# 联系人\n\n客户经理张三的手机是13812345678，邮箱 zhangsan@example.com。\n", encoding="utf-8"
    )
    kb = _kb(masked, "pii")
    kb.ingest([doc])
    text = " ".join(c.text for c in kb.catalog.chunks())
    assert "13812345678" not in text and "zhangsan@example.com" not in text
    assert "客户经理张三" in text
    assert kb.search("13812345678", top_k=3) == [] or all(
        "13812345678" not in h.text for h in kb.search("手机", top_k=3)
    )
    kb.close()
