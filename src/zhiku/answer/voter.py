"""The extractive reader as a voter for retrieval's answer-agreement pass.

Retrieval may not import the answer stage (dependencies point down the data flow), yet its
agreement pass needs the reader's sentence evidence and span picker.  This adapter implements
retrieval's ``AnswerVoter`` protocol with them; the composition root (``zhiku.wiring``) hands
it to the knowledge base.

>>> votes = ReaderVoter().read(analyse("星河博览会哪天开幕？"), hits, pick_floor=0.3)
>>> votes[0].span
'5月18日'
"""

from __future__ import annotations

from collections.abc import Sequence

from zhiku.answer.evidence import build_sentences, score_all, vote_key
from zhiku.answer.pick import pick_span
from zhiku.retrieve.agreement import SentenceVote
from zhiku.types import Hit, Question
from zhiku.understand.sentences import split_sentences


class ReaderVoter:
    """Score every sentence of ``hits`` as the reader does and report the span each states."""

    def read(self, question: Question, hits: Sequence[Hit], pick_floor: float) -> list[SentenceVote]:
        sentences = build_sentences(hits, split_sentences)
        if not sentences:
            return []
        kind = question.qtype.kind
        return [
            SentenceVote(
                chunk_id=s.sentence.hit.chunk_id,
                doc_id=s.sentence.hit.doc_id,
                evidence=s.evidence * s.type_factor(kind),
                span=vote_key(s.span) if s.span is not None else None,
                score=s.rank_score(kind),
            )
            for s in score_all(question, sentences, pick_span, pick_floor=pick_floor)
        ]
