"""One SQLite transaction under a lock: commit on success, roll back on any error.

Shared by the catalog and the graph store so that both stores keep the same all-or-nothing
rule: a failed ingest never leaves half a document behind.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager


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
