"""What one app instance owns (settings, keys, open KBs, jobs, metrics) and the FastAPI
dependencies that hand it to routes.  Nothing here is global: two apps in one process share
nothing, which is what the tests rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from zhiku.config import Settings
from zhiku.server.auth import Authenticator, token_from_headers
from zhiku.server.hub import KBHub
from zhiku.server.jobs import JobManager
from zhiku.server.keys import KeyStore, Level, Principal
from zhiku.server.metrics import ServerMetrics


@dataclass
class ServerState:
    settings: Settings
    keys: KeyStore
    auth: Authenticator
    hub: KBHub
    jobs: JobManager
    metrics: ServerMetrics

    @classmethod
    def build(cls, settings: Settings) -> ServerState:
        keys = KeyStore(settings.home / "keys.sqlite")
        metrics = ServerMetrics()
        hub = KBHub(settings)
        return cls(settings, keys, Authenticator(settings, keys), hub, JobManager(hub, metrics), metrics)

    def require(self, principal: Principal, kb: str, level: Level) -> None:
        """404 for missing or ungranted KBs, 403 for a grant that is too low."""
        self.auth.require(principal, kb, level, exists=self.hub.exists(kb))

    def visible_kbs(self, principal: Principal) -> list[str]:
        return [name for name in self.hub.names() if principal.rank(name) > 0]

    def close(self) -> None:
        self.jobs.close()
        self.hub.close()


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.zhiku
    return state


def get_principal(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    return get_state(request).auth.authenticate(token_from_headers(authorization, x_api_key))


StateDep = Annotated[ServerState, Depends(get_state)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
