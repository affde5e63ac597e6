"""Candidates and named features on invented Chinese and English sentences."""

from __future__ import annotations

import numpy as np
import pytest

from zhiku.answer.reading.candidates import generate_in_sentence
from zhiku.answer.reading.features import FEATURES, INDEX, NAMES
from zhiku.answer.reading.pipeline import prepare
from zhiku.types import Hit
from zhiku.understand import analyse
from zhiku.understand.sentences import split_sentences

pytestmark = pytest.mark.unit


def hits(*texts: str) -> list[Hit]:
    return [
        Hit(chunk_id=f"c{i}", doc_id=f"d{i}", text=t, score=1.0 / (1 + i), title="虚构年鉴")
        for i, t in enumerate(texts)
    ]


def row(question: str, texts: list[str], candidate: str) -> np.ndarray:
    reading = prepare(analyse(question), hits(*texts), split_sentences)
    rows = [i for i, c in enumerate(reading.candidates) if c.text == candidate]
    assert rows, [c.text for c in reading.candidates]
    return reading.matrix[rows[0]]


def test_every_feature_is_documented_and_named_once() -> None:
    assert len(NAMES) == len(set(NAMES)) == len(FEATURES)
    assert all(len(doc) > 10 for doc in FEATURES.values())


def test_generators_propose_numbers_dates_names_and_lists() -> None:
    text = "青岚镇于2031年5月建成了云雀图书馆，藏书约12万册，分为东馆、西馆和南馆。"
    found = {c.text: c.sources for c in generate_in_sentence(text, "zh", "云雀图书馆藏书多少册？")}
    assert "number" in found["12万册"]
    assert "date" in found["2031年5月"]
    assert "list" in found["东馆、西馆和南馆"]
    assert any("noun" in s or "name" in s for t, s in found.items() if "图书馆" in t)


def test_english_capitalised_names_are_proposed() -> None:
    text = "The Blue Heron Trust was founded by Marta Quill in 2019."
    texts = {c.text for c in generate_in_sentence(text, "en", "Who founded the Blue Heron Trust?")}
    assert "Marta Quill" in texts


def test_unit_match_prefers_the_asked_measure_word() -> None:
    texts = ["2031年青岚镇共有37家书店，书店年营业额达到5.2亿元。"]
    shops = row("2031年青岚镇有多少家书店？", texts, "37家")
    money = row("2031年青岚镇有多少家书店？", texts, "5.2亿元")
    assert shops[INDEX["unit_match"]] > money[INDEX["unit_match"]]
    assert shops[INDEX["type_match"]] == 1.0


def test_asked_year_and_comparison_base_year() -> None:
    texts = ["2032年果园产量为8.5万吨，比2031年增加1.1万吨；2031年产量为7.4万吨。"]
    base = row("2031年果园产量是多少？", texts, "1.1万吨")
    own = row("2031年果园产量是多少？", texts, "7.4万吨")
    other = row("2031年果园产量是多少？", texts, "8.5万吨")
    assert own[INDEX["year_agree"]] == 1.0
    assert other[INDEX["year_agree"]] == -1.0
    assert base[INDEX["year_agree"]] == -1.0  # the asked year is only the base of a comparison
    assert "base_year" not in INDEX  # folded into year_agree: it earned nothing on its own


def test_restating_the_question_and_context_overlap() -> None:
    texts = ["灰雁乐队的主唱是林晚舟，灰雁乐队成立于海港市。"]
    echo = row("灰雁乐队的主唱是谁？", texts, "灰雁乐队")
    singer = row("灰雁乐队的主唱是谁？", texts, "林晚舟")
    assert echo[INDEX["echo_in_q"]] == 1.0 and singer[INDEX["echo_in_q"]] == 0.0
    assert singer[INDEX["ctx_left"]] > 0.5  # "乐队的主唱是" precedes both the 谁 and the name


def test_agreement_across_passages_counts_other_hits() -> None:
    texts = ["青岚镇的镇花是紫云英。", "据县志记载，青岚镇的镇花为紫云英。", "青岚镇盛产茶叶。"]
    flower = row("青岚镇的镇花是什么？", texts, "紫云英")
    assert flower[INDEX["agree_hits"]] >= 1
    assert flower[INDEX["hit_rank"]] in (0, 1)


def test_english_question_features() -> None:
    texts = ["The Blue Heron Trust was founded by Marta Quill in 2019.", "It has 40 members."]
    founder = row("Who founded the Blue Heron Trust?", texts, "Marta Quill")
    assert founder[INDEX["q_en"]] == 1.0
    assert founder[INDEX["type_match"]] == 1.0
    assert founder[INDEX["anchor_left"]] < 10
