"""Claim-role checks: a claimed span that cannot fill the role the question asks for is refused
(a month for a non-date question, a name never introduced as another name, a piece of a longer
foreign phrase, no place for "where", no person for "who"); a right answer of the same shape is
not.  Every example is invented (zh + en): no rule may know it."""

from __future__ import annotations

import pytest

from zhiku.answer.claim_role import asks_alias, role_clash
from zhiku.answer.reader import ExtractiveReader
from zhiku.answer.reader_check import ReaderCrossCheck, ReaderOpinion

pytestmark = pytest.mark.unit


# -- month for a question that asks no date ---------------------------------------------------


def test_month_of_a_dateline_is_no_answer_to_a_question_for_a_product() -> None:
    zh = ["Jul 12, 2031 ... 星岚电池的主打产品是晨光一号。", "7月 星岚电池发布新品。"]
    assert role_clash("星岚电池的主打产品叫什么？", "7月", zh) is not None
    assert role_clash("星岚电池的主打产品叫什么？", "Jul", zh) is not None
    en = ["Jul 12, 2031 ... The flagship product of Polaris Foods is Dawn One."]
    assert role_clash("What is the flagship product of Polaris Foods?", "Jul", en) is not None


def test_month_is_a_right_answer_when_a_month_or_time_is_asked() -> None:
    zh = ["星岚电池于7月发布新品。"]
    assert role_clash("星岚电池哪个月发布新品？", "7月", zh) is None
    assert role_clash("星岚电池发布新品的时间", "7月", zh) is None
    en = ["Polaris Foods launched Dawn One in July."]
    assert role_clash("In which month did Polaris Foods launch Dawn One?", "July", en) is None
    assert role_clash("When did Polaris Foods launch Dawn One?", "July", en) is None


# -- another name: the claim must be introduced as one ----------------------------------------


WHALE_ZH = ["蓝鳍鲸又称长须鲸、芬氏鲸，多分布在挪威沿海。", "渔民简称：蓝鳍。"]
WHALE_EN = ["The blue-fin whale, also known as the fin whale, lives off Norway."]


def test_alias_question_detected_in_both_languages() -> None:
    assert asks_alias("蓝鳍鲸又称什么？")
    assert asks_alias("What is the blue-fin whale also known as?")
    assert not asks_alias("Where does the blue-fin whale live?")


def test_name_not_introduced_as_another_name_is_refused() -> None:
    assert role_clash("蓝鳍鲸又称什么？", "挪威", WHALE_ZH) is not None
    assert role_clash("What is the blue-fin whale also known as?", "Norway", WHALE_EN) is not None


def test_name_after_a_naming_cue_is_accepted() -> None:
    assert role_clash("蓝鳍鲸又称什么？", "长须鲸", WHALE_ZH) is None
    assert role_clash("蓝鳍鲸又称什么？", "芬氏鲸", WHALE_ZH) is None  # listed after the cue
    assert role_clash("蓝鳍鲸的简称是什么？", "蓝鳍", WHALE_ZH) is None  # "简称：蓝鳍"
    assert role_clash("What is the blue-fin whale also known as?", "the fin whale", WHALE_EN) is None


# -- a piece of a longer foreign-script phrase ------------------------------------------------


def test_one_word_of_a_longer_foreign_phrase_is_refused() -> None:
    zh = ["星岚电池（英语：Starwind Battery Group）隶属于恒远集团。"]
    assert role_clash("星岚电池隶属于哪家公司？", "Battery", zh) is not None
    en = ["Starwind belongs to 恒远集团有限公司 since 2031."]
    assert role_clash("Which company owns Starwind?", "集团", en) is not None


def test_a_foreign_name_that_stands_on_its_own_is_accepted() -> None:
    zh = ["星岚电池隶属于 Helios，总部在青禾市。", "该台频率为AM 675 kHz。"]
    assert role_clash("星岚电池隶属于哪家公司？", "Helios", zh) is None
    assert role_clash("该台的频率是什么？", "AM", zh) is None  # a band before its number
    en = ["Starwind belongs to 恒远 since 2031."]
    assert role_clash("Which company owns Starwind?", "恒远", en) is None


# -- where: a place name ------------------------------------------------------------------------


def test_no_place_name_for_where_is_refused() -> None:
    zh = ["2030年星岚博览会将在杭州举行，展馆可以容纳3万名观众。"]
    assert role_clash("2030年星岚博览会在哪里举行？", "容纳", zh, typed=False) is not None
    en = ["The 2030 Starwind Expo will be held in Hangzhou; its hall has a capacity of 30,000."]
    assert role_clash("Where will the 2030 Starwind Expo be held?", "capacity", en) is not None


