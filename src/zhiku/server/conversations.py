"""Stored conversations: one SQLite file in ``ZHIKU_HOME``, every row owned by one API key.

A reload of the web UI, or a client on another day, resumes a conversation from here; the
answers are stored whole (citations, route, trace) so a resumed answer looks as it did.  A key
only ever sees its own conversations: another key's id answers 404, like a missing one.

>>> store = ConversationStore(settings.home / "conversations.sqlite")
>>> conv = store.create("key1", "demo", "2023年规模")
>>> store.append("key1", conv.id, "2023年规模是多少？", answer_dict)
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from zhiku.errors import NotFoundError, QueryError
from zhiku.store.sqlite_tx import PerCallSqlite

TITLE_MAX = 100
DB_NAME = "conversations.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    kb TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_key ON conversations (key_id, kb, updated_at);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    answer TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_conv ON messages (conversation_id, id);
"""


def db_path(home: Path) -> Path:
    """One SQLite file for conversations and feedback, in ``ZHIKU_HOME``."""
    return home / DB_NAME


def conversation_not_found() -> NotFoundError:
    return NotFoundError("对话不存在", "conversation not found")


@dataclass(frozen=True)
class Message:
    """One turn; assistant turns carry the whole answer as clients saw it."""

    id: int
    role: Literal["user", "assistant"]
    content: str
    created_at: float
    answer: dict[str, Any] | None = None


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    kb: str
    title: str
    created_at: float
    updated_at: float
    messages: int = 0


@dataclass(frozen=True)
class ConversationDetail:
    info: ConversationInfo
    messages: tuple[Message, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self.info) | {"messages": [asdict(m) for m in self.messages]}


def default_title(question: str) -> str:
    """The first line of the first question, shortened: what a person would call the chat."""
    line = " ".join(question.split())
    return line[:40] + ("…" if len(line) > 40 else "")


def check_title(title: str) -> str:
    clean = " ".join(title.split())
    if not clean or len(clean) > TITLE_MAX:
        raise QueryError(f"标题须为 1–{TITLE_MAX} 个字符", f"a title must be 1–{TITLE_MAX} characters")
    return clean


class ConversationStore(PerCallSqlite):
    """SQLite tables of conversations and their messages; a connection per call (thread-safe)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA, foreign_keys=True)

    def create(self, key_id: str, kb: str, title: str | None = None) -> ConversationInfo:
        now = time.time()
        info = ConversationInfo(uuid.uuid4().hex[:16], kb, check_title(title) if title else "", now, now)
        with self._db() as db:
            db.execute(
                "INSERT INTO conversations (id, key_id, kb, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (info.id, key_id, kb, info.title, now, now),
            )
        return info

    def list(self, key_id: str, kb: str | None = None, limit: int = 100) -> list[ConversationInfo]:
        query = (
            "SELECT c.id, c.kb, c.title, c.created_at, c.updated_at, "
            "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) "
            "FROM conversations c WHERE c.key_id = ?"
        )
        args: list[Any] = [key_id]
        if kb is not None:
            query += " AND c.kb = ?"
            args.append(kb)
        query += " ORDER BY c.updated_at DESC LIMIT ?"
        args.append(limit)
        with self._db() as db:
            return [ConversationInfo(*row) for row in db.execute(query, args).fetchall()]

    def _info(self, db: sqlite3.Connection, key_id: str, conv_id: str) -> ConversationInfo:
        row = db.execute(
            "SELECT c.id, c.kb, c.title, c.created_at, c.updated_at, "
            "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) "
            "FROM conversations c WHERE c.id = ? AND c.key_id = ?",
            (conv_id, key_id),
        ).fetchone()
        if row is None:
            raise conversation_not_found()
        return ConversationInfo(*row)

    def get(self, key_id: str, conv_id: str) -> ConversationDetail:
        with self._db() as db:
            info = self._info(db, key_id, conv_id)
            rows = db.execute(
                "SELECT id, role, content, created_at, answer FROM messages WHERE conversation_id = ? ORDER BY id",
                (conv_id,),
            ).fetchall()
        messages = tuple(
            Message(i, role, content, created, json.loads(answer) if answer else None)
            for i, role, content, created, answer in rows
        )
        return ConversationDetail(info, messages)

    def rename(self, key_id: str, conv_id: str, title: str) -> ConversationInfo:
        clean = check_title(title)
        with self._db() as db:
            self._info(db, key_id, conv_id)
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (clean, conv_id))
            return self._info(db, key_id, conv_id)

    def delete(self, key_id: str, conv_id: str) -> None:
        with self._db() as db:
            self._info(db, key_id, conv_id)
            db.execute("DELETE FROM messages WHERE conversation_id = ?", (conv_id,))
            db.execute("DELETE FROM conversations WHERE id = ?", (conv_id,))

    def append(
        self, key_id: str, conv_id: str, question: str, answer: dict[str, Any], *, replace_last: bool = False
    ) -> tuple[Message, Message]:
        """Add a question and its answer; ``replace_last`` swaps the last exchange (regenerate)."""
        now = time.time()
        with self._db() as db:
            info = self._info(db, key_id, conv_id)
            if replace_last:
                last = db.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? AND role = 'user' ORDER BY id DESC LIMIT 1",
                    (conv_id,),
                ).fetchone()
                if last is not None:
                    db.execute(
                        "DELETE FROM messages WHERE conversation_id = ? AND id >= ?", (conv_id, last[0])
                    )
            ids = []
            for role, content, data in (
                ("user", question, None),
                ("assistant", str(answer.get("answer", "")), answer),
            ):
                cur = db.execute(
                    "INSERT INTO messages (conversation_id, role, content, answer, created_at) VALUES (?, ?, ?, ?, ?)",
                    (conv_id, role, content, json.dumps(data, ensure_ascii=False) if data else None, now),
                )
                ids.append(int(cur.lastrowid or 0))
            title = info.title or default_title(question)
            db.execute(
                "UPDATE conversations SET updated_at = ?, title = ? WHERE id = ?", (now, title, conv_id)
            )
        return Message(ids[0], "user", question, now), Message(
            ids[1], "assistant", answer.get("answer", ""), now, answer
        )

    def message(self, key_id: str, message_id: int) -> tuple[ConversationInfo, Message, str]:
        """An assistant message of this key, with its conversation and the question it answered."""
        with self._db() as db:
            row = db.execute(
                "SELECT m.conversation_id, m.role, m.content, m.created_at, m.answer FROM messages m "
                "JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ? AND c.key_id = ?",
                (message_id, key_id),
            ).fetchone()
            if row is None or row[1] != "assistant":
                raise NotFoundError("消息不存在", "message not found")
            info = self._info(db, key_id, row[0])
            asked = db.execute(
                "SELECT content FROM messages WHERE conversation_id = ? AND id < ? AND role = 'user' "
                "ORDER BY id DESC LIMIT 1",
                (row[0], message_id),
            ).fetchone()
        answer = json.loads(row[4]) if row[4] else None
        return info, Message(message_id, "assistant", row[2], row[3], answer), asked[0] if asked else ""


__all__ = ["ConversationDetail", "ConversationInfo", "ConversationStore", "Message", "default_title"]
