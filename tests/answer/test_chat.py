"""Multi-turn chat: rule and LLM rewriting of follow-ups, history, privacy of the rewrite prompt."""

from __future__ import annotations

import pytest

from zhiku.answer.chat import Conversation, is_follow_up, rule_rewrite
from zhiku.errors import ModelError
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import Answer, AskRequest

pytestmark = pytest.mark.unit

FIRST = "2023年中国人工智能产业规模是多少？"


class EchoAssistant:
    """A real (tiny) implementation of the ``ask`` protocol that records requests."""

    def __init__(self) -> None:
        self.requests: list[AskRequest] = []

    def ask(self, request: AskRequest) -> Answer:
        self.requests.append(request)
        return Answer(request.question, f"机密答案：{request.question}", True)


@pytest.mark.parametrize(
    ("follow", "previous", "expected"),
    [
        ("那2028年呢？", FIRST, "2028年中国人工智能产业规模是多少？"),
        ("2028年呢", FIRST, "2028年中国人工智能产业规模是多少？"),
        ("那美国呢？", FIRST, "2023年美国人工智能产业规模是多少？"),
        ("What about 2028?", "What was the size of China's AI industry in 2023?",
         "What was the size of China's AI industry in 2028?"),
        ("And Japan?", "What was the size of China's AI industry in 2023?",
         "What was the size of Japan's AI industry in 2023?"),
        ("那AI芯片呢？", FIRST, "关于AI芯片：2023年中国人工智能产业规模是多少？"),
    ],
)  # fmt: skip
def test_rule_rewrite(follow: str, previous: str, expected: str) -> None:
    assert rule_rewrite(follow, previous) == expected


def test_standalone_questions_are_not_follow_ups() -> None:
    assert not is_follow_up("港交所18C条款是哪天生效的？")
    assert not is_follow_up("Which companies make AI chips in China?")
    assert rule_rewrite("港交所18C条款是哪天生效的？", FIRST) == "港交所18C条款是哪天生效的？"
    assert rule_rewrite("那2028年呢？", None) == "那2028年呢？"


def test_conversation_rewrites_with_rules_and_keeps_history() -> None:
    echo = EchoAssistant()
    conv = Conversation(echo)
    conv.ask(FIRST)
    answer = conv.ask("那2028年呢？")
    assert echo.requests[1].question == "2028年中国人工智能产业规模是多少？"
    assert answer.extra["rewritten_question"] == "2028年中国人工智能产业规模是多少？"
    assert [t.role for t in echo.requests[1].history] == ["user", "assistant"]
    assert any("rules" in n for n in answer.trace.notes)
    conv.reset()
    conv.ask("那2028年呢？")
    assert echo.requests[-1].question == "那2028年呢？"


def test_llm_rewrite_sees_questions_only_never_answers() -> None:
    echo = EchoAssistant()
    llm = ScriptedLLM("2028年中国人工智能产业规模预计是多少？", name="large", remote=True)
    conv = Conversation(echo, rewriter=llm)
    conv.ask(FIRST)
    answer = conv.ask("那2028年呢？")
    assert echo.requests[1].question == "2028年中国人工智能产业规模预计是多少？"
    assert "机密答案" not in "\n".join(llm.prompts)
    assert answer.trace.calls[-1].role == "rewrite"


def test_llm_rewrite_failure_falls_back_to_rules() -> None:
    echo = EchoAssistant()
    conv = Conversation(echo, rewriter=ScriptedLLM(ModelError("超时", "timeout")))
    conv.ask(FIRST)
    conv.ask("那2028年呢？")
    assert echo.requests[1].question == "2028年中国人工智能产业规模是多少？"
