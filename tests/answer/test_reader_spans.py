"""Candidate spans, span choice inside a sentence, evidence scoring, voting and calibration."""

from __future__ import annotations

import pytest
import rjieba

from zhiku.answer import spans as sp
from zhiku.answer.evidence import build_sentences, merge_fragments, score_all
from zhiku.answer.lang import english_amount
from zhiku.answer.pick import pick_span
from zhiku.types import Hit
from zhiku.understand.question import analyse
from zhiku.understand.sentences import split_sentences

pytestmark = pytest.mark.unit


def texts(spans: list[sp.Span]) -> list[str]:
    return [s.text for s in spans]


def test_number_spans_keep_units_ranges_and_skip_codes() -> None:
    text = "英伟达H200的性能相比H100提升了60%到90%，共有18家AI公司，规模达3.4万亿元，一种新芯片。"
    found = texts(sp.number_spans(text))
    assert "60%到90%" in found and "18家" in found and "3.4万亿元" in found
    assert "200" not in found and "100" not in found  # parts of model names
    assert "一种" not in found  # an article, not a quantity


def test_number_spans_skip_years_but_keep_durations() -> None:
    found = texts(sp.number_spans("2020-2028年规模增长，五年复合增长率为30.6%，2023年共5家。"))
    assert "2020-2028年" not in found and "2023年" not in found
    assert "五年" in found and "30.6%" in found and "5家" in found


def test_date_spans_cover_days_years_centuries_and_english() -> None:
    text = "2023年3月31日生效；10月25日挂牌；前108年合并；19世纪60年代投产；on March 31, 2023."
    found = texts(sp.date_spans(text))
    for date in ("2023年3月31日", "10月25日", "前108年", "19世纪60年代", "March 31, 2023"):
        assert date in found


def test_name_and_list_spans_use_part_of_speech() -> None:
    text = "编剧兼导演詹姆斯·卡梅隆执导，RCEP成员包括东盟、中国、日本、韩国、澳大利亚和新西兰。"
    names = texts(sp.name_spans(text, rjieba.tag(text)))
    assert "詹姆斯·卡梅隆" in names
    lists = texts(sp.list_spans(text, rjieba.tag(text)))
    assert any("东盟" in x and "新西兰" in x for x in lists)


def test_alias_spans_follow_alias_markers() -> None:
    assert texts(sp.alias_spans("美味牛肝菌又称大腿蘑，是一种真菌。")) == ["大腿蘑"]


def test_alias_list_stays_whole_and_special_markers_need_asking() -> None:
    text = "星港码头公司简称星港、星港码头（英文缩写：SPT），学名不详。"
    assert texts(sp.alias_spans(text, "星港码头公司的简称是什么？")) == ["星港、星港码头"]
    assert texts(sp.alias_spans(text, "星港码头公司又称什么？")) == []  # 简称 is a special kind of name
    assert texts(sp.alias_spans("云杉鸟也称林间哨兵、山哨或雪哨，学名：'", "云杉鸟又叫什么？")) == [
        "林间哨兵、山哨或雪哨"
    ]


def hit(chunk_id: str, text: str, doc_id: str = "d1", title: str = "") -> Hit:
    return Hit(chunk_id=chunk_id, doc_id=doc_id, text=text, score=1.0, title=title)


def test_pick_span_prefers_the_figure_of_the_asked_year() -> None:
    text = "2023年产业规模已达到2137亿元，预计到2028年，产业规模将达到8110亿元。"
    sentence = build_sentences([hit("c", text)], split_sentences)[0]
    for year, value in (("2023", "2137亿元"), ("2028", "8110亿元")):
        picked = pick_span(analyse(f"{year}年产业规模是多少？"), sentence)
        assert picked is not None and picked[0].text == value


def test_pick_span_uses_the_unit_the_metric_implies() -> None:
    text = "黑尾前肛鳗体长为体高的20.1倍，最大可达23.7公分。"
    sentence = build_sentences([hit("c", text)], split_sentences)[0]
    picked = pick_span(analyse("黑尾前肛鳗的体长是多少？"), sentence)
    assert picked is not None and picked[0].text == "23.7公分"


