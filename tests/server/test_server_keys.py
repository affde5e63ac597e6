"""API keys, grants and upload name guards (no app needed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from server_helpers import ADMIN_KEY, make_settings

from zhiku.errors import ConfigError, NotFoundError, PermissionDeniedError, QueryError
from zhiku.server.auth import Authenticator, UnauthenticatedError, token_from_headers
from zhiku.server.keys import Grant, KeyStore, Principal
from zhiku.server.uploads import safe_filename, unique_name

pytestmark = pytest.mark.unit


def test_key_is_shown_once_and_stored_hashed(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite")
    info, secret = store.create("analyst", [Grant("demo", "read")])
    assert secret.startswith(f"zk-{info.key_id}-")
    raw = sqlite3.connect(tmp_path / "keys.sqlite").execute("SELECT * FROM keys").fetchall()
    assert secret.split("-", 2)[2] not in repr(raw)  # only the digest is on disk
    principal = store.verify(secret)
    assert principal is not None and principal.can("demo", "read") and not principal.can("demo", "write")
    assert store.verify(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert store.verify("not-a-key") is None
    assert all(k.key_id == info.key_id and k.grants == (Grant("demo", "read"),) for k in store.list())


def test_revoke_and_grants(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite")
    info, secret = store.create("bot")
    store.grant(info.key_id, Grant.parse("demo:write"))
    principal = store.verify(secret)
    assert principal is not None and principal.can("demo", "read") and principal.can("demo", "write")
    store.ungrant(info.key_id, "demo")
    principal = store.verify(secret)
    assert principal is not None and principal.rank("demo") == 0
    store.revoke(info.key_id)
    assert store.verify(secret) is None
    with pytest.raises(NotFoundError):
        store.revoke("nope")


def test_wildcard_and_levels() -> None:
    p = Principal("k", "k", grants={"*": "read", "fin": "admin"})
    assert p.can("anything", "read") and not p.can("anything", "write")
    assert p.can("fin", "admin") and not p.can_create
    assert Principal("k", "k", grants={"*": "admin"}).can_create
    assert Principal("admin", "admin", is_admin=True).can("x", "admin")


def test_grant_parsing_rejects_bad_input() -> None:
    assert Grant.parse("报告库:write") == Grant("报告库", "write")
    assert Grant.parse("demo") == Grant("demo", "read")
    with pytest.raises(QueryError):
        Grant.parse("demo:owner")
    with pytest.raises(ConfigError):
        Grant.parse("../etc:read")


def test_authenticator(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    auth = Authenticator(settings, KeyStore(tmp_path / "keys.sqlite"))
    assert auth.authenticate(ADMIN_KEY).is_admin
    with pytest.raises(UnauthenticatedError) as missing:
        auth.authenticate(None)
    assert missing.value.http_status == 401
    with pytest.raises(UnauthenticatedError):
        auth.authenticate("zk-123-456")
    reader = Principal("r", "r", grants={"demo": "read"})
    auth.require(reader, "demo", "read", exists=True)
    with pytest.raises(PermissionDeniedError):
        auth.require(reader, "demo", "write", exists=True)
    with pytest.raises(NotFoundError) as hidden:
        auth.require(reader, "secret", "read", exists=True)
    with pytest.raises(NotFoundError) as missing_kb:
        auth.require(reader, "nothing", "read", exists=False)
    assert hidden.value.to_dict() == missing_kb.value.to_dict()
    assert "secret" not in str(hidden.value)


def test_token_from_headers() -> None:
    assert token_from_headers("Bearer abc", None) == "abc"
    assert token_from_headers("bearer  abc ", None) == "abc"
    assert token_from_headers("Basic abc", None) is None
    assert token_from_headers(None, "xyz") == "xyz"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\reports\\2023年报告.pdf", "2023年报告.pdf"),
        (".hidden", "hidden"),
        ("", "upload"),
        ("..", "upload"),
        ("a\x00b<c>.txt", "a_b_c_.txt"),
        ("报告/../../x.md", "x.md"),
    ],
)
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_long_names_keep_their_extension_and_duplicates_get_numbers() -> None:
    name = safe_filename("长" * 300 + ".docx")
    assert name.endswith(".docx") and len(name) <= 120
    assert unique_name("a.pdf", {"a.pdf"}) == "a (2).pdf"
    assert unique_name("a.pdf", {"a.pdf", "a (2).pdf"}) == "a (3).pdf"
    assert unique_name("README", {"README"}) == "README (2)"
