"""Several questions in one message: split, completed, answered one by one, combined with citations renumbered."""

from __future__ import annotations

import pytest

from zhiku.answer.multipart import ask_parts, combine, split_questions
from zhiku.types import Answer, AskRequest, Citation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("2022年某省储能电池出货量是多少？2025年预计多少？",
         ["2022年某省储能电池出货量是多少？", "2025年某省储能电池出货量是多少？"]),
        ("某国光伏组件的出口额是多少？它的同比增速是多少？",
         ["某国光伏组件的出口额是多少？", "某国光伏组件的同比增速是多少？"]),
        ("What was the revenue of the widget industry in 2021? What about 2023?",
         ["What was the revenue of the widget industry in 2021?",
          "What was the revenue of the widget industry in 2023?"]),
        ("2025年某省储能电池出货量预计多少？比2022年增长几倍？",
         ["2025年某省储能电池出货量预计多少？比2022年增长几倍？"]),
        ("How many widgets were sold in 2021? How many times more than in 2019?",
         ["How many widgets were sold in 2021? How many times more than in 2019?"]),
        ("某省储能电池出货量是多少？", ["某省储能电池出货量是多少？"]),
        ("是吗？好的？", ["是吗？好的？"]),
        ("储能电池出货量是多少？请列出来源。", ["储能电池出货量是多少？请列出来源。"]),
    ],
)  # fmt: skip
def test_split_questions(message: str, parts: list[str]) -> None:
    assert split_questions(message) == parts


def _cite(index: int, chunk: str, text: str) -> Citation:
    return Citation(index, "报告", "d1", chunk, 3, text, "/srv/data/report.txt")


def test_combined_answer_renumbers_citations_and_shares_repeated_ones() -> None:
    first = Answer(
        "q1",
        "约30GWh [1]，另见 [2]。",
        True,
        [_cite(1, "c1", "30GWh"), _cite(2, "c2", "另见")],
        "numeric",
        short_answer="30GWh",
        confidence=0.9,
    )
    second = Answer("q2", "约80GWh [1]，与 [2] 相同。", True, [_cite(1, "c3", "80GWh"), _cite(2, "c2", "另见")],
                    "extractive", short_answer="80GWh", confidence=0.6)  # fmt: skip
    done = combine(AskRequest("两个问题", language="zh"), ["问一？", "问二？"], [first, second])
    assert [c.index for c in done.citations] == [1, 2, 3]
    assert "约80GWh [3]，与 [2] 相同" in done.answer
    assert "**问题1：问一？**" in done.answer and "**问题2：问二？**" in done.answer
    assert done.route == "extractive" and done.short_answer == "30GWh; 80GWh" and done.confidence == 0.6
    assert [p["route"] for p in done.extra["parts"]] == ["numeric", "extractive"]
    assert done.trace.notes[0].startswith("split into 2 questions")


def test_a_generated_part_makes_the_whole_generated() -> None:
    small = Answer("q1", "30GWh [1]", True, [_cite(1, "c1", "30GWh")], "numeric")
    large = Answer("q2", "大约翻了一倍 [1]", True, [_cite(1, "c2", "翻倍")], "llm:large")
    assert combine(AskRequest("两问"), ["问一？", "问二？"], [small, large]).route == "llm:large"
    assert combine(AskRequest("两问"), ["问一？", "问二？"], [small, small]).route == "numeric"


def test_ask_parts_asks_each_completed_question() -> None:
    asked: list[str] = []

    def one(request: AskRequest) -> Answer:
        asked.append(request.question)
        return Answer(request.question, f"答：{request.question}", True)

    request = AskRequest("What was the revenue of the widget industry in 2021? And in 2023?", language="en")
    done = ask_parts(request, one)
    assert done is not None and asked[1] == "What was the revenue of the widget industry in 2023?"
    assert "**Question 2: What was the revenue of the widget industry in 2023?**" in done.answer
    assert ask_parts(AskRequest("某省储能电池出货量是多少？"), one) is None
