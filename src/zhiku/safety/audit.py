"""Tamper-evident audit log: append-only JSON Lines, every record hash-chained to the previous.

Each line is one JSON object with ``seq``, ``time``, ``prev`` (the previous record's hash) and
``hash`` = sha256 of the record's canonical JSON without ``hash``.  Editing a record breaks its
hash; deleting one breaks ``seq`` and ``prev`` of the next; cutting records off the end is
caught by the small ``<log>.head`` file that always holds the last ``seq`` and hash.

Rotation renames the active file to ``<stem>.000001.jsonl`` (numbers grow) and the next record
— first line of a fresh active file — still points at the last hash, so :func:`verify_chain`
walks all files as one chain.  Appends take an advisory file lock, so several server workers
can share one log.

>>> log = AuditLog(Path("audit.jsonl"))
>>> log.append(AuditEvent(event="ask", kb="demo", question="你好", route="extractive"))
>>> verify_chain(Path("audit.jsonl")).ok
True
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhiku.errors import QueryError

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """What happened; the log adds seq, time and the chain."""

    event: str = "ask"
    key_id: str | None = None
    kb: str | None = None
    question: str = ""
    route: str = ""
    models: tuple[str, ...] = ()
    found: bool | None = None
    language: str = ""
    blocked: bool = False
    stage: str | None = None
    rule: str | None = None
    category: str | None = None
    review: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    pii_masked: dict[str, int] = field(default_factory=dict)
    injection: int = 0
    latency_ms: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class VerifyReport:
    ok: bool
    records: int = 0
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_hash: str = GENESIS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def record_hash(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(_canonical(body)).hexdigest()


def log_files(path: Path) -> list[Path]:
    """Rotated files (oldest first) then the active file."""
    rotated = sorted(path.parent.glob(f"{path.stem}.[0-9][0-9][0-9][0-9][0-9][0-9]{path.suffix}"))
    return [*rotated, path] if path.exists() else rotated


class AuditLog:
    """Append records to a chained log; ``rotate_bytes`` = 0 never rotates."""

    def __init__(self, path: Path, *, hash_questions: bool = False, rotate_bytes: int = 0) -> None:
        self.path = path
        self.hash_questions = hash_questions
        self.rotate_bytes = rotate_bytes
        self.head_path = path.with_name(path.name + ".head")
        self.lock_path = path.with_name(path.name + ".lock")

    def append(self, event: AuditEvent) -> dict[str, Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                seq, prev = self._head()
                if self.rotate_bytes and self.path.exists() and self.path.stat().st_size >= self.rotate_bytes:
                    self._rotate()
                record = self._record(event, seq + 1, prev)
                line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(line)
                    fh.flush()
                self._write_head(record["seq"], record["hash"])
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return record

    def _write_head(self, seq: int, digest: str) -> None:
        # Fixed width, rewritten in place: truncating a file is slow on some file systems.
        data = f'{{"seq": {seq:>20}, "hash": "{digest}"}}\n'.encode()
        fd = os.open(self.head_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, data, 0)
        finally:
            os.close(fd)

    def _record(self, event: AuditEvent, seq: int, prev: str) -> dict[str, Any]:
        data = asdict(event)
        data["models"] = list(event.models)
        data["review"] = list(event.review)
        data["labels"] = list(event.labels)
        question = data.pop("question")
        if self.hash_questions:
            data["question_sha256"] = hashlib.sha256(question.encode("utf-8")).hexdigest()
        else:
            data["question"] = question
        record = {
            "seq": seq,
            "time": datetime.now(UTC).isoformat(timespec="microseconds"),
            "prev": prev,
            **data,
        }
        record["hash"] = record_hash(record)
        return record

    def _head(self) -> tuple[int, str]:
        """Last seq and hash: from the head file, else from the last line of the newest file."""
        if self.head_path.exists():
            try:
                head = json.loads(self.head_path.read_text())
                return int(head["seq"]), str(head["hash"])
            except (ValueError, KeyError):
                pass
        for path in reversed(log_files(self.path)):
            last = _last_line(path)
            if last:
                rec = json.loads(last)
                return int(rec["seq"]), str(rec["hash"])
        return 0, GENESIS

    def _rotate(self) -> None:
        existing = log_files(self.path)[:-1]
        number = int(existing[-1].name.split(".")[-2]) + 1 if existing else 1
        os.replace(self.path, self.path.with_name(f"{self.path.stem}.{number:06d}{self.path.suffix}"))


def _last_line(path: Path) -> str:
    if not path.exists() or path.stat().st_size == 0:
        return ""
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        block = min(size, 65536)
        while True:
            fh.seek(size - block)
            lines = fh.read(block).rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or block == size:
                return lines[-1].decode("utf-8")
            block = min(size, block * 4)


def verify_chain(path: Path) -> VerifyReport:
    """Walk every file of the log and check seq, prev and hash of each record, then the head."""
    report = VerifyReport(ok=True)
    seq, prev = 0, GENESIS
    for file in log_files(path):
        report.files.append(str(file))
        with open(file, encoding="utf-8") as fh:
            for no, line in enumerate(fh, start=1):
                where = f"{file.name}:{no}"
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    report.errors.append(f"{where}: not JSON / 不是有效的 JSON")
                    continue
                problem = _check(rec, seq, prev)
                if problem:
                    report.errors.append(f"{where}: {problem}")
                seq, prev = int(rec.get("seq", seq + 1)), str(rec.get("hash", ""))
                report.records += 1
    head = path.with_name(path.name + ".head")
    if head.exists():
        data = json.loads(head.read_text())
        if int(data.get("seq", -1)) != seq or data.get("hash") != prev:
            report.errors.append(
                f"head: log ends at seq {seq} but head says {data.get('seq')} (records cut off) / 日志末尾记录被删除"
            )
    report.ok = not report.errors
    report.last_hash = prev
    return report


def _check(rec: dict[str, Any], seq: int, prev: str) -> str:
    if rec.get("seq") != seq + 1:
        return f"seq {rec.get('seq')} follows {seq} (records missing or reordered) / 序号不连续"
    if rec.get("prev") != prev:
        return "prev does not match the previous record's hash / 与上一条记录的哈希不符"
    if rec.get("hash") != record_hash(rec):
        return "hash mismatch (record edited) / 哈希不符（记录被修改）"
    return ""


def parse_time(value: str | None, what: str) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise QueryError(
            f"{what} 时间格式无效：{value!r}（例如 2026-01-31 或 2026-01-31T08:00:00）",
            f"invalid {what} time {value!r} (e.g. 2026-01-31 or 2026-01-31T08:00:00)",
        ) from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def export_records(
    path: Path, since: str | None = None, until: str | None = None
) -> Iterator[dict[str, Any]]:
    """Records with ``since <= time < until`` (ISO dates or datetimes, UTC when no zone)."""
    start, end = parse_time(since, "since"), parse_time(until, "until")
    for file in log_files(path):
        with open(file, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                when = datetime.fromisoformat(rec["time"])
                if (start is None or when >= start) and (end is None or when < end):
                    yield rec
