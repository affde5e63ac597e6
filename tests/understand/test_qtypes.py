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
        ("2022年全省光伏装机容量是多少？", "number", ""),
        ("2021年有多少家企业进入上市辅导？", "number", "家"),
        ("效率是人工标注的多少倍？", "number", "倍"),
        ("计算机视觉模态占比是多少？", "number", "%"),
        ("复合增长率是多少？", "number", "%"),
        ("新上市的公司有几家？", "number", "家"),
        ("2022年特斯拉交付量", "number", ""),
        ("How many companies entered the IPO stage in 2023?", "number", ""),
        ("What percentage of funding went to AIGC?", "number", "%"),
        ("What is the expected size of Europe's battery market in 2030?", "number", ""),
    ],
)
def test_number_questions(question: str, kind: str, unit: str) -> None:
    qt = detect_question_type(question)
    assert (qt.kind, qt.unit) == (kind, unit)
    assert qt.typed


@pytest.mark.parametrize(
    ("question", "grain"),
    [
        ("新版报销制度是哪天生效的？", "day"),
        ("国家数据局是什么时候挂牌成立的？", "day"),
        ("高豆莫在哪一年合并了两国？", "year"),
        ("新规几月实施？", "month"),
        ("2021年温网开始时间", "day"),
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
        ("谁是上届全运会开幕式的主持人", "person"),
        ("Who founded the company?", "person"),
        ("2021世界物联网博览会举办的地点是哪里", "place"),
        ("Where is the headquarters?", "place"),
        ("LLaMA模型包括哪几种参数规模？", "list"),
        ("该联盟具体包括哪些成员", "list"),
        ("Which company has the highest valuation?", "entity"),
        ("检索增强中的重排序模块起什么作用？", "other"),
        ("Why did the market grow?", "other"),
    ],
)
def test_entity_list_and_free_text_questions(question: str, kind: str) -> None:
    assert detect_question_type(question).kind == kind


def test_analysis_marks_years_and_places_as_qualifiers() -> None:
    analysis = analyse("2022年美国人工智能产业规模是多少？")
    critical = {t.alternatives[0]: t.role for t in analysis.critical}
    assert critical["2022"] == "year"
    assert critical["美国"] == "place"
    words = {t.alternatives[0] for t in analysis.tokens}
    assert {"人工智能", "产业", "规模"} <= words
    assert "多少" not in words and "是" not in words
    assert analysis.ngrams(2) and analysis.ngrams(3)


def test_english_analysis_carries_chinese_alternatives() -> None:
    analysis = analyse("What is the expected size of China's AI industry in 2030?")
    assert analysis.language == "en"
    assert analysis.years == ("2030",)
    alternatives = {a for t in analysis.tokens for a in t.alternatives}
    assert {"中国", "人工智能", "产业", "规模"} <= alternatives
    china = next(t for t in analysis.tokens if "china" in t.alternatives)
    assert china.critical and china.role == "place"


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("广州和深圳2022年的GDP分别是多少？", ["广州2022年的GDP是多少？", "深圳2022年的GDP是多少？"]),
        ("2020年和2021年欧冠冠军是谁", ["2020年欧冠冠军是谁", "2021年欧冠冠军是谁"]),
        ("2022年全省光伏装机容量是多少？", ["2022年全省光伏装机容量是多少？"]),
        ("计算机视觉和自然语言处理哪个占比高", ["计算机视觉和自然语言处理哪个占比高"]),
        ("第十四届和第十五届全运会开幕时间", ["第十四届全运会开幕时间", "第十五届全运会开幕时间"]),
        (
            "2022年金马奖最佳女主角和最佳男主角分别是谁？",
            ["2022年金马奖最佳女主角是谁？", "2022年金马奖最佳男主角是谁？"],
        ),
        (
            "金鹰奖最佳电视剧和最佳电视动画分别是什么？",
            ["金鹰奖最佳电视剧是什么？", "金鹰奖最佳电视动画是什么？"],
        ),
        ("2022和2023年春节档票房冠军", ["2022年春节档票房冠军", "2023年春节档票房冠军"]),
        ("ACL2021和2022的举办地", ["ACL2021的举办地", "ACL2022的举办地"]),
        ("男子和女子世界锦标赛分别在哪举行", ["男子世界锦标赛在哪举行", "女子世界锦标赛在哪举行"]),
        ("德国队和法国队在哪个组", ["德国队在哪个组", "法国队在哪个组"]),
        ("中国和美国的关系如何", ["中国和美国的关系如何"]),
        ("某前首相的葬礼时间和地点？", ["某前首相的葬礼时间？", "某前首相的葬礼地点？"]),
        ("《远方的灯塔》的编剧和导演是谁？", ["《远方的灯塔》的编剧是谁？", "《远方的灯塔》的导演是谁？"]),
        ("2022年国庆旅游人次和收入是多少？", ["2022年国庆旅游人次是多少？", "2022年国庆旅游收入是多少？"]),
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
        ("ICML2021在哪举办", "place", ""),
        ("在哪个城市举办", "place", ""),
    ],
)
def test_head_noun_of_which_questions(question: str, kind: str, head: str) -> None:
    qt = detect_question_type(question)
    assert (qt.kind, qt.head) == (kind, head)


