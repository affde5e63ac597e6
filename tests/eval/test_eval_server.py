"""Evaluations from the API (a job with progress) and in Chromium: the 评测 / Evaluation page and
the self-contained HTML report, both without console errors or outside requests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from eval_helpers import eval_settings, write_docs
from fastapi.testclient import TestClient

from zhiku.config import Settings, overlay_settings
from zhiku.eval.report_html import render_html
from zhiku.server.app import create_app
from zhiku.store.catalog import Catalog
from zhiku.wiring import create_kb

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "eval-admin-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
CHROMIUM = Path("/usr/bin/chromium")
SHOT = os.environ.get("ZHIKU_EVAL_SHOT")  # e.g. docs/screenshots/eval-report.png keeps the screenshot
BODY = {
    "generate": 10,
    "configs": [{"name": "base"}, {"name": "top2", "settings": {"retrieval": {"top_k": 2}}}],
    "margin": 2,
}


@pytest.fixture(scope="module")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("eval-server")
    settings = overlay_settings(eval_settings(root / "home"), {"server": {"admin_key": KEY}})
    with create_kb(settings, "t") as kb:
        assert not kb.ingest([write_docs(root / "docs")]).failed
    return settings


def _wait(client: Any, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.time() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/api/eval/jobs/{job_id}", headers=AUTH).json()
        if job["state"] in ("done", "failed") or time.time() > deadline:
            return job
        time.sleep(0.2)


def _contents(settings: Settings) -> tuple[str, list[tuple[str, str]]]:
    """kb.json and every chunk: what an evaluation must leave as it was.  (Bytes of the index files
    may change here: the server itself holds the KB open and flushes it.)"""
    path = settings.kb_dir("t")
    catalog = Catalog(path / "catalog.sqlite")
    try:
        chunks = [(c.chunk_id, c.text) for c in catalog.chunks()]
    finally:
        catalog.close()
    return (path / "kb.json").read_text(encoding="utf-8"), chunks


def test_api_runs_an_evaluation_job_and_serves_its_reports(server_settings: Settings) -> None:
    before = _contents(server_settings)
    with TestClient(create_app(server_settings)) as client:
        assert client.post("/api/kb/t/eval", json=BODY).status_code == 401
        bad = client.post("/api/kb/t/eval", json={"configs": [{"name": "x"}]}, headers=AUTH)
        assert bad.status_code == 400 and "generate" in bad.json()["error"]["message_en"]
        started = client.post("/api/kb/t/eval", json=BODY, headers=AUTH)
        assert started.status_code == 202, started.text
        job = _wait(client, started.json()["id"])
        assert job["state"] == "done", job
        assert job["done"] == job["total"] > 0 and job["report_id"]
        listed = client.get("/api/kb/t/eval/reports", headers=AUTH).json()
        assert listed[0]["id"] == job["report_id"] and listed[0]["configs"] == ["base", "top2"]
        report = client.get(f"/api/kb/t/eval/reports/{job['report_id']}", headers=AUTH).json()
        assert report["recommendation"]["config"] in ("base", "top2") and report["items"]
        page = client.get(f"/api/kb/t/eval/reports/{job['report_id']}/html", headers=AUTH)
        assert page.status_code == 200 and "attachment" in page.headers["content-disposition"]
        assert client.get("/api/kb/t/eval/reports/20990101T000000Z-0000", headers=AUTH).status_code == 404
        assert client.get("/api/kb/t/eval/reports/..%2F..%2Fkeys", headers=AUTH).status_code == 404
    assert _contents(server_settings) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_url(server_settings: Settings) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(server_settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Any, locale: str) -> tuple[Any, list[str], list[str]]:
    context = browser.new_context(locale=locale, viewport={"width": 1360, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: requests.append(req.url))
    return page, errors, requests


@pytest.mark.browser
def test_evaluation_page_starts_a_run_and_shows_the_report(browser: Any, live_url: str) -> None:
    main, _, _ = _page(browser, "zh-CN")
    main.goto(f"{live_url}/")
    assert main.locator("#eval-link").get_attribute("href") == "/static/eval.html"
    page, errors, requests = _page(browser, "zh-CN")
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_url}/static/eval.html#key={KEY}")
    page.wait_for_selector("#kb option[value='t']", state="attached")
    page.fill("#gen-n", "10")
    page.fill("#configs", "base:\ntop2: retrieval.top_k=2")
    page.click("#run-form button[type=submit]")
    page.wait_for_selector(".ev-rec", timeout=120_000)
    assert page.locator("#report svg").count() == 2
    assert page.locator("#reports li").count() >= 1
    assert "推荐配置" in page.inner_text(".ev-rec")
    page.click("#lang")
    assert "Recommended" in page.inner_text(".ev-rec")
    if SHOT:
        Path(SHOT).parent.mkdir(parents=True, exist_ok=True)
        page.click("#lang")
        page.screenshot(path=SHOT, full_page=False)
    assert errors == []
    assert all(u.startswith(live_url) for u in requests), requests


@pytest.mark.browser
def test_html_report_is_self_contained_and_error_free(
    browser: Any, tmp_path: Path, server_settings: Settings
) -> None:
    from zhiku.eval.store import list_reports, load_report

    rows = list_reports(server_settings.home, "t")
    if not rows:
        pytest.skip("no report saved yet")
    data = load_report(server_settings.home, "t", rows[0]["id"])
    path = tmp_path / "report.html"
    path.write_text(render_html(data), encoding="utf-8")
    page, errors, requests = _page(browser, "en-US")
    page.goto(path.as_uri())
    assert page.locator("svg").count() == 2 and page.locator("table").count() >= 2
    assert "recommended" in page.inner_text(".rec")
    assert errors == [] and requests == [path.as_uri()]
