"""The verifier on restated right answers (accepted) and on each kind of wrong answer (rejected).

Invented examples: a robot market whose table states its unit only in the caption, prose with
two years, and an English table with "(in billions of yuan)".
"""

from __future__ import annotations

import pytest

from zhiku.answer.citations import citations_in, normalise_citations
from zhiku.answer.evidence_numbers import extract_numbers, unit_declarations
from zhiku.answer.numwords import parse_chinese, to_chinese
from zhiku.answer.verify import verify_answer

pytestmark = pytest.mark.unit

TABLE = "某国服务机器人细分市场规模（亿元）\n细分领域 | 2022 | 2023 | 2024E\n清洁机器人 | 41 | 58 | 77\n配送机器人 | 12 | 19 | 30"
PROSE = (
    "2022年，某国无人机市场规模为64亿元，同比增长12%。2023年该市场规模达到86亿元，"
    "其中消费级产品占比35%。2023年共有9家企业上市，其中4家选择科创板。新条例于2023年7月18日施行。"
)
EN_TABLE = "Service robot market (in billions of yuan)\nSegment | 2022 | 2023\nCleaning robots | 4.1 | 5.8"
EVIDENCE = {1: TABLE, 2: PROSE, 3: EN_TABLE}
Q_TABLE = "2023年清洁机器人市场规模是多少？"
Q_PROSE = "2023年某国无人机市场规模是多少？"


def ok(text: str, question: str = "") -> bool:
    return verify_answer(text, EVIDENCE, question=question).ok


def kinds(text: str, question: str = "") -> list[str]:
    return [v.kind for v in verify_answer(text, EVIDENCE, question=question).violations]


def test_unit_in_the_table_caption_scales_the_cells() -> None:
    scaled = [n.scaled for n in extract_numbers(TABLE) if n.value in (41, 58)]
    assert scaled == [41e8, 58e8]
    assert unit_declarations("营收（单位：万元）") and unit_declarations("Revenue (in millions of USD)")
    assert ok("2023年清洁机器人市场规模为58亿元[1]。", Q_TABLE)


@pytest.mark.parametrize(
    "said",
    [
        "58亿元",
        "58 亿元",
        "五十八亿元",
        "5.8 billion yuan",
        "0.0058万亿元",
        "5800000000元",
    ],
)
def test_restated_numbers_are_the_same_value(said: str) -> None:
    assert ok(f"2023年清洁机器人市场规模为{said}[1]。", Q_TABLE), said


def test_unit_moved_reordered_list_and_other_language_are_accepted() -> None:
    assert ok("2023年清洁机器人市场规模（单位：亿元）为58[1]。", Q_TABLE)
    assert ok("答案是58亿元[1]——这正是“2023年清洁机器人市场规模是多少”所问的。", Q_TABLE)
    assert ok("**结论**\n\n- 2023年清洁机器人市场规模：58亿元[1]\n", Q_TABLE)
    assert ok("According to the evidence, the figure asked for is 5.8 billion yuan [1].", Q_TABLE)
    assert ok("In 2023 the cleaning robot market reached 5.8 billion yuan [3].", "How big was it in 2023?")
    assert ok("2023年清洁机器人市场规模为58亿元[3]。", Q_TABLE)


@pytest.mark.parametrize(
    "mark", ["[1]", "【1】", "[^1]", "(1)", "（1）", "[资料1]", "[Evidence 1]", "<sup>1</sup>"]
)
def test_citation_styles_are_understood(mark: str) -> None:
    text = f"2023年清洁机器人市场规模为58亿元{mark}。"
    assert citations_in(normalise_citations(text, 3)) == [1]
    assert ok(text, Q_TABLE)


def test_a_parenthesised_number_that_is_no_citation_stays_text() -> None:
    assert normalise_citations("规模(2023)为58亿元[1]。", 3) == "规模(2023)为58亿元[1]。"
    assert normalise_citations("见材料(7)。", 3) == "见材料(7)。"  # there is no evidence 7
    assert normalise_citations("(1) 第一点", 3) == "(1) 第一点"  # a list item, not a citation


def test_chinese_numerals_read_and_write() -> None:
    assert parse_chinese("五十八") == 58 and parse_chinese("零点零五八") == 0.058
    assert parse_chinese("十二五") is None  # not a well-formed numeral: left alone
    assert to_chinese(1048) == "一千零四十八" and parse_chinese(to_chinese(51200) or "") == 51200


# -- every kind of lie is rejected -------------------------------------------------------------


