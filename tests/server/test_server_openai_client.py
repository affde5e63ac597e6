"""The official ``openai`` Python client, unchanged, against a live server on 127.0.0.1."""

from __future__ import annotations

import httpx
import openai
import pytest
from server_helpers import ADMIN, ADMIN_KEY

from conftest import LiveServer

pytestmark = pytest.mark.integration

QUESTION = "2023年人工智能产业规模是多少？"


def _client(server: LiveServer, key: str = ADMIN_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0, timeout=60)


def test_models_and_completion(live_server: LiveServer) -> None:
    client = _client(live_server)
    assert "demo" in [m.id for m in client.models.list()]
    assert client.models.retrieve("demo").owned_by == "zhiku"
    completion = client.chat.completions.create(
        model="demo",
        messages=[{"role": "system", "content": "answer briefly"}, {"role": "user", "content": QUESTION}],
        temperature=0,
    )
    assert completion.choices[0].finish_reason == "stop"
    assert "2137" in (completion.choices[0].message.content or "")
    extra = completion.model_extra or {}
    assert extra["citations"] and extra["route"] and "stages" in extra["trace"]


def test_streaming(live_server: LiveServer) -> None:
    client = _client(live_server)
    stream = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text, final, usage = "", None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        if not chunk.choices:
            continue
        text += chunk.choices[0].delta.content or ""
        if chunk.choices[0].finish_reason == "stop":
            final = chunk.model_extra or {}
    assert "2137" in text
    assert final is not None and final["citations"] and final["route"]
    assert usage is not None and usage.total_tokens >= 0


def test_errors_map_to_client_exceptions(live_server: LiveServer) -> None:
    with pytest.raises(openai.AuthenticationError):
        _client(live_server, "zk-wrong-key").models.list()
    created = httpx.post(f"{live_server.url}/api/keys", json={"name": "nobody", "grants": []}, headers=ADMIN)
    stranger = _client(live_server, created.json()["key"])
    assert list(stranger.models.list()) == []
    with pytest.raises(openai.NotFoundError) as missing:
        stranger.chat.completions.create(model="demo", messages=[{"role": "user", "content": QUESTION}])
    assert "demo" not in str(missing.value)
    with pytest.raises(openai.BadRequestError):
        _client(live_server).chat.completions.create(
            model="demo", messages=[{"role": "system", "content": "hi"}]
        )