def test_title_counts_for_every_sentence_of_its_document() -> None:
    hits = [hit("c", "本种为辐鳍鱼纲的一种。体长可达91厘米。栖息于森林。", title="灰凤冠雉")]
    analysis = analyse("灰凤冠雉的体长是多少？")
    ranked = sorted(
        score_all(analysis, build_sentences(hits, split_sentences), pick_span),
        key=lambda s: s.rank_score("number"),
        reverse=True,
    )
    assert ranked[0].span is not None and ranked[0].span.text == "91厘米"


def test_line_fragments_are_merged_into_one_statement() -> None:
    merged = merge_fragments(["截至2022年10月，北京", "拥有人工智能核心企业", "1048家，占全国的29%。"])
    assert merged == ["截至2022年10月，北京拥有人工智能核心企业1048家，占全国的29%。"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("8110亿元", "811 billion yuan"),
        ("3.4万亿元", "3.4 trillion yuan"),
        ("6亿", "600 million"),
        ("18家", ""),
    ],
)
def test_english_amounts(text: str, words: str) -> None:
    assert english_amount(text) == words


def _best_span(question: str, texts_: list[str]) -> str:
    hits = [Hit(chunk_id=f"c{n}", doc_id=f"d{n}", text=t, score=1.0) for n, t in enumerate(texts_)]
    analysis = analyse(question)
    scored = [s for s in score_all(analysis, build_sentences(hits, split_sentences), pick_span) if s.span]
    best = max(scored, key=lambda s: s.rank_score(analysis.qtype.kind))
    assert best.span is not None
    return best.span.text


def test_a_year_named_only_as_the_base_of_a_comparison_is_weak_evidence() -> None:
    """The 2030 release mentions 2029 only as "比2029年": it does not state 2029's figure."""
    texts_ = [
        "2030年全省茶叶总产量为12.5万吨，比2029年全省茶叶产量增加1.2万吨。",
        "据统计，全省茶叶2029年产量11.3万吨。",
    ]
    assert _best_span("2029年全省茶叶产量是多少？", texts_) == "11.3万吨"


def test_the_place_named_just_before_a_figure_is_whose_figure_it_is() -> None:
    texts_ = ["2031年，中国经济增长4.0%，美国经济增长2.5%。"]
    assert _best_span("2031年美国经济增长了多少？", texts_) == "2.5%"
    assert _best_span("2031年中国经济增长了多少？", texts_) == "4.0%"


def test_which_group_is_answered_by_a_word_ending_in_group() -> None:
    """哪个组 → "C组"; a time-zone phrase tagged like a name (北京时间) is never an answer."""
    texts_ = [
        "北京时间5月2日，星河杯青年队锁定出线资格。",
        "抽签结果显示，星河杯青年队被分在C组。",
    ]
    assert _best_span("星河杯青年队在哪个组？", texts_) == "C组"


@pytest.mark.parametrize(
    ("run", "cores"),
    [
        ("王安宇主演", ["王安宇"]),
        ("闭幕式总导演张艺谋", ["闭幕式", "张艺谋"]),
        ("战胜安洗莹", ["安洗莹"]),
        ("谢尔盖·拉夫罗夫", ["谢尔盖·拉夫罗夫"]),
    ],
)
def test_role_and_verb_words_are_cut_out_of_name_runs(run: str, cores: list[str]) -> None:
    span = sp.Span(run, 10, 10 + len(run), "name", tag="nr")
    got = sp.name_cores(span)
    assert texts(got) == cores
    assert all(run[c.start - 10 : c.end - 10] == c.text for c in got)  # offsets stay valid


def test_person_answer_is_the_name_without_the_role_next_to_it() -> None:
    assert (
        _best_span("《星河之旅》的主演是谁？", ["电视剧《星河之旅》由王安宇领衔主演，今晚首播。"]) == "王安宇"
    )


def test_an_entity_answer_does_not_restate_the_asked_category() -> None:
    """ "NFL冠军" repeats 冠军; the team named by city + nickname is not a bare place."""
    texts_ = ["2029年星河杯队伍简介：杭州飞鹰队拥有两个NFL冠军以及两个星河杯冠军。"]
    assert _best_span("2029年星河杯冠军是谁", texts_) == "杭州飞鹰队"


def test_a_change_against_the_asked_year_is_not_that_years_figure() -> None:
    texts_ = ["2030年全省茶叶产量12.5万吨，比2029年全省茶叶产量增加1.2万吨。"]
    assert _best_span("2030年全省茶叶产量是多少？", texts_) == "12.5万吨"
    assert _best_span("2029年全省茶叶产量是多少？", texts_) != "1.2万吨"  # a change against 2029


