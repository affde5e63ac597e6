from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.store.catalog import Catalog
from zhiku.types import Chunk, DocumentRecord

pytestmark = pytest.mark.unit


def _record(doc_id: str = "d1", source: str = "/a.txt", sha: str = "s1") -> DocumentRecord:
    return DocumentRecord(doc_id, source, sha, "txt", "标题", 1, "pending")


def _chunks(doc_id: str, n: int) -> list[Chunk]:
    return [
        Chunk(f"{doc_id}:{i:05d}", doc_id, i, f"第{i}段", page=1, heading_path=("一", "二")) for i in range(n)
    ]


def test_put_replaces_document_and_chunks_atomically(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.put_document(_record(), "/a.txt", "f1", _chunks("d1", 3), "run1")
    cat.put_document(_record(sha="s2"), "/a.txt", "f2", _chunks("d1", 2), "run2")
    assert [c.ordinal for c in cat.chunks("d1")] == [0, 1]
    assert cat.chunks("d1")[0].heading_path == ("一", "二")
    doc = cat.document("d1")
    assert doc is not None and doc.sha256 == "s2" and doc.chunks == 2
    assert cat.file_state("/a.txt") == {"/a.txt": ("d1", "f2", "s2")}


def test_failed_transaction_leaves_previous_state(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.put_document(_record(), "/a.txt", "f1", _chunks("d1", 3), "run1")
    duplicate = [*_chunks("d1", 2), _chunks("d1", 1)[0]]  # primary-key clash inside the transaction
    with pytest.raises(Exception, match="UNIQUE"):
        cat.put_document(_record(sha="s2"), "/a.txt", "f2", duplicate, "run2")
    assert len(cat.chunks("d1")) == 3
    assert cat.document("d1").sha256 == "s1"  # type: ignore[union-attr]


def test_delete_and_lookup(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.put_document(_record(), "/a.txt", "f1", _chunks("d1", 2), "r")
    cat.put_document(_record("d2", "/b.txt"), "/b.txt", "f1", _chunks("d2", 1), "r")
    assert [d.doc_id for d in cat.find_documents("/b.txt")] == ["d2"]
    assert set(cat.chunks_by_id(["d1:00001", "d2:00000", "nope"])) == {"d1:00001", "d2:00000"}
    cat.delete_document("d1")
    assert cat.chunks("d1") == [] and cat.document("d1") is None
    assert cat.count_chunks() == 1


def test_version_and_runs(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    assert cat.version() == 0
    assert cat.bump_version() == 1 and cat.bump_version() == 2
    cat.start_run("r1")
    cat.finish_run("r1", 3, 1, {"added": 2})
    assert cat.runs()[0]["failed"] == 1
    cat.record_failure("/bad.pdf", "损坏 / corrupt", "r1")
    assert cat.failures() == [("/bad.pdf", "损坏 / corrupt")]


def test_fresh_documents_are_those_the_last_put_added(tmp_path: Path) -> None:
    """Vectors of a fresh document need no delete first; a replaced one's do."""
    cat = Catalog(tmp_path / "c.sqlite")
    assert cat.fresh_documents() == frozenset()
    cat.put_documents([(_record(), _chunks("d1", 2))], "/a.txt", "", "run1")
    assert cat.fresh_documents() == {"d1"}
    items = [(_record(sha="s2"), _chunks("d1", 1)), (_record("d2", "/b.txt"), _chunks("d2", 1))]
    cat.put_documents(items, "/a.txt", "", "run2")
    assert cat.fresh_documents() == {"d2"}  # d1 existed: its old vectors must be deleted
    cat.delete_document("d1")
    cat.put_documents([(_record(sha="s3"), _chunks("d1", 1))], "/a.txt", "", "run3")
    assert cat.fresh_documents() == {"d1"}


def test_catalog_connection_has_a_large_page_cache(tmp_path: Path) -> None:
    """64 MB of SQLite page cache: at 1M chunks the index pages a batch touches stay in memory."""
    catalog = Catalog(tmp_path / "catalog.sqlite")
    try:
        assert catalog._rows("PRAGMA cache_size")[0][0] == -65536
    finally:
        catalog.close()