@pytest.mark.parametrize(
    ("lie", "question"),
    [
        ("2023年清洁机器人市场规模为59亿元[1]。", Q_TABLE),  # off by a digit
        ("2023年清洁机器人市场规模为58万元[1]。", Q_TABLE),  # off by a unit (caption says 亿元)
        ("2023年清洁机器人市场规模为41亿元[1]。", Q_TABLE),  # the neighbouring year's value
        ("2023年清洁机器人市场规模为19亿元[1]。", Q_TABLE),  # another row of the same table
        ("2023年某国无人机市场规模为64亿元[2]。", Q_PROSE),  # the other year of the prose
        ("2023年某国无人机市场规模为86万元[2]。", Q_PROSE),  # off by a unit in prose
        ("2023年共有4家企业上市[2]。", "2023年共有多少家企业上市？"),  # the competing count
        ("消费级产品占比35亿元[2]。", "消费级产品占比多少？"),  # a percentage passed off as an amount
        ("新条例于2023年7月8日施行[2]。", "新条例哪天施行？"),  # a wrong day of a real date
        ("In 2023 the cleaning robot market reached 4.1 billion yuan [3].", "How big was it in 2023?"),
    ],
)
def test_wrong_numbers_are_rejected(lie: str, question: str) -> None:
    assert "number" in kinds(lie, question), lie


def test_claims_without_citation_or_with_the_wrong_one_are_rejected() -> None:
    assert kinds("2023年清洁机器人市场规模为58亿元。") == ["no_citation"]
    extra = "2023年清洁机器人市场规模为58亿元[1]。这一数字位居全球首位。"
    assert "no_citation" in kinds(extra, Q_TABLE)
    assert "no_citation" in kinds("Cleaning robots: 5.8 billion yuan [3]. This is the highest in the world.")
    assert kinds("2023年清洁机器人市场规模为58亿元[2]。", Q_TABLE)  # cites the drone prose


def test_an_answer_the_evidence_does_not_hold_is_rejected() -> None:
    question = "某国无人机龙头企业是哪家？"
    assert "unsupported" in kinds("某国无人机龙头企业是大疆创新[2]。", question)
    assert "number" in kinds("2025年清洁机器人市场规模为96亿元[1]。", "2025年清洁机器人市场规模是多少？")


def test_each_table_column_keeps_its_own_unit() -> None:
    table = (
        "某省产业概况\n城市 | 企业数量（家） | 产业规模（亿元） | 占全省比重（%）\n甲市 | 312 | 905 | 41.2"
    )
    evidence = {1: table}
    assert verify_answer("甲市产业规模为905亿元[1]。", evidence).ok
    assert verify_answer("甲市有312家企业[1]。", evidence).ok
    assert verify_answer("甲市占全省比重为41.2%[1]。", evidence).ok
    assert not verify_answer("甲市产业规模为905万元[1]。", evidence).ok  # the column says 亿元
    assert not verify_answer("甲市企业数量为312亿元[1]。", evidence).ok  # a count, not an amount
    assert not verify_answer("甲市产业规模占比为905%[1]。", evidence).ok  # an amount, not a share


def test_a_number_counting_another_thing_is_not_support() -> None:
    evidence = {1: "新系统处理一批样本只需60秒，效率是人工的1000倍，截至2023年10月已部署。"}
    assert verify_answer("新系统效率是人工的1000倍[1]。", evidence).ok
    assert not verify_answer("新系统效率是人工的60倍[1]。", evidence).ok  # 60 counts seconds
    assert not verify_answer("截至2023年已部署10套新系统[1]。", evidence).ok  # 10 is the month


# -- a chart's plotted labels and a date's day are no second source for a figure ---------------

CHART_ZH = (
    "2027-2030年青禾市储能装机规模\n12 15 19\n23\n2027 2028 2029 2030\n"
    "图表数据 | 2027-2030年青禾市储能装机规模（万千瓦）\n"
    "2027年 | 12万千瓦\n2028年 | 15万千瓦\n2029年 | 19万千瓦\n2030年 | 23万千瓦"
)
CHART_EN = (
    "Harbor City storage capacity, 2027-2030\n12 15 19 23\n"
    "Chart data | Harbor City storage capacity (thousand MW)\n2027 | 12\n2028 | 15\n2029 | 19\n2030 | 23"
)


@pytest.mark.parametrize(
    ("answer", "evidence", "question", "ok"),
    [
        ("2030年青禾市储能装机规模为23万千瓦[1]。", CHART_ZH, "2030年青禾市储能装机规模是多少？", True),
        ("2030年青禾市储能装机规模为19万千瓦[1]。", CHART_ZH, "2030年青禾市储能装机规模是多少？", False),
        ("In 2030 the storage capacity of Harbor City was 23 thousand MW [1].", CHART_EN,
         "What was Harbor City's storage capacity in 2030?", True),
        ("In 2030 the storage capacity of Harbor City was 19 thousand MW [1].", CHART_EN,
         "What was Harbor City's storage capacity in 2030?", False),
    ],
)  # fmt: skip
def test_chart_value_labels_do_not_unbind_a_figure_from_its_year(
    answer: str, evidence: str, question: str, ok: bool
) -> None:
    assert verify_answer(answer, {1: evidence}, question=question).ok is ok


