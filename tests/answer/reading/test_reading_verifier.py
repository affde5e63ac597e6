"""Alignment around the question word, the year constraint, the rules' choice and the verifier
rows, on invented Chinese and English examples."""

from __future__ import annotations

import numpy as np
import pytest

from zhiku.answer.evidence import build_sentences, score_all
from zhiku.answer.pick import pick_span
from zhiku.answer.reading.features import INDEX, NAMES, QuestionView, alignment
from zhiku.answer.reading.pipeline import prepare
from zhiku.answer.reading.rules import rules_choice
from zhiku.answer.reading.scorer import ReaderModel
from zhiku.answer.reading.verifier import DEMOTE, PICK_FEATURES, VERIFY_NAMES, constrain, softmax, verify_row
from zhiku.types import Hit
from zhiku.understand import analyse
from zhiku.understand.sentences import split_sentences

pytestmark = pytest.mark.unit


def hits(*texts: str) -> list[Hit]:
    return [
        Hit(chunk_id=f"c{i}", doc_id=f"d{i}", text=t, score=1.0 / (1 + i), title="虚构年鉴")
        for i, t in enumerate(texts)
    ]


def test_alignment_sees_a_statement_that_restates_the_question_zh() -> None:
    view = QuestionView.of(analyse("云雀图书馆的首任馆长是谁？"))
    restated = alignment(view, "据馆志记载，云雀图书馆的首任馆长是", "，任期十年。")
    unrelated = alignment(view, "镇上另有一座茶园，园主是", "。")
    assert restated[0] >= 6 and restated[2] == 1.0
    assert unrelated[0] < restated[0] and unrelated[2] < restated[2]


def test_alignment_sees_the_text_after_the_question_word_en() -> None:
    view = QuestionView.of(analyse("Who repaired the Silverbrook canal?"))
    near = alignment(view, "The", "repaired the Silverbrook canal in spring.")
    far = alignment(view, "The", "is a quiet town with two mills.")
    assert near[1] > far[1] and near[3] > far[3]


def test_alignment_features_reach_the_matrix() -> None:
    reading = prepare(
        analyse("星火公司的创始人是谁？"),
        hits("星火公司的创始人是林晚舟，公司位于海滨新区。"),
        split_sentences,
    )
    rows = {c.text: reading.matrix[i] for i, c in enumerate(reading.candidates)}
    assert rows["林晚舟"][INDEX["ctx_suffix"]] > rows["海滨新区"][INDEX["ctx_suffix"]]


def test_constrain_demotes_figures_of_another_year_only_when_one_agrees() -> None:
    matrix = np.zeros((3, len(NAMES)), dtype=np.float32)
    matrix[:, INDEX["year_agree"]] = [-1, 1, 0]
    raw = np.array([3.0, 1.0, 0.5])
    out = constrain(matrix, raw)
    assert int(np.argmax(out)) == 1 and out[0] == pytest.approx(3.0 - DEMOTE)
    matrix[1, INDEX["year_agree"]] = 0  # nobody agrees: nothing to enforce
    assert np.array_equal(constrain(matrix, raw), raw)


def test_the_reader_answers_the_asked_year_not_the_first_figure() -> None:
    model = ReaderModel.load()
    text = "2030年，青岚镇茶叶产量为120吨。预计到2035年，茶叶产量将达到300吨。"
    for question, gold in (
        ("2035年青岚镇茶叶产量是多少？", "300吨"),
        ("2030年青岚镇茶叶产量是多少？", "120吨"),
    ):
        reading = prepare(analyse(question), hits(text), split_sentences)
        raw = constrain(reading.matrix, model.raw(reading.matrix))
        assert reading.candidates[int(np.argmax(raw))].text == gold


def test_rules_choice_names_the_span_of_the_best_sentence() -> None:
    question = analyse("青岚镇有多少家书店？")
    sentences = build_sentences(hits("青岚镇共有37家书店。", "白鹭镇的茶园面积约3千亩。"), split_sentences)
    choice = rules_choice(question, score_all(question, sentences, pick_span))
    assert choice is not None and choice.short == "37家" and choice.strength > 0
    assert rules_choice(question, []) is None


def test_the_rules_pick_is_a_candidate_and_a_feature() -> None:
    reading = prepare(
        analyse("Who founded the Starfire Company?"),
        hits("Mira Holt founded the Starfire Company in 2031."),
        split_sentences,
    )
    assert reading.rules is not None and reading.rule_row >= 0
    assert reading.matrix[reading.rule_row][INDEX["rule_choice"]] == 1.0
    assert reading.matrix[:, INDEX["rule_choice"]].sum() == 1.0


def test_verify_row_describes_the_pick_against_the_ranker() -> None:
    matrix = np.arange(3 * len(NAMES), dtype=np.float32).reshape(3, len(NAMES))
    raw = np.array([0.5, 2.0, 1.0])
    favourite = verify_row(matrix, raw, 1, strength=0.7)
    other = verify_row(matrix, raw, 0, strength=0.7)
    none = verify_row(matrix, raw, -1, strength=0.7)
    assert favourite.shape == (len(VERIFY_NAMES),)
    at = {name: i for i, name in enumerate(VERIFY_NAMES)}
    assert favourite[at["v_margin"]] == 0 and other[at["v_margin"]] < 0
    assert favourite[at["v_rank"]] == 0 and other[at["v_rank"]] == 2
    assert none[at["v_has_pick"]] == 0 and favourite[at["v_has_pick"]] == 1
    assert np.array_equal(favourite[len(PICK_FEATURES) :], matrix[1])
    assert softmax(raw).sum() == pytest.approx(1.0)


def test_shipped_verifier_gives_probabilities_and_a_picker() -> None:
    model = ReaderModel.load()
    assert model.picker in ("rules", "learned", "select") and model.top_k >= 1
    reading = prepare(
        analyse("青岚镇有多少家书店？"), hits("青岚镇共有37家书店，年营业额5.2亿元。"), split_sentences
    )
    raw = model.raw(reading.matrix)
    score = model.verify(verify_row(reading.matrix, raw, reading.rule_row, 0.5)[None, :])
    assert 0.0 <= model.probability(float(score[0])) <= 1.0
