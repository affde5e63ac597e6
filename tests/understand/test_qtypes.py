"""Answer-type detection and question analysis (terms, qualifiers)."""

from __future__ import annotations

import pytest

from zhiku.understand.coordinated import split_coordinated
from zhiku.understand.qtypes import detect_question_type
from zhiku.understand.question import analyse

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "kind", "unit"),
    [
        ("2023年中国人工智能产业规模是多少？", "number", ""),
        ("2023年有多少家AI公司进入IPO阶段？", "number", "家"),
        ("效率是人工标注的多少倍？", "number", "倍"),
        ("计算机视觉模态占比是多少？", "number", "%"),
        ("复合增长率是多少？", "number", "%"),
        ("新上市的公司有几家？", "number", "家"),
        ("2022年特斯拉交付量", "number", ""),
        ("How many companies entered the IPO stage in 2023?", "number", ""),
        ("What percentage of funding went to AIGC?", "number", "%"),
        ("What is the projected size of China's AI industry in 2028?", "number", ""),
    ],
)
def test_number_questions(question: str, kind: str, unit: str) -> None:
    qt = detect_question_type(question)
    assert (qt.kind, qt.unit) == (kind, unit)
    assert qt.typed


@pytest.mark.parametrize(
    ("question", "grain"),
    [
        ("港交所18C条款是哪天生效的？", "day"),
        ("国家数据局是什么时候挂牌成立的？", "day"),
        ("高豆莫在哪一年合并了两国？", "year"),
        ("新规几月实施？", "month"),
        ("2022年法网开始时间", "day"),
        ("When did the measures take effect?", "day"),
        ("In which year was the company founded?", "year"),
    ],
)
def test_date_questions(question: str, grain: str) -> None:
    qt = detect_question_type(question)
    assert qt.kind == "date"
    assert qt.grain == grain


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("2023年估值最高的是哪家公司？", "entity"),
        ("落地最多的领域是哪个？", "entity"),
        ("谁是北京冬奥会第一棒火炬手", "person"),
        ("Who founded the company?", "person"),
        ("2022世界5G大会举办的地点是哪里", "place"),
        ("Where is the headquarters?", "place"),
        ("LLaMA模型包括哪几种参数规模？", "list"),
        ("RCEP具体包括哪些国家", "list"),
        ("Which company has the highest valuation?", "entity"),
        ("MOE架构中的门控模型起什么作用？", "other"),
        ("Why did the market grow?", "other"),
    ],
)
def test_entity_list_and_free_text_questions(question: str, kind: str) -> None:
    assert detect_question_type(question).kind == kind


def test_analysis_marks_years_and_places_as_qualifiers() -> None:
    analysis = analyse("2023年美国人工智能产业规模是多少？")
    critical = {t.alternatives[0]: t.role for t in analysis.critical}
    assert critical["2023"] == "year"
    assert critical["美国"] == "place"
    words = {t.alternatives[0] for t in analysis.tokens}
    assert {"人工智能", "产业", "规模"} <= words
    assert "多少" not in words and "是" not in words
    assert analysis.ngrams(2) and analysis.ngrams(3)


