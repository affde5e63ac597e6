"""Answer-agreement reranking: passages that state the answer most sources agree on go first.

Why: news-like collections hold many passages about the same event, and the ones that merely
discuss it (a preview, a related story, a question thread) share the question's words as much
as the one that answers.  What sets the answering passages apart is that *they agree*: several
independent documents state the same date, figure or name, while the others state nothing of
the asked shape or each something else.  So the extractive reader's span picker reads the top
candidates, the spans are tallied once per document (only from sentences at least ``floor`` as
strong as the best one), and when two or more documents agree, every candidate containing the
agreed span gets ``boost``.  Each candidate also gains ``evidence_weight`` × its best sentence's
reader evidence, which favours a passage that holds a span of the asked type next to the
question's terms.

Over a single report there are rarely two documents to agree, so the boost stays silent there
and only the (small) evidence term acts.  Costs one reader pass over ``depth`` candidates
(a few milliseconds).

>>> AnswerAgreement(RetrievalSettings()).run(analyse("2023春节档电影票房冠军"), hits)[0].scores["agreement"]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from zhiku.answer.evidence import build_sentences, score_all, vote_key
from zhiku.answer.pick import pick_span
from zhiku.config import RetrievalSettings
from zhiku.types import Hit, Question
from zhiku.understand.normalise import normalise
from zhiku.understand.sentences import split_sentences


@dataclass(frozen=True)
class _Vote:
    span: str
    voters: int


class AnswerAgreement:
    def __init__(self, settings: RetrievalSettings) -> None:
        self.settings = settings

    def run(self, question: Question, hits: Sequence[Hit]) -> list[Hit]:
        """``hits`` re-ordered (the first ``depth`` of them); each gets an ``agreement`` score."""
        depth = self.settings.agreement_depth
        head, tail = list(hits[:depth]), list(hits[depth:])
        if len(head) < 2:
            return list(hits)
        kind = question.qtype.kind
        sentences = build_sentences(head, split_sentences)
        if not sentences:
            return list(hits)
        # spans only matter in sentences strong enough to vote (the weakest type factor is 0.45)
        scored = score_all(question, sentences, pick_span, pick_floor=0.45 * self.settings.agreement_floor)
        evidence: dict[str, float] = {}
        for s in scored:
            cid = s.sentence.hit.chunk_id
            evidence[cid] = max(evidence.get(cid, 0.0), s.evidence * s.type_factor(kind))
        vote = None
        if kind != "other":
            spans = [
                (s.sentence.hit.doc_id, vote_key(s.span), s.rank_score(kind))
                for s in scored
                if s.span is not None
            ]
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
