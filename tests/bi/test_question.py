from __future__ import annotations

import pytest

from zhiku.bi.question import looks_numeric, parse_question, split_context

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "op", "targets", "periods"),
    [
        ("2022年华东区物流营收比华南区物流营收多多少万元？", "difference",
         [("华东区物流营收", "2022"), ("华南区物流营收", "2022")], ("2022",)),
        ("2026年中国储能电池市场规模预计是多少？", "lookup", [("中国储能电池市场规模", "2026")], ("2026",)),
        ("中国储能电池市场规模2022年到2027年的五年复合增长率是多少？", "cagr", [("中国储能电池市场规模", "")], ("2022", "2027")),
        ("2028年中国人工智能产业规模比2023年增长了几倍？", "multiple",
         [("中国人工智能产业规模", "2028"), ("中国人工智能产业规模", "2023")], ("2023", "2028")),
        ("2028年甲市场规模是乙市场规模的几倍？", "multiple", [("甲市场规模", "2028"), ("乙市场规模", "2028")], ("2028",)),
        ("2023年到2028年甲市场规模增长了多少？", "difference", [("甲市场规模", "2028"), ("甲市场规模", "2023")], ("2023", "2028")),
        ("2023年甲市场规模占乙市场规模的比例是多少？", "ratio", [("甲市场规模", "2023"), ("乙市场规模", "2023")], ("2023",)),
        ("2020-2028年甲市场规模各年分别是多少？", "series", [("甲市场规模", "")], ("2020", "2028")),
        ("甲市场规模哪一年最高？", "max", [("甲市场规模", "")], ()),
        ("甲市场规模哪一年最低？", "min", [("甲市场规模", "")], ()),
        ("对比2020-2028年甲和乙市场规模", "compare", [("甲市场规模", ""), ("乙市场规模", "")], ("2020", "2028")),
        ("2021年有多少家新能源企业进入上市辅导？", "lookup", [("新能源企业进入上市辅导", "2021")], ("2021",)),
        ("截至2021年6月，杭州拥有多少家专精特新企业？", "lookup", [("杭州拥有 专精特新企业", "2021")], ("2021",)),
    ],
)  # fmt: skip
def test_operations(question: str, op: str, targets: list[tuple[str, str]], periods: tuple[str, ...]) -> None:
    spec = parse_question(question)
    assert spec is not None
    assert spec.op == op
    assert [(t.text, t.period) for t in spec.targets] == targets
    assert spec.periods == periods


def test_check_stated_cagr() -> None:
    spec = parse_question("甲市场规模2023-2028年复合增长率为30.6%，这个说法正确吗？")
    assert spec is not None and spec.op == "check_cagr" and spec.stated == pytest.approx(30.6)
    assert spec.targets[0].text == "甲市场规模"


def test_english_question_is_translated_for_matching() -> None:
    spec = parse_question("What is the expected size of China's AI industry in 2030?")
    assert spec is not None and spec.op == "lookup" and spec.language == "en"
    assert spec.targets[0].period == "2030"
    assert "人工智能产业" in spec.targets[0].text and "中国" in spec.targets[0].text


def test_english_difference() -> None:
    spec = parse_question("What was the market size of conversational AI in 2023?")
    assert spec is not None and "对话式AI" in spec.targets[0].text


def test_unit_hints() -> None:
    assert parse_question("2023年甲的占比是多少？").unit_hint == "%"  # type: ignore[union-attr]
    assert parse_question("2023年甲市场规模是多少？").unit_hint == "元"  # type: ignore[union-attr]
    assert parse_question("2023年有多少家公司上市？").unit_hint == "家"  # type: ignore[union-attr]


def test_part_of_context() -> None:
    t = split_context("云端AI芯片在中国AI芯片中的比例", "2028")
    assert (t.text, t.context) == ("云端AI芯片的比例", "中国AI芯片")
    t = split_context("中国人工智能产业中计算机视觉模态占比")
    assert (t.text, t.context) == ("计算机视觉模态的占比", "中国人工智能产业")


@pytest.mark.parametrize(
    "question",
    [
        "新版报销制度是哪天生效的？",
        "检索增强中的重排序模块起什么作用？",
        "When did the rule take effect?",
        "你好",
    ],
)
def test_non_numeric_questions_are_declined(question: str) -> None:
    assert parse_question(question) is None


def test_cheap_gate() -> None:
    assert looks_numeric("2023年市场规模是多少？")
    assert not looks_numeric("市档案馆新馆是哪天正式开放的？")


def test_growth_and_year_difference_parse() -> None:
    g = parse_question("2023年甲市场规模同比增长多少？")
    assert g is not None and g.op == "growth"
    assert [(t.text, t.period) for t in g.targets] == [("甲市场规模", "2023"), ("甲市场规模", "2022")]
    d = parse_question("2023年甲市场规模相比2028年少多少？")
    assert d is not None and d.op == "difference"
    assert [t.period for t in d.targets] == ["2023", "2028"]
    c = parse_question("甲市场2023-2028年CAGR是多少？")
    assert c is not None and c.op == "cagr" and c.targets[0].text == "甲市场"


def test_multi_lookups() -> None:
    spec = parse_question("2021年宝马和奔驰的全球销量分别是多少？")
    assert spec is not None and spec.op == "multi"
    assert [(t.text, t.period) for t in spec.targets] == [
        ("宝马的全球销量", "2021"),
        ("奔驰的全球销量", "2021"),
    ]
    years = parse_question("甲油田2021年和2022年的油气产量分别是多少？")
    assert years is not None and [t.period for t in years.targets] == ["2021", "2022"]
