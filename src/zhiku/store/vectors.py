"""Dense vectors in Milvus: Milvus Lite (a file in the KB) by default, a Milvus server by URI.

Facts measured here shaped this: milvus-lite 3.x is a pure-Python engine (a search costs
~0.3 s at 20k rows, JSON-field filters are very slow, freshly inserted rows are slow to
search until a flush, only one process may open a data file, and a reopened collection must
be loaded).  So filters use scalar fields only, and for KBs up to
``index.memory_rows`` the vectors are also mirrored into a numpy matrix on open, which answers
exact inner-product searches in milliseconds.  Milvus stays the store of record; against a
Milvus server the mirror is off and Milvus answers every search.

Against a server (checked with a real Milvus 2.3.5 standalone and pymilvus 3): collections
default to Bounded consistency, so a search right after our own upsert or delete may miss it,
and "Session" consistency does not cover deletes there.  A Strong read waits a time tick
(~200 ms), so only the first read after opening (another process may just have written) and
the first after each of our writes is Strong; later reads already see those writes.  The collection statistics count only flushed rows and
still count deleted ones, so ``count()`` asks for ``count(*)`` instead.

>>> store = MilvusVectorStore(uri=str(kb_dir / "vectors.db"), collection="chunks", dim=512)
>>> store.upsert(["d1:00000"], ["d1"], ["pdf"], vectors)
>>> store.search(query_vector, top_k=5)
[('d1:00000', 0.83)]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.errors import IndexMismatchError, StoreError

_BATCH = 1000
_SERVER_BATCH = 5000  # rows per upsert to a server (one gRPC message of ~5-10 MB)
_IN_FLIGHT = 2  # server writes queued behind the writer thread (bounds the memory they hold)
# HNSW on a Milvus server: ef (the search beam) is the recall/latency knob; measured in
# bench/results/scale_bench.json (recall@10 against exact inner product).
HNSW_BUILD = {"M": 16, "efConstruction": 200}
HNSW_EF = 256  # recall@10 0.974 at 100k (ef 128: 0.946) at the same dense p50, scale_bench ef_sweep


class _NoSessionTsWarning(logging.Filter):
    """Milvus Lite reports no iterator session timestamp, so pymilvus falls back to a client-side
    one and warns on stderr at every ``query_iterator`` (garbling ``--json`` output read with
    stderr).  The fallback is right for us: the reads that must see our writes are made Strong
    first (see ``ids``).  Only this one message is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "failed to get mvccTs" not in record.getMessage()


logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_NoSessionTsWarning())


