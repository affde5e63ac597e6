"""The catalog: SQLite (WAL) source of truth for documents, chunks and ingestion runs.

Every index (BM25, vectors, facts, graph) is derived from these rows and can be rebuilt
from them, so all writes that change what a knowledge base *contains* go through here, one
transaction per document.

>>> cat = Catalog(Path("/tmp/kb/catalog.sqlite"))
>>> cat.documents()
[]
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhiku.errors import StoreError
from zhiku.store.sqlite_tx import atomic
from zhiku.types import Chunk, DocumentRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id      TEXT PRIMARY KEY,
    source      TEXT NOT NULL UNIQUE,
    file_path   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    title       TEXT NOT NULL,
    pages       INTEGER NOT NULL DEFAULT 1,
    status      TEXT NOT NULL,
    error       TEXT,
    chunks      INTEGER NOT NULL DEFAULT 0,
    external_id TEXT,
    local_only  INTEGER NOT NULL DEFAULT 0,
    run_id      TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file_path);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);  -- pending check on open
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id     TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    text         TEXT NOT NULL,
    page         INTEGER,
    heading_path TEXT NOT NULL DEFAULT '[]',
    char_start   INTEGER NOT NULL DEFAULT 0,
    char_end     INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL DEFAULT 'paragraph'
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    files       INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    summary     TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS failures (
    file_path TEXT PRIMARY KEY,
    error     TEXT NOT NULL,
    run_id    TEXT,
    at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

DOC_COLUMNS = (
    "doc_id, source, file_sha256, sha256, format, title, pages, status, error, chunks, "
    "external_id, local_only, ingested_at"
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    """Thread-safe wrapper over one SQLite file (one connection, serialised by a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A 64 MB page cache (the default is 2 MB): at 1M chunks the primary-key and doc
            # indexes are ~100 MB, and each batch's inserts and status updates land on random
            # pages of them; with the default cache most of those were re-read from the OS.
            self._db.execute("PRAGMA cache_size=-65536")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(
                f"无法打开目录数据库：{exc}", f"cannot open the catalog: {exc}", path=path
            ) from exc
        self._lock = threading.RLock()
        self._fresh: frozenset[str] = frozenset()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: everything inside commits together or not at all."""
        with atomic(self._db, self._lock, "BEGIN IMMEDIATE") as db:
            yield db

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    # -- meta -----------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def bump_version(self) -> int:
        """A counter that changes whenever chunks change; derived indexes compare against it."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            version = int(row[0]) + 1 if row else 1
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('version', ?)", (str(version),))
        return version

    def version(self) -> int:
        value = self.get_meta("version")
        return int(value) if value else 0

    # -- documents ------------------------------------------------------------
    @staticmethod
    def _doc(row: tuple[Any, ...]) -> DocumentRecord:
        return DocumentRecord(
            doc_id=row[0],
            source=row[1],
            sha256=row[3],
            format=row[4],
            title=row[5],
            pages=row[6],
            status=row[7],
            error=row[8],
            chunks=row[9],
            external_id=row[10],
            local_only=bool(row[11]),
            ingested_at=row[12],
        )

    def documents(self, status: str | None = None) -> list[DocumentRecord]:
        sql = f"SELECT {DOC_COLUMNS} FROM documents"
        rows = (
            self._rows(sql + " WHERE status = ? ORDER BY source", (status,))
            if status
            else self._rows(sql + " ORDER BY source")
        )
        return [self._doc(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        rows = self._rows(f"SELECT {DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,))
        return self._doc(rows[0]) if rows else None

    def find_documents(self, ref: str) -> list[DocumentRecord]:
        """Resolve what a user typed (id, source path, file path, title) to documents."""
        rows = self._rows(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE doc_id = ? OR source = ? OR file_path = ? OR title = ?",
            (ref, ref, ref, ref),
        )
        return [self._doc(r) for r in rows]

    def file_state(self, file_path: str) -> dict[str, tuple[str, str, str]]:
        """source → (doc_id, file_sha256, content sha256) for documents loaded from one file."""
        rows = self._rows(
            "SELECT source, doc_id, file_sha256, sha256 FROM documents WHERE file_path = ?", (file_path,)
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def put_document(
        self, record: DocumentRecord, file_path: str, file_sha256: str, chunks: Sequence[Chunk], run_id: str
    ) -> None:
        """Replace a document and all its chunks atomically (status stays ``pending`` until indexed)."""
        self.put_documents([(record, chunks)], file_path, file_sha256, run_id)

    def put_documents(
        self,
        items: Sequence[tuple[DocumentRecord, Sequence[Chunk]]],
        file_path: str,
        file_sha256: str,
        run_id: str,
    ) -> None:
        """Replace several documents and their chunks in one transaction (a batch of a corpus file).

        One commit per batch instead of per document: with WAL and ``synchronous=NORMAL`` the
        commit is most of the cost of a small document.
        """
        if not items:
            return
        with self.transaction() as db:
            ids = [record.doc_id for record, _ in items]
            known: set[str] = set()
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                known.update(
                    r[0] for r in db.execute(f"SELECT doc_id FROM documents WHERE doc_id IN ({marks})", part)
                )
            db.executemany("DELETE FROM chunks WHERE doc_id = ?", [(record.doc_id,) for record, _ in items])
            db.executemany(
                "DELETE FROM documents WHERE doc_id = ? OR source = ?",
                [(record.doc_id, record.source) for record, _ in items],
            )
            db.executemany(
                "INSERT INTO documents(doc_id, source, file_path, file_sha256, sha256, format, title, pages,"
                " status, error, chunks, external_id, local_only, run_id, ingested_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [_doc_row(record, file_path, file_sha256, len(chunks), run_id) for record, chunks in items],
            )
            db.executemany(
                "INSERT INTO chunks(chunk_id, doc_id, ordinal, text, page, heading_path, char_start,"
                " char_end, kind) VALUES (?,?,?,?,?,?,?,?,?)",
                [_chunk_row(c) for _, chunks in items for c in chunks],
            )
            db.executemany("INSERT INTO changes(doc_id) VALUES (?)", [(r.doc_id,) for r, _ in items])
            db.execute("DELETE FROM failures WHERE file_path = ?", (file_path,))
        self._fresh = frozenset(ids) - known

    def fresh_documents(self) -> frozenset[str]:
        """Documents the last ``put_documents`` added with no earlier version in this catalog.

        Why: their vectors need no delete before the upsert.  Against a Milvus server a delete
        by ``doc_id`` costs ~0.2 s per call (a query, then delete messages) and was 40 % of a
        pre-embedded ingest's wall time, although a new document has nothing to delete.
        """
        return self._fresh

    def set_status(self, doc_ids: Iterable[str], status: str) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE documents SET status = ? WHERE doc_id = ?", [(status, d) for d in doc_ids])

    def set_local_only(self, doc_id: str, flag: bool) -> None:
        with self.transaction() as db:
            db.execute("UPDATE documents SET local_only = ? WHERE doc_id = ?", (int(flag), doc_id))

    def delete_document(self, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            db.execute("INSERT INTO changes(doc_id) VALUES (?)", (doc_id,))

    # -- change log (what derived indexes need to catch up on) -----------------------------------------
    def change_seq(self) -> int:
        """Position of the newest change; an index that reflects it is up to date."""
        return int(self._rows("SELECT COALESCE(MAX(seq), 0) FROM changes")[0][0])

    def changed_since(self, seq: int) -> tuple[int, list[str]]:
        """(newest position, documents added, replaced or deleted after ``seq``)."""
        rows = self._rows("SELECT seq, doc_id FROM changes WHERE seq > ? ORDER BY seq", (seq,))
        newest = int(rows[-1][0]) if rows else seq
        return newest, sorted({str(r[1]) for r in rows})

    def prune_changes(self, seq: int) -> None:
        """Forget changes every index has absorbed (called after a full rebuild)."""
        with self.transaction() as db:
            db.execute("DELETE FROM changes WHERE seq <= ?", (seq,))

    def chunks_of(self, doc_ids: Sequence[str]) -> list[Chunk]:
        """Chunks of several documents (batched ``IN`` queries), in document order."""
        out: list[Chunk] = []
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            rows = self._rows(self._CHUNK_SQL + f" WHERE doc_id IN ({marks}) ORDER BY doc_id, ordinal", part)
            out.extend(self._chunk(r) for r in rows)
        return out

    def count_chunks_of(self, doc_ids: Sequence[str]) -> int:
        """How many chunks several documents have (index-only ``IN`` counts, nothing loaded)."""
        total = 0
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            total += int(self._rows(f"SELECT COUNT(*) FROM chunks WHERE doc_id IN ({marks})", part)[0][0])
        return total

    def chunk_refs(self) -> list[tuple[str, str]]:
        """(chunk_id, doc_id) of every chunk, without reading texts (cheap consistency checks)."""
        return [(str(r[0]), str(r[1])) for r in self._rows("SELECT chunk_id, doc_id FROM chunks")]

    def doc_views(self, doc_ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """doc_id → (title, source, format) for a few documents (the hits of one search)."""
        ids = list(doc_ids)
        out: dict[str, tuple[str, str, str]] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT doc_id, title, source, format FROM documents WHERE doc_id IN ({marks})"
            out.update({str(r[0]): (str(r[1]), str(r[2]), str(r[3])) for r in self._rows(sql, part)})
        return out

    def titles_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            out.update(self._rows(f"SELECT doc_id, title FROM documents WHERE doc_id IN ({marks})", part))
        return out

    # -- chunks ---------------------------------------------------------------
    @staticmethod
    def _chunk(row: tuple[Any, ...]) -> Chunk:
        return Chunk(
            chunk_id=row[0],
            doc_id=row[1],
            ordinal=row[2],
            text=row[3],
            page=row[4],
            heading_path=tuple(json.loads(row[5])),
            char_start=row[6],
            char_end=row[7],
            kind=row[8],
        )

    _CHUNK_SQL = (
        "SELECT chunk_id, doc_id, ordinal, text, page, heading_path, char_start, char_end, kind FROM chunks"
    )

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        if doc_id is None:
            return [self._chunk(r) for r in self._rows(self._CHUNK_SQL + " ORDER BY doc_id, ordinal")]
        rows = self._rows(self._CHUNK_SQL + " WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [self._chunk(r) for r in rows]

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        for start in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for row in self._rows(self._CHUNK_SQL + f" WHERE chunk_id IN ({marks})", part):
                chunk = self._chunk(row)
                out[chunk.chunk_id] = chunk
        return out

    def iter_chunk_texts(self, batch: int = 5000) -> Iterator[tuple[str, str, tuple[str, ...], str]]:
        """(chunk_id, document title, heading path, text) of every chunk, streamed in batches.

        Why: a full-text rebuild at 1M chunks must not hold every ``Chunk`` in memory.  A separate
        read connection reads one WAL snapshot without holding this catalog's lock.
        """
        with self._lock:  # the rebuild that streams these needs the memory more than this cache
            self._db.execute("PRAGMA shrink_memory")
        db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            cursor = db.execute(
                "SELECT c.chunk_id, d.title, c.heading_path, c.text FROM chunks c"
                " JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.doc_id, c.ordinal"
            )
            while rows := cursor.fetchmany(batch):
                for row in rows:
                    heading = tuple(json.loads(row[2])) if row[2] not in (None, "", "[]") else ()
                    yield str(row[0]), str(row[1] or ""), heading, str(row[3])
        finally:
            db.close()

    def count_chunks(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM chunks")[0][0])

    # -- runs and failures ----------------------------------------------------
    def start_run(self, run_id: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO runs(run_id, started_at) VALUES (?, ?)", (run_id, now()))

    def finish_run(self, run_id: str, files: int, failed: int, summary: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, files = ?, failed = ?, summary = ? WHERE run_id = ?",
                (now(), files, failed, json.dumps(summary, ensure_ascii=False), run_id),
            )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._rows(
            "SELECT run_id, started_at, finished_at, files, failed, summary FROM runs"
            " ORDER BY started_at DESC LIMIT ?",
            (limit,),
        )
        keys = ("run_id", "started_at", "finished_at", "files", "failed", "summary")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def record_failure(self, file_path: str, error: str, run_id: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO failures(file_path, error, run_id, at) VALUES (?,?,?,?)",
                (file_path, error, run_id, now()),
            )

    def failures(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._rows("SELECT file_path, error FROM failures ORDER BY file_path")]

    def update_file_sha(self, file_path: str, file_sha256: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE documents SET file_sha256 = ? WHERE file_path = ?", (file_sha256, file_path))


def _doc_row(
    record: DocumentRecord, file_path: str, file_sha256: str, chunks: int, run_id: str
) -> tuple[Any, ...]:
    return (
        record.doc_id,
        record.source,
        file_path,
        file_sha256,
        record.sha256,
        record.format,
        record.title,
        record.pages,
        record.status,
        record.error,
        chunks,
        record.external_id,
        int(record.local_only),
        run_id,
        record.ingested_at or now(),
    )


def _chunk_row(c: Chunk) -> tuple[Any, ...]:
    heading = json.dumps(list(c.heading_path), ensure_ascii=False) if c.heading_path else "[]"
    return (c.chunk_id, c.doc_id, c.ordinal, c.text, c.page, heading, c.char_start, c.char_end, c.kind)
