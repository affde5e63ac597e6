"""The Milvus *server* path against a real Milvus 2.3 standalone from the PyPI package ``milvus``.

Milvus Lite is the default and is covered by test_vectors.py; a URI such as
``http://127.0.0.1:19530`` (or ``ZHIKU_MILVUS_URI``) must switch the same code to a server.  The
``milvus`` package ships a real C++/Go standalone server (embedded etcd, local storage, no
network); one is started per test session on free ports in a temporary directory and is always
stopped afterwards.  Without the package, on a platform it has no binary for, or where the
server cannot start (e.g. another standalone on this machine holds its pid lock), the tests
skip with the reason.
"""

from __future__ import annotations

import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zhiku.config import load_settings
from zhiku.errors import IndexMismatchError
from zhiku.store.vectors import MilvusVectorStore
from zhiku.wiring import open_or_create_kb

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_START_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(data_dir: Path, lines: int = 15) -> str:
    tails = []
    for name in ("milvus-stderr.log", "milvus-stdout.log"):
        log = data_dir / "logs" / name
        if log.is_file():
            tails.extend(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return "\n".join(tails)


def _healthy(port: int) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            return "OK" in resp.read().decode("utf-8", errors="replace")
    except OSError:
        return False


def _wait_ready(server: Any, data_dir: Path) -> None:
    """Wait for /healthz and a working gRPC call; fail fast if the process dies."""
    from pymilvus import MilvusClient

    proc: subprocess.Popen[bytes] = server.server_proc
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"milvus exited with code {proc.returncode}:\n{_log_tail(data_dir)}")
        if _healthy(server.webservice_port):
            client = MilvusClient(uri=f"http://127.0.0.1:{server.listen_port}")
            try:
                client.list_collections()
                return
            except Exception:  # gRPC not ready yet
                pass
            finally:
                client.close()
        time.sleep(0.3)
    raise RuntimeError(f"milvus not ready after {_START_TIMEOUT_S:.0f}s:\n{_log_tail(data_dir)}")


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Milvus standalone on 127.0.0.1 for this test session; yields its ``http://`` URI."""
    milvus = pytest.importorskip("milvus", reason="the `milvus` package (Milvus server) is not installed")
    pytest.importorskip("pymilvus")
    if not (sys.platform == "darwin" or (sys.platform == "linux" and platform.machine() == "x86_64")):
        pytest.skip(f"the `milvus` package has no server binary for {sys.platform}/{platform.machine()}")
    data_dir = tmp_path_factory.mktemp("milvus-server")
    server = milvus.MilvusServer(milvus.MilvusServerConfig(), wait_for_started=False)
    server.set_base_dir(str(data_dir))
    server.listen_port = _free_port()  # other ports: the package picks free ones near the defaults
    try:
        try:
            server.start()
            _wait_ready(server, data_dir)
        except Exception as exc:
            pytest.skip(f"a Milvus server cannot start on this machine: {exc}")
        yield f"http://127.0.0.1:{server.listen_port}"
    finally:
        proc = server.server_proc
        server.stop()  # SIGTERM, then SIGKILL after 1 s
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)  # ~450 MB: the unpacked server binary and its data
        if proc is not None:  # the server also leaves /tmp/milvus/server_id_<pid> behind
            Path("/tmp/milvus", f"server_id_{proc.pid}").unlink(missing_ok=True)


def _drop_collection(uri: str, collection: str) -> None:
    from pymilvus import MilvusClient

    client = MilvusClient(uri=uri)
    try:
        if client.has_collection(collection):
            client.drop_collection(collection)
    finally:
        client.close()