class _NoLockedTraceback(logging.Filter):
    """Milvus Lite logs a full traceback when another process holds the file; we raise a
    bilingual ``StoreError`` for that case instead, so the traceback is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and type(record.exc_info[1]).__name__ == "DataDirLockedError")


logging.getLogger("milvus_lite.server_manager").addFilter(_NoLockedTraceback())


def collection_name(kb_name: str, kb_uid: str = "") -> str:
    """Milvus allows only [A-Za-z0-9_]; KB names may be Chinese, so hash them.

    ``kb_uid`` (random, kept in kb.json) keeps two homes' KBs of the same name apart on one
    shared Milvus server.
    """
    return "zhiku_" + hashlib.sha1(f"{kb_name}\0{kb_uid}".encode()).hexdigest()[:16]


class MilvusVectorStore:
    def __init__(
        self, uri: str, collection: str, dim: int, *, token: str = "", memory_rows: int = 300_000
    ) -> None:
        self.uri = uri
        self.collection = collection
        self.dim = dim
        self.is_lite = not uri.startswith(("http://", "https://", "tcp://", "unix:"))
        # server mode: the first read after opening or after our own writes must see every write
        self._strong_next_read = not self.is_lite
        self._token = token
        self._conn: Any = None
        # Server mode: writes go to one writer thread, in order, so this process prepares the next
        # batch while the server ingests the last; every read, flush and close waits for them.
        self._writer: ThreadPoolExecutor | None = None
        self._writes: deque[Future[None]] = deque()
        self._failed: Exception | None = None
        self.ef = HNSW_EF  # server search beam (the bench sweeps it)
        self._mirror_ids: list[str] = []
        self._mirror_docs: list[str] = []
        self._mirror_formats: list[str] = []
        self._mirror: np.ndarray | None = None
        self._buf: np.ndarray | None = None  # capacity behind ``_mirror`` while rows are appended
        self.memory_rows = memory_rows if self.is_lite else 0
        # Milvus Lite: the mirror is also snapshotted beside the data file at each flush, so the
        # next open maps it instead of streaming every vector out of the engine (13 s at 50k rows).
        self._snapshot = Path(uri + ".mirror") if self.is_lite else None
        self._snapshot_valid = False
        self._stamp: tuple[int, int] | None = None
        # With a valid snapshot every read is answered from it, so the engine (starting Milvus
        # Lite costs ~1.5 s) is connected on the first write only: a `zhiku ask` never pays it.
        if not (self.memory_rows and self._load_snapshot()):
            self._connect()
            if self.memory_rows:
                self._load_mirror()

    @property
    def _client(self) -> Any:
        return self._conn if self._conn is not None else self._connect()

    def _connect(self) -> Any:
        from pymilvus import MilvusClient

        uri, token = self.uri, self._token
        try:
            self._conn = MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
            self._ensure_collection()
            if self._stamp is not None and self._snapshot_stamp() != self._stamp:
                self._load_mirror()  # another process wrote since our snapshot: the engine is the truth
        except (StoreError, IndexMismatchError):
            self._conn = None
            raise
        except Exception as exc:  # pymilvus raises MilvusException, grpc and OS errors
            self._conn = None
            if self.is_lite and "Open local milvus failed" in str(exc):
                raise StoreError(
                    "向量库正被另一个进程使用（例如正在运行的 zhiku serve 或 zhiku ingest），请等它结束或先停止它",
                    "the vector store is in use by another process (a running `zhiku serve` or "
                    "`zhiku ingest`?); wait for it or stop it first",
                    file=Path(uri).name,
                ) from exc
            raise StoreError(
                f"无法连接向量库 {uri}：{exc}", f"cannot open the vector store {uri}: {exc}", uri=uri
            ) from exc
        return self._conn

    @property
    def connected(self) -> bool:
        """False while reads are served from the mapped snapshot and nothing was written yet."""
        return self._conn is not None

    # -- setup ----------------------------------------------------------------
    def _ensure_collection(self) -> None:
        from pymilvus import DataType

        client = self._client
        if client.has_collection(self.collection):
            desc = client.describe_collection(self.collection)
            dims = [
                f.get("params", {}).get("dim") for f in desc.get("fields", []) if f.get("name") == "vector"
            ]
            if dims and int(dims[0]) != self.dim:
                raise IndexMismatchError(
                    f"向量库维度为 {dims[0]}，当前嵌入模型为 {self.dim} 维；请运行 zhiku kb rebuild",
                    f"vector store has dimension {dims[0]} but the embedder has {self.dim}; run `zhiku kb rebuild`",
                )
            client.load_collection(self.collection)
            return
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=256)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=64)
        schema.add_field("format", DataType.VARCHAR, max_length=32)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        index = client.prepare_index_params()
        if self.is_lite:
            index.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="IP")
        else:  # explicit HNSW: the server's AUTOINDEX gave recall@10 0.94 against exact search
            index.add_index(field_name="vector", index_type="HNSW", metric_type="IP", params=HNSW_BUILD)
        client.create_collection(self.collection, schema=schema)
        # Milvus Lite builds the index of an empty collection at once; pymilvus would still sleep
        # 0.5 s before asking whether it is done (a new KB's first ingest paid it up front).
        client.create_index(self.collection, index, sync=not self.is_lite)
        client.load_collection(self.collection)

    def _load_snapshot(self) -> bool:
        """Valid iff present: every write through this class deletes it first (one process per
        Milvus Lite file), and ``flush`` writes a fresh one."""
        folder = self._snapshot
        if folder is None or not (folder / "ids.json").is_file():
            return False
        try:
            ids, docs, formats = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            matrix = np.load(folder / "vectors.npy", mmap_mode="r")
        except (OSError, ValueError):
            return False
        if matrix.shape != (len(ids), self.dim) or len(ids) > self.memory_rows:
            return False
        self._mirror_ids, self._mirror_docs, self._mirror_formats = ids, docs, formats
        self._mirror = matrix
        self._buf = None
        self._snapshot_valid = True
        self._stamp = self._snapshot_stamp()
        return True

    def _snapshot_stamp(self) -> tuple[int, int] | None:
        """Identity of the snapshot on disk (a writer replaces the file, so the inode changes)."""
        try:
            info = (self._snapshot / "ids.json").stat() if self._snapshot is not None else None
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns) if info is not None else None

    def _follow_snapshot(self) -> None:
        """A reader that never connected: another process (a CLI ingest next to ``zhiku serve``)
        may have written and flushed since; map its newer snapshot (a stat per search)."""
        if self._conn is not None or self._snapshot is None:
            return
        stamp = self._snapshot_stamp()
        if stamp is not None and stamp != self._stamp:
            self._load_snapshot()

    def _invalidate_snapshot(self) -> None:
        if self._snapshot is not None and self._snapshot_valid | self._snapshot.exists():
            (self._snapshot / "ids.json").unlink(missing_ok=True)
            self._snapshot_valid = False

    def _save_snapshot(self) -> None:
        folder = self._snapshot
        if folder is None or not self.memory_rows or self._mirror is None or self._snapshot_valid:
            return
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.tmp.npy", np.ascontiguousarray(self._mirror, dtype=np.float32))
        (folder / "vectors.tmp.npy").replace(folder / "vectors.npy")
        tmp = folder / "ids.json.tmp"
        rows = [self._mirror_ids, self._mirror_docs, self._mirror_formats]
        tmp.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / "ids.json")  # written last: its presence marks the snapshot valid
        self._snapshot_valid = True
        self._stamp = self._snapshot_stamp()

    def _load_mirror(self) -> None:
        rows: list[dict[str, Any]] = []
        self._buf, self._snapshot_valid, self._stamp = None, False, None
        iterator = self._client.query_iterator(
            self.collection, batch_size=_BATCH, filter="", output_fields=["id", "doc_id", "format", "vector"]
        )
        try:
            while True:
                batch = iterator.next()
                if not batch:
                    break
                rows.extend(batch)
                if len(rows) > self.memory_rows:
                    self.memory_rows = 0  # too big to mirror: Milvus answers searches
                    return
        finally:
            iterator.close()
        self._mirror_ids = [r["id"] for r in rows]
        self._mirror_docs = [r["doc_id"] for r in rows]
        self._mirror_formats = [r["format"] for r in rows]
        self._mirror = (
            np.asarray([r["vector"] for r in rows], dtype=np.float32)
            if rows
            else np.zeros((0, self.dim), dtype=np.float32)
        )

    # -- writes ---------------------------------------------------------------
    def upsert(
        self,
        ids: Sequence[str],
        doc_ids: Sequence[str],
        formats: Sequence[str],
        vectors: np.ndarray,
        *,
        new: bool = False,
    ) -> None:
        """Write rows, replacing rows of the same ids.

        ``new``: the caller knows no row of these documents exists (they are new to the catalog),
        so a plain insert is sent.  Why: Milvus runs an upsert as a delete plus an insert, and
        every delete is checked against every segment's primary keys on the server; at 1M rows
        that was server CPU taken from the same cores the ingest runs on.
        """
        if len(ids) == 0:
            return
        if vectors.shape != (len(ids), self.dim):
            raise IndexMismatchError(
                f"向量形状 {vectors.shape} 与维度 {self.dim} 不符",
                f"vector shape {vectors.shape} does not match dimension {self.dim}",
            )
        self._invalidate_snapshot()
        if self.is_lite:
            self._write_rows(ids, doc_ids, formats, vectors, new)
        else:  # copies: the caller may reuse its buffers while the writer thread sends these
            self._submit(self._write_rows, list(ids), list(doc_ids), list(formats), np.array(vectors), new)
        self._strong_next_read = not self.is_lite
        if self.memory_rows and self._mirror is not None:
            keep = set(ids)
            if not keep.isdisjoint(self._mirror_ids):  # a Python pass over the mirror only when needed
                self._drop_from_mirror(lambda i: self._mirror_ids[i] in keep)
            self._mirror_ids.extend(ids)
            self._mirror_docs.extend(doc_ids)
            self._mirror_formats.extend(formats)
            self._append_mirror(vectors.astype(np.float32))

    def _write_rows(
        self,
        ids: Sequence[str],
        doc_ids: Sequence[str],
        formats: Sequence[str],
        vectors: np.ndarray,
        new: bool = False,
    ) -> None:
        step = _BATCH if self.is_lite else _SERVER_BATCH
        client = self._client
        write = client.insert if new else client.upsert
        for start in range(0, len(ids), step):
            end = min(len(ids), start + step)
            rows = [  # numpy rows: pymilvus packs them without a Python float per value
                {"id": i, "doc_id": d, "format": f, "vector": v}
                for i, d, f, v in zip(
                    ids[start:end],
                    doc_ids[start:end],
                    formats[start:end],
                    np.asarray(vectors[start:end], dtype=np.float32),
                    strict=True,
                )
            ]
            write(self.collection, rows)

    def _submit(self, work: Callable[..., None], *args: Any) -> None:
        """Queue a server write behind the earlier ones (order kept: one writer thread)."""
        if self._conn is None:  # connect here: a connection error belongs to the caller
            self._connect()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhiku-milvus-writer")
        while len(self._writes) >= _IN_FLIGHT:
            self._wait_one()
        self._raise_failed()
        self._writes.append(self._writer.submit(work, *args))

    def _wait_one(self) -> bool:
        """Wait for the oldest queued write (any thread may; a failure is kept for the writer)."""
        try:
            future = self._writes.popleft()
        except IndexError:
            return False
        try:
            future.result()
        except Exception as exc:  # pymilvus raises MilvusException, grpc and OS errors
            self._failed = self._failed or exc
        return True

    def _raise_failed(self) -> None:
        failed, self._failed = self._failed, None
        if failed is not None:
            raise StoreError(
                f"写入向量库失败：{failed}", f"writing to the vector store failed: {failed}", uri=self.uri
            ) from failed

    def _drain(self) -> None:
        """Wait for every queued write; a failed one is raised here, to the writing caller."""
        while self._wait_one():
            pass
        self._raise_failed()

    def _append_mirror(self, vectors: np.ndarray) -> None:
        """Amortised growth (capacity doubling): one copy per doubling, not one per batch."""
        assert self._mirror is not None
        n, add = len(self._mirror), len(vectors)
        if self._buf is None or len(self._buf) < n + add:
            buf = np.empty((max(n + add, 2 * n, 1024), self.dim), dtype=np.float32)
            buf[:n] = self._mirror
            self._buf = buf
        self._buf[n : n + add] = vectors
        self._mirror = self._buf[: n + add]

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        if self.memory_rows and self._mirror is not None:
            known = set(self._mirror_docs)
            doc_ids = [d for d in doc_ids if d in known]  # new documents have nothing to delete
        if not doc_ids:
            return
        self._invalidate_snapshot()
        if self.is_lite:
            self._delete_docs(doc_ids)
        else:
            self._submit(self._delete_docs, list(doc_ids))
        self._strong_next_read = not self.is_lite
        if self.memory_rows and self._mirror is not None:
            gone = set(doc_ids)
            self._drop_from_mirror(lambda i: self._mirror_docs[i] in gone)

    def _delete_docs(self, doc_ids: Sequence[str]) -> None:
        for start in range(0, len(doc_ids), 200):
            part = list(doc_ids[start : start + 200])
            self._client.delete(self.collection, filter=f"doc_id in {_quote_list(part)}")

    def _drop_from_mirror(self, drop: Any) -> None:
        assert self._mirror is not None
        keep = [i for i in range(len(self._mirror_ids)) if not drop(i)]
        if len(keep) == len(self._mirror_ids):
            return
        self._mirror = self._mirror[keep]
        self._buf = None
        self._mirror_ids = [self._mirror_ids[i] for i in keep]
        self._mirror_docs = [self._mirror_docs[i] for i in keep]
        self._mirror_formats = [self._mirror_formats[i] for i in keep]

    def flush(self, snapshot: bool = True) -> None:
        """Persist the engine's buffered rows; ``snapshot=False`` skips the mirror's snapshot (a
        flush in the middle of an ingest, whose next write would invalidate it again)."""
        self._drain()
        if self._conn is not None and hasattr(self._conn, "flush"):  # nothing written: nothing to flush
            self._conn.flush(self.collection)
        if snapshot:
            self._save_snapshot()

    def drop(self) -> None:
        self._drain()
        self._invalidate_snapshot()
        if self._client.has_collection(self.collection):
            self._client.drop_collection(self.collection)
        self._mirror = np.zeros((0, self.dim), dtype=np.float32) if self.memory_rows else None
        self._buf = None
        self._mirror_ids, self._mirror_docs, self._mirror_formats = [], [], []

    def close(self) -> None:
        try:
            self._drain()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
                self._writer = None
            self._close_connection()

    def _close_connection(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(Exception):  # closing a dead connection must not mask the caller's error
            self._conn.close()
        self._conn = None

    # -- reads ----------------------------------------------------------------
    def warm_up(self) -> None:
        """Server: one search of a constant unit vector, the first (Strong) read of this store.

        It waits out the server's time tick and wakes the query node's caches, so the first real
        search after opening is as fast as later ones (see :class:`WarmOpen`).
        """
        if self.is_lite or self.memory_rows:
            return
        self.search(np.full(self.dim, self.dim**-0.5, dtype=np.float32), 1)

    def _read_options(self) -> dict[str, str]:
        """Strong consistency for the first server read after opening or writing, else the default."""
        while self._wait_one():  # a read sees our own queued writes (their failure is the writer's)
            pass
        return {"consistency_level": "Strong"} if self._strong_next_read else {}

    def count(self) -> int:
        if self.memory_rows and self._mirror is not None:
            return len(self._mirror_ids)
        if self.is_lite:
            stats = self._client.get_collection_stats(self.collection)
            return int(stats.get("row_count", 0))
        rows = self._client.query(
            self.collection, filter="", output_fields=["count(*)"], **self._read_options()
        )
        self._strong_next_read = False
        return int(rows[0]["count(*)"]) if rows else 0

    def ids(self) -> set[str]:
        if self.memory_rows and self._mirror is not None:
            return set(self._mirror_ids)
        if self._writes or self._strong_next_read:
            self.count()  # a Strong read, so the iterator below sees every write
        out: set[str] = set()
        iterator = self._client.query_iterator(
            self.collection, batch_size=_BATCH, filter="", output_fields=["id"]
        )
        try:
            while batch := iterator.next():
                out.update(r["id"] for r in batch)
        finally:
            iterator.close()
        return out

    def search(
        self,
        vector: np.ndarray,
        top_k: int,
        *,
        doc_ids: Sequence[str] = (),
        formats: Sequence[str] = (),
    ) -> list[tuple[str, float]]:
        """Inner-product search (vectors are unit length, so this is cosine similarity)."""
        if top_k <= 0:
            return []
        if self.memory_rows and self._mirror is not None:
            self._follow_snapshot()
            return self._search_mirror(vector, top_k, doc_ids, formats)
        conditions = []
        if doc_ids:
            conditions.append(f"doc_id in {_quote_list(doc_ids)}")
        if formats:
            conditions.append(f"format in {_quote_list(formats)}")
        result = self._client.search(
            self.collection,
            data=[vector.astype(np.float32).tolist()],
            limit=top_k,
            filter=" and ".join(conditions),
            output_fields=["id"],
            search_params={"metric_type": "IP", "params": {"ef": max(self.ef, top_k)}},
            **self._read_options(),
        )
        self._strong_next_read = False
        return [(str(row["id"]), float(row["distance"])) for row in result[0]]

    def _search_mirror(
        self, vector: np.ndarray, top_k: int, doc_ids: Sequence[str], formats: Sequence[str]
    ) -> list[tuple[str, float]]:
        assert self._mirror is not None
        if not len(self._mirror_ids):
            return []
        scores = self._mirror @ vector.astype(np.float32)
        if doc_ids or formats:
            allowed_docs, allowed_formats = set(doc_ids), set(formats)
            mask = np.array(
                [
                    (not allowed_docs or d in allowed_docs) and (not allowed_formats or f in allowed_formats)
                    for d, f in zip(self._mirror_docs, self._mirror_formats, strict=True)
                ]
            )
            scores = np.where(mask, scores, -np.inf)
        k = min(top_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._mirror_ids[i], float(scores[i])) for i in top if np.isfinite(scores[i])]


class WarmOpen:
    """A server-backed store opened on a background thread, so a KB's first search finds it ready.

    Why: at 1M chunks the first search against a Milvus server paid ~2 s that later ones do not
    (connection, the collection checks, the Strong read that waits for the server's time tick,
    and cold query-node caches) on top of loading BM25 and the tokenizer.  Those waits are
    network and server time, so a thread overlaps them with the CPU work of opening.  The thread
    touches only its own new store (no KB state); :meth:`take` hands it over, or ``None`` when
    opening failed (the caller then opens one itself and gets the error where it belongs).
    A daemon thread: an unreachable server never holds up the process's exit.
    """

    def __init__(self, uri: str, collection: str, dim: int, *, token: str = "") -> None:
        import threading

        self._done = threading.Event()
        self._store: MilvusVectorStore | None = None
        self._args = (uri, collection, dim, token)
        threading.Thread(target=self._run, name="zhiku-milvus-warm", daemon=True).start()

    def _run(self) -> None:
        uri, collection, dim, token = self._args
        try:
            store = MilvusVectorStore(uri, collection, dim, token=token)
            try:
                store.warm_up()
            except Exception:
                store.close()
                raise
            self._store = store
        except Exception:  # reported by the caller's own open, on its thread
            pass
        finally:
            self._done.set()

    def take(self, timeout: float = 60.0) -> MilvusVectorStore | None:
        """The warmed store (once; later calls get ``None``)."""
        self._done.wait(timeout)
        store, self._store = (self._store, None) if self._done.is_set() else (None, None)
        return store

    def close(self) -> None:
        """Close a store that was never taken (waits for the thread only while it connects)."""
        store = self.take()
        if store is not None:
            store.close()


def _quote_list(values: Sequence[str]) -> str:
    escaped = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "[" + ", ".join(escaped) + "]"
