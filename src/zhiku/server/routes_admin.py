"""Health, readiness, metrics, the caller's identity, and key management for the admin key."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request, Response

from zhiku.config import Settings
from zhiku.server.keys import ApiKeyInfo, Grant
from zhiku.server.routes_extras import features
from zhiku.server.schemas import GrantBody, KeyCreate, KeyOut
from zhiku.server.state import PrincipalDep, StateDep, get_principal

router = APIRouter(tags=["service"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers (liveness)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: StateDep, response: Response) -> dict[str, Any]:
    """The data directory is writable and the key store opens (readiness)."""
    checks: dict[str, str] = {}
    try:
        state.settings.home.mkdir(parents=True, exist_ok=True)
        probe = state.settings.home / ".ready-probe"
        probe.write_text("ok")
        probe.unlink()
        checks["home"] = "ok"
    except OSError as exc:
        checks["home"] = f"error: {exc.strerror}"
    try:
        state.keys.list()
        checks["keys"] = "ok"
    except sqlite3.Error as exc:
        checks["keys"] = f"error: {exc}"
    ready = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ready else 503
    return {"status": "ready" if ready else "not ready", "checks": checks}


@router.get("/metrics", response_class=Response)
def metrics(state: StateDep, request: Request) -> Response:
    """Prometheus text format (admin key required when ``server.metrics_public`` is off)."""
    if not state.settings.server.metrics_public:
        headers = request.headers
        principal = get_principal(request, headers.get("authorization"), headers.get("x-api-key"))
        state.auth.require_admin(principal)
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/api/me")
def whoami(state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    """Which key this is and what it may do (the UI uses it to check a pasted key)."""
    return {
        "key_id": principal.key_id,
        "name": principal.name,
        "admin": principal.is_admin,
        "can_create": principal.can_create,
        "grants": dict(principal.grants),
        "features": features(state.settings),
        "upload_types": accepted_upload_types(state.settings),
    }


def accepted_upload_types(settings: Settings) -> list[str]:
    """Suffixes an upload may have *and* a loader reads (the UI offers exactly these)."""
    from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS

    return [s for s in settings.server.upload_types if s in SUPPORTED_EXTENSIONS]


def _key_out(info: ApiKeyInfo, secret: str | None = None) -> KeyOut:
    return KeyOut(
        key_id=info.key_id,
        name=info.name,
        created_at=info.created_at,
        revoked=info.revoked,
        grants=[f"{g.kb}:{g.level}" for g in info.grants],
        key=secret,
    )


@router.get("/api/keys", response_model=list[KeyOut], tags=["keys"])
def list_keys(state: StateDep, principal: PrincipalDep) -> list[KeyOut]:
    state.auth.require_admin(principal)
    return [_key_out(k) for k in state.keys.list()]


@router.post("/api/keys", response_model=KeyOut, status_code=201, tags=["keys"])
def create_key(body: KeyCreate, state: StateDep, principal: PrincipalDep) -> KeyOut:
    """Create a key; the response holds the full key, shown this once only."""
    state.auth.require_admin(principal)
    info, secret = state.keys.create(body.name, [Grant.parse(g) for g in body.grants])
    return _key_out(info, secret)


@router.post("/api/keys/{key_id}/grants", status_code=204, tags=["keys"])
def add_grant(key_id: str, body: GrantBody, state: StateDep, principal: PrincipalDep) -> Response:
    state.auth.require_admin(principal)
    state.keys.grant(key_id, Grant.checked(body.kb, body.level))
    return Response(status_code=204)


@router.delete("/api/keys/{key_id}", status_code=204, tags=["keys"])
def revoke_key(key_id: str, state: StateDep, principal: PrincipalDep) -> Response:
    state.auth.require_admin(principal)
    state.keys.revoke(key_id)
    return Response(status_code=204)