def _unit(rows: int, dim: int, seed: int = 0) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_vector_store_on_a_server(milvus_uri: str) -> None:
    name = "t_" + uuid.uuid4().hex[:12]
    vectors = _unit(6, 16)
    ids = [f"d{i % 2}:{i}" for i in range(6)]
    store = MilvusVectorStore(milvus_uri, name, 16, memory_rows=1000)
    assert not store.is_lite and store.memory_rows == 0  # a server answers every search itself
    try:
        store.upsert(ids, [f"d{i % 2}" for i in range(6)], ["txt", "pdf"] * 3, vectors)
        assert store.search(vectors[3], 1)[0][0] == "d1:3"  # visible at once, no flush needed
        assert store.count() == 6
        assert {c for c, _ in store.search(vectors[3], 6, doc_ids=["d0"])} == {"d0:0", "d0:2", "d0:4"}
        assert {c for c, _ in store.search(vectors[0], 6, formats=["pdf"])} == {"d1:1", "d1:3", "d1:5"}
        assert store.search(vectors[0], 6, doc_ids=["d0"], formats=["pdf"]) == []
        store.upsert(["d0:0"], ["d0"], ["txt"], vectors[5:6])  # same id: replaced, not duplicated
        top = store.search(vectors[5], 2)
        assert {c for c, _ in top} == {"d0:0", "d1:5"} and top[0][1] == pytest.approx(1.0, abs=1e-4)
        store.delete_documents(["d1"])
        assert [c for c, _ in store.search(vectors[5], 6)][:1] == ["d0:0"]
        assert store.ids() == {"d0:0", "d0:2", "d0:4"}
        store.close()

        again = MilvusVectorStore(milvus_uri, name, 16)
        assert again.count() == 3
        assert again.search(vectors[2], 1)[0][0] == "d0:2"
        again.close()
        with pytest.raises(IndexMismatchError, match="rebuild"):
            MilvusVectorStore(milvus_uri, name, 32)
    finally:
        _drop_collection(milvus_uri, name)


def test_knowledge_base_on_a_server(milvus_uri: str, tmp_path: Path, zh_docs: Path) -> None:
    settings = load_settings(home=tmp_path / "home", index={"milvus_uri": milvus_uri, "embedder": "hashing"})
    name = "srv-" + uuid.uuid4().hex[:8]
    kb = open_or_create_kb(settings, name, hooks=[])
    try:
        report = kb.ingest([zh_docs])
        assert {f.status for f in report.files} == {"added"}, report.files
        top = kb.search("言犀大模型服务多少用户", top_k=3)[0]
        assert "言犀" in top.text and "dense" in top.scores
        assert kb.info()["vector_store"] == milvus_uri
        assert not (kb.path / "vectors.db").exists()  # no Milvus Lite file beside a server

        removed = kb.remove(str((zh_docs / "gbk.txt").resolve()))
        assert all("言犀" not in h.text for h in kb.search("言犀", top_k=10))
        store = kb._dense_store()
        assert store is not None and all(not i.startswith(removed[0].doc_id) for i in store.ids())
        kb.close()

        kb = open_or_create_kb(settings, name, hooks=[])  # reopen: vectors live on the server
        hits = kb.search("Edge AI NPU parameters phone", top_k=3)
        assert hits and "NPU" in hits[0].text and "dense" in hits[0].scores
        kb.rebuild()  # drops and recreates the server collection
        assert kb.search("国家数据局挂牌成立", top_k=3)[0].scores.get("dense") is not None
    finally:
        kb.close()
        _drop_collection(milvus_uri, kb.collection)  # the session's server outlives the KB


