"""Person names the tagger cuts apart, and English words that only look like names."""

from __future__ import annotations

import pytest
import rjieba

from zhiku.answer import spans as sp
from zhiku.answer.reading.candidates import generate_in_sentence

pytestmark = pytest.mark.unit


def test_surname_and_given_name_are_one_word() -> None:
    text = "县长为周明远。"
    assert ("周", "nr") in rjieba.tag(text)  # the tagger's cut this guards against
    words = [(w, t) for w, t, _ in sp.locate(text, rjieba.tag(text))]
    assert ("周明远", "nr") in words


def test_surname_before_a_verb_stays_alone() -> None:
    text = "李说明了原因。"
    assert ("李", "nr") in rjieba.tag(text)
    words = [w for w, _, _ in sp.locate(text, rjieba.tag(text))]
    assert "说明" in words and "李说明" not in words


def test_a_cut_name_becomes_a_person_candidate() -> None:
    found = {c.text: c.tag for c in generate_in_sentence("县长为周明远。", "zh", "县长是谁？")}
    assert found.get("周明远") == "nr"


def test_english_lowercase_words_and_months_are_no_names() -> None:
    text = "The museum opened on June 3, 1998 and was designed by Elena Marsh."
    names = {s.text for s in sp.name_spans(text, rjieba.tag(text))}
    assert "was" not in names and "opened" not in names and "June" not in names
    found = {c.text: c.sources for c in generate_in_sentence(text, "en", "Who designed the museum?")}
    assert "Elena Marsh" in found
    assert "June" not in found or "capital" not in found["June"]


def test_role_words_are_cut_from_a_person_name() -> None:
    found = {
        c.text: c.sources
        for c in generate_in_sentence("公司董事长陈立衡出席了发布会。", "zh", "董事长是谁？")
    }
    assert "name" in found.get("陈立衡", set())


def test_numbers_keep_a_latin_unit_written_onto_them() -> None:
    spans = {s.text: s.unit for s in sp.number_spans("能量密度达到160Wh/kg，主频3.2GHz，采用5nm工艺。")}
    assert spans == {"160Wh/kg": "Wh/kg", "3.2GHz": "GHz", "5nm": "nm"}
    # a word after a space is no unit
    assert [s.text for s in sp.number_spans("In 2023 its revenue grew.")] == ["2023"]


def test_ordinals_are_candidates_only_when_a_rank_is_asked() -> None:
    text = "该公司位列第九，市场份额为2.1%。"
    ranked = {c.text for c in generate_in_sentence(text, "zh", "该公司排名第几？")}
    assert "第九" in ranked
    plain = {c.text for c in generate_in_sentence(text, "zh", "该公司的市场份额是多少？")}
    assert "第九" not in plain


def test_news_dateline_names_are_no_answers() -> None:
    text = "新华社南宁3月5日电（记者 王晓明）第三届青年运动会男子跳远决赛5日举行，选手林子航夺得金牌。"
    assert sp.dateline_spans(text) == [(0, len("新华社南宁3月5日电（记者 王晓明）"))]
    found = {c.text: c.sources for c in generate_in_sentence(text, "zh", "男子跳远冠军是谁")}
    assert "林子航" in found
    assert not any("王晓明" in t or t.endswith("日电") or t.startswith("新华社") for t in found)
    assert "3月5日" in found  # the dateline's date may be the event's
