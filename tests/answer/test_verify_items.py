"""What the words an answer adds must be, item by item: backed by the evidence without a new
word inside them, not fused with the question's words, not a list that repeats an item, as many
as the question counts, and an era year glossed as the evidence glosses it.  Every example is
invented (zh + en): no rule may know it."""

from __future__ import annotations

import pytest

from zhiku.answer.verify import verify_answer

pytestmark = pytest.mark.unit


def _ok(answer: str, evidence: str, question: str) -> bool:
    return verify_answer(answer, {1: evidence}, question=question).ok


# -- an added character fused with a question word ("泰国家" for "哪个国家") -------------------


def test_a_lone_added_character_is_read_with_its_neighbour() -> None:
    q = "哪个国家发起了星河计划？"
    other = "星河计划由北岚联盟于2031年发起，总部设在新港。"
    assert not _ok("澳国家发起了星河计划[1]。", other, q)  # "澳国" stands nowhere in the evidence
    assert _ok("澳国家发起了星河计划[1]。", "星河计划由澳国于2031年发起。", q)


def test_a_character_next_to_a_number_or_of_the_question_is_no_claim() -> None:
    assert _ok("星岚城建于前108年[1]。", "星岚城始建于公元前108年，是古港。", "星岚城建于哪一年？")
    assert _ok(
        "说海语的人大约有人（单位：万）为150[1]。",
        "海语的使用人口大约有150万人。",
        "说海语的人大约有多少人？",
    )
    en = "The Star River plan was launched by the Northern League in 2031."
    assert _ok("The Northern League launched it [1].", en, "Which alliance launched the Star River plan?")


# -- a name the evidence backs only in part ----------------------------------------------------


def test_two_unbacked_characters_in_a_row_are_a_word_the_evidence_lacks() -> None:
    q = "青石雀又名什么？"
    ev = "灰石雀（学名略），又名山鸣鸟，是一种雀。"
    assert not _ok("青石雀又名白顶山鸣鸟[1]。", ev, q)  # half its bigrams stand there, "白顶" does not
    assert _ok("青石雀又名白顶山鸣鸟[1]。", "青石雀，又名白顶山鸣鸟，是一种雀。", q)


def test_one_odd_character_of_a_transliterated_name_is_tolerated() -> None:
    ev = "《远航》由弗雷德·马丁内丝执导，2031年上映。"
    assert _ok("《远航》的导演是弗雷德·马丁内斯[1]。", ev, "《远航》的导演是谁？")
    en = "Voyage was directed by Fred Martines and released in 2031."
    assert _ok("Voyage was directed by Fred Martines [1].", en, "Who directed Voyage?")


# -- a list that names one item twice ------------------------------------------------------------


def test_a_list_repeating_an_item_is_refused() -> None:
    q = "《星河》的主演有哪些？"
    ev = "《星河》由周默执导，主演有林岚、周远、陈川。"
    assert not _ok("《星河》的主演有林岚、周远、林岚[1]。", ev, q)
    assert _ok("《星河》的主演有林岚、周远、陈川[1]。", ev, q)
    en_q = "Who stars in Star River?"
    en = "Star River is directed by Zhou Mo and stars Lin Lan, Zhou Yuan and Chen Chuan."
    assert not _ok("Star River stars Lin Lan, Zhou Yuan and Lin Lan [1].", en, en_q)
    assert _ok("Star River stars Lin Lan, Zhou Yuan and Chen Chuan [1].", en, en_q)


def test_a_day_repeated_with_its_month_carried_is_a_repeat() -> None:
    q = "星岚论坛的举办时间"
    ev = "（来源：新港日报，6月18日）星岚论坛将于6月18日至19日在新港举办。"  # 18 twice: no count catches it
    assert not _ok("星岚论坛的举办时间：6月18日、18日[1]。", ev, q)
    assert _ok("星岚论坛的举办时间：6月18日、19日[1]。", ev, q)
    en = "(Newport Daily, June 18) The Starfield forum is held in Newport on June 18 and 19."
    assert not _ok(
        "The Starfield forum is held on June 18 and 18 [1].", en, "When is the Starfield forum held?"
    )


# -- as many things as the question asks ------------------------------------------------------


def test_respectively_asks_for_several_things() -> None:
    q = "星岚杯女子双人10米跳台和男子双人10米跳台冠军分别是谁？"
    ev = "星岚杯女子双人10米跳台冠军是林岚和周远，男子双人10米跳台冠军是陈川和吴川。"
    assert not _ok("星岚杯女子双人10米跳台和男子双人10米跳台冠军分别是林岚[1]。", ev, q)
    assert _ok("星岚杯女子双人10米跳台和男子双人10米跳台冠军分别是林岚、周远、陈川、吴川[1]。", ev, q)
    en_q = "Who won the 10m platform title and the 3m springboard title at the Starfield Cup respectively?"
    en = "At the Starfield Cup, Lin Lan won the 10m platform title and Chen Chuan won the 3m springboard title."
    assert not _ok("Lin Lan won the 10m platform title at the Starfield Cup [1].", en, en_q)
    assert _ok("Lin Lan and Chen Chuan respectively [1].", en, en_q)


def test_a_counted_question_asks_for_that_many() -> None:
    q = "星岚学院现有哪两个本科专业？"
    ev = "星岚学院现有海洋学与气象学两个本科专业，另设研究生项目。"
    assert not _ok("星岚学院现有海洋学两个本科专业[1]。", ev, q)
    assert _ok("星岚学院现有海洋学与气象学两个本科专业[1]。", ev, q)
    en_q = "Which two majors does Starfield College offer?"
    en = "Starfield College offers two majors, oceanography and meteorology."
    assert not _ok("Starfield College offers oceanography [1].", en, en_q)
    assert _ok("Starfield College offers oceanography and meteorology [1].", en, en_q)


# -- an era year glossed as the evidence glosses it ---------------------------------------------


def test_an_era_year_glossed_with_a_neighbouring_year_is_refused() -> None:
    q = "星岚城何时建成？"
    ev = "星岚城于天和三年（549年）动工，天和五年（551年）六月建成。"
    assert not _ok("星岚城于天和五年（549年）六月建成[1]。", ev, q)
    assert _ok("星岚城于天和五年（551年）六月建成[1]。", ev, q)
    en = "Work on the castle began in Tenwa 3 (1549) and it was finished in Tenwa 5 (1551)."
    assert not _ok("The castle was finished in Tenwa 5 (1549) [1].", en, "When was the castle finished?")
    assert _ok("The castle was finished in Tenwa 5 (1551) [1].", en, "When was the castle finished?")
