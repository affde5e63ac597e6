"""Tamper-evident audit log: append-only JSON Lines, every record chained to the previous by a keyed MAC.

Each line is one JSON object with ``seq``, ``time``, ``prev`` (the previous record's MAC) and
``hash`` = HMAC-SHA256, under a secret key, of the record's canonical JSON without ``hash``.
Why keyed: with a plain hash anyone who can write the log can edit a record and recompute the
whole chain; without the key nobody can.  The key is created on first use (mode 600) in a
directory apart from the log (default ``<home>/secrets/audit.key``).

Deleting a record breaks ``seq`` and ``prev`` of the next; cutting records off the end is caught
by the head — the last ``seq`` and MAC, itself MACed — kept twice: ``<log>.head`` beside the log
and ``<key>.head`` beside the key.  A missing head (when records exist) or a head older than the
other copy is tampering.  For proof against someone who also holds the key, anchor:
``zhiku audit anchor`` prints ``seq:mac`` of the last record to keep elsewhere, and
``zhiku audit verify --anchor seq:mac`` checks that the record at ``seq`` still has that MAC —
nothing up to it can have changed.

Questions are stored as ``question_sha256`` (and their length) unless the operator opts in to
full text (``safety.audit_question_text``); long questions made records of ~65 KB each.

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
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhiku.errors import QueryError

GENESIS = "0" * 64
ALG = "hmac-sha256"


def default_key_path(log_path: Path) -> Path:
    """Where the key lives when none is configured: a private folder beside the log.

    In zhiku's home layout (``<home>/audit/audit.jsonl``) that is ``<home>/secrets/audit.key``,
    the settings default (``safety.audit_key_path``); a log anywhere else keeps its key in a
    private ``.audit-secret`` folder beside it, so a log given only by its path is self-contained.
    """
    if log_path.parent.name == "audit":
        return log_path.parent.parent / "secrets" / f"{log_path.stem}.key"
    return log_path.parent / ".audit-secret" / f"{log_path.stem}.key"


def load_key(key_path: Path, *, create: bool) -> bytes | None:
    """The MAC key; created (32 random bytes, hex, mode 600) when ``create`` and absent."""
    if key_path.is_file():
        return bytes.fromhex(key_path.read_text(encoding="ascii").strip())
    if not create:
        return None
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return bytes.fromhex(key_path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


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


def record_hash(record: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def head_mac(seq: int, digest: str, key: bytes) -> str:
    return hmac.new(key, f"head|{seq}|{digest}".encode(), hashlib.sha256).hexdigest()


def log_files(path: Path) -> list[Path]:
    """Rotated files (oldest first) then the active file."""
    rotated = sorted(path.parent.glob(f"{path.stem}.[0-9][0-9][0-9][0-9][0-9][0-9]{path.suffix}"))
    return [*rotated, path] if path.exists() else rotated


class AuditLog:
    """Append records to a chained log; ``rotate_bytes`` = 0 never rotates."""

    def __init__(
        self,
        path: Path,
        *,
        hash_questions: bool = True,
        rotate_bytes: int = 0,
        key_path: Path | None = None,
    ) -> None:
        self.path = path
        self.hash_questions = hash_questions
        self.rotate_bytes = rotate_bytes
        self.key_path = key_path or default_key_path(path)
        self.head_path = path.with_name(path.name + ".head")
        self.mark_path = self.key_path.with_name(self.key_path.name + ".head")
        self.lock_path = path.with_name(path.name + ".lock")
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = load_key(self.key_path, create=True)
            assert self._key is not None
        return self._key

    def append(self, event: AuditEvent) -> dict[str, Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = self.key
        with open(_private(self.lock_path), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                seq, prev = self._head()
                if self.rotate_bytes and self.path.exists() and self.path.stat().st_size >= self.rotate_bytes:
                    self._rotate()
                record = self._record(event, seq + 1, prev, key)
                line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
                with open(_private(self.path), "a", encoding="utf-8") as fh:
                    fh.write(line)
                    fh.flush()
                self._write_head(self.head_path, record["seq"], record["hash"], key)
                self._write_head(self.mark_path, record["seq"], record["hash"], key)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return record

    @staticmethod
    def _write_head(path: Path, seq: int, digest: str, key: bytes) -> None:
        # Fixed width, rewritten in place: truncating a file is slow on some file systems.
        mac = head_mac(seq, digest, key)
        data = f'{{"seq": {seq:>20}, "hash": "{digest}", "mac": "{mac}"}}\n'.encode()
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, data, 0)
        finally:
            os.close(fd)

    def _record(self, event: AuditEvent, seq: int, prev: str, key: bytes) -> dict[str, Any]:
        data = asdict(event)
        data["models"] = list(event.models)
        data["review"] = list(event.review)
        data["labels"] = list(event.labels)
        question = data.pop("question")
        data["question_sha256"] = hashlib.sha256(question.encode("utf-8", "replace")).hexdigest()
        data["question_chars"] = len(question)
        if not self.hash_questions:
            data["question"] = question
        record = {
            "seq": seq,
            "time": datetime.now(UTC).isoformat(timespec="microseconds"),
            "alg": ALG,
            "prev": prev,
            **data,
        }
        record["hash"] = record_hash(record, key)
        return record

    def _head(self) -> tuple[int, str]:
        """Last seq and hash: from the head file, else from the last line of the newest file."""
        for path in (self.mark_path, self.head_path):
            head = _read_head(path)
            if head is not None:
                return int(head["seq"]), str(head["hash"])
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


def _private(path: Path) -> Path:
    """Create ``path`` mode 600 if absent (the audit log holds who asked what)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return path


