"""The HTTP API end to end on the real app (in-process ASGI): KBs, upload jobs, ask, OpenAI shape."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_helpers import ADMIN, ADMIN_KEY, make_settings, sse_data, upload, wait_job

from zhiku.server.app import create_app

pytestmark = pytest.mark.integration

QUESTION = "2023年人工智能产业规模是多少？"


def test_health_ready_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/chat/completions",
        "/v1/models",
        "/api/kb",
        "/api/kb/{kb}/documents",
        "/api/jobs/{job_id}",
    ):
        assert path in spec["paths"]


def test_keys_are_required(client: TestClient) -> None:
    response = client.get("/api/kb")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["type"] == "UnauthenticatedError"
    assert client.get("/api/kb", headers={"Authorization": "Bearer zk-nope-nope"}).status_code == 401
    assert client.get("/api/kb", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_kb_lifecycle(client: TestClient) -> None:
    assert client.post("/api/kb", json={"name": "临时库"}, headers=ADMIN).status_code == 201
    assert client.post("/api/kb", json={"name": "临时库"}, headers=ADMIN).status_code == 409
    bad = client.post("/api/kb", json={"name": "../x"}, headers=ADMIN)
    assert bad.status_code == 422 and "name" in bad.json()["error"]["message_en"]
    names = [k["name"] for k in client.get("/api/kb", headers=ADMIN).json()]
    assert {"demo", "临时库"} <= set(names)
    info = client.get("/api/kb/临时库", headers=ADMIN).json()
    assert info["documents"] == 0 and "path" not in info
    assert client.delete("/api/kb/临时库", headers=ADMIN).status_code == 204
    assert client.get("/api/kb/临时库", headers=ADMIN).status_code == 404


def test_documents_listed_without_server_paths(client: TestClient) -> None:
    docs = client.get("/api/kb/demo/documents", headers=ADMIN).json()
    assert sorted(d["source"] for d in docs) == ["companies.txt", "english.md", "market.md"]
    assert all(d["status"] == "ok" and d["chunks"] > 0 for d in docs)


def test_upload_job_reports_each_file(client: TestClient) -> None:
    files = {
        "../../escape.md": "# 逃逸\n\n这份文件的名字试图跳出上传目录。".encode(),
        "notes.exe": b"MZ",
        "空白.txt": b"",
    }
    response = upload(client, "demo", files, ADMIN)
    assert response.status_code == 202
    job = wait_job(client, response.json()["id"], ADMIN)
    by_name = {f["name"]: f for f in job["files"]}
    assert set(by_name) == {"escape.md", "notes.exe", "空白.txt"}
    assert by_name["escape.md"]["status"] == "added" and by_name["escape.md"]["chunks"] >= 1
    assert by_name["notes.exe"]["status"] == "failed" and "unsupported" in by_name["notes.exe"]["error"]
    home = client.app.state.zhiku.settings.home  # type: ignore[attr-defined]
    assert (home / "uploads" / "demo" / "escape.md").is_file()
    assert not (home.parent / "escape.md").exists() and not (home / "escape.md").exists()
    events = sse_data(client.get(f"/api/jobs/{job['id']}/events", headers=ADMIN).text)
    assert events[-1]["state"] == "done"
    doc = next(
        d for d in client.get("/api/kb/demo/documents", headers=ADMIN).json() if d["source"] == "escape.md"
    )
    assert client.delete(f"/api/kb/demo/documents/{doc['doc_id']}", headers=ADMIN).json() == {
        "removed": [doc["doc_id"]]
    }
    assert not (home / "uploads" / "demo" / "escape.md").exists()
    assert client.delete(f"/api/kb/demo/documents/{doc['doc_id']}", headers=ADMIN).status_code == 404


def test_search_and_ask(client: TestClient) -> None:
    hits = client.post(
        "/api/kb/demo/search", json={"query": "智能算力市场规模", "top_k": 3}, headers=ADMIN
    ).json()
    assert hits["hits"] and "5097" in hits["hits"][0]["text"]
    assert hits["hits"][0]["source"] == "market.md"
    answer = client.post("/api/kb/demo/ask", json={"question": QUESTION}, headers=ADMIN).json()
    assert "2137" in answer["answer"] and answer["found"]
    assert answer["citations"] and answer["citations"][0]["source"] == "market.md"
    assert answer["route"] and "stages" in answer["trace"]
    chunk = client.get(f"/api/kb/demo/chunks/{answer['citations'][0]['chunk_id']}", headers=ADMIN).json()
    assert answer["citations"][0]["text"][:10] in chunk["text"] and chunk["title"]
    empty = client.post("/api/kb/demo/ask", json={"question": ""}, headers=ADMIN)
    assert empty.status_code == 422 and empty.json()["error"]["message_en"].startswith("invalid request")


def test_chat_completions_json_and_stream(client: TestClient) -> None:
    body = {"model": "demo", "messages": [{"role": "user", "content": QUESTION}], "temperature": 0.2}
    data = client.post("/v1/chat/completions", json=body, headers=ADMIN).json()
    assert data["object"] == "chat.completion" and data["model"] == "demo"
    assert "2137" in data["choices"][0]["message"]["content"]
    assert data["citations"] and data["route"] and data["trace"] and data["zhiku"]["found"]
    stream = client.post("/v1/chat/completions", json=body | {"stream": True}, headers=ADMIN)
    assert stream.headers["content-type"].startswith("text/event-stream")
    events = sse_data(stream.text)
    assert events[-1] == "[DONE]"
    chunks = [e for e in events if isinstance(e, dict)]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert "2137" in text
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop" and final["citations"] and final["route"]
    models = client.get("/v1/models", headers=ADMIN).json()
    assert "demo" in [m["id"] for m in models["data"]]


def test_metrics_count_requests_answers_and_ingestion(client: TestClient) -> None:
    client.post("/api/kb/demo/ask", json={"question": QUESTION}, headers=ADMIN)
    text = client.get("/metrics").text
    assert 'zhiku_http_requests_total{method="POST",route="/api/kb/{kb}/ask",status="200"}' in text
    assert "zhiku_http_request_duration_seconds_bucket" in text
    assert "zhiku_answers_total{route=" in text
    assert 'zhiku_ingest_files_total{status="added"}' in text
    assert "zhiku_ingest_chunks_total" in text
    assert "demo" not in text  # labels are route templates, never KB names


def test_errors_have_one_shape(client: TestClient) -> None:
    missing = client.get("/no/such/path").json()["error"]
    assert missing["code"] == 404 and missing["message_zh"] and missing["message_en"]
    english = client.get("/api/kb/nothing", headers=ADMIN | {"Accept-Language": "en-US"}).json()["error"]
    assert english["message"] == english["message_en"]


def test_ui_is_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "智库" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("app.js", "api.js", "i18n.js", "chart.js", "graph.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert (
        "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": "http://evil"}).headers
    )


def test_limits(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", max_file_mb=0.001, max_request_mb=0.05, max_files=2)
    with TestClient(create_app(settings)) as c:
        c.post("/api/kb", json={"name": "small"}, headers=ADMIN)
        big = upload(c, "small", {"big.txt": b"x" * 5000}, ADMIN)
        job = wait_job(c, big.json()["id"], ADMIN)
        assert job["files"][0]["status"] == "failed" and "MB" in job["files"][0]["error"]
        too_many = upload(c, "small", {f"{i}.txt": b"a" for i in range(3)}, ADMIN)
        assert too_many.status_code == 400
        huge = upload(c, "small", {"huge.txt": b"y" * 80_000}, ADMIN)
        assert huge.status_code == 413 and huge.json()["error"]["type"] == "FileTooLargeError"
        assert list((settings.home / "uploads" / ".staging").iterdir()) == []  # nothing left behind
    with TestClient(create_app(make_settings(tmp_path / "home2"))) as c:
        c.post("/api/kb", json={"name": "json"}, headers=ADMIN)
        body = {"question": "问" * 10, "history": [{"role": "user", "content": "长" * 2_000_000}]}
        assert c.post("/api/kb/json/ask", json=body, headers=ADMIN).status_code == 413


def test_cors_when_configured(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", cors_origins=["http://intranet.example"])
    with TestClient(create_app(settings)) as c:
        ok = c.get("/healthz", headers={"Origin": "http://intranet.example"})
        assert ok.headers["access-control-allow-origin"] == "http://intranet.example"
        assert (
            "access-control-allow-origin" not in c.get("/healthz", headers={"Origin": "http://evil"}).headers
        )


def test_admin_key_api(client: TestClient) -> None:
    created = client.post("/api/keys", json={"name": "ci", "grants": ["demo:read"]}, headers=ADMIN)
    assert created.status_code == 201
    key = created.json()["key"]
    assert key and all(k["key"] is None for k in client.get("/api/keys", headers=ADMIN).json())
    me = client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me["grants"] == {"demo": "read"} and not me["admin"]
    assert client.get("/api/keys", headers={"Authorization": f"Bearer {key}"}).status_code == 403
    assert client.delete(f"/api/keys/{created.json()['key_id']}", headers=ADMIN).status_code == 204
    assert client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_facts_tables_and_graph(client: TestClient) -> None:
    me = client.get("/api/me", headers=ADMIN).json()
    if me["features"]["facts"]:
        facts = client.get("/api/kb/demo/facts", params={"period": "2023"}, headers=ADMIN).json()["facts"]
        assert any(f["raw"].startswith("2137") for f in facts)
        assert isinstance(client.get("/api/kb/demo/tables", headers=ADMIN).json()["tables"], list)
    if not me["features"]["graph"]:
        pytest.skip("graph feature disabled")
    summary = client.get("/api/kb/demo/graph", headers=ADMIN).json()
    assert summary["stats"]["entities"] == len(summary["entities"]) or len(summary["entities"]) == 30
    if not summary["entities"]:
        pytest.skip("the extractor found no entity in the test documents")
    first = summary["entities"][0]
    hood = client.get("/api/kb/demo/graph/entity", params={"name": first["name"]}, headers=ADMIN).json()
    assert hood["center"]["id"] == first["id"]
    assert all(e["src"] in {n["id"] for n in hood["nodes"]} for e in hood["edges"])
    missing = client.get("/api/kb/demo/graph/entity", params={"name": "不存在的实体名"}, headers=ADMIN)
    assert missing.status_code == 404


def test_server_stays_responsive_while_a_kb_is_busy(client: TestClient) -> None:
    """Asks queued behind a long write (ingestion) must not starve health checks and key lookups."""
    entry = client.app.state.zhiku.hub.entry("demo")  # type: ignore[attr-defined]
    held, release = threading.Event(), threading.Event()

    def hold_write_lock() -> None:
        with entry.lock.writing():
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    assert held.wait(10)
    statuses: list[int] = []

    def ask_once() -> None:
        statuses.append(
            client.post("/api/kb/demo/ask", json={"question": QUESTION}, headers=ADMIN).status_code
        )

    askers = [threading.Thread(target=ask_once) for _ in range(45)]
    try:
        for thread in askers:
            thread.start()
        time.sleep(1.0)
        assert not statuses  # all waiting for the KB
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/kb", headers=ADMIN).status_code == 200
        assert client.get("/readyz").status_code == 200
    finally:
        release.set()
        for thread in askers:
            thread.join(60)
        holder.join(10)
    assert statuses == [200] * 45


def test_large_uploads_are_ingested_in_batches(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path / "home"))) as c:
        c.app.state.zhiku.jobs.batch_files = 2  # type: ignore[attr-defined]
        c.post("/api/kb", json={"name": "batches"}, headers=ADMIN)
        files = {
            f"第{i}章.md": f"# 第{i}章\n\n第{i}章讲的是编号为{i * 111}的项目。".encode() for i in range(1, 6)
        }
        job = wait_job(c, upload(c, "batches", files, ADMIN).json()["id"], ADMIN)
        assert job["state"] == "done" and [f["status"] for f in job["files"]] == ["added"] * 5
        answer = c.post("/api/kb/batches/search", json={"query": "编号为333的项目"}, headers=ADMIN).json()
        assert "333" in answer["hits"][0]["text"]


def test_aigc_label_header_when_the_answer_carries_one(client: TestClient) -> None:
    response = client.post("/api/kb/demo/ask", json={"question": QUESTION}, headers=ADMIN)
    if "aigc" not in response.json():
        pytest.skip("no AIGC label configured on answers")
    assert response.headers["x-aigc-label"].startswith("label=1; producer=")
