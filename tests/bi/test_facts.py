from __future__ import annotations

import pytest

from zhiku.bi.facts import extract_facts, split_metric

pytestmark = pytest.mark.unit


def _by_raw(text: str) -> dict[str, object]:
    return {f.raw: f for f in extract_facts(text)}


def test_period_subject_metric_value() -> None:
    facts = extract_facts("根据测算，2023年中国人工智能产业规模已达到2137亿元，增长明显。")
    assert len(facts) == 1
    f = facts[0]
    assert (f.label, f.subject, f.metric, f.period) == (
        "中国人工智能产业规模",
        "中国人工智能",
        "产业规模",
        "2023",
    )
    assert f.value == pytest.approx(2.137e11) and f.unit == "元" and f.scale == "亿"
    assert "2137亿元" in f.sentence


def test_follow_on_cagr_inherits_subject_and_period_range() -> None:
    facts = _by_raw("2028年，中国AI芯片市场规模将达到3931亿元，五年复合增长率达到44.7%。")
    cagr = facts["44.7%"]
    assert cagr.subject == "中国AI芯片"  # type: ignore[attr-defined]
    assert cagr.period == "2023-2028"  # type: ignore[attr-defined]
    assert facts["3931亿元"].estimate  # type: ignore[attr-defined]


def test_qualifiers() -> None:
    facts = _by_raw("2028年中国人工智能产业规模将超8000亿元。2023年中国AI芯片市场规模约为620亿元。")
    assert facts["8000亿元"].qualifier == "超"  # type: ignore[attr-defined]
    assert facts["620亿元"].qualifier in ("约为", "约")  # type: ignore[attr-defined]


def test_count_with_noun_after_value() -> None:
    f = extract_facts("2023年，共有18家AI公司进入IPO阶段。")[0]
    assert (f.label, f.period, f.unit, f.value) == ("AI公司进入IPO阶段", "2023", "家", 18.0)


def test_respective_values() -> None:
    facts = extract_facts("预计2028年云端、边缘侧、端侧AI芯片的比例将分别达到48.6%、27.5%与23.9%。")
    assert [(f.label, f.raw) for f in facts] == [
        ("云端AI芯片的比例", "48.6%"),
        ("边缘侧AI芯片的比例", "27.5%"),
        ("端侧AI芯片的比例", "23.9%"),
    ]
    assert all(f.period == "2028" for f in facts)


def test_mid_clause_year_is_dropped_from_label() -> None:
    f = extract_facts("AIGC相关融资占2023年AI产业全部融资事件的28%。")[0]
    assert f.label == "AIGC相关融资占AI产业全部融资事件" and f.period == "2023"


def test_dates_are_not_facts() -> None:
    assert extract_facts("2023年10月25日，国家数据局挂牌成立。") == []


def test_table_renderings_are_skipped() -> None:
    assert extract_facts("细分领域 | 2020 | 2021\nAI芯片 | 195 | 327") == []


def test_english_sentence() -> None:
    f = extract_facts("In 2023, the market size of China AI chips reached 62 billion yuan.")[0]
    assert f.period == "2023" and f.value == pytest.approx(6.2e10) and f.unit == "元"


def test_split_metric() -> None:
    assert split_metric("中国AI芯片市场规模") == ("中国AI芯片", "市场规模")
    assert split_metric("北京") == ("北京", "")


def test_two_values_in_one_clause_keep_the_subject() -> None:
    facts = extract_facts("中国AI芯片市场规模从2020年的195亿元增长到2023年的620亿元。")
    assert [(f.label, f.period, f.raw) for f in facts] == [
        ("中国AI芯片市场规模", "2020", "195亿元"),
        ("中国AI芯片市场规模", "2023", "620亿元"),
    ]


def test_respective_single_letter_items() -> None:
    facts = extract_facts("2023年A和B的市场规模分别为100亿元和50亿元。")
    assert [(f.label, f.raw) for f in facts] == [("A的市场规模", "100亿元"), ("B的市场规模", "50亿元")]


def test_follow_on_metrics_inherit_subject_and_sign() -> None:
    facts = _by_raw(
        "A公司2023年营收为12.5亿元，净利润为-3.2亿元。2022年中国大模型市场规模约为80亿元，同比增长35%。"
    )
    assert facts["-3.2亿元"].label == "A公司净利润"  # type: ignore[attr-defined]
    assert facts["-3.2亿元"].value == pytest.approx(-3.2e8)  # type: ignore[attr-defined]
    assert facts["35%"].label == "中国大模型同比增长"  # type: ignore[attr-defined]


def test_currency_prefix() -> None:
    f = extract_facts("In 2023, global AI spending reached USD 154 billion.")[0]
    assert f.unit == "美元" and f.value == pytest.approx(1.54e11) and f.label == "global AI spending"
