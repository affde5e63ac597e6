"""The hand-written picker's choice: the best sentence by evidence, its span, agreeing sources vote.

Why it stays: on the development sets the learned ranker (trained on Wikipedia reading data only)
still picks the right span less often than these rules do, so the shipped reader lets the rules
*pick* and the trained model *judge*: it estimates, calibrated, how likely the rules' pick is
right (``scorer.ReaderModel.verify``).  The rules' choice is also a feature of every candidate.

>>> scored = score_all(analyse("星火公司哪年成立？"), sentences, pick_span)
>>> rules_choice(analyse("星火公司哪年成立？"), scored).best.span.text
'2019年'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zhiku.answer.evidence import PUNCT_EDGE, Scored, vote_key
from zhiku.types import Question


@dataclass(frozen=True)
class RulesChoice:
    """The rules' best sentence (``best``), all sentences best first, and its short answer."""

    best: Scored
    ranked: list[Scored]
    short: str  # "" when the best sentence holds no span
    kind: str  # the answer kind the question asks for

    @property
    def strength(self) -> float:
        """The rules' own evidence for the pick (coverage × qualifiers × type fit)."""
        return self.best.evidence * self.best.type_factor(self.kind)


def vote(ranked: list[Scored], kind: str, depth: int = 10, floor: float = 0.7) -> Scored:
    """Let different documents that state the same span add up (news snippets that agree).

    A span counts once per document, only from sentences at least ``floor`` times as strong as
    the best, and it replaces the best sentence's span only when two or more documents state it.
    """
    best = ranked[0]
    if kind == "other" or best.span is None:
        return best
    limit = floor * best.rank_score(kind)
    tally: dict[str, float] = {}
    voters: dict[str, set[str]] = {}
    first: dict[str, Scored] = {}
    for cand in ranked[:depth]:
        if cand.span is None or cand.rank_score(kind) < limit:
            continue
        key = vote_key(cand.span)
        if cand.sentence.hit.doc_id in voters.setdefault(key, set()):
            continue
        voters[key].add(cand.sentence.hit.doc_id)
        tally[key] = tally.get(key, 0.0) + cand.rank_score(kind)
        first.setdefault(key, cand)
    winner = max(tally, key=tally.__getitem__) if tally else ""
    return first[winner] if winner and len(voters[winner]) >= 2 else best


def short_of(best: Scored) -> str:
    """The short answer the rules state for a sentence: its span, edges trimmed (a clause ≤ 80)."""
    if best.span is None:
        return ""
    text = PUNCT_EDGE.sub("", best.span.text)
    return text[:80] if best.span.kind == "clause" else text


def rules_choice(analysis: Question, scored: Sequence[Scored]) -> RulesChoice | None:
    """The rules' pick among sentences scored with the span picker (``None``: no sentence)."""
    if not scored:
        return None
    kind = analysis.qtype.kind
    ranked = sorted(scored, key=lambda s: s.rank_score(kind), reverse=True)
    best = vote(ranked, kind)
    return RulesChoice(best, ranked, short_of(best), kind)
