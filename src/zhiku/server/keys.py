"""API keys and their per-knowledge-base grants, stored hashed in ``$ZHIKU_HOME/keys.sqlite``.

A key looks like ``zk-<id>-<secret>``.  Only ``sha256(secret)`` is stored: the secret is 32
random bytes, so a slow password hash would add latency to every request and no safety.  The
full key is returned once, by ``create``; it cannot be recovered afterwards.

Grants are per knowledge base (``*`` = every knowledge base) at one of three levels, each
including the ones before it: ``read`` (ask, search), ``write`` (upload, delete documents),
``admin`` (delete the knowledge base; ``*:admin`` may also create knowledge bases).

>>> store = KeyStore(Path("/tmp/zk/keys.sqlite"))
>>> key, secret = store.create("analyst", [Grant("demo", "read")])
>>> store.verify(secret).can("demo", "read")
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from zhiku.config import check_kb_name
from zhiku.errors import NotFoundError, QueryError
from zhiku.store.sqlite_tx import PerCallSqlite

Level = Literal["read", "write", "admin"]
LEVELS: tuple[Level, ...] = ("read", "write", "admin")
ALL_KBS = "*"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS grants (
    key_id TEXT NOT NULL REFERENCES keys(key_id),
    kb TEXT NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (key_id, kb)
);
"""


def parse_level(value: str) -> Level:
    for level in LEVELS:
        if value == level:
            return level
    raise QueryError(
        f"权限级别无效：{value!r}；可选值：{', '.join(LEVELS)}",
        f"invalid grant level {value!r}; valid values: {', '.join(LEVELS)}",
    )


@dataclass(frozen=True)
class Grant:
    """``kb`` (or ``*``) at ``level``; parse ``"demo:write"`` with ``Grant.parse``."""

    kb: str
    level: Level = "read"

    @classmethod
    def parse(cls, text: str) -> Grant:
        kb, _, level = text.partition(":")
        return cls.checked(kb.strip(), level.strip() or "read")

    @classmethod
    def checked(cls, kb: str, level: str) -> Grant:
        if kb != ALL_KBS:
            check_kb_name(kb)
        return cls(kb, parse_level(level))


@dataclass(frozen=True)
class ApiKeyInfo:
    """What ``list`` shows of a key: never the secret."""

    key_id: str
    name: str
    created_at: float
    revoked: bool
    grants: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the admin key, or a stored key with its grants."""

    key_id: str
    name: str
    is_admin: bool = False
    grants: Mapping[str, Level] = field(default_factory=dict)

    def rank(self, kb: str) -> int:
        """0 = no access, 1 = read, 2 = write, 3 = admin."""
        if self.is_admin:
            return len(LEVELS)
        best = 0
        for name in (kb, ALL_KBS):
            level = self.grants.get(name)
            if level is not None:
                best = max(best, LEVELS.index(level) + 1)
        return best

    def can(self, kb: str, level: Level) -> bool:
        return self.rank(kb) >= LEVELS.index(level) + 1

    @property
    def can_create(self) -> bool:
        return self.is_admin or self.grants.get(ALL_KBS) == "admin"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyStore(PerCallSqlite):
    """SQLite table of hashed keys; a connection per call keeps it safe across server threads."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA, private=True)  # key hashes and grants: owner only

    def create(self, name: str, grants: Sequence[Grant] = ()) -> tuple[ApiKeyInfo, str]:
        """Make a key; the returned full key string is the only copy there will ever be."""
        if not name.strip() or len(name) > 100:
            raise QueryError("密钥名称不能为空且不超过 100 个字符", "key name must be 1–100 characters")
        key_id = uuid.uuid4().hex[:12]
        secret = secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db:
            db.execute(
                "INSERT INTO keys (key_id, name, secret_sha256, created_at) VALUES (?, ?, ?, ?)",
                (key_id, name.strip(), _digest(secret), now),
            )
            for grant in grants:
                self._put_grant(db, key_id, grant)
        info = ApiKeyInfo(key_id, name.strip(), now, False, tuple(grants))
        return info, f"zk-{key_id}-{secret}"

    @staticmethod
    def _put_grant(db: sqlite3.Connection, key_id: str, grant: Grant) -> None:
        db.execute(
            "INSERT INTO grants (key_id, kb, level) VALUES (?, ?, ?) "
            "ON CONFLICT (key_id, kb) DO UPDATE SET level = excluded.level",
            (key_id, grant.kb, grant.level),
        )

    def grant(self, key_id: str, grant: Grant) -> None:
        with self._db() as db:
            self._require(db, key_id)
            self._put_grant(db, key_id, grant)

    def ungrant(self, key_id: str, kb: str) -> None:
        with self._db() as db:
            self._require(db, key_id)
            db.execute("DELETE FROM grants WHERE key_id = ? AND kb = ?", (key_id, kb))

    def forget_kb(self, kb: str) -> None:
        """A deleted knowledge base takes its grants with it (a new one of that name starts clean)."""
        with self._db() as db:
            db.execute("DELETE FROM grants WHERE kb = ?", (kb,))

    def revoke(self, key_id: str) -> None:
        with self._db() as db:
            self._require(db, key_id)
            db.execute("UPDATE keys SET revoked_at = ? WHERE key_id = ?", (time.time(), key_id))

    @staticmethod
    def _require(db: sqlite3.Connection, key_id: str) -> None:
        if db.execute("SELECT 1 FROM keys WHERE key_id = ?", (key_id,)).fetchone() is None:
            raise NotFoundError("API 密钥不存在", "API key not found", key_id=key_id)

    def list(self) -> list[ApiKeyInfo]:
        with self._db() as db:
            rows = db.execute(
                "SELECT key_id, name, created_at, revoked_at FROM keys ORDER BY created_at"
            ).fetchall()
            grants = db.execute("SELECT key_id, kb, level FROM grants ORDER BY kb").fetchall()
        by_key: dict[str, list[Grant]] = {}
        for key_id, kb, level in grants:
            by_key.setdefault(key_id, []).append(Grant(kb, parse_level(level)))
        return [
            ApiKeyInfo(key_id, name, created, revoked is not None, tuple(by_key.get(key_id, [])))
            for key_id, name, created, revoked in rows
        ]

    def verify(self, token: str) -> Principal | None:
        """The principal of a full key string, or ``None`` (unknown, malformed or revoked)."""
        parts = token.split("-", 2)
        if len(parts) != 3 or parts[0] != "zk":
            return None
        _, key_id, secret = parts
        with self._db() as db:
            row = db.execute(
                "SELECT name, secret_sha256, revoked_at FROM keys WHERE key_id = ?", (key_id,)
            ).fetchone()
            if row is None:
                return None
            grants = db.execute("SELECT kb, level FROM grants WHERE key_id = ?", (key_id,)).fetchall()
        name, digest, revoked = row
        if revoked is not None or not hmac.compare_digest(digest, _digest(secret)):
            return None
        return Principal(key_id, name, False, {kb: parse_level(level) for kb, level in grants})
