"""Answer-agreement reranking: passages that state the answer most sources agree on go first.

Why: news-like collections hold many passages about the same event, and the ones that merely
discuss it (a preview, a related story, a question thread) share the question's words as much
as the one that answers.  What sets the answering passages apart is that *they agree*: several
independent documents state the same date, figure or name, while the others state nothing of
the asked shape or each something else.  So a reader (an ``AnswerVoter``, injected: retrieval
does not import the answer stage; ``zhiku.answer.voter.ReaderVoter`` is the extractive reader's
span picker) reads the top candidates, the spans are tallied once per document (only from sentences at least ``floor`` as
strong as the best one), and when two or more documents agree, every candidate containing the
agreed span gets ``boost``.  Each candidate also gains ``evidence_weight`` × its best sentence's
reader evidence, which favours a passage that holds a span of the asked type next to the
question's terms.

Over a single report there are rarely two documents to agree, so the boost stays silent there
and only the (small) evidence term acts.  Costs one reader pass over ``depth`` candidates
(a few milliseconds).

>>> AnswerAgreement(RetrievalSettings(), ReaderVoter()).run(analyse("2022国庆档电影票房冠军"), hits)[0].scores["agreement"]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from zhiku.config import RetrievalSettings
from zhiku.types import Hit, Question
from zhiku.understand.normalise import normalise


@dataclass(frozen=True)
class SentenceVote:
    """One sentence of a candidate passage as a reader saw it.

    ``evidence`` is how well the sentence answers (0..1, already lowered when it holds no span
    of the asked kind), ``span`` the normalised answer span it states (None when it states
    none) and ``score`` the reader's ranking score of the sentence.
    """

    chunk_id: str
    doc_id: str
    evidence: float
    span: str | None
    score: float


class AnswerVoter(Protocol):
    """Reads candidate passages for a question and says what each sentence answers.

    ``pick_floor``: spans need only be picked in sentences whose evidence is at least that
    share of the best one's (picking is the costly part).
    """

    def read(self, question: Question, hits: Sequence[Hit], pick_floor: float) -> list[SentenceVote]: ...


@dataclass(frozen=True)
class _Vote:
    span: str
    voters: int


class AnswerAgreement:
    def __init__(self, settings: RetrievalSettings, voter: AnswerVoter) -> None:
        self.settings = settings
        self.voter = voter

    def run(self, question: Question, hits: Sequence[Hit]) -> list[Hit]:
        """``hits`` re-ordered (the first ``depth`` of them); each gets an ``agreement`` score."""
        depth = self.settings.agreement_depth
        head, tail = list(hits[:depth]), list(hits[depth:])
        if len(head) < 2:
            return list(hits)
        kind = question.qtype.kind
        # spans only matter in sentences strong enough to vote (the weakest type factor is 0.45)
        read = self.voter.read(question, head, 0.45 * self.settings.agreement_floor)
        if not read:
            return list(hits)
        evidence: dict[str, float] = {}
        for s in read:
            evidence[s.chunk_id] = max(evidence.get(s.chunk_id, 0.0), s.evidence)
        vote = None
        if kind != "other":
            spans = [(s.doc_id, s.span, s.score) for s in read if s.span is not None]
            vote = _tally(spans, self.settings.agreement_floor)
        base = _base_scores(head)
        out = []
        for hit, b in zip(head, base, strict=True):
            score = b + self.settings.agreement_evidence_weight * evidence.get(hit.chunk_id, 0.0)
            if vote is not None and vote.voters >= 2 and vote.span in normalise(hit.text):
                score += self.settings.agreement_boost
            scores = {**hit.scores, "agreement": round(score, 6)}
            out.append(replace(hit, scores=scores))
        out.sort(key=lambda h: -h.scores["agreement"])
        return out + tail


def _tally(spans: Sequence[tuple[str, str, float]], floor: float) -> _Vote | None:
    """The span stated by the most weight of distinct documents among the strong sentences."""
    if not spans:
        return None
    limit = floor * max(score for _, _, score in spans)
    weight: dict[str, float] = {}
    voters: dict[str, set[str]] = {}
    for doc_id, span, score in spans:
        if len(span) < 2 or score < limit or doc_id in voters.setdefault(span, set()):
            continue
        voters[span].add(doc_id)
        weight[span] = weight.get(span, 0.0) + score
    if not weight:
        return None
    best = max(weight, key=lambda s: weight[s])
    return _Vote(best, len(voters[best]))


def _base_scores(hits: Sequence[Hit]) -> list[float]:
    """The lexical reranker's scores when it ran; otherwise the fused score, scaled alike (0..3)."""
    if all("rerank" in h.scores for h in hits):
        return [h.scores["rerank"] for h in hits]
    top = max(h.score for h in hits) or 1.0
    return [3.0 * h.score / top for h in hits]
