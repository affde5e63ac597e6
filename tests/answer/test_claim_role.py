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
