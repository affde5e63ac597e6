"""The focus of a free-text question: the part it asks about, not the whole it names as context."""

from __future__ import annotations

import pytest

from zhiku.understand.focus import focus_of
from zhiku.understand.question import analyse

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("混合调度系统中的调度器起什么作用？", "调度器"),
        ("调度器在混合调度系统中起什么作用？", "调度器"),
        ("检索增强系统里的重排序模块有什么功能？", "重排序模块"),
        ("知识库助手的主要优势是什么？", "知识库助手"),
        ("向量数据库负责什么？", "向量数据库"),
        ("什么是混合专家模型？", "混合专家模型"),
        ("青檀树的叶片有什么特点？", "叶片"),
        ("青檀的根有什么特点？", ""),  # a one-character part is too short to require
        ("2023年全省光伏装机容量是多少？", ""),
    ],
)
def test_chinese_focus(question: str, focus: str) -> None:
    assert focus_of(question, "zh") == focus


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("What does the reranker do in the pipeline?", "reranker"),
        ("What is the role of the gate in a mixture of experts?", "gate"),
        ("What role does the audit log play?", "audit log"),
        ("How many plants were built in 2022?", ""),
    ],
)
def test_english_focus(question: str, focus: str) -> None:
    assert focus_of(question.lower(), "en") == focus


def test_focus_is_a_critical_term_of_free_text_questions_only() -> None:
    free = analyse("混合调度系统中的调度器起什么作用？")
    assert ("调度器",) in [t.alternatives for t in free.critical if t.role == "focus"]
    typed = analyse("2022年调度器的出货量是多少？")
    assert not [t for t in typed.critical if t.role == "focus"]
