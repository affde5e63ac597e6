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
