"""One open ``KnowledgeBase`` (and assistant) per knowledge base for the whole server.

Milvus Lite lets only one process hold a data directory, and the BM25 index is swapped as a
whole after ingestion, so the server keeps a single instance per KB and guards it with a
readers–writer lock: any number of asks and searches at once, while ingestion and deletion
run alone.  Blocking library calls run in worker threads, never on the event loop.

>>> hub = KBHub(settings)
>>> answer = await hub.read("demo", lambda entry: entry.assistant.ask(AskRequest("…")))
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from zhiku.config import Settings, check_kb_name
from zhiku.errors import AlreadyExistsError, ZhikuError
from zhiku.server.auth import kb_not_found

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase

T = TypeVar("T")


class RWLock:
    """Many readers or one writer; a waiting writer blocks new readers so it cannot starve."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass
class KBEntry:
    """An open knowledge base with its assistant, built on first use."""

    name: str
    settings: Settings
    lock: RWLock = field(default_factory=RWLock)
    _kb: KnowledgeBase | None = None
    _assistant: Any = None
    _open_lock: threading.Lock = field(default_factory=threading.Lock)
    deleted: bool = False

    @property
    def kb(self) -> KnowledgeBase:
        with self._open_lock:
            if self.deleted:
                raise kb_not_found()
            if self._kb is None:
                from zhiku.wiring import open_kb

                self._kb = open_kb(self.settings, self.name)
            return self._kb

    @property
    def assistant(self) -> Any:
        kb = self.kb
        with self._open_lock:
            if self._assistant is None:
                from zhiku.wiring import build_assistant

                self._assistant = build_assistant(kb, self.settings)
            return self._assistant

    def close(self) -> None:
        with self._open_lock:
            closer = getattr(self._kb, "close", None)
            if callable(closer):
                closer()
            self._kb = None
            self._assistant = None


class KBHub:
    """Registry of knowledge bases on disk and the open instances of this process."""

    def __init__(self, settings: Settings, kb_threads: int = 32) -> None:
        self.settings = settings
        self._entries: dict[str, KBEntry] = {}
        self._lock = threading.Lock()
        self._kb_threads = kb_threads
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking KB work on threads of its own, so a long ingestion (readers queue on the
        KB lock) never takes the threads that health checks and key lookups run on."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._kb_threads)
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)

    @property
    def root(self) -> Path:
        return self.settings.home / "kb"

    def uploads_dir(self, name: str) -> Path:
        return self.settings.home / "uploads" / check_kb_name(name)

    def names(self) -> list[str]:
        from zhiku.kbs import list_kbs

        return list_kbs(self.settings)

    def exists(self, name: str) -> bool:
        try:
            return (self.settings.kb_dir(name) / "kb.json").is_file()
        except ZhikuError:  # an invalid name cannot exist
            return False

    def entry(self, name: str) -> KBEntry:
        """The open entry of an existing KB (404 when missing: callers checked access first)."""
        if not self.exists(name):
            raise kb_not_found()
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                entry = self._entries[name] = KBEntry(name, self.settings)
            return entry

    async def read(self, name: str, fn: Callable[[KBEntry], T]) -> T:
        entry = self.entry(name)

        def call() -> T:
            with entry.lock.reading():
                return fn(entry)

        return await self.run(call)

    def write_sync(self, name: str, fn: Callable[[KBEntry], T]) -> T:
        entry = self.entry(name)
        with entry.lock.writing():
            return fn(entry)

    async def write(self, name: str, fn: Callable[[KBEntry], T]) -> T:
        return await self.run(self.write_sync, name, fn)

    def create_sync(self, name: str) -> KBEntry:
        check_kb_name(name)
        with self._lock:
            if self.exists(name):
                raise AlreadyExistsError("知识库已存在", "knowledge base already exists", name=name)
            entry = self._entries[name] = KBEntry(name, self.settings)
        try:
            with entry.lock.writing(), entry._open_lock:
                from zhiku.wiring import create_kb

                entry._kb = create_kb(self.settings, name)
        except Exception:
            with self._lock:
                self._entries.pop(name, None)
            raise
        return entry

    def delete_sync(self, name: str) -> None:
        entry = self.entry(name)
        with entry.lock.writing():
            entry.close()
            entry.deleted = True
            with self._lock:
                self._entries.pop(name, None)
            shutil.rmtree(self.settings.kb_dir(name), ignore_errors=True)
            shutil.rmtree(self.uploads_dir(name), ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
        for entry in entries:
            with entry.lock.writing():
                entry.close()
