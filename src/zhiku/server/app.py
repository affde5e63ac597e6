"""The FastAPI application: OpenAI-compatible API, KB management API and the web UI, one process.

``create_app`` builds everything from ``Settings`` and keeps it on ``app.state.zhiku``; nothing
is global, so tests build as many apps as they like.  CORS is off unless
``server.cors_origins`` lists origins; the UI is same-origin and needs none.

>>> app = create_app(Settings(home=Path("/tmp/zk"), server={"admin_key": "secret"}))
>>> uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhiku import __version__
from zhiku.config import Settings
from zhiku.server import routes_admin, routes_conversations, routes_extras, routes_kb, routes_openai
from zhiku.server.errors import install_error_handlers
from zhiku.server.limits import RequestTimeoutMiddleware, UnicodeBodyMiddleware
from zhiku.server.metrics import MetricsMiddleware
from zhiku.server.routes_eval import install as install_eval
from zhiku.server.state import ServerState
from zhiku.server.uploads import BodyLimitMiddleware

STATIC = Path(__file__).parent / "static"

# The UI is our own files only: no inline script, nothing from other origins.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff and frame protections to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                if not scope.get("path", "").startswith(("/v1/", "/api/")):
                    headers.append((b"content-security-policy", _CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


def create_app(settings: Settings) -> FastAPI:
    """Build the app; state lives on ``app.state.zhiku`` and closes with the lifespan."""
    state = ServerState.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="zhiku 智库",
        version=__version__,
        description="知识库问答服务：OpenAI 兼容接口、知识库管理与网页界面 / "
        "knowledge-base QA: OpenAI-compatible API, KB management and web UI",
        lifespan=lifespan,
    )
    app.state.zhiku = state
    install_error_handlers(app)
    app.include_router(routes_admin.router)
    app.include_router(routes_openai.router)
    app.include_router(routes_kb.router)
    app.include_router(routes_extras.router)
    routes_conversations.install(app, settings.home)
    install_eval(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    limits = settings.server
    app.add_middleware(UnicodeBodyMiddleware)
    app.add_middleware(RequestTimeoutMiddleware, seconds=limits.request_timeout_s)
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(limits.max_request_mb * 1024 * 1024))
    if limits.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=limits.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    return app
