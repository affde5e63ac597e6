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
here: the check only ever adds a refusal where the reader is sure and disagrees, or where the
claim cannot fill the role the question asks for (``claim_role``: a month for a non-date
question, a place for "who", a piece of a longer name …).

>>> check = ReaderCrossCheck(reader)
>>> check(request, hits, "2023年星火公司营收为80亿元[1]。").detail
'the cited evidence answers the question with another span (reader p=0.93; claim p=0.04)'
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from zhiku.answer.citations import strip_citations
from zhiku.answer.claim_check import FEATURES, MAX_RANK, ClaimModel, Located, claim_features
from zhiku.answer.claim_role import role_clash
from zhiku.answer.evidence_numbers import NumberMention, extract_numbers, mentions, prepare, same_number
from zhiku.answer.reader import ExtractiveReader, split_parts
from zhiku.answer.reading.candidates import Candidate
from zhiku.answer.reading.compat import keys_of
from zhiku.answer.reading.features import INDEX, QuestionView, featurize
from zhiku.answer.reading.pipeline import Reading
from zhiku.answer.reading.verifier import constrain, verify_row
from zhiku.answer.spans import Span
from zhiku.answer.verify import Violation
from zhiku.types import AskRequest, Hit, Question
from zhiku.understand import question_of
from zhiku.understand.normalise import normalise

MODES = ("hand", "learned", "either")
_NOT_PROSE = frozenset({"table", "chart"})  # block kinds the learned model never saw in training
_CLAIM_TYPE = FEATURES.index("claim_type")
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
    features: tuple[float, ...] = ()  # ``claim_check.FEATURES`` of the claim (the learned decision)
    prose: bool = True  # pick and claim stand in running text (the learned model's training domain)
    pick_sentence: str = ""  # the evidence sentence of the pick (reports and diagnosis)
    claim_sentence: str = ""  # the evidence sentence of the claim ('' when none)
    clash: str = (
        ""  # why the claim cannot fill the asked role (``claim_role``); '' when nothing speaks against it
    )
    cut: bool = False  # it agrees only by stating a piece of the pick ("尼斯" of "法国尼斯"), not all of it

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


def _prose(reading: Reading, candidate: Candidate) -> bool:
    """The candidate stands in running text, not in a table row or a chart's series."""
    return reading.scored[candidate.sentence].sentence.hit.kind not in _NOT_PROSE


def _script_zh(text: str) -> bool:
    return len(_CJK.findall(text)) >= len(re.findall(r"[A-Za-z]{2,}", text)) and bool(_CJK.search(text))


def _overlap(pick: str, answer: str, question: str) -> float:
    """Longest run of ``pick`` that ``answer`` states and the question does not, as a share of
    the pick ("安史之乱" of the pick "安史之乱时")."""
    p, a, q = _squeeze(pick), _squeeze(answer), _squeeze(question)
    if not p:
        return 0.0
    best = 0
    for block in SequenceMatcher(None, p, a, autojunk=False).get_matching_blocks():
        if block.size > best and p[block.a : block.a + block.size] not in q:
            best = block.size
    return best / len(p)


_EDGE = re.compile(r"^[\s，,、：:；;。.！!？?“”\"'（）()《》]+|[\s，,、：:；;。.！!？?“”\"'（）()《》]+$")


def novel_stretches(answer: str, question: str) -> list[str]:
    """The stretches of ``answer`` the question does not contain (runs of at least two shared
    characters count as the question's), longest first: where a restated question holds its
    claim ("导演是X" for "导演是谁").  The alignment keeps the order of both texts, so an answer
    that reorders the question's words marks the moved words as its own too (a longer stretch)."""
    shared = [False] * len(answer)
    for block in SequenceMatcher(None, question, answer, autojunk=False).get_matching_blocks():
        if block.size >= 2:
            for i in range(block.b, block.b + block.size):
                shared[i] = True
    runs, start = [], None
    for i, flag in enumerate([*shared, True]):
        if not flag and start is None:
            start = i
        elif flag and start is not None:
            runs.append(_EDGE.sub("", answer[start:i]))
            start = None
    return sorted({r for r in runs if r and len(r) <= 40}, key=lambda r: (-len(r), r))


