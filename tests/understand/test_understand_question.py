"""``analyse``: one frozen ``Question`` per question, with language, type, parts, years, places, units.

Examples are invented (no benchmark question); places are common ones the tokenizer knows.
"""

from __future__ import annotations

import dataclasses

import pytest

from zhiku.types import AskRequest, Question
from zhiku.understand import analyse, question_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "language", "kind", "unit"),
    [
        ("2024年星河科技在日本有多少家门店？", "zh", "number", "家"),
        ("蓝鲸乐队的主唱是谁？", "zh", "person", ""),
        ("青松大桥哪一年通车？", "zh", "date", ""),
        ("星河科技的员工占比是多少？", "zh", "number", "%"),
        ("What was the revenue of Aurora Robotics in China in 2024?", "en", "number", ""),
        ("Which city hosted the 2031 Harbour Games?", "en", "place", ""),
        ("When did the Aurora lab open?", "en", "date", ""),
    ],
)
def test_language_and_type(text: str, language: str, kind: str, unit: str) -> None:
    q = analyse(text)
    assert (q.language, q.qtype.kind, q.qtype.unit) == (language, kind, unit)
    assert q.text == text


def test_years_places_and_units_are_the_qualifiers_asked_about() -> None:
    q = analyse("2024年星河科技在日本有多少家门店？")
    assert q.years == ("2024",)
    assert q.places == ("日本",)
    assert q.units == ("家",)
    assert {t.alternatives[0] for t in q.critical} >= {"2024", "日本"}


def test_english_places_are_given_in_chinese_for_chinese_evidence() -> None:
    q = analyse("What was the revenue of Aurora Robotics in China in 2024?")
    assert q.places == ("中国",)
    assert q.years == ("2024",)
    assert "中国" in q.lexical and q.lexical.startswith(q.text)  # BM25 also searches the Chinese words


def test_units_of_a_measured_quantity_follow_the_named_unit() -> None:
    q = analyse("青松大桥的全长是多少米？")
    assert q.units[0] == "米"
    assert "公里" in q.units and len(set(q.units)) == len(q.units)


def test_clean_and_folded_views_of_the_text() -> None:
    q = analyse("  ２０２６年青岚公司的营收是多少？ ")
    assert q.clean == "2026年青岚公司的营收是多少?"  # NFKC, edges stripped
    assert q.folded.strip() == "2026年青岚公司的营收是多少?"
    assert q.years == ("2026",)


def test_coordinated_question_has_one_full_question_per_item() -> None:
    q = analyse("北京和上海2030年的人口分别是多少？")
    assert [p.text for p in q.parts] == ["北京2030年的人口是多少？", "上海2030年的人口是多少？"]
    assert all(isinstance(p, Question) and not p.parts for p in q.parts)
    assert [p.places for p in q.parts] == [("北京",), ("上海",)]
    assert all(p.qtype.kind == "number" and p.years == ("2030",) for p in q.parts)
    assert q.items == q.parts


def test_a_question_about_both_items_together_stays_whole() -> None:
    q = analyse("2030年北京和上海的关系如何？")
    assert q.parts == ()
    assert q.items == (q,)
    assert set(q.places) == {"北京", "上海"}


def test_english_questions_are_not_split() -> None:
    assert analyse("What were the revenues of Aurora and Borealis in 2030?").parts == ()


def test_question_is_frozen() -> None:
    q = analyse("蓝鲸乐队的主唱是谁？")
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.text = "x"  # type: ignore[misc]


def test_language_can_be_given_by_the_caller() -> None:
    assert analyse("AI", language="zh").language == "zh"
    assert analyse("AI").language == "en"


def test_question_of_uses_the_attached_analysis_and_never_a_stale_one() -> None:
    q = analyse("蓝鲸乐队的主唱是谁？")
    request = AskRequest(q.text, analysis=q)
    assert question_of(request) is q
    bare = question_of(AskRequest("2024年星河科技有多少家门店？"))
    assert bare.qtype.unit == "家"
    stale = dataclasses.replace(request, question="青松大桥哪一年通车？")
    assert question_of(stale).qtype.kind == "date"  # the attached record was for another text
