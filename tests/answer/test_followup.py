"""Follow-up rules on invented questions (zh and en): year, place, measure, subject and pronoun."""

from __future__ import annotations

import pytest

from zhiku.answer.chat import Conversation
from zhiku.answer.followup import en_subject, follow_up, needs_context, zh_subject
from zhiku.types import Answer, AskRequest

pytestmark = pytest.mark.unit

ZH = "2022年某省储能电池出货量是多少？"
EN = "What was the revenue of the widget industry in 2021?"


@pytest.mark.parametrize(
    ("question", "previous", "expected", "rule"),
    [
        ("那2024年呢？", ZH, "2024年某省储能电池出货量是多少？", "year"),
        ("2025年预计多少？", ZH, "2025年某省储能电池出货量是多少？", "year"),
        ("它的同比增速是多少？", ZH, "某省储能电池的同比增速是多少？", "pronoun"),
        ("其市场份额有多大？", ZH, "某省储能电池市场份额有多大？", "pronoun"),
        ("它们2023年的产量是多少？", "某国光伏组件的出口额是多少？", "某国光伏组件2023年的产量是多少？", "pronoun"),
        ("那销量呢？", ZH, "2022年某省储能电池销量是多少？", "measure"),
        ("那德国呢？", "2021年法国光伏装机规模是多少？", "2021年德国光伏装机规模是多少？", "place"),
        ("那风电呢？", "2021年法国光伏市场规模是多少？", "2021年法国风电市场规模是多少？", "subject"),
        ("What about 2023?", EN, "What was the revenue of the widget industry in 2023?", "year"),
        ("And in 2019?", EN, "What was the revenue of the widget industry in 2019?", "year"),
        ("How fast did it grow?", EN, "How fast did the widget industry grow?", "pronoun"),
        ("What is its market share?", EN, "What is the widget industry's market share?", "pronoun"),
        ("And Norway?", "How many robots did Sweden install in 2020?", "How many robots did Norway install in 2020?", "place"),
    ],
)  # fmt: skip
def test_follow_ups_become_stand_alone(question: str, previous: str, expected: str, rule: str) -> None:
    done = follow_up(question, previous)
    assert (done.question, done.rule) == (expected, rule)


@pytest.mark.parametrize(
    "question",
    [
        "2030年某省储能电池出货量预计是多少？",
        "某市及其周边有多少家数据中心？",
        "其中2022年的占比是多少？",
        "Which firms build widgets in Norway?",
        "What does the report say about its authors' method?",
        "Which firms raised their prices in 2022?",
        "Is it true that widget sales fell?",
        "某公司提高了其产品价格吗？",
    ],
)
def test_stand_alone_questions_are_left_alone(question: str) -> None:
    assert not needs_context(question, ZH if "年" in question or "某" in question else EN)
    assert follow_up(question, ZH).question == question


def test_no_previous_question_means_no_rewrite() -> None:
    assert follow_up("那2024年呢？", None).rule == "none"
    assert follow_up("它的同比增速是多少？", "").question == "它的同比增速是多少？"


def test_subjects() -> None:
    assert zh_subject(ZH) == "某省储能电池"
    assert zh_subject("某国光伏组件的出口额是多少？") == "某国光伏组件"
    assert en_subject(EN) == "the widget industry"
    assert en_subject("How big was the gadget market in 2020?") == "the gadget market"


class Echo:
    def __init__(self) -> None:
        self.questions: list[str] = []

    def ask(self, request: AskRequest) -> Answer:
        self.questions.append(request.question)
        return Answer(request.question, "答", True)


def test_resumed_conversation_rewrites_the_last_question_from_the_whole_history() -> None:
    from zhiku.types import Turn

    echo = Echo()
    history = [
        Turn("user", ZH),
        Turn("assistant", "约30GWh [1]"),
        Turn("user", "那2024年呢？"),
        Turn("assistant", "…"),
    ]
    conv = Conversation.resume(echo, history)
    assert conv.questions == [ZH, "2024年某省储能电池出货量是多少？"]
    answer = conv.ask("它的同比增速是多少？")
    assert echo.questions == ["某省储能电池的同比增速是多少？"]
    assert answer.extra["rewritten_question"] == "某省储能电池的同比增速是多少？"
    assert answer.extra["original_question"] == "它的同比增速是多少？"


def test_rewriter_for_uses_a_configured_model_but_never_a_remote_one_for_local_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from zhiku.answer.chat import rewriter_for
    from zhiku.config import load_settings
    from zhiku.models.registry import ModelRegistry

    remote = {"models": {"large": {"base_url": "http://127.0.0.1:9/v1", "model": "m"}}}
    settings = load_settings(home=tmp_path, llm=remote)

    class WithRegistry:
        registry = ModelRegistry.from_settings(settings.llm)

    assert rewriter_for(WithRegistry(), settings) is not None
    assert rewriter_for(WithRegistry(), settings, kb_local_only=True) is None
    assert rewriter_for(object(), settings) is None
    bare = load_settings(home=tmp_path)
    assert rewriter_for(type("R", (), {"registry": ModelRegistry.from_settings(bare.llm)})(), bare) is None
