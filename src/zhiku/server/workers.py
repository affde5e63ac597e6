"""The app factory that ``zhiku serve --workers N`` hands to uvicorn (one app per worker process).

uvicorn starts each worker by import string, so settings cannot be passed as an object: every
worker loads them itself (``config.load_settings``: the environment and config file, the same
for all workers; the parent puts a one-run admin key into the environment first).

Several workers are allowed only when the vectors live on a Milvus server: a Milvus Lite file
may be opened by one process at a time.

>>> uvicorn.run("zhiku.server.workers:create_app_from_settings", factory=True, workers=2)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhiku.config import Settings, load_settings
from zhiku.errors import ConfigError

if TYPE_CHECKING:
    from fastapi import FastAPI


def check_workers(settings: Settings, workers: int) -> None:
    """Refuse several workers on Milvus Lite, with the way out in the message."""
    if workers < 1:
        raise ConfigError(f"--workers 必须 ≥ 1，收到 {workers}", f"--workers must be ≥ 1, got {workers}")
    if workers > 1 and not settings.index.milvus_uri:
        raise ConfigError(
            "多个工作进程需要 Milvus 服务器：Milvus Lite 的向量文件同一时间只能由一个进程打开。"
            "请设置 ZHIKU_MILVUS_URI=http://主机:19530（见 docs/deploy.md），或使用 --workers 1",
            "several workers need a Milvus server: a Milvus Lite vector file can be opened by one "
            "process at a time. Set ZHIKU_MILVUS_URI=http://host:19530 (see docs/deploy.md) or use --workers 1",
            workers=workers,
        )


def create_app_from_settings() -> FastAPI:
    """uvicorn factory: settings from the environment / config file, as the parent saw them."""
    from zhiku.server.app import create_app

    return create_app(load_settings())