def test_env_alias_selects_the_server(
    milvus_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKU_MILVUS_URI", milvus_uri)
    settings = load_settings(home=tmp_path / "home", index={"embedder": "hashing"})
    assert settings.index.milvus_uri == milvus_uri


def test_writes_lost_by_a_killed_ingest_are_redone_on_open(
    milvus_uri: str, tmp_path: Path, zh_docs: Path
) -> None:
    """Server writes are queued behind a writer thread: a kill can lose the last batches of
    documents already marked done.  Such a kill leaves its run unfinished; the next open
    compares counts with the catalog and re-embeds what the server lacks."""
    from zhiku.kb import KnowledgeBase

    settings = load_settings(home=tmp_path / "home", index={"milvus_uri": milvus_uri, "embedder": "hashing"})
    name = "lost-" + uuid.uuid4().hex[:8]
    kb = open_or_create_kb(settings, name, hooks=[])
    try:
        kb.ingest([zh_docs])
        store = kb._dense_store()
        assert store is not None
        full = store.ids()
        victim = sorted(full)[0].rsplit(":", 1)[0]
        store.delete_documents([victim])  # the lost batch
        with kb.catalog.transaction() as db:  # ... of a run that never finished
            db.execute("INSERT INTO runs(run_id, started_at) VALUES ('killed', '2026-01-01T00:00:00+00:00')")
        assert store.count() < len(full)
        kb.close()

        again = KnowledgeBase(settings, name, hooks=[])
        repaired = again._dense_store()
        assert repaired is not None and repaired.ids() == full
        again.close()
    finally:
        _drop_collection(milvus_uri, kb.collection)


def test_new_rows_are_inserted_and_known_rows_replaced(milvus_uri: str) -> None:
    """``new=True`` sends a plain insert (no server-side delete); without it ids are replaced."""
    name = "t_" + uuid.uuid4().hex[:12]
    vectors = _unit(4, 16, seed=3)
    store = MilvusVectorStore(milvus_uri, name, 16)
    try:
        store.upsert(["a:0", "a:1"], ["a", "a"], ["txt", "txt"], vectors[:2], new=True)
        store.upsert(["b:0"], ["b"], ["pdf"], vectors[2:3], new=True)
        assert store.count() == 3 and store.ids() == {"a:0", "a:1", "b:0"}
        store.upsert(["a:0"], ["a"], ["txt"], vectors[3:4])  # a known id: replaced, not duplicated
        assert store.count() == 3
        top = store.search(vectors[3], 1)
        assert top[0][0] == "a:0" and top[0][1] == pytest.approx(1.0, abs=1e-4)
    finally:
        store.close()
        _drop_collection(milvus_uri, name)


def test_reopened_kb_warms_its_server_store_while_it_opens(
    milvus_uri: str, tmp_path: Path, zh_docs: Path
) -> None:
    """Opening a server-backed KB connects and makes the first (Strong) read on a thread; the first
    search then gets that store, already connected, and answers like any later search."""
    from zhiku.kb import KnowledgeBase

    settings = load_settings(home=tmp_path / "home", index={"milvus_uri": milvus_uri, "embedder": "hashing"})
    name = "warm-" + uuid.uuid4().hex[:8]
    kb = open_or_create_kb(settings, name, hooks=[])
    try:
        assert kb._warm is None  # a new KB: no vector dimension recorded yet, nothing to warm
        kb.ingest([zh_docs])
        kb.close()

        again = KnowledgeBase(settings, name, hooks=[])
        warm = again._warm
        assert warm is not None
        assert warm._done.wait(60)
        warmed = warm._store
        assert warmed is not None and warmed.connected and not warmed._strong_next_read
        hits = again.search("言犀大模型服务多少用户", top_k=3)
        assert again._vectors is warmed and again._warm is None  # handed over, not opened twice
        assert "言犀" in hits[0].text and "dense" in hits[0].scores
        again.close()

        third = KnowledgeBase(settings, name, hooks=[])  # closed before any search: no leak
        third.close()
        assert third._warm is None
    finally:
        _drop_collection(milvus_uri, kb.collection)


def test_unreachable_server_is_reported_by_the_search_not_the_warm_thread(
    milvus_uri: str, tmp_path: Path, zh_docs: Path
) -> None:
    """The warm thread swallows a failed connection; the search that needs the store raises the
    usual bilingual error."""
    from zhiku.errors import StoreError
    from zhiku.kb import KnowledgeBase

    home = tmp_path / "home"
    settings = load_settings(home=home, index={"milvus_uri": milvus_uri, "embedder": "hashing"})
    name = "down-" + uuid.uuid4().hex[:8]
    kb = open_or_create_kb(settings, name, hooks=[])
    try:
        kb.ingest([zh_docs])
        kb.close()
        dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
        down = load_settings(home=home, index={"milvus_uri": dead, "embedder": "hashing"})
        again = KnowledgeBase(down, name, hooks=[])
        assert again._warm is not None and again._warm.take() is None
        with pytest.raises(StoreError) as caught:
            again.search("言犀大模型服务多少用户", top_k=3)
        assert "无法连接向量库" in str(caught.value) and "cannot open the vector store" in str(caught.value)
        again.close()
    finally:
        _drop_collection(milvus_uri, kb.collection)
