"""From a question and its top passages to featured candidates: the part training and serving share.

Training (``train``), the benchmark and the live reader all call ``prepare`` so that a model is
always scored on exactly the features it was trained on.

>>> reading = prepare(analyse("谁创办了星火公司？"), hits, split_sentences)
>>> reading.matrix.shape[1] == len(NAMES)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from zhiku.answer import spans as sp
from zhiku.answer.evidence import Scored, Sentence, build_sentences, score_all
from zhiku.answer.pick import pick_span
from zhiku.answer.reading.candidates import GENERATORS, Candidate, generate_in_sentence
from zhiku.answer.reading.compat import Compat, keys_of, question_keys
from zhiku.answer.reading.features import INDEX, NAMES, QuestionView, featurize
from zhiku.answer.reading.rules import RulesChoice, rules_choice
from zhiku.types import Hit, Question
from zhiku.understand.normalise import normalise

MAX_SENTENCES = 6  # candidates come from the best sentences only: reading more costs time, gains little


@dataclass(frozen=True)
class Reading:
    """The sentences of the hits scored by evidence, and the candidates of the best ones."""

    analysis: Question
    scored: list[Scored]
    order: list[int]  # sentence indexes, best evidence first
    candidates: list[Candidate]
    matrix: np.ndarray  # one row of features per candidate
    rules: RulesChoice | None  # the hand-written picker's choice
    rule_row: int  # the candidate that is the rules' short answer, -1 when it has none
    qkeys: np.ndarray  # the question's hashed wording (``compat.question_keys``)
    ckeys: np.ndarray  # each candidate's hashed shape (``compat.candidate_keys``)


def _rule_candidate(
    rules: RulesChoice | None, scored: list[Scored], candidates: list[Candidate]
) -> tuple[int, int, Candidate | None]:
    """(sentence index of the rules' pick, its candidate row or -1, a candidate to add if missing)."""
    if rules is None or rules.best.span is None or not rules.short:
        return -1, -1, None
    index = next(i for i, s in enumerate(scored) if s is rules.best)
    key = normalise(rules.short)
    for row, c in enumerate(candidates):
        if c.sentence == index and normalise(c.text) == key:
            return index, row, None
    span = rules.best.span
    source = span.kind if span.kind in GENERATORS else "clause" if span.kind == "clause" else "noun"
    start = max(0, rules.best.sentence.text.find(rules.short))
    extra = Candidate(
        rules.short, start, start + len(rules.short), index, frozenset({source}), span.unit, span.tag
    )
    return index, len(candidates), extra


def prepare(
    analysis: Question,
    hits: Sequence[Hit],
    split: Callable[[str], list[str]],
    max_sentences: int = MAX_SENTENCES,
    sentences: Sequence[Sentence] | None = None,
    compat: Compat | None = None,
) -> Reading:
    """Score the sentences of ``hits`` as the rules do (span picker included), take the rules'
    choice, propose candidates in the best sentences and the rules' one, compute features.

    ``compat`` fills the ``lex_compat`` column (training leaves it out and fills the column
    out of fold itself)."""
    sentences = list(sentences) if sentences is not None else build_sentences(hits, split)
    scored = score_all(analysis, sentences, pick_span)
    rules = rules_choice(analysis, scored)
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].evidence, scored[i].sentence.rank, i))
    top = order[:max_sentences]
    rule_index = next((i for i, s in enumerate(scored) if rules is not None and s is rules.best), -1)
    if rule_index >= 0 and rule_index not in top:
        top.append(rule_index)
    candidates: list[Candidate] = []
    for index in top:
        text = scored[index].sentence.text
        candidates.extend(generate_in_sentence(text, analysis.language, analysis.question, index))
    _, rule_row, extra = _rule_candidate(rules, scored, candidates)
    if extra is not None:
        candidates.append(extra)
    picks: dict[int, tuple[sp.Span, float] | None] = {
        index: (s.span, s.fit) if s.span is not None else None for index in top for s in (scored[index],)
    }
    view = QuestionView.of(analysis)
    matrix = featurize(view, scored, order, candidates, picks, rule_row)
    qkeys = question_keys(view)
    ckeys = keys_of(candidates, [s.sentence.text for s in scored])
    if compat is not None:
        matrix[:, INDEX["lex_compat"]] = compat.log_odds(qkeys, ckeys)
    return Reading(analysis, scored, order, candidates, matrix, rules, rule_row, qkeys, ckeys)


__all__ = ["MAX_SENTENCES", "NAMES", "Reading", "prepare"]
