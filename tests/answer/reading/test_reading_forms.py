"""Keyword-query rewriting of training questions (invented examples, Chinese and English)."""

from __future__ import annotations

import pytest

from zhiku.answer.reading.forms import keyword_form
from zhiku.understand import analyse


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "query"),
    [
        ("星火公司成立于哪一年？", "星火公司成立的年份"),
        ("星火公司有多少名员工？", "星火公司员工的数量"),
        ("青岚镇的镇长是谁？", "青岚镇的镇长"),
        ("星火公司总部在哪里？", "星火公司总部的地点"),
        ("月光湖位于哪个国家？", "月光湖的国家"),
        ("松溪书院什么时候建成？", "松溪书院建成的时间"),
    ],
)
def test_question_word_goes_and_the_asked_kind_comes_last(question: str, query: str) -> None:
    assert keyword_form(question) == query


@pytest.mark.unit
def test_the_rewritten_query_keeps_the_asked_kind() -> None:
    # the question typer reads the trailing noun as the asked kind, as for a typed keyword query
    assert analyse(keyword_form("星火公司有多少名员工？")).qtype.kind == "number"
    assert analyse(keyword_form("松溪书院什么时候建成？")).qtype.kind == "date"


@pytest.mark.unit
@pytest.mark.parametrize("question", ["星火公司的创始人", "Who founded the Spark company?", "谁？", ""])
def test_no_rewrite_without_a_chinese_question_word_or_words_left(question: str) -> None:
    assert keyword_form(question) == ""
