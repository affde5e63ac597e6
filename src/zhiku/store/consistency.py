"""Crash consistency: find derived indexes that lag the catalog, repair them, close dead runs.

Why this exists: the catalog commits one file at a time, but BM25 is rebuilt only at the end of
a run and the facts/graph hooks run after each commit.  A process killed in between (``kill -9``
mid-ingest) left BM25 holding 100 of 579 chunks, and because the full-text version moves only
when a later run changes something, re-ingesting the same files ("unchanged") never repaired it.

What a crash can leave, and how each is found without trusting version counters:

- BM25 behind or ahead: its chunk ids differ from the catalog's (count first, then the ids);
- vectors behind: documents still ``pending`` (``KnowledgeBase`` re-embeds them when the vector
  store opens; rows Milvus Lite lost are found there by comparing ids);
- facts/graph behind: documents of a run that never finished (``runs.finished_at`` NULL) may
  lack their hook output — their hooks are run again (remove, then add);
- unfinished runs: closed with ``summary.interrupted = true`` once repaired.

A run is only treated as dead when this process holds the KB's write lock (``write.lock``,
an advisory ``flock`` that :func:`write_lock` takes for every ingest), so a live ingest in
another process is never "repaired" under its feet; that lock also gives a second
``zhiku ingest`` on the same KB its clear, bilingual message.

>>> report = check(kb)          # cheap; used by ``kb info``
>>> repair(kb).repaired         # ['fulltext', 'hooks:3', 'runs:1']
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from zhiku.errors import StoreError
from zhiku.store.catalog import now
from zhiku.types import Block, Document

if TYPE_CHECKING:
    from zhiku.config import Settings
    from zhiku.ingest.hooks import IngestHook
    from zhiku.store.catalog import Catalog
    from zhiku.store.fulltext import FullTextIndex
    from zhiku.types import Chunk, DocumentRecord


class KnowledgeBase(Protocol):
    """The knowledge base as checked and repaired here (``zhiku.kb.KnowledgeBase`` satisfies it;
    a protocol, because ``kb`` calls ``repair`` when it opens and must not be imported back)."""

    settings: Settings
    catalog: Catalog
    fulltext: FullTextIndex

    @property
    def path(self) -> Path: ...

    @property
    def hooks(self) -> Sequence[IngestHook[Any]]: ...

    def run_hooks(self, items: Sequence[tuple[DocumentRecord, Document, Sequence[Chunk]]]) -> list[str]: ...

    def refresh_fulltext(self) -> None: ...


LOCK_NAME = "write.lock"


@dataclass
class ConsistencyReport:
    """How far each derived index is behind the catalog (all zero = consistent)."""

    chunks: int = 0
    fulltext_rows: int = 0
    fulltext_missing: int = 0
    fulltext_extra: int = 0
    vectors_pending: int = 0
    unfinished_runs: int = 0
    hooks_behind: int = 0
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.fulltext_missing
            or self.fulltext_extra
            or self.vectors_pending
            or self.unfinished_runs
            or self.hooks_behind
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


@contextlib.contextmanager
def write_lock(kb_path: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the KB's write lock; another holder → ``StoreError`` (or wait when ``wait``)."""
    lock_path = kb_path / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise StoreError(
                f"知识库 {kb_path.name} 正在被另一个进程（pid {holder}）写入，请等它结束后再试",
                f"knowledge base {kb_path.name} is being written by another process (pid {holder}); "
                "try again when it has finished",
                kb=kb_path.name,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(kb_path: Path) -> bool:
    """True while another process holds the write lock (this one does not take it)."""
    lock_path = kb_path / LOCK_NAME
    if not lock_path.exists():
        return False
    fd = os.open(lock_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _catalog_rows(kb: KnowledgeBase, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return kb.catalog._rows(sql, params)  # a plain read, no write transaction


def fulltext_behind(kb: KnowledgeBase) -> tuple[int, int]:
    """(catalog chunks missing from BM25, BM25 rows no longer in the catalog).

    Equal counts are taken as agreement: a crash that replaced chunks under the same ids also
    leaves its run unfinished, which :func:`repair` treats as "rebuild BM25" anyway.  So the
    ids of a large KB are read only after a crash.
    """
    indexed = kb.fulltext.ids()
    if len(indexed) == kb.catalog.count_chunks():
        return 0, 0
    wanted = {r[0] for r in _catalog_rows(kb, "SELECT chunk_id FROM chunks")}
    have = set(indexed)
    return len(wanted - have), len(have - wanted)


def unfinished_runs(kb: KnowledgeBase) -> list[str]:
    return [r[0] for r in _catalog_rows(kb, "SELECT run_id FROM runs WHERE finished_at IS NULL")]


def check(kb: KnowledgeBase) -> ConsistencyReport:
    """Measure, change nothing."""
    missing, extra = fulltext_behind(kb)
    runs = unfinished_runs(kb)
    behind = _docs_of_runs(kb, runs) if runs else []
    return ConsistencyReport(
        chunks=kb.catalog.count_chunks(),
        fulltext_rows=len(kb.fulltext.ids()),
        fulltext_missing=missing,
        fulltext_extra=extra,
        vectors_pending=len(kb.catalog.documents(status="pending")),
        unfinished_runs=len(runs),
        hooks_behind=len(behind),
    )


def repair(kb: KnowledgeBase, *, own_lock: bool = False) -> ConsistencyReport:
    """Bring every derived index back to the catalog; dead runs are closed.

    ``own_lock``: the caller already holds :func:`write_lock` (an ingest).  Otherwise the lock is
    tried without waiting; when another process holds it, only the report is returned.
    """
    report = check(kb)
    if report.ok:
        return report
    if own_lock:
        _repair_locked(kb, report)
        return report
    try:
        with write_lock(kb.path):
            _repair_locked(kb, report)
    except StoreError:
        pass  # a live writer: it will finish its own run
    return report


def _repair_locked(kb: KnowledgeBase, report: ConsistencyReport) -> None:
    runs = unfinished_runs(kb)
    if runs:
        docs = _docs_of_runs(kb, runs)
        _rerun_hooks(kb, docs)
        if docs:
            report.repaired.append(f"hooks:{len(docs)}")
    if report.fulltext_missing or report.fulltext_extra or runs:
        kb.refresh_fulltext()
        report.repaired.append("fulltext")
    if runs:
        _close_runs(kb, runs)
        report.repaired.append(f"runs:{len(runs)}")


def _docs_of_runs(kb: KnowledgeBase, runs: list[str]) -> list[str]:
    marks = ",".join("?" for _ in runs)
    return [
        r[0]
        for r in _catalog_rows(kb, f"SELECT doc_id FROM documents WHERE run_id IN ({marks})", tuple(runs))
    ]


def _rerun_hooks(kb: KnowledgeBase, doc_ids: list[str]) -> None:
    """Remove, then re-add what each hook derived from these documents (idempotent)."""
    items = []
    for doc_id in doc_ids:
        record = kb.catalog.document(doc_id)
        if record is None:
            continue
        chunks = kb.catalog.chunks(doc_id)
        items.append((record, _document_for(kb, doc_id, record.source, record.title, record.format), chunks))
    if not items:
        return
    for hook in kb.hooks:
        for record, _, _ in items:
            hook.on_remove(kb, record.doc_id)
    kb.run_hooks(items)


def _document_for(kb: KnowledgeBase, doc_id: str, source: str, title: str, fmt: str) -> Document:
    """The source file reloaded when it is still there unchanged (tables keep their rows), else
    the document rebuilt from its catalog chunks."""
    row = _catalog_rows(
        kb, "SELECT file_path, file_sha256, external_id FROM documents WHERE doc_id = ?", (doc_id,)
    )
    if row and not row[0][2]:
        path = Path(row[0][0])
        loaded = _reload(kb, path, str(row[0][1]))
        if loaded is not None:
            return loaded
    chunks = kb.catalog.chunks(doc_id)
    blocks = tuple(Block(kind=c.kind, text=c.text, page=c.page) for c in chunks)
    return Document(source=source, title=title, format=fmt, blocks=blocks)


def _reload(kb: KnowledgeBase, path: Path, sha: str) -> Document | None:
    from zhiku.errors import ZhikuError
    from zhiku.ingest.loaders import load_path
    from zhiku.ingest.pipeline import file_sha256

    try:
        if not path.is_file() or file_sha256(path) != sha:
            return None
        documents = load_path(path, kb.settings.ingest)
    except (OSError, ZhikuError):
        return None
    return documents[0] if len(documents) == 1 else None


def _close_runs(kb: KnowledgeBase, runs: list[str]) -> None:
    summary = json.dumps({"interrupted": True, "closed_at": now()})
    with kb.catalog.transaction() as db:
        db.executemany(
            "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ? AND finished_at IS NULL",
            [(now(), summary, run) for run in runs],
        )