@pytest.mark.parametrize(
    ("question", "kind", "unit"),
    [
        ("我国2022年人口自然增长率", "number", "%"),  # a rate: ‰ and % answer it, a head count does not
        ("2023年5月我国手机出口量", "number", ""),
        ("2022国庆首日铁路旅客发送量", "number", ""),
        ("2022年国庆旅游人次", "number", ""),
        ("某电视剧的大结局在哪一集？", "number", ""),
        ("T-50教练机研发国家", "place", ""),
        ("2015年亚洲杯举办国？", "place", ""),
        ("澳门第三任行政长官？", "person", ""),
        ("2021年金鸡奖最佳女主角", "person", ""),
        ("杭州亚运会口号是什么", "entity", ""),
        ("最佳影片是哪部", "entity", ""),
        ("What was China's birth rate in 2021?", "number", "%"),
        ("那家足球俱乐部只存在了多长时间？", "number", ""),  # a duration, not a date
        ("What was the host country of the 2019 Asian Cup?", "place", ""),
    ],
)
def test_search_style_queries_name_their_answer_type(question: str, kind: str, unit: str) -> None:
    qt = detect_question_type(question)
    assert (qt.kind, qt.unit) == (kind, unit)


def test_the_counted_noun_after_duoshao() -> None:
    assert detect_question_type("数据采集网络覆盖了多少语种？").counted == "语种"
    assert detect_question_type("有多少家AI公司上市？").counted == ""  # 家 is a measure word: unit


def test_questions_counting_people_expect_person_units() -> None:
    assert "人" in detect_question_type("这家工厂有多少技术人员？").units
    assert "人" in detect_question_type("去年景区接待了多少游客？").units


@pytest.mark.parametrize(
    ("query", "unit"),
    [
        ("2021年全省宽带普及率", "%"),
        ("2023年某品牌手机市场占有率", "%"),
        ("2022年全市社会消费品零售额", ""),
        ("2021年某港口集装箱吞吐量", ""),
        ("某款新车起售价", ""),
        ("2020年某县参保人数", ""),
    ],
)
def test_keyword_queries_ending_in_a_metric_ask_for_a_figure(query: str, unit: str) -> None:
    qt = detect_question_type(query)
    assert (qt.kind, qt.unit) == ("number", unit)


@pytest.mark.parametrize("query", ["某品牌产品质量", "某选手在全运会的成绩"])
def test_quality_and_results_are_not_figures(query: str) -> None:
    assert detect_question_type(query).kind != "number"
