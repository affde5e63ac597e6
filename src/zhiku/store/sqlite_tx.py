"""SQLite transactions: one under a lock for the catalog and graph stores (commit on success,
roll back on any error, so a failed ingest never leaves half a document behind), and a
connection-per-call base for the server's small tables.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic(
    db: sqlite3.Connection, lock: threading.RLock, begin: str = "BEGIN"
) -> Iterator[sqlite3.Connection]:
    """``begin`` is "BEGIN IMMEDIATE" where a writer must hold the file lock from the start."""
    with lock:
        db.execute(begin)
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class PerCallSqlite:
    """A small SQLite file opened afresh for every call: the server's key, conversation and
    feedback tables are touched by many threads and several worker processes, and a connection
    per call needs no locking of our own (SQLite's file lock and ``timeout`` serialise writers).

    ``private`` creates the file readable by its owner only (it holds key hashes);
    ``foreign_keys`` turns on SQLite's per-connection foreign-key enforcement.
    """

    def __init__(self, path: Path, schema: str, *, private: bool = False, foreign_keys: bool = False) -> None:
        self.path = path
        self._foreign_keys = foreign_keys
        path.parent.mkdir(parents=True, exist_ok=True)
        if private and not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._db() as db:
            db.executescript(schema)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One transaction on a fresh connection: committed on success, rolled back on error."""
        db = sqlite3.connect(self.path, timeout=30)
        if self._foreign_keys:
            db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()
