"""A claim must be bound to what was asked, not merely present in the cited passage.

Invented passages only (Chinese and English): the liar takes a real figure or name from the
passage it cites — another sentence's rate, another column's count, another row's value — and
the verifier must refuse it while the right answer, however it is written, still passes.
"""

from __future__ import annotations

import pytest

from zhiku.answer.claim_binding import counted_word, coverage, key_terms, number_bound_elsewhere
from zhiku.answer.evidence_numbers import extract_numbers, same_number
from zhiku.answer.verify import verify_answer

pytestmark = pytest.mark.unit

ZH_PROSE = {
    1: (
        "某市交通年报。预计2030年某市电动公交的占比将达到62.5%。该市去年新增了三条地铁线路。"
        "全市居民收入的年均增长率为8.4%。"
    )
}
EN_PROSE = {
    1: (
        "Notes on the Riverton area. Its largest plant opened in 2019. Its workforce grew by 12% "
        "last year. Elsewhere, the regional unemployment rate fell to 4.1%."
    )
}
ZH_TABLE = {
    1: "2024年各城市零售概况\n城市 | 门店数量（家） | 营业额（亿元）\n甲城 | 1048 | 2150\n乙城 | 760 | 1630"
}


def ok(text: str, evidence: dict[int, str], question: str) -> bool:
    return verify_answer(text, evidence, question=question).ok


def test_number_from_another_sentence_is_refused_zh() -> None:
    q = "2030年某市电动公交的占比是多少？"
    assert ok("2030年某市电动公交的占比是62.5%[1]。", ZH_PROSE, q)
    result = verify_answer("2030年某市电动公交的占比是8.4%[1]。", ZH_PROSE, question=q)
    assert [v.kind for v in result.violations] == ["number"]


def test_number_from_another_sentence_is_refused_en() -> None:
    q = "What was the unemployment rate of the region?"
    assert ok("The regional unemployment rate was 4.1% [1].", EN_PROSE, q)
    assert not ok("The regional unemployment rate was 12% [1].", EN_PROSE, q)


def test_binding_compares_the_contexts_of_same_kind_numbers() -> None:
    q = "2030年某市电动公交的占比是多少？"
    rate, share = extract_numbers("8.4%")[0], extract_numbers("62.5%")[0]
    assert number_bound_elsewhere(rate, [ZH_PROSE[1]], q)
    assert not number_bound_elsewhere(share, [ZH_PROSE[1]], q)
    assert not number_bound_elsewhere(rate, [ZH_PROSE[1]], "")  # no question: nothing judged


def test_english_answer_to_a_chinese_question_still_passes() -> None:
    q = "2030年某市电动公交的占比是多少？"
    assert ok("The share of electric buses in 2030 is expected to be 62.5% [1].", ZH_PROSE, q)


def test_table_cell_of_another_column_is_refused() -> None:
    q = "2024年甲城的营业额是多少？"
    assert ok("2024年甲城的营业额是2150亿元[1]。", ZH_TABLE, q)
    assert ok("2024年甲城的营业额是0.215万亿元[1]。", ZH_TABLE, q)
    assert not ok("2024年甲城的营业额是1048亿元[1]。", ZH_TABLE, q)  # the store count, not an amount


def test_a_count_of_something_else_is_refused() -> None:
    ev = {1: "该公司在全球12国建立了覆盖30+语种的服务网络。"}
    q = "该公司的服务网络覆盖了多少语种？"
    assert ok("该公司的服务网络覆盖了30+语种[1]。", ev, q)
    assert not ok("该公司的服务网络覆盖了12+语种[1]。", ev, q)
    assert counted_word("覆盖30+语种", 4) == "语"


def test_impossible_dates_are_refused() -> None:
    ev = {1: "新馆于2031年7月12日开放，首日接待游客4500人。"}
    q = "新馆什么时候开放？"
    assert ok("新馆于2031年7月12日开放[1]。", ev, q)
    assert not ok("新馆于2031年7月4500日开放[1]。", ev, q)


def test_a_value_given_twice_needs_two_in_the_evidence() -> None:
    q = "甲校和乙校的学生人数分别是多少？"
    once = {1: "甲校学生人数为45万，乙校学生人数为60万。"}
    twice = {1: "甲校学生人数为45万，乙校学生人数也为45万。"}
    assert not ok("甲校和乙校的学生人数分别是45万、45万[1]。", once, q)
    assert ok("甲校和乙校的学生人数分别是45万、45万[1]。", twice, q)
    assert ok("甲校和乙校的学生人数分别是45万、60万[1]。", once, q)


def test_rounded_restatements_match_but_digit_lies_do_not() -> None:
    def same(a: str, b: str) -> bool:
        return same_number(extract_numbers(a)[0], extract_numbers(b)[0])

    assert same("0.0473万亿元", "472.58亿元")
    assert same("194亿", "193.8亿")
    assert not same("2亿", "2.4亿")  # one significant digit is no restatement
    assert not same("193.9亿", "193.8亿")
    assert not same("1465‰", "1465万人")
    assert not same("20", "20日")  # a bare figure is not the day of a date
    assert same("2023", "2023年")
    assert same("5.7", "5.7%")


def test_name_from_an_unrelated_sentence_is_refused() -> None:
    ev = {1: "本周科技简讯。\n青禾研究所现任所长为林晓岚。\n另一则消息。\n远山公司的董事长周明远宣布扩产。"}
    q = "青禾研究所的所长是谁？"
    assert ok("青禾研究所的所长是林晓岚[1]。", ev, q)
    assert not ok("青禾研究所的所长是周明远[1]。", ev, q)


def test_coverage_is_per_coordinated_part() -> None:
    terms = key_terms("甲城和乙城的营业额分别是多少？")
    assert len(terms.groups) >= 2
    scores = coverage("乙城营业额1630亿元", terms)
    assert max(scores) > min(scores)
