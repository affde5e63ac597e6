"""Conversations, follow-ups and feedback through the official ``openai`` client and the HTTP API.

A live uvicorn on 127.0.0.1 (the ``live_server`` fixture) with a KB of an invented report: the
follow-up "那2025年呢？" must be answered about the same product in 2025, and the pronoun
follow-up "它的三年复合增长率是多少？" must stay on that product (not drift to the other one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from server_helpers import ADMIN, ADMIN_KEY, upload, wait_job

from conftest import LiveServer

pytestmark = pytest.mark.integration

REPORT = (
    "# 某省新能源产业年报\n\n## 储能\n\n"
    "2022年某省储能电池出货量为30GWh，同比增长52%。\n\n"
    "预计到2025年，某省储能电池出货量将达到83GWh，三年复合增长率为40.4%。\n\n"
    "## 光伏\n\n"
    "2022年某省光伏组件产量为12GW，预计光伏组件的三年复合增长率为17.5%。\n"
)
KB = "energy"
FIRST = "2022年某省储能电池出货量是多少？"


@pytest.fixture(scope="module")
def energy(live_server: LiveServer) -> LiveServer:
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        assert c.post("/api/kb", json={"name": KB}, headers=ADMIN).status_code == 201
        job = wait_job(c, upload(c, KB, {"annual.md": REPORT.encode()}, ADMIN).json()["id"], ADMIN)
        assert job["state"] == "done", job
    return live_server


def _client(server: LiveServer, key: str = ADMIN_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0, timeout=60)


def _chat(client: openai.OpenAI, messages: list[dict[str, str]], **extra: Any) -> tuple[str, dict[str, Any]]:
    done = client.chat.completions.create(model=KB, messages=messages, extra_body=extra or None)  # type: ignore[arg-type]
    return done.choices[0].message.content or "", done.model_extra or {}


def test_follow_ups_are_answered_about_the_earlier_subject(energy: LiveServer) -> None:
    client = _client(energy)
    first, _ = _chat(client, [{"role": "user", "content": FIRST}])
    assert "30" in first
    history = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first}]
    year, extra = _chat(client, [*history, {"role": "user", "content": "那2025年呢？"}])
    assert "83" in year, year
    assert extra["zhiku"]["rewritten_question"] == "2025年某省储能电池出货量是多少？"
    assert any("2025年某省储能电池出货量是多少？" in n for n in extra["trace"]["notes"])
    pronoun, extra = _chat(client, [*history, {"role": "user", "content": "它的三年复合增长率是多少？"}])
    assert "40.4" in pronoun and "17.5" not in pronoun, pronoun
    assert "储能电池" in extra["zhiku"]["rewritten_question"]


def test_streamed_follow_up_and_english_follow_up(energy: LiveServer) -> None:
    client = _client(energy)
    history = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": "30GWh"}]
    stream = client.chat.completions.create(
        model=KB,
        messages=[*history, {"role": "user", "content": "那2025年呢？"}],
        stream=True,  # type: ignore[list-item]
    )
    text, final = "", {}
    for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            if chunk.choices[0].finish_reason == "stop":
                final = chunk.model_extra or {}
    assert "83" in text and final["zhiku"]["rewritten_question"].startswith("2025年")
    english = [
        {"role": "user", "content": "How much did the shipments grow in 2022?"},
        {"role": "assistant", "content": "52% [1]"},
        {"role": "user", "content": "What about 2025?"},
    ]
    _, extra = _chat(client, english)
    assert extra["zhiku"]["rewritten_question"] == "How much did the shipments grow in 2025?"


def test_two_questions_in_one_message_are_answered_as_two_parts(energy: LiveServer) -> None:
    text, extra = _chat(_client(energy), [{"role": "user", "content": FIRST + "2025年预计多少？"}])
    assert extra["trace"]["notes"][0].startswith("split into 2 questions")
    parts = extra["zhiku"]["parts"]
    assert [p["question"] for p in parts] == [FIRST, "2025年某省储能电池出货量是多少？"]
    assert "30" in parts[0]["answer"] and "83" in parts[1]["answer"]
    assert text.index("30") < text.index("83")
    indexes = [c["index"] for c in extra["citations"]]
    assert indexes == list(range(1, len(indexes) + 1))


def test_conversations_are_stored_resumed_renamed_and_deleted(energy: LiveServer) -> None:
    api = httpx.Client(base_url=energy.url, headers=ADMIN, timeout=60)
    conv = api.post("/api/conversations", json={"kb": KB}).json()
    client = _client(energy)
    first, extra = _chat(client, [{"role": "user", "content": FIRST}], conversation_id=conv["id"])
    assert extra["conversation_id"] == conv["id"] and extra["message_id"] > 0
    _chat(
        client,
        [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first},
         {"role": "user", "content": "那2025年呢？"}],
        conversation_id=conv["id"],
    )  # fmt: skip
    detail = api.get(f"/api/conversations/{conv['id']}").json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "user", "assistant"]
    assert detail["title"] == FIRST and "83" in detail["messages"][3]["content"]
    assert detail["messages"][3]["answer"]["citations"][0]["source"] == "annual.md"
    # regenerate: the last exchange is replaced, not appended
    _chat(client, [{"role": "user", "content": "那2025年呢？"}], conversation_id=conv["id"], regenerate=True)
    assert len(api.get(f"/api/conversations/{conv['id']}").json()["messages"]) == 4
    assert (
        api.patch(f"/api/conversations/{conv['id']}", json={"title": "储能 出货量"}).json()["title"]
        == "储能 出货量"
    )
    listed = api.get("/api/conversations", params={"kb": KB}).json()
    assert listed[0]["id"] == conv["id"] and listed[0]["messages"] == 4
    # another key sees none of it, and cannot write into it
    other = api.post("/api/keys", json={"name": "reader", "grants": [f"{KB}:read"]}).json()["key"]
    stranger = httpx.Client(base_url=energy.url, headers={"Authorization": f"Bearer {other}"}, timeout=60)
    assert stranger.get("/api/conversations").json() == []
    assert stranger.get(f"/api/conversations/{conv['id']}").status_code == 404
    with pytest.raises(openai.NotFoundError):
        _chat(_client(energy, other), [{"role": "user", "content": FIRST}], conversation_id=conv["id"])
    assert api.delete(f"/api/conversations/{conv['id']}").status_code == 204
    assert api.get(f"/api/conversations/{conv['id']}").status_code == 404
    assert api.patch("/api/conversations/nope", json={"title": "x"}).status_code == 404


def test_feedback_is_stored_and_exported_as_qa_cases(energy: LiveServer, tmp_path: Path) -> None:
    api = httpx.Client(base_url=energy.url, headers=ADMIN, timeout=60)
    conv = api.post("/api/conversations", json={"kb": KB}).json()
    client = _client(energy)
    first, _ = _chat(client, [{"role": "user", "content": FIRST}], conversation_id=conv["id"])
    _, extra = _chat(
        client,
        [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first},
         {"role": "user", "content": "那2025年呢？"}],
        conversation_id=conv["id"],
    )  # fmt: skip
    down = api.post(
        "/api/feedback", json={"message_id": extra["message_id"], "rating": "down", "comment": "单位不对"}
    )
    assert down.status_code == 201, down.text
    item = down.json()
    assert item["question"] == "2025年某省储能电池出货量是多少？" and item["trace"]["stages"]
    assert item["citations"] and item["kb"] == KB
    updated = api.post("/api/feedback", json={**item, "correct_answer": "83GWh", "rating": "down"}).json()
    assert updated["id"] == item["id"] and updated["correct_answer"] == "83GWh"
    resumed = api.get(f"/api/conversations/{conv['id']}").json()["messages"]
    assert resumed[3]["feedback"]["rating"] == "down" and resumed[3]["feedback"]["comment"] == "单位不对"
    assert resumed[1]["feedback"] is None
    up = api.post(
        "/api/feedback",
        json={"kb": KB, "rating": "up", "question": "How much did shipments grow?", "answer": "52% [1]"},
    )
    assert up.status_code == 201
    assert api.post("/api/feedback", json={"rating": "down"}).status_code == 400
    assert api.post("/api/feedback", json={"rating": "meh", "message_id": 1}).status_code == 422

    out = tmp_path / "failures.jsonl"
    env = {**os.environ, "ZHIKU_HOME": str(energy.settings.home)}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("zhiku")), "feedback", "export", "--kb", KB, "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert row["question"] == "2025年某省储能电池出货量是多少？" and row["answers"] == ["83GWh"]
    assert row["rejected_answers"] and row["origin"] == "feedback" and row["kb"] == KB
    assert row["comment"] == "单位不对" and isinstance(row["id"], str) and row["created_at"]


def test_asking_inside_a_stored_conversation_uses_its_history(energy: LiveServer) -> None:
    api = httpx.Client(base_url=energy.url, headers=ADMIN, timeout=60)
    conv = api.post("/api/conversations", json={"kb": KB, "title": "储能"}).json()
    first = api.post(f"/api/conversations/{conv['id']}/messages", json={"question": FIRST}).json()
    assert "30" in first["answer"]["answer"] and first["message_id"] > 0
    follow = api.post(f"/api/conversations/{conv['id']}/messages", json={"question": "那2025年呢？"}).json()
    assert "83" in follow["answer"]["answer"]
    assert follow["answer"]["rewritten_question"] == "2025年某省储能电池出货量是多少？"
    again = api.post(
        f"/api/conversations/{conv['id']}/messages", json={"question": "那2025年呢？", "regenerate": True}
    ).json()
    assert "83" in again["answer"]["answer"]
    detail = api.get(f"/api/conversations/{conv['id']}").json()
    assert detail["title"] == "储能" and len(detail["messages"]) == 4
    missing = api.post("/api/conversations/nope/messages", json={"question": FIRST})
    assert missing.status_code == 404
