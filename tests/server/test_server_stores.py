"""The conversation and feedback stores on their own (real SQLite files in a temp folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhiku.errors import NotFoundError, QueryError
from zhiku.server.conversations import ConversationStore, db_path, default_title
from zhiku.server.feedback import FeedbackIn, FeedbackStore, export_qa

pytestmark = pytest.mark.unit


def test_conversations_belong_to_one_key(tmp_path: Path) -> None:
    store = ConversationStore(db_path(tmp_path))
    conv = store.create("k1", "demo")
    store.append("k1", conv.id, "2022年某省储能电池出货量是多少？", {"answer": "30GWh [1]", "citations": []})
    assert store.list("k1")[0].title == "2022年某省储能电池出货量是多少？"
    assert store.list("k2") == []
    with pytest.raises(NotFoundError):
        store.get("k2", conv.id)
    with pytest.raises(NotFoundError):
        store.append("k2", conv.id, "q", {"answer": "a"})
    with pytest.raises(QueryError):
        store.rename("k1", conv.id, "  ")
    _, answer = store.append("k1", conv.id, "那2025年呢？", {"answer": "83GWh"})
    info, message, asked = store.message("k1", answer.id)
    assert (info.id, message.content, asked) == (conv.id, "83GWh", "那2025年呢？")
    with pytest.raises(NotFoundError):
        store.message("k2", answer.id)
    store.append("k1", conv.id, "那2025年呢？", {"answer": "约83GWh"}, replace_last=True)
    assert [m.content for m in store.get("k1", conv.id).messages][-2:] == ["那2025年呢？", "约83GWh"]
    assert len(store.get("k1", conv.id).messages) == 4
    store.delete("k1", conv.id)
    assert store.list("k1") == []


def test_default_title_is_short() -> None:
    assert default_title("  a\nb  ") == "a b"
    assert default_title("问" * 60).endswith("…") and len(default_title("问" * 60)) == 41


def test_export_writes_only_thumbs_down_of_one_kb(tmp_path: Path) -> None:
    store = FeedbackStore(db_path(tmp_path))
    down = store.put(
        FeedbackIn("demo", "down", "What was the widget revenue in 2021?", "12 [1]"), key_id="k1"
    )
    store.put(FeedbackIn("demo", "up", "问一？", "答一"), key_id="k1")
    store.put(FeedbackIn("other", "down", "问二？", "答二", correct_answer="对的"), key_id="k1")
    store.put(FeedbackIn("demo", "down", "x", "y", comment="单位错了", id=down.id), key_id="k1")
    with pytest.raises(NotFoundError):
        store.put(FeedbackIn("demo", "down", "x", "y", id=down.id), key_id="k2")
    with pytest.raises(QueryError):
        store.put(FeedbackIn("demo", "down", " ", "y"), key_id="k1")
    out = tmp_path / "out" / "failures.jsonl"
    assert export_qa(store, "demo", out) == 1
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["question"] == "What was the widget revenue in 2021?" and row["answers"] == []
    assert row["rejected_answers"] == ["12 [1]"] and row["comment"] == "单位错了"
    assert row["origin"] == "feedback" and row["kb"] == "demo" and row["id"] == f"feedback-{down.id}"
