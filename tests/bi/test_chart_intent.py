"""Chart requests in ordinary words, Chinese and English (invented subjects), and what is not one."""

from __future__ import annotations

import pytest

from zhiku.bi.chart_intent import as_series_question, strip_chart_request, wants_chart
from zhiku.bi.question import parse_question

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "question",
    [
        "2020年到2028年星河芯片市场规模，请画图",
        "画出星河芯片市场规模的趋势",
        "请画一张星河芯片市场规模的折线图",
        "用柱状图展示2023年星河芯片和月光算力的市场规模",
        "星河芯片市场规模，可视化一下",
        "Plot the Star chip market size from 2020 to 2028",
        "Draw a chart of the Star chip market size",
        "Show me a bar chart of Star chip revenue",
        "chart the Star chip market size 2020 to 2028",
        "Star chip market size 2020-2028 as a line chart",
    ],
)
def test_chart_requests_are_recognised(question: str) -> None:
    assert wants_chart(question)
    rest = strip_chart_request(question)
    for word in ("画", "plot", "Plot", "Draw", "chart", "可视化", "柱状图", "折线图"):
        assert word not in rest, rest


@pytest.mark.parametrize(
    "question",
    [
        "2023年星河芯片市场规模是多少？",
        "知识图谱市场规模多少？",
        "What is the knowledge graph market size in 2023?",
        "推出图像处理芯片的公司有哪些？",
        "2023年图像识别市场规模是多少？",
        "What does the chart on page 3 show about edge AI?",
    ],
)
def test_other_questions_are_not_chart_requests(question: str) -> None:
    assert not wants_chart(question)
    assert as_series_question(question) == question


def test_a_range_or_no_year_becomes_a_series_question_one_year_stays_as_it_is() -> None:
    spec = parse_question(as_series_question("2020年到2028年星河芯片市场规模，请画图"))
    assert spec is not None and spec.op == "series" and spec.periods == ("2020", "2028")
    assert "星河芯片" in spec.targets[0].text
    spec = parse_question(as_series_question("Plot the Star chip market size"))
    assert spec is not None and spec.op == "series"
    assert as_series_question("2023年星河芯片市场规模，请画图") == "2023年星河芯片市场规模"
