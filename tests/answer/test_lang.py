"""The fixed bilingual phrases of the small path."""

from __future__ import annotations

import pytest

from zhiku.answer.lang import frame_answer, not_found_message

pytestmark = pytest.mark.unit


def test_not_found_messages_are_bilingual() -> None:
    assert not_found_message("zh") == "知识库中未找到相关信息。"
    assert not_found_message("en") == "Not found in the knowledge base."


def test_frame_answer_puts_short_answer_then_quoted_evidence_with_marker() -> None:
    zh = frame_answer("zh", "2137亿元", "2023年产业规模达到2137亿元。", "[1]")
    assert zh.startswith("2137亿元。")
    assert zh.endswith("“2023年产业规模达到2137亿元。”[1]")
    en = frame_answer("en", "8110亿元", "2028年产业规模将达到8110亿元。", "[1]")
    assert en.startswith("8110亿元 (811 billion yuan).")
    assert "Evidence" in en and en.endswith("[1]")


def test_frame_answer_without_short_answer_quotes_only() -> None:
    assert frame_answer("zh", "", "门控模型为专家分配权重。", "[1]") == "依据：“门控模型为专家分配权重。”[1]"
