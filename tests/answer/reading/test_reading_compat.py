"""The learned answer-type compatibility feature, on invented questions and sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zhiku.answer.reading.candidates import Candidate
from zhiku.answer.reading.compat import (
    CANDIDATE_SLOTS,
    DIM,
    QUESTION_SLOTS,
    Compat,
    candidate_keys,
    candidate_tokens,
    crosses,
    fit_compat,
    question_keys,
    question_tokens,
)
from zhiku.answer.reading.features import INDEX, QuestionView
from zhiku.answer.reading.pipeline import prepare
from zhiku.types import Hit
from zhiku.understand import analyse
from zhiku.understand.sentences import split_sentences

pytestmark = pytest.mark.unit


def view(question: str) -> QuestionView:
    return QuestionView.of(analyse(question))


def cand(sentence: str, text: str, sources: set[str], tag: str = "") -> Candidate:
    start = sentence.index(text)
    return Candidate(text, start, start + len(text), 0, frozenset(sources), tag=tag)


def test_question_tokens_are_the_kind_and_the_question_word() -> None:
    asked = question_tokens(view("哪座城市举办了青岚灯会？"))
    assert "w=哪座" in asked and "w+1=哪座|城" in asked and len(asked) == QUESTION_SLOTS
    keyword = question_tokens(view("青岚灯会举办时间"))
    assert "w=" in keyword and "w+1=|" in keyword  # a keyword query has no question word
    english = question_tokens(view("Who founded the Blue Heron Trust?"))
    assert "w=who" in english


def test_candidate_tokens_describe_shape_and_neighbours() -> None:
    sentence = "灯会由林晚舟于2031年创办。"
    tokens = candidate_tokens(cand(sentence, "林晚舟", {"name"}, "nr"), sentence)
    assert len(tokens) == CANDIDATE_SLOTS
    assert {"l1=舟", "n=2", "t=nr", "s=name", "d=0u=", "m=0000"} <= set(tokens)
    keys = candidate_keys(cand(sentence, "2031年", {"date", "number"}), sentence)
    assert keys.dtype == np.uint32 and len(keys) == CANDIDATE_SLOTS
    # crc32, not Python's salted hash: the same token gives the same slot in every process
    assert candidate_keys(cand(sentence, "2031年", {"date", "number"}), sentence).tolist() == keys.tolist()


def test_crosses_are_in_range_and_one_per_pair() -> None:
    q = question_keys(view("谁创办了青岚灯会？"))
    sentence = "灯会由林晚舟于2031年创办。"
    c = np.stack([candidate_keys(cand(sentence, t, {"name"}), sentence) for t in ("林晚舟", "2031年")])
    slots = crosses(q, c)
    assert slots.shape == (2, QUESTION_SLOTS * CANDIDATE_SLOTS)
    assert slots.min() >= 0 and slots.max() < DIM


def test_fitted_model_learns_which_shape_answers_which_question(tmp_path: Path) -> None:
    """Person questions are answered by names, year questions by dates: the model must learn the
    pairing from examples, so a name scores higher for 谁 and a date higher for 哪一年."""
    names = ["林晚舟", "苏明远", "顾星河", "许青禾"]
    years = ["2031年", "2028年", "2035年", "2040年"]
    qk, ck, labels = [], [], []
    for i, (name, year) in enumerate(zip(names, years, strict=True)):
        sentence = f"第{i}届灯会由{name}于{year}创办。"
        person, date = cand(sentence, name, {"name"}, "nr"), cand(sentence, year, {"date", "number"}, "m")
        for question, right in ((f"谁创办了第{i}届灯会？", person), (f"第{i}届灯会是哪一年创办的？", date)):
            keys = question_keys(view(question))
            for c in (person, date):
                qk.append(keys)
                ck.append(candidate_keys(c, sentence))
                labels.append(float(c is right))
    model = fit_compat(np.stack(qk), np.stack(ck), np.array(labels), c=5.0)
    sentence = "灯会由白露于2050年创办。"
    fresh = np.stack(
        [
            candidate_keys(cand(sentence, "白露", {"name"}, "nr"), sentence),
            candidate_keys(cand(sentence, "2050年", {"date", "number"}, "m"), sentence),
        ]
    )
    who = model.log_odds(question_keys(view("谁创办了新灯会？")), fresh)
    when = model.log_odds(question_keys(view("新灯会是哪一年创办的？")), fresh)
    assert who[0] > who[1] and when[1] > when[0]
    model.save(tmp_path / "compat.npy")
    again = Compat.load(tmp_path / "compat.npy")
    assert np.allclose(again.log_odds(question_keys(view("谁创办了新灯会？")), fresh), who)


def test_pipeline_fills_the_column_only_with_a_model() -> None:
    hits = [Hit(chunk_id="c0", doc_id="d0", text="灯会由林晚舟于2031年创办。", score=1.0, title="虚构年鉴")]
    question = analyse("谁创办了灯会？")
    bare = prepare(question, hits, split_sentences)
    assert bare.ckeys.shape == (len(bare.candidates), CANDIDATE_SLOTS)
    assert not bare.matrix[:, INDEX["lex_compat"]].any()
    model = Compat(np.full(DIM, 0.01, dtype=np.float32), -1.0)
    filled = prepare(question, hits, split_sentences, compat=model)
    expected = -1.0 + 0.01 * QUESTION_SLOTS * CANDIDATE_SLOTS
    assert np.allclose(filled.matrix[:, INDEX["lex_compat"]], expected, atol=1e-4)