def test_place_name_for_where_is_accepted() -> None:
    zh = ["2030年星岚博览会将在杭州举行，展馆可以容纳3万名观众。"]
    assert role_clash("2030年星岚博览会在哪里举行？", "杭州", zh, typed=True) is None
    assert role_clash("2030年星岚博览会在哪里举行？", "容纳", zh, typed=None) is None  # typing unknown
    en = ["The 2030 Starwind Expo will be held in Hangzhou; its hall has a capacity of 30,000."]
    assert role_clash("Where will the 2030 Starwind Expo be held?", "Hangzhou", en) is None


# -- who: a person --------------------------------------------------------------------------------


def test_place_for_who_is_refused() -> None:
    zh = ["电影《星河》由北京青禾影业出品，导演林晚舟。"]
    assert role_clash("电影《星河》的导演是谁？", "北京", zh) is not None
    en = ["Starfall was directed by Ada Lin and produced by engineers of Polaris Foods."]
    assert role_clash("Who directed Starfall?", "engineers", en) is not None


def test_name_for_who_is_accepted() -> None:
    zh = ["电影《星河》由北京青禾影业出品，导演林晚舟。", "导演是加里·罗斯。"]
    assert role_clash("电影《星河》的导演是谁？", "林晚舟", zh) is None
    assert role_clash("电影《星河》的导演是谁？", "加里·罗斯", zh) is None
    en = ["Starfall was directed by Ada Lin and produced by engineers of Polaris Foods."]
    assert role_clash("Who directed Starfall?", "Ada Lin", en) is None


# -- in the cross-check ---------------------------------------------------------------------------


def test_cross_check_refuses_a_clash_unless_the_answer_states_the_readers_pick(
    reader: ExtractiveReader,
) -> None:
    check = ReaderCrossCheck(reader, mode="hand")
    clash = ReaderOpinion("林晚舟", 0.3, "北京", 0.2, agrees=False, clash="no person")
    assert check.refuses(clash) and check.violation(clash) is not None
    agreed = ReaderOpinion("林晚舟", 0.3, "林晚舟", 0.3, agrees=True, clash="no person")
    assert not check.refuses(agreed)
    plain = ReaderOpinion("林晚舟", 0.3, "北京", 0.2, agrees=False)
    assert not check.refuses(plain)  # the hand rule alone: the reader is not sure


# -- a piece of a quoted title ------------------------------------------------------------------


def test_piece_of_a_quoted_title_is_refused() -> None:
    zh = ["《星河往事》（台湾译《月下孤舟》）是2031年的剧情片，导演林晚舟。"]
    assert role_clash("《星河往事》的导演是谁？", "下孤舟", zh) is not None
    en = ['"The Silver Harbor Story" (2031) is a drama directed by Ada Lin.']
    assert role_clash("Who directed the film?", "Harbor", en) is not None


def test_whole_quoted_title_and_glossed_name_are_accepted() -> None:
    zh = ["这个吉祥物的名字是“星宝(Xingbao)”，意为快乐的星星。", "另一部作品是《月下孤舟》。"]
    assert role_clash("星岚运动会的吉祥物叫什么？", "星宝", zh) is None  # the gloss is no part
    assert role_clash("林晚舟的另一部作品是什么？", "月下孤舟", zh) is None
    en = ['Her other film is "Moonlit Boat".']
    assert role_clash("What is her other film?", "Moonlit Boat", en) is None


# -- a member of a named class -------------------------------------------------------------------


def test_name_not_called_a_member_of_the_asked_class_is_refused() -> None:
    zh = ["林晚舟毕业于青禾大学。", "她后来在远帆县支教两年。"]
    assert role_clash("林晚舟毕业于哪所大学？", "远帆县", zh) is not None
    en = ["Ada Lin graduated from Harbor University.", "She taught in Westfield for two years."]
    assert role_clash("Which university did Ada Lin graduate from?", "Westfield", en) is not None


def test_member_of_the_asked_class_is_accepted() -> None:
    zh = ["林晚舟毕业于青禾大学，后加入远帆集团。", "她的文章发表在《星岚周刊》上，该杂志创刊于2001年。"]
    assert role_clash("林晚舟毕业于哪所大学？", "青禾大学", zh) is None
    assert role_clash("林晚舟毕业于哪所大学？", "青禾", zh) is None  # called a university next to it
    assert role_clash("她的文章发表在什么杂志上？", "《星岚周刊》", zh) is None  # a title
    en = ["Ada Lin graduated from Harbor University and joined the Vance group."]
    assert role_clash("Which university did Ada Lin graduate from?", "Harbor University", en) is None
    assert role_clash("Which group did Ada Lin join?", "Vance", en) is None


# -- which year: a year ------------------------------------------------------------------------------