def test_english_analysis_carries_chinese_alternatives() -> None:
    analysis = analyse("What is the projected size of China's AI industry in 2028?")
    assert analysis.language == "en"
    assert analysis.years == ("2028",)
    alternatives = {a for t in analysis.tokens for a in t.alternatives}
    assert {"中国", "人工智能", "产业", "规模"} <= alternatives
    china = next(t for t in analysis.tokens if "china" in t.alternatives)
    assert china.critical and china.role == "place"


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("上海和北京2021年的GDP分别是多少？", ["上海2021年的GDP是多少？", "北京2021年的GDP是多少？"]),
        ("2022年和2023年超级碗冠军是谁", ["2022年超级碗冠军是谁", "2023年超级碗冠军是谁"]),
        ("2023年中国人工智能产业规模是多少？", ["2023年中国人工智能产业规模是多少？"]),
        ("计算机视觉和自然语言处理哪个占比高", ["计算机视觉和自然语言处理哪个占比高"]),
        ("成都大运会和杭州亚运会开幕时间", ["成都大运会开幕时间", "杭州亚运会开幕时间"]),
        (
            "2023年奥斯卡最佳女主角和最佳男主角分别是谁？",
            ["2023年奥斯卡最佳女主角是谁？", "2023年奥斯卡最佳男主角是谁？"],
        ),
        (
            "金鹰奖最佳电视剧和最佳电视动画分别是什么？",
            ["金鹰奖最佳电视剧是什么？", "金鹰奖最佳电视动画是什么？"],
        ),
        ("2022和2023年春节档票房冠军", ["2022年春节档票房冠军", "2023年春节档票房冠军"]),
        ("EMNLP2022和2023的举办地", ["EMNLP2022的举办地", "EMNLP2023的举办地"]),
        ("男子和女子世界锦标赛分别在哪举行", ["男子世界锦标赛在哪举行", "女子世界锦标赛在哪举行"]),
        ("德国队和法国队在哪个组", ["德国队在哪个组", "法国队在哪个组"]),
        ("中国和美国的关系如何", ["中国和美国的关系如何"]),
        ("安倍晋三的国葬时间和地点？", ["安倍晋三的国葬时间？", "安倍晋三的国葬地点？"]),
        ("《踏冰逐梦》的主演和导演是谁？", ["《踏冰逐梦》的主演是谁？", "《踏冰逐梦》的导演是谁？"]),
        ("2023年五一旅游人次和收入是多少？", ["2023年五一旅游人次是多少？", "2023年五一旅游收入是多少？"]),
        ("研究和开发投入是多少", ["研究和开发投入是多少"]),
        ("大模型和小模型协同的方式有哪些", ["大模型和小模型协同的方式有哪些"]),
        ("What were the sizes in 2023 and 2028?", ["What were the sizes in 2023 and 2028?"]),
    ],
)
def test_split_coordinated(question: str, parts: list[str]) -> None:
    assert split_coordinated(question) == parts


@pytest.mark.parametrize(
    ("question", "kind", "head"),
    [
        ("卡塔尔世界杯法国队在哪个组", "entity", "组"),
        ("他获得了什么奖", "entity", "奖"),
        ("哪家公司发布了文心一言", "entity", "公司"),
        ("CVPR2022在哪举办", "place", ""),
        ("在哪个城市举办", "place", ""),
    ],
)
def test_head_noun_of_which_questions(question: str, kind: str, head: str) -> None:
    qt = detect_question_type(question)
    assert (qt.kind, qt.head) == (kind, head)


@pytest.mark.parametrize(
    ("question", "kind", "unit"),
    [
        ("我国2021年人口出生率", "number", "%"),  # a rate: ‰ and % answer it, a head count does not
        ("2022年8月我国汽车出口量", "number", ""),
        ("2023春运首日旅客发送量", "number", ""),
        ("2023年五一旅游人次", "number", ""),
        ("三体电视剧古筝行动在哪一集？", "number", ""),
        ("KF-21战斗机研发国家", "place", ""),
        ("2019年亚洲杯举办国？", "place", ""),
        ("香港第四任行政长官？", "person", ""),
        ("2022年金鹰奖最佳男主角", "person", ""),
        ("北京2022年冬奥会口号是什么", "entity", ""),
        ("最佳影片是哪部", "entity", ""),
        ("What was China's birth rate in 2021?", "number", "%"),
        ("广州白云山足球俱乐部只存在了多长时间？", "number", ""),  # a duration, not a date
        ("What was the host country of the 2019 Asian Cup?", "place", ""),
    ],
)
def test_search_style_queries_name_their_answer_type(question: str, kind: str, unit: str) -> None:
    qt = detect_question_type(question)
    assert (qt.kind, qt.unit) == (kind, unit)


def test_the_counted_noun_after_duoshao() -> None:
    assert detect_question_type("数据采集网络覆盖了多少语种？").counted == "语种"
    assert detect_question_type("有多少家AI公司上市？").counted == ""  # 家 is a measure word: unit
