"""Sentence splitting: Chinese and English stops, decimals, abbreviations, closing quotes."""

from __future__ import annotations

import pytest

from zhiku.understand.sentences import sentence_spans, split_sentences

pytestmark = pytest.mark.unit


def test_chinese_stops() -> None:
    text = "2023年规模为2137亿元。预计还会增长！会吗？会的；而且很快……下一句"
    assert split_sentences(text) == [
        "2023年规模为2137亿元。",
        "预计还会增长！",
        "会吗？",
        "会的；",
        "而且很快……",
        "下一句",
    ]


def test_decimals_are_not_stops() -> None:
    text = "2028年中国智能算力市场规模或将达到3.4万亿元，复合增长率46.3%。The CAGR is 30.6 percent. Done."
    assert split_sentences(text) == [
        "2028年中国智能算力市场规模或将达到3.4万亿元，复合增长率46.3%。",
        "The CAGR is 30.6 percent.",
        "Done.",
    ]


def test_abbreviations_and_initials() -> None:
    text = "Chips from the U.S. are restricted, e.g. the H800. Dr. Wang agreed. J. Smith did not. Next."
    assert split_sentences(text) == [
        "Chips from the U.S. are restricted, e.g. the H800.",
        "Dr. Wang agreed.",
        "J. Smith did not.",
        "Next.",
    ]


def test_closing_quotes_and_brackets_stay_with_the_sentence() -> None:
    text = "他说：“这是答案。”随后离开。（见附录。）He said “yes.” Then left (quietly.) End"
    assert split_sentences(text) == [
        "他说：“这是答案。”",
        "随后离开。",
        "（见附录。）",
        "He said “yes.”",
        "Then left (quietly.)",
        "End",
    ]


def test_english_question_and_exclamation_and_urls() -> None:
    text = "Is it ready? Yes! See example.com/v1.2 for details. Version 2.0 ships soon."
    assert split_sentences(text) == [
        "Is it ready?",
        "Yes!",
        "See example.com/v1.2 for details.",
        "Version 2.0 ships soon.",
    ]


def test_newlines_end_sentences_and_spans_are_exact() -> None:
    text = "  第一行没有句号\n第二行。 Third line.  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["第一行没有句号", "第二行。", "Third line."]


def test_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []


def test_invented_mixed_text_keeps_decimals_abbreviations_and_quotes() -> None:
    text = "青松公司2030年营收3.5亿元。它在U.S. 和 e.g. 日本设厂！“真的吗？”他问。Dr. Li said so. J. Smith agreed"
    assert split_sentences(text) == [
        "青松公司2030年营收3.5亿元。",
        "它在U.S. 和 e.g. 日本设厂！",
        "“真的吗？”",
        "他问。",
        "Dr. Li said so.",
        "J. Smith agreed",
    ]
