"""Language detection and the fixed bilingual phrases of the small path."""

from __future__ import annotations

import pytest

from zhiku.answer.lang import frame_answer, not_found_message
from zhiku.understand.lang import detect_language, glossary_expand, glossary_terms

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年中国人工智能产业规模是多少？", "zh"),
        ("Meta发布的LLaMA模型包括哪几种参数规模？", "zh"),
        ("港交所18C条款是哪天生效的？", "zh"),
        ("What is the projected size of China's AI industry in 2028?", "en"),
        ("What does 智谱 build?", "en"),
        ("how many companies went public", "en"),
        ("", "zh"),
        ("2023", "zh"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


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


def test_glossary_maps_english_words_to_chinese_alternatives() -> None:
    found = glossary_terms("What is the size of China's AI industry?")
    assert "中国" in found["china"]
    assert "人工智能" in found["ai"]
    assert "规模" in found["size"]
    assert glossary_expand("2023年规模") == "2023年规模"  # Chinese text is left alone
    assert "产业" in glossary_expand("AI industry size")
