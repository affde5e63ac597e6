"""Helpers shared by the server tests: settings, documents, upload and SSE parsing."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from zhiku.config import Settings, load_settings

ADMIN_KEY = "test-admin-key-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}

DOCS: dict[str, str] = {
    "market.md": (
        "# 人工智能市场\n\n2023年，某国人工智能产业规模达到2137亿元，同比增长13.9%。"
        "预计到2028年，产业规模将达到8110亿元。\n\n## 算力\n\n"
        "2023年智能算力市场规模为5097亿元，AI芯片市场规模约为620亿元。\n"
    ),
    "companies.txt": (
        "星河科技于2023年3月发布了大模型“星河一号”，主要用于金融客服。\n\n"
        "云帆数据是一家提供数据标注服务的公司，总部位于杭州，员工约1200人。\n"
    ),
    "english.md": "# Robotics\n\nIn 2024 the robotics market reached 95 billion dollars according to the survey.\n",
}


def make_settings(home: Path, **server: Any) -> Settings:
    return load_settings(
        home=home,
        index={"embedder": "hashing"},
        server={"admin_key": ADMIN_KEY, **server},
    )


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in DOCS.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def upload(
    client: TestClient | httpx.Client, kb: str, files: dict[str, bytes], headers: dict[str, str]
) -> Any:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files.items()]
    return client.post(f"/api/kb/{kb}/documents", files=parts, headers=headers)


def wait_job(
    client: TestClient | httpx.Client, job_id: str, headers: dict[str, str], timeout: float = 120
) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def sse_data(text: str) -> list[Any]:
    """The JSON payloads of a text/event-stream body (``[DONE]`` kept as a string)."""
    out: list[Any] = []
    for block in text.split("\n\n"):
        data = "\n".join(line[5:].lstrip() for line in block.splitlines() if line.startswith("data:"))
        if data:
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


@dataclass
class LiveServer:
    """A uvicorn server started by the ``live_server`` fixture."""

    url: str
    settings: Settings
