"""``zhiku serve`` (the HTTP server and web UI) and ``zhiku keys create|list|revoke``.

The server binds 127.0.0.1 unless told otherwise.  Without a configured admin key
(``ZHIKU_SERVER__ADMIN_KEY``) and without any stored key, it makes a one-run admin key and
prints a link that logs the browser in, so a new user can start with two commands.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import secrets
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from zhiku.config import Settings, load_settings

if TYPE_CHECKING:
    from zhiku.server.keys import KeyStore

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    keys_app = typer.Typer(help="管理 API 密钥 / manage API keys", no_args_is_help=True)
    keys_app.command("create")(keys_create)
    keys_app.command("list")(keys_list)
    keys_app.command("revoke")(keys_revoke)
    keys_app.command("grant")(keys_grant)
    app.add_typer(keys_app, name="keys")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _with_admin_key(settings: Settings) -> tuple[Settings, str | None]:
    """Settings with an admin key; the key is returned when we had to make one for this run."""
    if settings.server.admin_key.get_secret_value():
        return settings, None
    key = "zk-admin-" + secrets.token_urlsafe(24)
    server = settings.server.model_copy(update={"admin_key": SecretStr(key)})
    return settings.model_copy(update={"server": server}), key


def serve(
    host: Annotated[str | None, typer.Option(help="监听地址（默认 127.0.0.1）/ bind address")] = None,
    port: Annotated[int | None, typer.Option(help="端口 / port")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    workers: Annotated[
        int,
        typer.Option(help="工作进程数（>1 需要 Milvus 服务器）/ worker processes (>1 needs a Milvus server)"),
    ] = 1,
) -> None:
    """启动 HTTP 服务与网页界面 / start the HTTP API and web UI."""
    import uvicorn

    from zhiku.server.app import create_app
    from zhiku.server.workers import check_workers

    check_workers(load_settings(), workers)
    settings, one_run_key = _with_admin_key(load_settings())
    bind = host or settings.server.host
    bind_port = port or settings.server.port
    if not _is_loopback(bind):
        err.print(
            f"[yellow]注意：服务监听 {bind}，局域网内的其他机器可以访问；请使用 HTTPS 反向代理。 / "
            f"note: listening on {bind}, reachable from other machines; put it behind HTTPS.[/yellow]"
        )
    url = f"http://{'127.0.0.1' if bind in ('0.0.0.0', '::') else bind}:{bind_port}/"
    if one_run_key:
        console.print(
            "本次运行的管理员密钥（设置 ZHIKU_SERVER__ADMIN_KEY 可固定）/ admin key for this run "
            "(set ZHIKU_SERVER__ADMIN_KEY to fix it):"
        )
        console.print(f"  [bold]{one_run_key}[/bold]")
        console.print(f"打开 / open: {url}#key={one_run_key}")
    else:
        console.print(f"打开 / open: {url}")
    if workers > 1:
        _serve_workers(settings, one_run_key, bind, bind_port, log_level, workers)
        return
    grace = settings.server.shutdown_grace_s
    config = uvicorn.Config(
        create_app(settings),
        host=bind,
        port=bind_port,
        log_level=log_level,
        timeout_graceful_shutdown=max(int(grace), 1),
    )
    _GracefulServer(config, grace).run()


def _graceful_server_class() -> type:
    import uvicorn

    class GracefulServer(uvicorn.Server):
        """SIGTERM/SIGINT: stop accepting, give requests in flight ``grace`` seconds, then go.

        uvicorn alone waits for every open request; a worker thread stuck in a long answer or
        ingest then kept the process alive after SIGTERM.  A watchdog ends the process if
        closing takes more than ``grace`` + 10 s in all.
        """

        def __init__(self, config: uvicorn.Config, grace: float) -> None:
            super().__init__(config)
            self.grace = grace

        def handle_exit(self, sig: int, frame: Any) -> None:
            if not self.should_exit:
                err.print(
                    f"正在停止服务：最多等待 {self.grace:g} 秒让进行中的请求完成 / "
                    f"stopping: giving requests in flight up to {self.grace:g} s"
                )
                watchdog = threading.Timer(self.grace + 10, _force_exit)
                watchdog.daemon = True
                watchdog.start()
            super().handle_exit(sig, frame)

        async def shutdown(self, sockets: Any = None) -> None:
            await super().shutdown(sockets)
            # uvicorn re-raises the captured signal after this, so say it here
            err.print("服务已停止 / server stopped")

    logging.getLogger("uvicorn.error").addFilter(_NoCancelTraceback())
    return GracefulServer


class _NoCancelTraceback(logging.Filter):
    """Requests cut off by the shutdown grace period are expected: log one line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, asyncio.CancelledError)