def locate(answer: str, question: str, pick: str, reading: Reading) -> Located:
    """Where the answer's new words (those the question lacks) stand in the evidence: the one
    sentence holding most of them, its rank by question evidence, and its evidence relative to
    the best sentence's.  A claim lifted from a sentence that does not address the question
    stands far down; a right answer stands where the question is answered."""
    novel = _tokens(answer) - _tokens(question)
    found = Located(pick_overlap=_overlap(pick, answer, question))
    if not novel or not reading.order:
        return found
    best_share, best_at = 0.0, -1
    for at, index in enumerate(reading.order):
        share = len(novel & _tokens(reading.scored[index].sentence.text)) / len(novel)
        if share > best_share:
            best_share, best_at = share, at
    if best_at < 0:
        return found
    top = reading.scored[reading.order[0]].evidence
    here = reading.scored[reading.order[best_at]].evidence
    return Located(
        pick_overlap=found.pick_overlap,
        novel_found=best_share,
        novel_rank=math.log1p(min(best_at, MAX_RANK)),
        novel_evidence=here / top if top > 0 else 0.0,
    )


class ReaderCrossCheck:
    """Refuse a generated answer the calibrated reader is sure is another span of the evidence.

    ``mode`` says who decides on an answer that does not state the reader's pick: ``hand`` (the
    two thresholds ``sure`` and ``doubt``), ``learned`` (``claim_check.ClaimModel``, fitted on
    training questions), or ``either`` (refused when either refuses).
    """

    def __init__(
        self,
        reader: ExtractiveReader,
        *,
        sure: float | None = None,
        doubt: float = DOUBT,
        mode: str = "learned",
        model: ClaimModel | None = None,
        force_claims: bool | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown cross-check mode {mode!r}; valid: {', '.join(MODES)}")
        self.reader = reader
        self.sure = reader.threshold if sure is None else sure
        self.doubt = doubt
        self.mode = mode
        self.model = model if model is not None or mode == "hand" else ClaimModel.load()
        # the learned model's features judge a claim no generator proposed as a candidate too;
        # the hand rule does not need it (its p_claim stays 0 for such claims), so it is skipped
        self.force_claims = mode != "hand" if force_claims is None else force_claims

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
        model = self.reader.model
        raw = constrain(reading.matrix, model.raw(reading.matrix))
        where = locate(body, question.text, pick, reading)

        def sentence_of(candidate: Candidate) -> str:
            return reading.scored[candidate.sentence].sentence.text

        def clash_of(claim: str, features: tuple[float, ...], prose: bool) -> str:
            sentences = [sc.sentence.text for sc in reading.scored]
            typed = bool(features[_CLAIM_TYPE] > 0) if features else None
            said = next(iter(novel_stretches(body, question.text)), "")
            return role_clash(question.text, claim, sentences, typed=typed, said=said, prose=prose) or ""

        def opinion(
            claim: int, p_claim: float, agrees: bool, n_stated: int, cut: bool = False
        ) -> ReaderOpinion:
            other = reading.candidates[claim] if claim >= 0 else None
            features = claim_features(
                reading.matrix,
                raw,
                choice.ranked,
                choice.row,
                claim,
                p_pick=choice.probability,
                p_claim=p_claim,
                same_sentence=other is not None and other.sentence == chosen.sentence,
                claim_figure=other is not None and _is_figure(other.text),
                pick_figure=_is_figure(pick),
                n_stated=n_stated,
                located=where,
            )
            text = other.text if other is not None else ""
            prose = _prose(reading, chosen) and (other is None or _prose(reading, other))
            return ReaderOpinion(
                pick,
                choice.probability,
                text,
                p_claim,
                agrees,
                features,
                prose,
                sentence_of(chosen),
                sentence_of(other) if other is not None else "",
                "" if agrees else clash_of(text, features, prose),
                cut,
            )

        def forced_opinion(
            claim: Candidate, matrix: np.ndarray, raw2: np.ndarray, p_claim: float
        ) -> ReaderOpinion:
            row = len(matrix) - 1
            ranked = [int(i) for i in np.argsort(-raw2, kind="stable")]
            ranked.remove(choice.row)
            ranked.insert(0, choice.row)
            features = claim_features(
                matrix,
                raw2,
                ranked,
                choice.row,
                row,
                p_pick=choice.probability,
                p_claim=p_claim,
                same_sentence=claim.sentence == chosen.sentence,
                claim_figure=_is_figure(claim.text),
                pick_figure=_is_figure(pick),
                n_stated=0,
                located=where,
                forced=True,
            )
            prose = _prose(reading, chosen) and _prose(reading, claim)
            return ReaderOpinion(
                pick,
                choice.probability,
                claim.text,
                p_claim,
                False,
                features,
                prose,
                sentence_of(chosen),
                sentence_of(claim),
                clash_of(claim.text, features, prose),
            )

        if states(body, pick):
            return opinion(choice.row, choice.probability, True, 1)
        asked = _tokens(question.text)
        rows = [  # the spans the answer states that add something to the question
            i for i, c in enumerate(reading.candidates) if _tokens(c.text) - asked and states(body, c.text)
        ]
        if any(_same_span(reading.candidates[r], chosen) for r in rows):
            # "尼斯" for the reader's "法国尼斯", "锣鼓点" for "「锣鼓点」": one answer, cut otherwise
            return opinion(choice.row, choice.probability, True, len(rows), cut=True)
        if not rows:
            forced = self._forced(question, body, reading) if self.force_claims else None
            if forced is None:
                return opinion(-1, 0.0, False, 0)
            return forced_opinion(*forced)
        strength = reading.rules.strength if reading.rules is not None else 0.0
        scores = model.verify(np.stack([verify_row(reading.matrix, raw, r, strength) for r in rows]))
        best = int(np.argmax(scores))
        return opinion(rows[best], model.probability(float(scores[best])), False, len(rows))

    def _forced(
        self, question: Question, body: str, reading: Reading
    ) -> tuple[Candidate, np.ndarray, np.ndarray, float] | None:
        """The answer's own claim made a candidate when no generator proposed it: its text (the
        longest stretch of the answer the question lacks) where it stands in the best-ranked
        evidence sentence, featured with the reader's other candidates, and the reader's
        calibrated probability of it.  So a claim the reader never considered is judged by the
        same features (answer type, anchors, sentence evidence) as the ones it did."""
        for text in novel_stretches(body, question.text):
            for index in reading.order:
                at = reading.scored[index].sentence.text.find(text)
                if at < 0:
                    continue
                claim = Candidate(text, at, at + len(text), index, frozenset({"answer"}))
                candidates = [*reading.candidates, claim]
                picks: dict[int, tuple[Span, float] | None] = {
                    i: (sc.span, sc.fit) if sc.span is not None else None
                    for i in {c.sentence for c in candidates}
                    for sc in (reading.scored[i],)
                }
                matrix = featurize(
                    QuestionView.of(question),
                    reading.scored,
                    reading.order,
                    candidates,
                    picks,
                    reading.rule_row,
                )
                model = self.reader.model
                if model.compat is not None:
                    ckeys = keys_of(candidates, [sc.sentence.text for sc in reading.scored])
                    matrix[:, INDEX["lex_compat"]] = model.compat.log_odds(reading.qkeys, ckeys)
                raw = constrain(matrix, model.raw(matrix))
                strength = reading.rules.strength if reading.rules is not None else 0.0
                score = float(
                    model.verify(verify_row(matrix, raw, len(candidates) - 1, strength)[None, :])[0]
                )
                return claim, matrix, raw, model.probability(score)
        return None

    def __call__(
        self, request: AskRequest, hits: Sequence[Hit], answer: str, *, strict: bool = False
    ) -> Violation | None:
        return self.violation(self.opinion(request, hits, answer), strict=strict)

    def violation(self, found: ReaderOpinion | None, strict: bool = False) -> Violation | None:
        """The refusal an opinion amounts to at this check's thresholds, or ``None``.

        ``strict``: the answer is a second try after its first claim was refused; a model that
        then names yet another span is guessing, so only the reader's own pick passes, all of it:
        a piece of the pick ("卡塔尔" of "卡塔尔世界杯", "GateNet" of a longer span) is a guess
        that merely lands inside it.
        """
        if found is not None and strict and (not found.agrees or found.cut) and found.pick:
            return Violation(
                "unsupported",
                f"a second answer after a refused claim names another span than the evidence supports: {found.pick}",
            )
        if found is None or not self.refuses(found):
            return None
        if found.clash:
            return Violation("unsupported", f"the answer's claim cannot answer the question: {found.clash}")
        return Violation(
            "unsupported",
            "the cited evidence answers the question with another span "
            f"(reader p={found.p_pick:.2f}; claim p={found.p_claim:.2f})",
        )

    def refuses(self, found: ReaderOpinion, threshold: float | None = None) -> bool:
        """Whether this check refuses an answer of this opinion (``threshold``: the learned
        model's, overriding the shipped one).  The learned model decides only in running text,
        where it was fitted; in a table row or chart series the hand rule decides."""
        if found.agrees:
            return False
        if found.clash:
            return True
        hand = found.rejects(self.sure, self.doubt)
        if self.model is None or self.mode == "hand":
            return hand
        learned = self.model.refuses(found.features, threshold)
        if not found.prose:
            return hand
        return learned or (self.mode == "either" and hand)


__all__ = ["DOUBT", "MODES", "ReaderCrossCheck", "ReaderOpinion", "states"]
