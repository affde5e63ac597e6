"""Fixtures of the server tests: a real app (ASGI, in-process) and a live uvicorn on 127.0.0.1.

Both use a temporary home, Milvus Lite and the model-free hashing embedder; the documents are
small texts written here.  One module-scoped KB with the documents ingested keeps it quick.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from server_helpers import ADMIN, DOCS, LiveServer, make_settings, upload, wait_job

from zhiku.server.app import create_app


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zhiku-server")


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    """The real app in-process, with KB ``demo`` holding ``DOCS``."""
    app = create_app(make_settings(home / "home"))
    with TestClient(app) as c:
        assert c.post("/api/kb", json={"name": "demo"}, headers=ADMIN).status_code == 201
        files = {name: text.encode("utf-8") for name, text in DOCS.items()}
        job = wait_job(c, upload(c, "demo", files, ADMIN).json()["id"], ADMIN)
        assert job["state"] == "done", job
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(home: Path) -> Iterator[LiveServer]:
    """uvicorn on 127.0.0.1 in a thread, with KB ``demo`` (documents from ``DOCS``)."""
    settings = make_settings(home / "live")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/api/kb", json={"name": "demo"}, headers=ADMIN).status_code == 201
        files = {name: text.encode("utf-8") for name, text in DOCS.items()}
        assert wait_job(c, upload(c, "demo", files, ADMIN).json()["id"], ADMIN)["state"] == "done"
    try:
        yield LiveServer(url, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