def test_a_date_of_another_year_does_not_answer() -> None:
    """The second sentence echoes the question but its only date is of another year."""
    texts_ = ["星河杯2030年赛事于8月31日开始。", "2030年星河杯开始时间确定前，人们想起2014年。"]
    assert _best_span("2030年星河杯开始时间", texts_) == "8月31日"
    english = [
        "The Star Cup opens on August 31, 2030, the organisers said.",
        "Before the 2030 Star Cup start date was set, fans recalled the delay of March 3, 2014.",
    ]
    assert _best_span("When does the 2030 Star Cup start?", english) == "August 31, 2030"


def test_cast_questions_are_answered_by_the_whole_cast() -> None:
    texts_ = ["《星河之旅》是由沈严执导，雷佳音、张子枫、张新成主演的成长剧。"]
    assert _best_span("谁是《星河之旅》主演？", texts_) == "雷佳音、张子枫、张新成"
    assert _best_span("《星河之旅》的导演是谁？", texts_) == "沈严"


def test_a_person_answer_is_not_the_person_the_question_names() -> None:
    texts_ = ["约翰·肯尼迪被李·奥斯瓦尔德刺杀。"]
    assert _best_span("谁刺杀了肯尼迪？", texts_) == "李·奥斯瓦尔德"


def test_the_noun_counted_by_duoshao_acts_as_the_unit() -> None:
    texts_ = ["星河科技凭借20余年的经验，已在全球16国构建了覆盖50+语种的数据采集网络。"]
    assert _best_span("星河科技的数据采集网络覆盖了多少语种？", texts_) == "50+语种"


def test_genre_questions_are_answered_by_a_genre_not_a_title() -> None:
    texts_ = ["在2030年的电视剧市场中，一部反黑刑侦剧《星河》引爆了观众的热情，可与《海港》媲美。"]
    assert _best_span("《星河》是什么类型的电视剧", texts_) == "反黑刑侦剧"
    assert _best_span("《星河》是什么类型的电影", ["《星河》是一部喜剧类型影片。"]) == "喜剧"


def test_a_per_head_figure_does_not_answer_a_total() -> None:
    texts_ = ["星河软件以每股95美元、总价687亿美元收购海港游戏。"]
    assert _best_span("星河软件花了多少钱收购海港游戏？", texts_) == "687亿美元"
    assert _best_span("星河软件收购海港游戏的每股价格是多少？", texts_) == "95美元"
    english = ["Star Soft bought Harbour Games for $95 per share, or $68.7 billion in total."]
    assert _best_span("How much did Star Soft pay for Harbour Games?", english) != "$95"


def test_a_money_question_is_not_answered_by_a_head_count_of_the_same_magnitude() -> None:
    texts_ = ["2030年国庆假期全国国内旅游出游4.22亿人次，实现国内旅游收入2872.1亿元。"]
    assert _best_span("2030年国庆假期全国旅游收入是多少？", texts_) == "2872.1亿元"
    assert _best_span("2030年国庆假期全国旅游收益是多少？", texts_) == "2872.1亿元"
    assert _best_span("2030年国庆假期全国旅游人次是多少？", texts_) == "4.22亿人次"


def test_date_ranges_are_kept_whole_and_never_left_dangling() -> None:
    found = texts(sp.date_spans("峰会于2030年11月15日至16日举行；展会9月10日至25日开放；2031年3月1日至"))
    assert found == ["2030年11月15日至16日", "9月10日至25日", "2031年3月1日"]


def test_a_date_range_agrees_with_a_source_giving_its_first_day() -> None:
    from zhiku.answer.evidence import vote_key

    assert vote_key(sp.Span("7月6日至9日", 0, 7, "date")) == vote_key(sp.Span("7月6日", 0, 4, "date"))
    assert vote_key(sp.Span("60%到90%", 0, 7, "number")) == "60%到90%"  # a number range stays whole


def test_the_source_a_statement_cites_is_not_its_answer() -> None:
    texts_ = ["根据赛迪顾问不完全统计，国内独角兽中估值最高的是一家机器人企业。", "这家企业名为Nordhaven。"]
    assert _best_span("国内独角兽中估值最高的是哪家公司？", texts_) == "Nordhaven"


def test_a_lone_character_is_not_a_place() -> None:
    assert _best_span("林肯郡在哪里？", ["南与剑桥郡相邻。"]) == "剑桥郡"  # not "南"
