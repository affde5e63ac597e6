"""Thumbs up/down on answers, stored with what was asked and shown, and exported as test cases.

A thumbs-down is a failure a user found: it keeps the question, the answer, its citations and
trace, an optional comment and an optional correct answer.  ``export_qa`` turns the
thumbs-down items of one knowledge base into the QA JSON Lines that ``zhiku eval run`` and the
benchmarks read, so reported failures become regression cases.

>>> store = FeedbackStore(settings.home / "conversations.sqlite")
>>> store.put(FeedbackIn(kb="demo", rating="down", question="…", answer="…"), key_id="admin")
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from zhiku.errors import NotFoundError, QueryError
from zhiku.store.sqlite_tx import PerCallSqlite

Rating = Literal["up", "down"]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    kb TEXT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    correct_answer TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    trace TEXT NOT NULL DEFAULT '{}',
    conversation_id TEXT,
    message_id INTEGER,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_kb ON feedback (kb, rating, created_at);
"""
_TEXT_MAX = 20_000


@dataclass(frozen=True)
class FeedbackIn:
    """What a client reports; ``id`` updates an earlier report of the same key (a comment added)."""

    kb: str
    rating: Rating
    question: str
    answer: str
    comment: str = ""
    correct_answer: str = ""
    citations: Sequence[dict[str, Any]] = ()
    trace: dict[str, Any] = field(default_factory=dict)
    conversation_id: str | None = None
    message_id: int | None = None
    id: str | None = None


@dataclass(frozen=True)
class FeedbackItem:
    id: str
    kb: str
    rating: Rating
    comment: str
    correct_answer: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    trace: dict[str, Any]
    conversation_id: str | None
    message_id: int | None
    created_at: float
    updated_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(item: FeedbackIn) -> None:
    if item.rating not in ("up", "down"):
        raise QueryError(
            f"rating 只能是 up 或 down：{item.rating}", f"rating must be up or down: {item.rating}"
        )
    if not item.question.strip() or not item.answer.strip():
        raise QueryError("反馈需要问题和回答", "feedback needs the question and the answer")
    for text in (item.question, item.answer, item.comment, item.correct_answer):
        if len(text) > _TEXT_MAX:
            raise QueryError(
                f"文本过长（上限 {_TEXT_MAX} 字符）", f"text too long (at most {_TEXT_MAX} characters)"
            )


_COLUMNS = (
    "id, kb, rating, comment, correct_answer, question, answer, citations, trace, "
    "conversation_id, message_id, created_at, updated_at"
)


def _row(row: Sequence[Any]) -> FeedbackItem:
    values = list(row)
    values[7] = json.loads(values[7] or "[]")
    values[8] = json.loads(values[8] or "{}")
    return FeedbackItem(*values)


class FeedbackStore(PerCallSqlite):
    """The ``feedback`` table (next to the conversations); a connection per call."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def put(self, item: FeedbackIn, *, key_id: str) -> FeedbackItem:
        """Store a new report, or update this key's report ``item.id``."""
        _check(item)
        now = time.time()
        cites = json.dumps(list(item.citations), ensure_ascii=False)
        trace = json.dumps(item.trace, ensure_ascii=False)
        with self._db() as db:
            if item.id is not None:
                found = db.execute("SELECT 1 FROM feedback WHERE id = ? AND key_id = ?", (item.id, key_id))
                if found.fetchone() is None:
                    raise NotFoundError("反馈不存在", "feedback not found")
                db.execute(
                    "UPDATE feedback SET rating = ?, comment = ?, correct_answer = ?, updated_at = ? WHERE id = ?",
                    (item.rating, item.comment.strip(), item.correct_answer.strip(), now, item.id),
                )
                fid = item.id
            else:
                fid = uuid.uuid4().hex[:16]
                db.execute(
                    f"INSERT INTO feedback ({_COLUMNS}, key_id) VALUES ({', '.join('?' * 14)})",
                    (
                        fid, item.kb, item.rating, item.comment.strip(), item.correct_answer.strip(),
                        item.question.strip(), item.answer, cites, trace, item.conversation_id,
                        item.message_id, now, now, key_id,
                    ),
                )  # fmt: skip
            row = db.execute(f"SELECT {_COLUMNS} FROM feedback WHERE id = ?", (fid,)).fetchone()
        return _row(row)

    def list(
        self,
        kb: str | None = None,
        rating: Rating | None = None,
        key_id: str | None = None,
        conversation_id: str | None = None,
    ) -> list[FeedbackItem]:
        query, args = f"SELECT {_COLUMNS} FROM feedback WHERE 1 = 1", []
        filters = (("kb", kb), ("rating", rating), ("key_id", key_id), ("conversation_id", conversation_id))
        for column, value in filters:
            if value is not None:
                query += f" AND {column} = ?"
                args.append(value)
        with self._db() as db:
            return [_row(r) for r in db.execute(query + " ORDER BY created_at", args).fetchall()]


def latest_by_message(items: Sequence[FeedbackItem]) -> dict[int, FeedbackItem]:
    """The newest verdict per stored message (what a resumed conversation shows as chosen)."""
    out: dict[int, FeedbackItem] = {}
    for item in sorted(items, key=lambda i: i.updated_at):
        if item.message_id is not None:
            out[item.message_id] = item
    return out


def qa_record(item: FeedbackItem) -> dict[str, Any]:
    """One thumbs-down as a QA case (the format ``zhiku eval run`` and bench/ read)."""
    return {
        "id": f"feedback-{item.id}",
        "question": item.question,
        "answers": [item.correct_answer] if item.correct_answer else [],
        "rejected_answers": [item.answer],
        "origin": "feedback",
        "kb": item.kb,
        "comment": item.comment,
        "created_at": datetime.fromtimestamp(item.created_at, UTC).isoformat(timespec="seconds"),
    }


def export_qa(store: FeedbackStore, kb: str, out: Path) -> int:
    """Write the thumbs-down items of ``kb`` to ``out`` (JSON Lines); returns how many."""
    records = [qa_record(i) for i in store.list(kb=kb, rating="down")]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


__all__ = [
    "FeedbackIn",
    "FeedbackItem",
    "FeedbackStore",
    "Rating",
    "export_qa",
    "latest_by_message",
    "qa_record",
]
