"""Language of a question (detection, the reply-language rule) and the English → Chinese glossary."""

from __future__ import annotations

import pytest

from zhiku.understand.lang import detect_language, glossary_expand, glossary_terms, reply_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年全省光伏装机容量是多少？", "zh"),
        ("Google发布的Gemma模型包括哪几种参数规模？", "zh"),
        ("新版报销制度是哪天生效的？", "zh"),
        ("What is the expected size of Europe's battery market in 2030?", "en"),
        ("What does 智谱 build?", "en"),
        ("how many companies went public", "en"),
        ("", "zh"),
        ("2023", "zh"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_glossary_maps_english_words_to_chinese_alternatives() -> None:
    found = glossary_terms("What is the size of China's AI industry?")
    assert "中国" in found["china"]
    assert "人工智能" in found["ai"]
    assert "规模" in found["size"]
    assert glossary_expand("2023年规模") == "2023年规模"  # Chinese text is left alone
    assert "产业" in glossary_expand("AI industry size")


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("请问星河公司的总部在哪里？", "en", "zh"),
        ("Tell me about the 青松 project", "en", "zh"),  # any Chinese character: reply in Chinese
        ("Where is the Aurora lab?", "zh", "en"),
        ("12345", "en", "en"),  # nothing to go by: the request's own language
        ("12345", "zh", "zh"),
    ],
)
def test_reply_language_prefers_chinese_when_any_chinese_is_written(
    text: str, default: str, expected: str
) -> None:
    assert reply_language(text, default) == expected  # type: ignore[arg-type]
