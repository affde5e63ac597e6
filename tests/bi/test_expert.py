"""The numeric expert over hits only (no KB): each operation, refusals, citations, no invented numbers."""

from __future__ import annotations

import re

import pytest

from zhiku.bi.expert import NumericExpert
from zhiku.types import Answer, AskRequest, Hit, Trace

pytestmark = pytest.mark.unit

PROSE = (
    "根据测算，2023年中国智能算力市场规模已达到5097亿元。2028年，中国智能算力市场规模或将达到3.4万亿元，"
    "五年复合增长率达到46.3%。2023年，中国AI芯片市场规模约为620亿元。2028年中国AI芯片市场规模将达到3931亿元，"
    "五年复合增长率达到44.7%。2028年中国示例产业规模将超8000亿元。2028年，中国示例产业规模将达到8110亿元。"
    "2023年中国示例产业规模已达到2137亿元。"
)
CHART = (
    "2020-2028年中国AI基础数据服务市场规模\n29 27 31\n37\n47\n58\n75\n94\n117\n"
    "2020 2021 2022 2023 2024E 2025E 2026E 2027E 2028E\n中国AI基础数据服务市场规模（亿元）"
)
HITS = [
    Hit(chunk_id="c1", doc_id="d1", text=PROSE, score=1.0, title="报告", page=3),
    Hit(chunk_id="c2", doc_id="d1", text=CHART, score=0.9, title="报告", page=4),
]


def ask(question: str) -> Answer | None:
    return NumericExpert().try_answer(AskRequest(question), HITS, Trace())


def numbers_supported(answer: Answer) -> bool:
    allowed = (
        " ".join(c.text for c in answer.citations)
        + " "
        + " ".join(str(x) for x in answer.extra["computation"]["computed_numbers"])
    )
    allowed = allowed.replace(",", "")
    text = re.sub(r"\[\d+\]", "", answer.answer).replace(",", "")
    return all(n in allowed for n in re.findall(r"\d+(?:\.\d+)?", text) if n not in ("1",))


def test_difference_with_formula_and_citations() -> None:
    a = ask("2023年中国智能算力市场规模比AI芯片市场规模多多少亿元？")
    assert a is not None and a.route == "numeric"
    assert "4477亿元" in a.answer and "5097亿元" in a.answer and "620亿元" in a.answer
    assert a.extra["computation"]["operation"] == "difference"
    assert len(a.extra["computation"]["operands"]) == 2
    assert a.citations and a.citations[0].chunk_id == "c1"
    assert a.extra["chart"]["type"] == "bar"
    assert numbers_supported(a)


def test_lookup_from_chart_only() -> None:
    a = ask("2025年中国AI基础数据服务市场规模预计是多少？")
    assert a is not None and "58亿元" in a.answer
    assert a.citations[0].chunk_id == "c2"
    assert numbers_supported(a)


def test_exact_statement_beats_approximate_one() -> None:
    a = ask("2028年中国示例产业规模是多少？")
    assert a is not None and "8110亿元" in a.answer and "8000" not in a.answer


def test_cross_lingual_lookup() -> None:
    hits = [Hit(chunk_id="c9", doc_id="d9", text="2028年，中国人工智能产业规模将达到8110亿元。", score=1.0)]
    a = NumericExpert().try_answer(
        AskRequest("What is the projected size of China's AI industry in 2028?"), hits, Trace()
    )
    assert a is not None and "8110亿" in a.answer and a.language == "en"


def test_stated_cagr_and_computed_check() -> None:
    a = ask("中国AI芯片市场规模2023年到2028年的复合增长率是多少？")
    assert a is not None and "44.7%" in a.answer
    assert numbers_supported(a)


def test_check_cagr_verdict() -> None:
    good = ask("中国AI芯片市场规模2023-2028年复合增长率为44.7%，这个说法正确吗？")
    bad = ask("中国AI芯片市场规模2023-2028年复合增长率为30%，这个说法正确吗？")
    assert good is not None and good.extra["computation"]["verdict"] is True
    assert bad is not None and bad.extra["computation"]["verdict"] is False


def test_multiple_uses_precise_operand() -> None:
    a = ask("2028年中国AI芯片市场规模比2023年增长了几倍？")
    assert a is not None
    assert a.extra["computation"]["result"] == pytest.approx(3931 / 620)


