"""Issue 16 against the real app: hostile text, names and files never give a 500, limits answer
413 with zh/en messages, errors show file names only, failed uploads leave nothing behind, and
``zhiku serve`` stops promptly on SIGTERM with a request in flight."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from server_helpers import ADMIN, ADMIN_KEY, upload, wait_job
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from zhiku.config import ServerSettings
from zhiku.server.limits import RequestTimeoutMiddleware, check_messages, fix_json_escapes
from zhiku.server.uploads import MAX_NAME_BYTES, safe_filename

pytestmark = pytest.mark.integration
SURROGATE_CHAT = b'{"model": "demo", "messages": [{"role": "user", "content": "2023\\u5e74\\ud800\\u89c4\\u6a21\\udc00?"}]}'
JSON = {**ADMIN, "Content-Type": "application/json"}


def test_lone_surrogates_never_give_a_500(client: TestClient) -> None:
    chat = client.post("/v1/chat/completions", content=SURROGATE_CHAT, headers=JSON)
    assert chat.status_code == 200, chat.text
    assert chat.json()["choices"][0]["message"]["content"]
    search = client.post("/api/kb/demo/search", content=b'{"query": "\\ud800\\u89c4\\u6a21"}', headers=JSON)
    assert search.status_code == 200, search.text
    ask = client.post(
        "/api/kb/demo/ask",
        content=b'{"question": "\\udfff", "history": [{"role": "user", "content": "\\ud800"}]}',
        headers=JSON,
    )
    assert ask.status_code in (200, 400), ask.text
    pair = client.post(
        "/api/kb/demo/search", content=b'{"query": "\\ud83d\\ude00 \\u89c4\\u6a21"}', headers=JSON
    )
    assert pair.status_code == 200 and pair.json()["query"].startswith("\U0001f600")


def test_json_escape_fixing_keeps_pairs() -> None:
    assert fix_json_escapes(b'"\\ud800x"') == b'"\\ufffdx"'
    assert fix_json_escapes(b'"\\ud83d\\ude00"') == b'"\\ud83d\\ude00"'
    assert fix_json_escapes(b'"\\ude00\\ud83d"') == b'"\\ufffd\\ufffd"'


def test_chat_input_is_bounded_before_any_work(client: TestClient) -> None:
    started = time.perf_counter()
    huge = {"model": "demo", "messages": [{"role": "user", "content": "规模" * 60_000}]}
    response = client.post("/v1/chat/completions", json=huge, headers=ADMIN)
    assert response.status_code == 413 and time.perf_counter() - started < 5
    error = response.json()["error"]
    assert "server.max_input_chars" in error["message_en"] and "输入过长" in error["message_zh"]
    many = {"model": "demo", "messages": [{"role": "user", "content": "hi"}] * 65}
    assert client.post("/v1/chat/completions", json=many, headers=ADMIN).status_code == 413
    long_question = {"question": "规模" * 2001}
    assert client.post("/api/kb/demo/ask", json=long_question, headers=ADMIN).status_code in (413, 422)
    history = {"question": "规模?", "history": [{"role": "user", "content": "x" * 20_000}] * 3}
    assert client.post("/api/kb/demo/ask", json=history, headers=ADMIN).status_code == 413


def test_check_messages_counts_all_messages() -> None:
    limits = ServerSettings(max_messages=3, max_input_chars=100, max_question_chars=10)
    check_messages(["a" * 30, "b" * 30, "c" * 10], limits, question="c" * 10)
    for texts, question in ((["a"] * 4, None), (["a" * 60, "b" * 60], None), (["q" * 11], "q" * 11)):
        with pytest.raises(Exception) as info:
            check_messages(texts, limits, question=question)
        assert getattr(info.value, "http_status", None) == 413


def test_request_time_budget_answers_504() -> None:
    async def slow(request: object) -> JSONResponse:
        await asyncio.sleep(5)
        return JSONResponse({"late": True})

    app = RequestTimeoutMiddleware(Starlette(routes=[Route("/slow", slow)]), seconds=0.2)
    with TestClient(app) as c:  # type: ignore[arg-type]
        started = time.perf_counter()
        response = c.get("/slow", headers={"Accept-Language": "en"})
    assert response.status_code == 504 and time.perf_counter() - started < 3
    assert "budget" in response.json()["error"]["message"]


def test_file_names_are_capped_by_bytes_and_cleaned() -> None:
    long_cjk = "人工智能产业发展报告" * 12 + ".md"  # 120 CJK characters = 360 UTF-8 bytes
    name = safe_filename(long_cjk)
    assert name.endswith(".md") and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_filename("report\u202etxt.exe.md") == "reporttxt.exe.md"
    assert safe_filename("a\u200b\u2066b\ud800.md") == "ab\ufffd.md"
    assert safe_filename("\u202e") == "upload"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/pad.bin", bytes(8 * 1024 * 1024))
    return buffer.getvalue()


def test_hostile_uploads_fail_cleanly_and_leave_nothing(client: TestClient) -> None:
    settings = client.app.state.zhiku.settings  # type: ignore[attr-defined]
    files = {
        "人工智能产业发展报告" * 12 + ".md": "# 标题\n\n2023年规模为100亿元。\n".encode(),
        "evil\u202etxt.md": b"# t\n\nhello world, plain text.\n",
        "empty.txt": b"",
        "bomb.docx": _zip_bomb(),
    }
    job = wait_job(client, upload(client, "demo", files, ADMIN).json()["id"], ADMIN)
    rows = {r["name"]: r for r in job["files"]}
    assert all(len(n.encode("utf-8")) <= MAX_NAME_BYTES and "\u202e" not in n for n in rows)
    assert rows["evil" + "txt.md"]["status"] == "added"
    assert next(r for n, r in rows.items() if n.startswith("人工智能"))["status"] == "added"
    home = str(settings.home)
    for name in ("empty.txt", "bomb.docx"):
        assert rows[name]["status"] == "failed"
        assert home not in rows[name]["error"] and "/tmp" not in rows[name]["error"], rows[name]["error"]
        assert not (settings.home / "uploads" / "demo" / name).exists()
    assert "bomb" in rows["bomb.docx"]["error"]
    keys = settings.home / "keys.sqlite"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_stops_promptly_on_sigterm_with_a_request_in_flight(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ)
    env.update(
        ZHIKU_HOME=str(tmp_path / "home"),
        ZHIKU_SERVER__ADMIN_KEY=ADMIN_KEY,
        ZHIKU_SERVER__SHUTDOWN_GRACE_S="2",
        ZHIKU_INDEX__EMBEDDER="hashing",
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
    )
    code = "from zhiku.cli import main; main()"
    argv = [sys.executable, "-c", code, "serve", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        # A request in flight: headers promise a body that never comes.
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + ADMIN_KEY.encode() + b'\r\nContent-Length: 100000\r\n\r\n{"model"'
        )
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert time.monotonic() - started < 20
        text = err.decode()
        assert "正在停止服务" in text and "stopping" in text and "服务已停止 / server stopped" in text
        sock.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
