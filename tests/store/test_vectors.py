"""Real Milvus Lite (a file on disk), no fakes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zhiku.errors import IndexMismatchError
from zhiku.store.vectors import MilvusVectorStore, collection_name

pytestmark = pytest.mark.integration


def _unit(rows: int, dim: int, seed: int = 0) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


@pytest.mark.parametrize("memory_rows", [0, 1000])
def test_upsert_search_filter_delete_reopen(tmp_path: Path, memory_rows: int) -> None:
    uri = str(tmp_path / "v.db")
    vectors = _unit(6, 16)
    store = MilvusVectorStore(uri, "c1", 16, memory_rows=memory_rows)
    ids = [f"d{i % 2}:{i}" for i in range(6)]
    store.upsert(ids, [f"d{i % 2}" for i in range(6)], ["txt", "pdf"] * 3, vectors)
    store.flush()
    assert store.search(vectors[3], 1)[0][0] == "d1:3"
    assert {c for c, _ in store.search(vectors[3], 6, doc_ids=["d0"])} <= {"d0:0", "d0:2", "d0:4"}
    assert all(c.startswith("d1") for c, _ in store.search(vectors[0], 6, formats=["pdf"]))
    store.delete_documents(["d1"])
    assert store.ids() == {"d0:0", "d0:2", "d0:4"}
    store.close()
    again = MilvusVectorStore(uri, "c1", 16, memory_rows=memory_rows)
    assert again.count() == 3
    assert again.search(vectors[2], 1)[0][0] == "d0:2"
    again.close()


def test_dimension_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    MilvusVectorStore(str(tmp_path / "v.db"), "c1", 16).close()
    with pytest.raises(IndexMismatchError, match="rebuild"):
        MilvusVectorStore(str(tmp_path / "v.db"), "c1", 32)


def test_collection_names_are_milvus_safe() -> None:
    name = collection_name("中文知识库")
    assert name.isascii() and name.replace("_", "").isalnum()


def test_the_benign_milvus_lite_session_ts_warning_stays_off_stderr(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """pymilvus warns at every iterator over Milvus Lite; CLI ``--json`` output must stay clean."""
    import logging

    import zhiku.store.vectors  # noqa: F401  (installs the filter)

    log = logging.getLogger("pymilvus.client.iterator.query_iterator")
    with caplog.at_level(logging.WARNING, logger=log.name):
        log.warning("failed to get mvccTs from milvus server, use client-side ts instead")
        log.warning("some other pymilvus warning")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["some other pymilvus warning"]  # only the known-benign one is dropped
    assert "mvccTs" not in capsys.readouterr().err


def test_mirror_snapshot_opens_without_streaming_and_is_dropped_by_writes(tmp_path: Path) -> None:
    """The RAM mirror is mapped from its snapshot on open; any write voids it until the next flush."""
    uri = str(tmp_path / "v.db")
    vectors = _unit(40, 16, seed=3)
    ids = [f"d{i % 4}:{i}" for i in range(40)]
    store = MilvusVectorStore(uri, "c1", 16, memory_rows=1000)
    for start in range(0, 40, 7):  # several appends: the mirror grows by doubling, rows stay in order
        part = slice(start, start + 7)
        store.upsert(ids[part], [i.split(":")[0] for i in ids[part]], ["txt"] * len(ids[part]), vectors[part])
    store.flush()
    expected = store.search(vectors[5], 5)
    store.close()

    again = MilvusVectorStore(uri, "c1", 16, memory_rows=1000)
    assert again._snapshot_valid and again.search(vectors[5], 5) == expected
    again.delete_documents(["d1"])  # a write: the snapshot no longer describes the engine
    assert not (Path(uri + ".mirror") / "ids.json").exists()
    again.close()  # "killed" before any flush

    streamed = MilvusVectorStore(uri, "c1", 16, memory_rows=1000)
    assert not streamed._snapshot_valid  # fell back to reading the engine
    assert streamed.ids() == {i for i in ids if not i.startswith("d1:")}
    assert streamed.search(vectors[5], 1)[0][0] != "d1:5"
    streamed.flush()
    streamed.close()
    last = MilvusVectorStore(uri, "c1", 16, memory_rows=1000)
    assert last._snapshot_valid
    last.close()
