"""Who is calling, and may they touch this knowledge base?

A key is read from ``Authorization: Bearer …`` (what the OpenAI clients send) or ``X-API-Key``.
Access to a knowledge base a key is not granted is answered exactly like a knowledge base that
does not exist (404, same message, no name echoed), so keys cannot probe for names.  A key that
may read a knowledge base but lacks ``write``/``admin`` gets 403: it already knows the KB.

>>> auth = Authenticator(settings, KeyStore(settings.home / "keys.sqlite"))
>>> principal = auth.authenticate("zk-…")
>>> auth.require(principal, "demo", "write", exists=True)
"""

from __future__ import annotations

import hmac

from zhiku.config import Settings
from zhiku.errors import NotFoundError, PermissionDeniedError
from zhiku.server.keys import LEVELS, KeyStore, Level, Principal


class UnauthenticatedError(PermissionDeniedError):
    """No key, or a key we do not know (HTTP 401)."""

    http_status = 401


def kb_not_found() -> NotFoundError:
    """The one answer for both 'no such KB' and 'not yours' (never names the KB)."""
    return NotFoundError("知识库不存在或无权访问", "knowledge base not found or not accessible")


def token_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


class Authenticator:
    """Checks keys against the configured admin key and the key store."""

    def __init__(self, settings: Settings, keys: KeyStore) -> None:
        self.admin_key = settings.server.admin_key.get_secret_value()
        self.keys = keys

    def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise UnauthenticatedError(
                "需要 API 密钥（Authorization: Bearer …）", "an API key is required (Authorization: Bearer …)"
            )
        if self.admin_key and hmac.compare_digest(token.encode(), self.admin_key.encode()):
            return Principal("admin", "admin", is_admin=True)
        principal = self.keys.verify(token)
        if principal is None:
            raise UnauthenticatedError("API 密钥无效或已吊销", "invalid or revoked API key")
        return principal

    @staticmethod
    def require(principal: Principal, kb: str, level: Level, *, exists: bool) -> None:
        """Raise 404 when the KB is missing or not granted at all, 403 when the grant is too low."""
        if not exists or principal.rank(kb) == 0:
            raise kb_not_found()
        if not principal.can(kb, level):
            raise PermissionDeniedError(
                f"此密钥对该知识库没有 {level} 权限",
                f"this key lacks the {level} grant on this knowledge base",
            )

    @staticmethod
    def require_admin(principal: Principal) -> None:
        if not principal.is_admin:
            raise PermissionDeniedError("需要管理员密钥", "the admin key is required")

    @staticmethod
    def require_create(principal: Principal) -> None:
        if not principal.can_create:
            raise PermissionDeniedError(
                "创建知识库需要管理员密钥或 *:admin 授权",
                "creating a knowledge base needs the admin key or a *:admin grant",
            )


__all__ = ["LEVELS", "Authenticator", "UnauthenticatedError", "kb_not_found", "token_from_headers"]
