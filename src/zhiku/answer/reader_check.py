"""Cross-check of a generated answer against the small reader's calibrated opinion.

Why: the lexical verifier (``verify``) proves that what an answer says *stands* in the cited
evidence; it cannot tell which of two figures or names of the same sentence answers the
question.  A liar that swaps the asked name for its neighbour passes it.  The small reader
answers that very question — which span of the evidence answers it — with a calibrated
probability per pick.  So the answer's claim is read as a candidate of the reader, and the
answer is refused when both hold:

* the reader is *sure* of a different span: its pick has calibrated probability ≥ ``sure``
  (by default the reader's own short-answer threshold, i.e. it would assert that span itself);
* the reader *doubts* the claim: every span of the evidence the answer states has calibrated
  probability < ``doubt`` (0.5: more likely wrong than right), or the answer states none.

The reader reads exactly the evidence the model was shown (the trimmed, numbered chunks).  An
answer in another script than the evidence, a question in several parts, and an answer that
states the reader's pick (as text or as the same number in another format) are never refused
here: the check only ever adds a refusal where the reader is sure and disagrees.

>>> check = ReaderCrossCheck(reader)
>>> check(request, hits, "2023年星火公司营收为80亿元[1]。").detail
'the cited evidence answers the question with another span (reader p=0.93; claim p=0.04)'
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zhiku.answer.citations import strip_citations
from zhiku.answer.evidence_numbers import NumberMention, extract_numbers, mentions, prepare, same_number
from zhiku.answer.reader import ExtractiveReader, split_parts
from zhiku.answer.reading.candidates import Candidate
from zhiku.answer.reading.verifier import constrain, verify_row
from zhiku.answer.verify import Violation
from zhiku.types import AskRequest, Hit
from zhiku.understand import question_of
from zhiku.understand.normalise import normalise

DOUBT = 0.5  # a claim the reader gives less than even odds is "doubted"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_STOP = frozenset(
    "the a an of in on at to for and or is are was were be by with as from that this it its".split()
)


@dataclass(frozen=True)
class ReaderOpinion:
    """What the reader thinks of one answer: its own pick, and the best span the answer states."""

    pick: str
    p_pick: float  # calibrated probability that the reader's pick is right
    claim: str  # the evidence span the answer states that the reader rates best ('' when none)
    p_claim: float  # its calibrated probability (0 when the answer states no candidate)
    agrees: bool  # the answer states the reader's pick

    def rejects(self, sure: float, doubt: float = DOUBT) -> bool:
        """Sure of another span, doubtful of the claim."""
        return not self.agrees and self.p_pick >= sure and self.p_claim < doubt


def _squeeze(text: str) -> str:
    return re.sub(r"[\s,，]", "", normalise(unicodedata.normalize("NFKC", text)))


def _figures(text: str) -> list[NumberMention]:
    """The numbers of a span that are not bare years (a year places a figure, it is none)."""
    return [n for n in extract_numbers(text) if not _YEAR.match(n.raw.strip())]


def _is_figure(span: str) -> bool:
    """A span that is a figure with its unit ("620亿元", "45 million dollars", "30.6%"), not a
    phrase that happens to hold one."""
    if not _figures(span):
        return False
    rest = prepare(span)
    for n in sorted(mentions(rest, infer_units=False), key=lambda m: -m.start):
        rest = rest[: n.start] + rest[n.end :]
    return len(re.findall(r"[\u4e00-\u9fff]", rest)) <= 3 and len(re.findall(r"[A-Za-z]+", rest)) <= 2


def _same_figures(a: str, b: str) -> bool:
    fa, fb = _figures(a), _figures(b)
    return bool(fa) and all(any(same_number(x, y) for y in fb) for x in fa)


def states(answer: str, span: str) -> bool:
    """Whether ``answer`` states ``span``: as text, or (for a figure) as the same numbers in
    any format ("620亿元" = "620 亿元" = "六百二十亿元" = "62 billion yuan")."""
    key = _squeeze(span)
    if key and key in _squeeze(answer):
        return True
    return _is_figure(span) and _same_figures(span, answer)


def _tokens(text: str) -> set[str]:
    """Character bigrams (Chinese) and lower-case words and numbers (other scripts)."""
    low = normalise(unicodedata.normalize("NFKC", text))
    chars = [c for c in low if "\u4e00" <= c <= "\u9fff"]
    words = {w for w in re.findall(r"[a-z]+|\d+(?:\.\d+)?", low) if w not in _STOP}
    return {a + b for a, b in itertools.pairwise(chars)} | words


def _same_span(a: Candidate, b: Candidate) -> bool:
    """Two candidates are one answer cut differently: they overlap in one sentence, or one's
    text holds the other's; figures must state the same numbers ("million dollars" is no
    cut of "45 million dollars")."""
    if _figures(a.text) or _figures(b.text):
        return _same_figures(a.text, b.text) and _same_figures(b.text, a.text)
    if a.sentence == b.sentence and a.start < b.end and b.start < a.end:
        return True
    x, y = _squeeze(a.text), _squeeze(b.text)
    return bool(x and y) and (x in y or y in x)


def _script_zh(text: str) -> bool:
    return len(_CJK.findall(text)) >= len(re.findall(r"[A-Za-z]{2,}", text)) and bool(_CJK.search(text))


class ReaderCrossCheck:
    """Refuse a generated answer the calibrated reader is sure is another span of the evidence."""

    def __init__(self, reader: ExtractiveReader, *, sure: float | None = None, doubt: float = DOUBT) -> None:
        self.reader = reader
        self.sure = reader.threshold if sure is None else sure
        self.doubt = doubt

    def opinion(self, request: AskRequest, hits: Sequence[Hit], answer: str) -> ReaderOpinion | None:
        """The reader's opinion of ``answer`` over ``hits`` (``None``: it cannot judge)."""
        question = question_of(request)
        body = strip_citations(answer)
        evidence = " ".join(h.text for h in hits)
        if not hits or len(split_parts(question)) > 1 or _script_zh(body) != _script_zh(evidence):
            return None
        choice = self.reader.choose(question, hits)
        if choice is None or choice.row < 0:
            return None
        reading = choice.reading
        chosen = reading.candidates[choice.row]
        pick = chosen.text
        if states(body, pick):
            return ReaderOpinion(pick, choice.probability, pick, choice.probability, True)
        asked = _tokens(question.text)
        rows = [  # the spans the answer states that add something to the question
            i for i, c in enumerate(reading.candidates) if _tokens(c.text) - asked and states(body, c.text)
        ]
        if any(_same_span(reading.candidates[r], chosen) for r in rows):
            # "尼斯" for the reader's "法国尼斯", "锣鼓点" for "「锣鼓点」": one answer, cut otherwise
            return ReaderOpinion(pick, choice.probability, pick, choice.probability, True)
        if not rows:
            return ReaderOpinion(pick, choice.probability, "", 0.0, False)
        model = self.reader.model
        raw = constrain(reading.matrix, model.raw(reading.matrix))
        strength = reading.rules.strength if reading.rules is not None else 0.0
        scores = model.verify(np.stack([verify_row(reading.matrix, raw, r, strength) for r in rows]))
        best = int(np.argmax(scores))
        p_claim = model.probability(float(scores[best]))
        return ReaderOpinion(pick, choice.probability, reading.candidates[rows[best]].text, p_claim, False)

    def __call__(self, request: AskRequest, hits: Sequence[Hit], answer: str) -> Violation | None:
        return self.violation(self.opinion(request, hits, answer))

    def violation(self, found: ReaderOpinion | None) -> Violation | None:
        """The refusal an opinion amounts to at this check's thresholds, or ``None``."""
        if found is None or not found.rejects(self.sure, self.doubt):
            return None
        return Violation(
            "unsupported",
            "the cited evidence answers the question with another span "
            f"(reader p={found.p_pick:.2f}; claim p={found.p_claim:.2f})",
        )


__all__ = ["DOUBT", "ReaderCrossCheck", "ReaderOpinion", "states"]
