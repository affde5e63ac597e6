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
from zhiku.answer.reading.candidates import Candidate, generate_in_sentence
from zhiku.answer.reading.features import NAMES, QuestionView, featurize
from zhiku.types import Hit, Question

MAX_SENTENCES = 6  # candidates come from the best sentences only: reading more costs time, gains little


@dataclass(frozen=True)
class Reading:
    """The sentences of the hits scored by evidence, and the candidates of the best ones."""

    analysis: Question
    scored: list[Scored]
    order: list[int]  # sentence indexes, best evidence first
    candidates: list[Candidate]
    matrix: np.ndarray  # one row of features per candidate


def _no_pick(analysis: Question, sentence: Sentence) -> tuple[sp.Span, float] | None:
    return None


def prepare(
    analysis: Question,
    hits: Sequence[Hit],
    split: Callable[[str], list[str]],
    max_sentences: int = MAX_SENTENCES,
    sentences: Sequence[Sentence] | None = None,
) -> Reading:
    """Score the sentences of ``hits``, propose candidates in the best ones, compute features."""
    sentences = list(sentences) if sentences is not None else build_sentences(hits, split)
    scored = score_all(analysis, sentences, _no_pick)
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].evidence, scored[i].sentence.rank, i))
    top = order[:max_sentences]
    candidates: list[Candidate] = []
    for index in top:
        text = scored[index].sentence.text
        candidates.extend(generate_in_sentence(text, analysis.language, analysis.question, index))
    picks = {index: pick_span(analysis, scored[index].sentence) for index in top}
    matrix = featurize(QuestionView.of(analysis), scored, order, candidates, picks)
    return Reading(analysis, scored, order, candidates, matrix)


__all__ = ["MAX_SENTENCES", "NAMES", "Reading", "prepare"]