def test_ratio() -> None:
    a = ask("2023年中国AI芯片市场规模占智能算力市场规模的比例是多少？")
    assert a is not None and "12.16%" in a.answer


def test_series_max_min_with_chart_spec() -> None:
    a = ask("2020-2028年中国AI基础数据服务市场规模各年分别是多少？")
    assert a is not None and "2025年（E）58亿元" in a.answer
    assert a.extra["chart"]["type"] == "line" and len(a.extra["chart"]["x"]) == 9
    low = ask("中国AI基础数据服务市场规模哪一年最低？")
    assert low is not None and low.short_answer == "2021"
    high = ask("中国AI基础数据服务市场规模哪一年最高？")
    assert high is not None and high.short_answer == "2028E"


def test_declines_unknown_subject() -> None:
    assert ask("2023年美国人工智能产业规模是多少？") is None
    assert ask("2023年中国量子计算市场规模是多少？") is None


def test_declines_missing_period_and_non_numeric() -> None:
    assert ask("2019年中国AI芯片市场规模是多少？") is None
    assert ask("国家数据局是哪天挂牌成立的？") is None


def test_declines_conflicting_values() -> None:
    hits = [
        Hit(chunk_id="a", doc_id="d", text="2023年甲市场规模达到100亿元。", score=1.0),
        Hit(chunk_id="b", doc_id="e", text="2023年甲市场规模达到150亿元。", score=1.0),
    ]
    assert NumericExpert().try_answer(AskRequest("2023年甲市场规模是多少？"), hits, Trace()) is None


def test_growth_year_on_year() -> None:
    a = ask("2024年中国AI基础数据服务市场规模同比增长多少？")
    assert a is not None and a.extra["computation"]["operation"] == "growth"
    assert a.extra["computation"]["result"] == pytest.approx((47 / 37 - 1) * 100)
    assert numbers_supported(a)


def test_difference_between_two_mentioned_years() -> None:
    a = ask("2023年中国AI芯片市场规模相比2028年少多少？")
    assert a is not None and a.extra["computation"]["result"] == pytest.approx((620 - 3931) * 1e8)
    assert "少3311亿元" in a.answer


def test_english_difference() -> None:
    a = ask("How much bigger was China's intelligent computing market than its AI chip market in 2023?")
    assert a is not None and "4477亿元" in a.answer and a.language == "en"


def test_check_cagr_tolerates_rounded_endpoints() -> None:
    a = ask("中国AI基础数据服务市场规模2020-2028年复合增长率为19%，这个说法正确吗？")
    assert a is not None and a.extra["computation"]["verdict"] is True  # (117/29)^(1/8)-1 = 19.0%


def test_multi_answers_every_item_or_nothing() -> None:
    a = ask("2023年中国智能算力和AI芯片市场规模分别是多少？")
    assert a is not None and "5097亿元" in a.answer and "620亿元" in a.answer
    assert len(a.citations) >= 1 and numbers_supported(a)
    assert ask("2023年中国智能算力和量子计算市场规模分别是多少？") is None


def test_approximate_values_keep_their_hedge() -> None:
    hits = [Hit(chunk_id="h", doc_id="d", text="2023年中国示例产业规模超过2000亿元。", score=1.0)]
    zh = NumericExpert().try_answer(AskRequest("2023年中国示例产业规模是多少？"), hits, Trace())
    assert zh is not None and "超过2000亿元" in zh.answer
    en = NumericExpert().try_answer(
        AskRequest("How large was China's AI industry in 2023?", language="en"),
        [Hit(chunk_id="h", doc_id="d", text="2023年中国人工智能产业规模约为2137亿元。", score=1.0)],
        Trace(),
    )
    assert en is not None and "about 2137亿元" in en.answer and "213.7 billion yuan" in en.answer


def test_a_question_without_a_year_is_answered_only_when_one_period_is_on_record() -> None:
    prose = "2030年，星河市人工智能核心企业数量达到1048家，产业规模2150亿元。"
    hits = [Hit(chunk_id="t1", doc_id="d2", text=prose, score=1.0, title="概况", page=1)]
    a = NumericExpert().try_answer(AskRequest("星河市人工智能核心企业数量是多少？"), hits, Trace())
    assert a is not None and "1048家" in a.answer and "2030" in a.answer  # the period is stated
    # 2023 actual and a 2028 forecast on record: without a year the question is ambiguous
    assert ask("中国智能算力市场规模是多少？") is None