def _read_head(path: Path) -> dict[str, Any] | None:
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
        return {"seq": int(head["seq"]), "hash": str(head["hash"]), "mac": str(head.get("mac", ""))}
    except (OSError, ValueError, KeyError, TypeError):
        return None


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


def verify_chain(path: Path, *, key_path: Path | None = None, anchor: str | None = None) -> VerifyReport:
    """Walk every file of the log and check seq, prev and MAC of each record, then both heads.

    ``anchor`` (``seq:mac`` from :func:`anchor_digest`) must match the record at that seq.
    """
    report = VerifyReport(ok=True)
    key = load_key(key_path or default_key_path(path), create=False)
    if key is None:
        report.errors.append(
            "key: the audit secret is missing, nothing can be verified / 审计密钥缺失，无法校验"
        )
        report.ok = False
        return report
    wanted = _parse_anchor(anchor) if anchor else None
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
                problem = _check(rec, seq, prev, key)
                if problem:
                    report.errors.append(f"{where}: {problem}")
                seq, prev = int(rec.get("seq", seq + 1)), str(rec.get("hash", ""))
                report.records += 1
                if wanted is not None and seq == wanted[0]:
                    if not hmac.compare_digest(prev, wanted[1]):
                        report.errors.append(f"anchor: record {seq} differs from the anchor / 与锚点不符")
                    wanted = None
    if wanted is not None:
        report.errors.append(f"anchor: record {wanted[0]} no longer exists / 锚点记录已不存在")
    key_file = key_path or default_key_path(path)
    for head_path in (path.with_name(path.name + ".head"), key_file.with_name(key_file.name + ".head")):
        problem = _check_head(head_path, seq, prev, key)
        if problem:
            report.errors.append(f"head {head_path.name}: {problem}")
    report.ok = not report.errors
    report.last_hash = prev
    return report


def anchor_digest(path: Path, *, key_path: Path | None = None) -> str:
    """``seq:mac`` of the last record of a log that verifies (raise ``QueryError`` otherwise)."""
    report = verify_chain(path, key_path=key_path)
    if not report.ok:
        raise QueryError(
            "审计日志校验失败，不能生成锚点：" + "; ".join(report.errors[:3]),
            "the audit log does not verify, no anchor: " + "; ".join(report.errors[:3]),
        )
    return f"{report.records}:{report.last_hash}"


def _parse_anchor(anchor: str) -> tuple[int, str]:
    seq, _, digest = anchor.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise QueryError(
            f"锚点格式无效：{anchor!r}（应为 序号:摘要）", f"invalid anchor {anchor!r} (expected seq:digest)"
        )
    return int(seq), digest.lower()


def _check_head(head_path: Path, seq: int, prev: str, key: bytes) -> str:
    head = _read_head(head_path)
    if head is None:
        return "" if seq == 0 else "missing (records cut off?) / 头文件缺失（记录可能被截断）"
    if not hmac.compare_digest(head["mac"], head_mac(head["seq"], head["hash"], key)):
        return "MAC mismatch (head forged) / 头文件校验失败（被伪造）"
    if head["seq"] > seq:
        return f"log ends at seq {seq} but head says {head['seq']} (records cut off) / 日志末尾记录被删除"
    if head["seq"] < seq or head["hash"] != prev:
        return f"head is older than the log (seq {head['seq']} < {seq}) / 头文件比日志旧（被替换）"
    return ""


def _check(rec: dict[str, Any], seq: int, prev: str, key: bytes) -> str:
    if rec.get("seq") != seq + 1:
        return f"seq {rec.get('seq')} follows {seq} (records missing or reordered) / 序号不连续"
    if rec.get("prev") != prev:
        return "prev does not match the previous record's hash / 与上一条记录的哈希不符"
    if rec.get("alg") != ALG or not hmac.compare_digest(str(rec.get("hash", "")), record_hash(rec, key)):
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