def test_bare_small_number_for_which_year_is_refused_and_a_year_accepted() -> None:
    zh = ["1985年，林晚舟第一次登台，5年后成名。"]
    assert role_clash("林晚舟在哪一年第一次登台？", "5", zh) is not None
    assert role_clash("林晚舟在哪一年第一次登台？", "1985年", zh) is None
    en = ["In 1985 Ada Lin first went on stage; 5 years later she was famous."]
    assert role_clash("In which year did Ada Lin first go on stage?", "5", en) is not None
    assert role_clash("In which year did Ada Lin first go on stage?", "1985", en) is None


# -- who: an acronym is a title or a body ----------------------------------------------------------


def test_acronym_for_who_is_refused() -> None:
    zh = ["3月1日，星岚电池宣布林晚舟接任CEO。"]
    assert role_clash("星岚电池的新任首席执行官是谁？", "CEO", zh) is not None
    assert role_clash("星岚电池的新任首席执行官是谁？", "林晚舟", zh) is None
    en = ["On 1 March Starwind named Ada Lin its new CEO."]
    assert role_clash("Who is the new chief executive of Starwind?", "CEO", en) is not None
    assert role_clash("Who is the new chief executive of Starwind?", "Ada Lin", en) is None


# -- a figure of the asked kind -----------------------------------------------------------------------


def test_share_for_an_amount_and_amount_for_a_share_are_refused() -> None:
    zh = ["星岚指数涨1.84%，报2145.29点；星岚公司营收12亿元，占全省的8.5%。"]
    assert role_clash("星岚指数收盘点数", "1.84%", zh) is not None
    assert role_clash("星岚公司营收占全省的比例是多少？", "12亿元", zh) is not None
    en = ["Starwind employs 1,200 people, 12% of the town; its revenue was 45 million dollars."]
    assert role_clash("How many people does Starwind employ?", "12%", en) is not None
    assert (
        role_clash("What percentage of the town does Starwind employ?", "45 million dollars", en) is not None
    )


def test_figure_of_the_asked_kind_is_accepted() -> None:
    zh = ["星岚指数涨1.84%，报2145.29点；星岚公司营收12亿元，占全省的8.5%。"]
    assert role_clash("星岚指数收盘点数", "2145.29点", zh) is None
    assert role_clash("星岚公司营收占全省的比例是多少？", "8.5%", zh) is None
    en = ["Starwind employs 1,200 people, 12% of the town; its revenue was 45 million dollars."]
    assert role_clash("How many people does Starwind employ?", "1,200 people", en) is None
    assert role_clash("What percentage of the town does Starwind employ?", "12%", en) is None


# -- a work for who or where ---------------------------------------------------------------------------


def test_title_of_a_work_for_who_is_refused_and_a_name_accepted() -> None:
    zh = ["林晚舟执导的《远帆号》是2031年的灾难片。", "电影《星河》的导演是林晚舟。"]
    assert role_clash("电影《星河》的导演是谁？", "远帆号", zh) is not None
    assert role_clash("电影《星河》的导演是谁？", "林晚舟", zh) is None
    en = ['"Seafarer" (2031) is a disaster film by Ada Lin.', "Starfall was directed by Ada Lin."]
    assert role_clash("Who directed Starfall?", "Seafarer", en) is not None
    assert role_clash("Who directed Starfall?", "Ada Lin", en) is None


# -- a number question needs a numeral -------------------------------------------------------------------


def test_words_without_a_numeral_for_a_number_question_are_refused() -> None:
    zh = ["《远帆》是星岚乐队的第八张录音专辑，获得了格林音乐奖。"]
    assert role_clash("《远帆》是星岚乐队的第几张录音专辑？", "格林", zh) is not None
    assert role_clash("《远帆》是星岚乐队的第几张录音专辑？", "第八张", zh) is None
    en = ["Seafarer is the eighth album of the Starwind band and won the Green award."]
    assert role_clash("How many albums had the Starwind band made by Seafarer?", "Green", en) is not None
    assert role_clash("How many albums had the Starwind band made by Seafarer?", "eight", en) is None


def test_a_quoted_nickname_of_a_place_is_no_work() -> None:
    zh = ["2030年星岚运动会的开幕式在“星巢”举行。"]
    assert role_clash("2030年星岚运动会的开幕式在哪里举行？", "星巢", zh, typed=True) is None
    zh_work = ["林晚舟执导的《远帆号》在青禾首映。"]
    assert role_clash("林晚舟的新片在哪里首映？", "远帆号", zh_work, typed=True) is not None


# -- a bare word for a description ---------------------------------------------------------------------


