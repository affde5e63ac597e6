"""Ingestion: files → documents → chunks → catalog → vectors, one file at a time.

Why it is shaped like this:
- a file that fails is reported and recorded, and nothing of it reaches the catalog;
- a document is replaced in one catalog transaction and marked ``pending`` until its vectors
  are written, so a crash leaves a state that the next open resumes (never half a document);
- unchanged files are skipped by content hash (file sha256, and per row for corpora);
- a file with many documents (a corpus) is committed in batches of about ``BATCH_CHUNKS``
  chunks, so memory stays bounded whatever the file's size, and the next batch is embedded while
  the current one is written; in a large run the texts go to embedding processes
  (``embed_pool``) and this process encodes a share of them whenever it would otherwise wait, so
  the encoder and the hooks keep both cores busy.  BM25 is rebuilt while the run's last batch is
  still being embedded (it reads the catalog, not the vectors).
  Documents of a file in progress carry an empty file hash until the whole file is done, so a
  killed run is not mistaken for a finished one: the re-run skips the documents already
  committed (same content hash) and completes the rest.

>>> Ingestor(kb).run([Path("examples")], progress=print)
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from zhiku.errors import FileTooLargeError, IngestError, ZhikuError
from zhiku.ingest.chart_text import describe_charts
from zhiku.ingest.chunk import Chunker
from zhiku.ingest.embed_pool import EAGER_BYTES, EmbedJob, EmbedPool, auto_workers
from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS, load_path
from zhiku.ingest.ocr import PageFn
from zhiku.safety.pii import PiiMasker, mask_document
from zhiku.store.catalog import now
from zhiku.types import Chunk, Document, DocumentRecord

if TYPE_CHECKING:
    import numpy as np

    from zhiku.ingest.target import IngestTarget
    from zhiku.models.embedders import Embedder
    from zhiku.types import FileResult, IngestReport, ProgressFn

BATCH_CHUNKS = 512  # chunks per commit: bounds memory and keeps each transaction short


def doc_id_for(source: str) -> str:
    """Stable id from the source, so a changed file keeps its id (citations stay valid)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Directories are walked (hidden entries and unsupported extensions skipped); files kept as given."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS:
                        yield Path(root) / name
        else:
            yield path


@dataclass
class _Prepared:
    record: DocumentRecord
    document: Document
    chunks: list[Chunk]


def _page_progress(progress: ProgressFn, done: int, total: int, path: str) -> PageFn:
    """Per-page progress of a paged file (a long scan), reported as events of the current file."""
    from zhiku.types import IngestEvent

    def on_page(page: int, pages: int) -> None:
        progress(IngestEvent(done, total, path, page=page, pages=pages))

    return on_page