def _GracefulServer(config: Any, grace: float) -> Any:
    return _graceful_server_class()(config, grace)


def _force_exit() -> None:
    err.print("[red]停止超时，强制退出 / shutdown timed out, exiting now[/red]")
    os._exit(1)


def _serve_workers(
    settings: Settings, one_run_key: str | None, bind: str, port: int, log_level: str, workers: int
) -> None:
    """uvicorn's multi-process mode: each worker builds the app from the same settings."""
    import os

    import uvicorn

    if one_run_key:  # the workers load settings themselves: hand them this run's admin key
        os.environ["ZHIKU_SERVER__ADMIN_KEY"] = one_run_key
    console.print(f"{workers} 个工作进程 / worker processes, vectors: {settings.index.milvus_uri}")
    uvicorn.run(
        "zhiku.server.workers:create_app_from_settings",
        factory=True,
        host=bind,
        port=port,
        log_level=log_level,
        workers=workers,
    )


def _store() -> KeyStore:
    from zhiku.server.keys import KeyStore

    return KeyStore(load_settings().home / "keys.sqlite")


def keys_create(
    name: Annotated[str, typer.Argument(help="密钥名称（谁在用）/ key name (who uses it)")],
    grant: Annotated[
        list[str] | None,
        typer.Option("--grant", "-g", help="KB:LEVEL，如 demo:read、demo:write、*:admin（可重复）"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """创建 API 密钥（只显示这一次）/ create an API key (shown this once only)."""
    from zhiku.server.keys import Grant

    store = _store()
    info, secret = store.create(name, [Grant.parse(g) for g in grant or []])
    grants = [f"{g.kb}:{g.level}" for g in info.grants]
    if as_json:
        print(
            json.dumps(
                {"key_id": info.key_id, "name": info.name, "grants": grants, "key": secret},
                ensure_ascii=False,
            )
        )
        return
    console.print(f"密钥 / key [bold]{info.key_id}[/bold] ({info.name}) grants: {', '.join(grants) or '-'}")
    console.print("请立即保存，之后无法再次查看 / save it now, it cannot be shown again:")
    console.print(f"  [bold]{secret}[/bold]")


def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """列出密钥（不含密钥本身）/ list keys (never the secrets)."""
    store = _store()
    rows = store.list()
    if as_json:
        data = [
            {
                "key_id": k.key_id,
                "name": k.name,
                "revoked": k.revoked,
                "grants": [f"{g.kb}:{g.level}" for g in k.grants],
            }
            for k in rows
        ]
        print(json.dumps(data, ensure_ascii=False))
        return
    table = Table("key_id", "name", "grants", "revoked")
    for k in rows:
        table.add_row(
            k.key_id, k.name, ", ".join(f"{g.kb}:{g.level}" for g in k.grants), "yes" if k.revoked else ""
        )
    console.print(table)


def keys_revoke(key_id: Annotated[str, typer.Argument(help="key_id")]) -> None:
    """吊销密钥 / revoke a key."""
    store = _store()
    store.revoke(key_id)
    console.print(f"已吊销 / revoked {key_id}")


def keys_grant(
    key_id: Annotated[str, typer.Argument(help="key_id")],
    grant: Annotated[str, typer.Argument(help="KB:LEVEL, e.g. demo:write")],
) -> None:
    """给密钥增加或修改授权 / add or change a grant of a key."""
    from zhiku.server.keys import Grant

    store = _store()
    parsed = Grant.parse(grant)
    store.grant(key_id, parsed)
    console.print(f"{key_id}: {parsed.kb}:{parsed.level}")