def test_one_bare_word_for_a_description_is_refused_and_a_phrase_accepted() -> None:
    zh = ["青禾草的叶片边缘有细密的锯齿，根系发达。"]
    q = "青禾草的叶片有什么特点？"
    assert role_clash(q, "", zh, said="根系") is not None
    assert role_clash(q, "", zh, said="边缘有细密的锯齿") is None
    assert role_clash("青禾草的发现者是谁？", "", zh, said="林舟") is None  # a name is asked: a word will do
    en = ["The storm closed the harbour of Westby for two weeks and brought fog."]
    q_en = "What effect did the storm have on Westby?"
    assert role_clash(q_en, "", en, said="fog") is not None
    assert role_clash(q_en, "", en, said="it closed the harbour for two weeks") is None
    assert role_clash("Who named the storm?", "", en, said="Ada") is None


# -- a claim from a sentence about something else ------------------------------------------------------


def test_a_claim_standing_only_in_sentences_that_share_nothing_with_the_question_is_refused() -> None:
    zh = ["本文作者：李明远", "星岚乐队的主唱是陈思。"]
    q = "星岚乐队的主唱是谁？"
    assert role_clash(q, "李明远", zh) is not None  # only in a byline
    assert role_clash(q, "陈思", zh) is None
    # the claim names what the question asks about itself: nothing to anchor
    assert role_clash("北湖公园的面积有多大？", "北湖公园占地约120公顷", ["北湖公园占地约120公顷。"]) is None
    en = ["Reporting by Jane Doe.", "Silver Harbour was directed by Tom Lee."]
    q_en = "Who directed the film Silver Harbour?"
    assert role_clash(q_en, "Jane Doe", en) is not None
    assert role_clash(q_en, "Tom Lee", en) is None
    # standing once in a sentence about the question is enough
    assert role_clash(q, "李明远", [*zh, "星岚乐队的新歌由李明远作词。"]) is None


def test_wei_shenme_asks_why_only_where_it_opens_a_clause() -> None:
    zh = ["林舟被册封为镇远将军。"]
    assert role_clash("林舟被册封为什么官职？", "", zh, said="将军") is None  # 为 + 什么: a title is asked
    assert role_clash("为什么林舟被册封？", "", zh, said="战功") is not None


# -- a piece of a word -------------------------------------------------------------------------


def test_a_chinese_claim_cutting_a_word_of_the_evidence_apart_is_refused() -> None:
    zh = ["《星河》由周默执导，林岚远、陈川主演。"]
    assert role_clash("《星河》的主演", "林岚", zh) is not None  # a piece of the name "林岚远"
    assert role_clash("《星河》的主演", "林岚远", zh) is None
    assert role_clash("《星河》的主演", "陈川", zh) is None
    # standing whole somewhere is enough
    assert role_clash("《星河》的主演", "林岚", [*zh, "林岚也参演了本片。"]) is None
    en = ["Star River is directed by Zhou Mo and stars Lin Lanyuan and Chen Chuan."]
    assert role_clash("Who stars in Star River?", "Chen Chuan", en) is None


# -- the place of a news dateline ---------------------------------------------------------------


def test_a_claim_standing_only_as_a_dateline_place_is_refused() -> None:
    zh = ["新华社新港3月9日电（记者林舟）世界帆船联合会9日宣布，北岚将举办2035年世界帆船锦标赛。"]
    q = "2035年世界帆船锦标赛在哪里举办？"
    assert role_clash(q, "新港", zh) is not None
    assert role_clash(q, "北岚", zh) is None
    assert role_clash(q, "新港", [*zh, "2036年的比赛将在新港举行。"]) is None  # also a place of its own
    en = [
        "NEWPORT, March 9 (Seaside News) -- The sailing federation said Northby will host the 2035 championship."
    ]
    q_en = "Where will the 2035 sailing championship be held?"
    assert role_clash(q_en, "NEWPORT", en) is not None
    assert role_clash(q_en, "Northby", en) is None


# -- a direction for a named thing ----------------------------------------------------------------


def test_a_direction_is_no_answer_to_a_question_for_a_named_thing() -> None:
    zh = ["青岭郡东北与白河郡相邻，西南与石门郡相邻。"]
    assert role_clash("青岭郡的东北与哪个郡相邻？", "西南", zh) is not None
    assert role_clash("青岭郡的东北与哪个郡相邻？", "白河郡", zh) is None
    assert role_clash("石门郡在青岭郡的哪个方向？", "西南", zh) is None  # a direction is asked
    en = [
        "Greenridge County borders Whiteriver County to the northeast and Stonegate County to the southwest."
    ]
    assert role_clash("Which county borders Greenridge County to the northeast?", "southwest", en) is not None
    assert (
        role_clash("Which county borders Greenridge County to the northeast?", "Whiteriver County", en)
        is None
    )
    assert role_clash("In which direction does Stonegate County lie?", "southwest", en) is None