def test_unlabelled_figure_on_its_own_line_still_counts_without_a_table() -> None:
    plain = "2027-2030年青禾市储能装机规模\n12 15 19\n23"
    assert verify_answer("青禾市储能装机规模有一个值为19[1]。", {1: plain}).ok


@pytest.mark.parametrize(
    ("answer", "evidence"),
    [
        ("星火公司融资5亿元[1]。", "3月5日，星火公司宣布完成新一轮融资。"),
        ("星火公司融资5%[1]。", "3月5日，星火公司宣布完成新一轮融资。"),
        ("Northwind raised 5 billion dollars [1].", "Oct 5, 2031 ... Northwind raised new funds."),
    ],
)
def test_a_dates_day_is_no_amount(answer: str, evidence: str) -> None:
    result = verify_answer(answer, {1: evidence})
    assert not result.ok and result.violations[0].kind == "number"


def test_english_dates_day_still_backs_the_same_day() -> None:
    assert verify_answer("The launch was on Oct 5 [1].", {1: "Oct 5, 2031 ... the launch took place."}).ok


SERIES_TABLE = "某国储能细分市场规模（亿元）\n细分领域 | 2027 | 2028 | 2029\n家用储能 | 121 | 98 | 140"
SERIES_EN = (
    "Home storage market (in billions of yuan)\nSegment | 2027 | 2028 | 2029\nHome storage | 121 | 98 | 140"
)


@pytest.mark.parametrize(
    ("answer", "evidence", "question", "ok"),
    [
        ("家用储能市场规模在2028年最低[1]。", SERIES_TABLE, "家用储能市场规模哪一年最低？", True),
        ("家用储能市场规模98最低[1]。", SERIES_TABLE, "家用储能市场规模哪一年最低？", False),
        ("The home storage market was smallest in 2028 [1].", SERIES_EN,
         "In which year was the home storage market smallest?", True),
        ("The home storage market was smallest at 98 [1].", SERIES_EN,
         "In which year was the home storage market smallest?", False),
        ("家用储能市场规模最低为98亿元[1]。", SERIES_TABLE, "家用储能市场规模最低是多少？", True),
    ],
)  # fmt: skip
def test_a_question_for_a_year_needs_a_year_in_the_answer(
    answer: str, evidence: str, question: str, ok: bool
) -> None:
    assert verify_answer(answer, {1: evidence}, question=question).ok is ok


def test_an_ancient_year_is_a_year() -> None:
    evidence = {1: "青禾国于前108年迁都，公元551年再度迁都。"}
    assert verify_answer("青禾国在前108年迁都[1]。", evidence, question="青禾国在哪一年迁都？").ok
    assert verify_answer("It moved in 108 BC [1].", {1: "The kingdom moved its capital in 108 BC."},
                         question="In which year did the kingdom move its capital?").ok  # fmt: skip


AWARDS = {1: "2031年青禾奖最佳男主角为林晚舟，最佳女主角为周明远。"}
Q_AWARDS = "2031年青禾奖的最佳男主角和女主角分别是谁？"
FILM = {1: "Seaway Drama is a comedy film. It was directed by Clara Vance."}
Q_FILM = "What type of film is Seaway Drama? Who directed it?"


@pytest.mark.parametrize(
    ("answer", "evidence", "question", "ok"),
    [
        ("2031年青禾奖的最佳男主角和女主角分别是林晚舟、周明远[1]。", AWARDS, Q_AWARDS, True),
        ("最佳男主角是林晚舟[1]，最佳女主角是周明远[1]。", AWARDS, Q_AWARDS, True),
        ("2031年青禾奖的最佳男主角和女主角分别是林晚舟[1]。", AWARDS, Q_AWARDS, False),
        ("Seaway Drama is a comedy; it was directed by Clara Vance [1].", FILM, Q_FILM, True),
        ("A comedy [1], directed by Clara Vance [1].", FILM, Q_FILM, True),
        ("Seaway Drama was directed by Clara Vance [1].", FILM, Q_FILM, False),
        ("2031年青禾奖最佳男主角是林晚舟[1]。", AWARDS, "2031年青禾奖最佳男主角是谁？", True),
    ],
)
def test_a_question_for_several_things_is_not_answered_by_one(
    answer: str, evidence: dict[int, str], question: str, ok: bool
) -> None:
    assert verify_answer(answer, evidence, question=question).ok is ok