class Ingestor:
    def __init__(self, kb: IngestTarget) -> None:
        self.kb = kb
        self.settings = kb.settings.ingest
        self.chunker = Chunker(self.settings)
        self.masker = _pii_masker(kb)
        self._pool: EmbedPool | None = None
        self._last_file = False

    def run(
        self, paths: Sequence[Path], progress: ProgressFn | None = None, local_only: bool = False
    ) -> IngestReport:
        from zhiku.types import IngestEvent, IngestReport

        started = time.perf_counter()
        run_id = uuid.uuid4().hex[:12]
        files = list(expand_paths(paths))
        report = IngestReport(run_id=run_id)
        changed = False
        try:
            if self._pool is None:
                self._pool = self._embed_pool(files)
            self.kb.catalog.start_run(run_id)
            for number, path in enumerate(files, start=1):
                if progress:
                    progress(IngestEvent(number - 1, len(files), str(path)))
                on_page = _page_progress(progress, number - 1, len(files), str(path)) if progress else None
                self._last_file = number == len(files)
                result = self._one_file(path, run_id, local_only, on_page)
                changed = changed or result.status in ("added", "updated")
                report.files.append(result)
                if progress:
                    progress(IngestEvent(number, len(files), str(path), result))
        finally:
            self.close()
        if changed:
            self.kb.flush()
            self.kb.refresh_fulltext()
        report.seconds = time.perf_counter() - started
        summary = {
            s: sum(1 for f in report.files if f.status == s)
            for s in ("added", "updated", "unchanged", "failed")
        }
        self.kb.catalog.finish_run(run_id, len(files), len(report.failed), summary)
        return report

    def start_embedding(self, paths: Sequence[Path]) -> None:
        """Start the run's embedding processes before the stores open (a large input only):
        their interpreter and model load (~1.3 CPU s) then use the core the opening leaves idle
        instead of one the run needs.  :meth:`run` uses them; :meth:`close` stops them if the
        run never comes."""
        if self._pool is None:
            self._pool = self._embed_pool(list(expand_paths(paths)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _embed_pool(self, files: Sequence[Path]) -> EmbedPool | None:
        """The run's embedder, spread over processes once the run is large (see ``embed_pool``);
        inputs of ``EAGER_BYTES`` or more start the processes now, so the model loads meanwhile."""
        embedder = self.kb._dense_embedder()
        if embedder is None:
            return None
        pool = EmbedPool(embedder, auto_workers(self.settings.embed_workers))
        if _total_bytes(files) >= EAGER_BYTES:
            pool.start()
        return pool

    def _one_file(
        self, path: Path, run_id: str, local_only: bool, on_page: PageFn | None = None
    ) -> FileResult:
        from zhiku.types import FileResult

        started = time.perf_counter()
        key = str(path.resolve()) if path.exists() else str(path)
        try:
            sha = self._check_file(path)
            state = self.kb.catalog.file_state(key)
            if state and all(v[1] == sha for v in state.values()):
                return FileResult(key, "unchanged", documents=len(state), ms=_ms(started))
            documents = load_path(path, self.settings, on_page)
            if self.masker is not None:
                documents = [mask_document(d, self.masker) for d in documents]
            committed, n_chunks, warnings = self._ingest_documents(documents, key, state, run_id, local_only)
            produced = {d.source if d.external_id else key for d in documents}
            for source, (doc_id, _, _) in state.items():
                if source not in produced:
                    self.kb.delete_document(doc_id, refresh=False)
            # Rows whose content did not change keep their doc but must carry the new file hash.
            self.kb.catalog.update_file_sha(key, sha)
        except ZhikuError as exc:
            self.kb.catalog.record_failure(key, exc.message("zh") + " / " + exc.message("en"), run_id)
            return FileResult(key, "failed", error=str(exc), ms=_ms(started))
        except Exception as exc:  # a loader bug must not take the other files down with it
            self.kb.catalog.record_failure(key, repr(exc), run_id)
            return FileResult(key, "failed", error=f"内部错误 / internal error: {exc!r}", ms=_ms(started))
        status: Literal["added", "updated", "unchanged"] = "updated" if state else "added"
        if not committed and state:
            status = "unchanged"
        return FileResult(
            key,
            status,
            documents=len(documents),
            chunks=n_chunks,
            warnings=tuple(warnings),
            ms=_ms(started),
        )

    def _check_file(self, path: Path) -> str:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise IngestError(
                f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", path=str(path)
            ) from exc
        if not path.is_file():
            raise IngestError("不是普通文件", "not a regular file", path=str(path))
        limit = self.settings.max_file_mb * 1024 * 1024
        if size > limit:
            raise FileTooLargeError(
                f"文件大小 {size / 1048576:.1f} MB 超过上限 {self.settings.max_file_mb} MB",
                f"file is {size / 1048576:.1f} MB, over the {self.settings.max_file_mb} MB limit",
                path=str(path),
            )
        if not os.access(path, os.R_OK):
            raise IngestError("没有读取权限", "permission denied", path=str(path))
        return file_sha256(path)

    def _ingest_documents(
        self,
        documents: Sequence[Document],
        key: str,
        state: dict[str, tuple[str, str, str]],
        run_id: str,
        local_only: bool,
    ) -> tuple[int, int, list[str]]:
        """Prepare, embed and commit in batches; batch k is embedded while its hooks run.

        Per batch k: its texts go to the embedder, its documents to the catalog (``pending``),
        batch k-1 gets its vectors and is marked ``ok``, then the hooks (graph, facts) index
        batch k while the embedder still works on it.  The hooks need no vectors, and a batch
        stays ``pending`` until its vectors are written, so a crash anywhere is resumed by the
        next open as before; the parent's hooks and the embedding processes overlap from the
        first batch to the last.  Returns the documents and chunks committed and the warnings.
        """
        embedder = self._pool if self._pool is not None else self.kb._dense_embedder()
        committed: list[_Prepared] = []
        warnings: list[str] = []
        waiting: tuple[list[_Prepared], _Pending, frozenset[str]] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhiku-embed") as pool:
            for batch in _batched(self._prepare(documents, key, state, local_only)):
                future = _submit(pool, embedder, batch)
                self.kb.catalog.put_documents([(p.record, p.chunks) for p in batch], key, "", run_id)
                fresh = self.kb.catalog.fresh_documents()  # this batch's new documents
                if waiting is not None:
                    self._finish(waiting[0], waiting[1].result(), waiting[2])
                    committed.extend(waiting[0])
                warnings.extend(self._index(batch))
                waiting = (batch, future, fresh)
            if waiting is not None:
                if self._last_file and isinstance(waiting[1], EmbedJob):
                    # the full-text index reads the catalog, not vectors: the run's last batch is
                    # in the catalog, so BM25 is rebuilt while the embedding processes encode that
                    # batch (it used to wait for them and then run alone, ~2 s on RGB-zh); the
                    # run's own refresh afterwards finds nothing left to do.  Every earlier batch's
                    # vectors are written: flushed now, the engine seals and indexes them in the
                    # background meanwhile, and the run's last flush and the close at exit find
                    # only this batch left (they were ~1 s of one busy core after the encoders
                    # had finished)
                    self.kb.flush(snapshot=False)
                    self.kb.refresh_fulltext()
                self._finish(waiting[0], waiting[1].result(), waiting[2])
                committed.extend(waiting[0])
        return len(committed), sum(len(p.chunks) for p in committed), warnings

    def _prepare(
        self,
        documents: Sequence[Document],
        key: str,
        state: dict[str, tuple[str, str, str]],
        local_only: bool,
    ) -> Iterator[_Prepared]:
        """Changed documents only (content hash), chunked lazily so a big file streams."""
        for document in documents:
            source = document.source if document.external_id else key
            content = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
            old = state.get(source)
            if old is not None and old[2] == content:
                continue
            doc_id = doc_id_for(source)
            record = DocumentRecord(
                doc_id=doc_id,
                source=source,
                sha256=content,
                format=document.format,
                title=document.title,
                pages=document.pages,
                status="pending",
                external_id=document.external_id,
                local_only=local_only or self.kb.local_only,
                ingested_at=now(),
            )
            chunks = self.chunker.split(describe_charts(document), doc_id)
            yield _Prepared(record, document, chunks)

    def _index(self, prepared: Sequence[_Prepared]) -> list[str]:
        """The derived stores (hooks) for a batch already in the catalog; returns its warnings.
        Its BM25 tokens are made here too, while the embedder works: the run's refresh at the
        end then only assembles the index."""
        warnings = [str(w) for item in prepared for w in item.document.meta.get("warnings", ())]
        warnings.extend(self.kb.run_hooks([(p.record, p.document, p.chunks) for p in prepared]))
        self.kb.pretokenize([(p.record, p.chunks) for p in prepared])
        return warnings

    def _finish(
        self, prepared: Sequence[_Prepared], vectors: np.ndarray | None, fresh: frozenset[str]
    ) -> None:
        """Vectors for an indexed batch, then the batch is marked ``ok``.

        Documents stay ``pending`` until their vectors and derived stores are written, so a crash
        in between is finished by the next open instead of leaving half an index.  The file hash
        is written empty by ``put_documents`` and set once the whole file is done (see the module
        docstring).
        """
        all_chunks = [c for p in prepared for c in p.chunks]
        self.kb.write_vectors([p.record for p in prepared], all_chunks, vectors, fresh)
        self.kb.catalog.set_status([p.record.doc_id for p in prepared], "ok")


def _batched(items: Iterable[_Prepared], budget: int | None = None) -> Iterator[list[_Prepared]]:
    budget = budget or BATCH_CHUNKS
    batch: list[_Prepared] = []
    size = 0
    for item in items:
        batch.append(item)
        size += max(1, len(item.chunks))
        if size >= budget:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class _Pending(Protocol):
    def result(self) -> np.ndarray | None: ...


class _Done:
    def __init__(self, value: np.ndarray | None) -> None:
        self.value = value

    def result(self) -> np.ndarray | None:
        return self.value


def _submit(threads: ThreadPoolExecutor, embedder: Embedder | None, batch: Sequence[_Prepared]) -> _Pending:
    """Start embedding a batch.  A started :class:`EmbedPool` queues it for its processes, and
    whoever later asks for the vectors encodes what they have not taken yet; any other embedder
    runs in the worker thread."""
    if isinstance(embedder, EmbedPool) and embedder.started:
        texts = _texts(batch)
        return embedder.submit(texts) if texts else _Done(None)
    return threads.submit(_embed, embedder, batch)


def _texts(batch: Sequence[_Prepared]) -> list[str]:
    from zhiku.ingest.chunk import dense_text

    return [dense_text(c, p.record.title) for p in batch for c in p.chunks]


def _embed(embedder: Embedder | None, batch: Sequence[_Prepared]) -> np.ndarray | None:
    """Runs in the worker thread: touches only the embedder, never the catalog or the KB lock."""
    texts = _texts(batch)
    if embedder is None or not texts:
        return None
    return embedder.embed(texts)


def _total_bytes(files: Sequence[Path]) -> int:
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total


def _pii_masker(kb: IngestTarget) -> PiiMasker | None:
    """Ingestion-time PII masking (``safety.pii_mask_ingest``): raw values never reach any index."""
    safety = getattr(kb.settings, "safety", None)
    if safety is None or not safety.pii_mask_ingest:
        return None
    return PiiMasker(safety.pii_kinds)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
