"""The small-path answerer: a trained, calibrated reader that asserts only what it is sure of.

Why this exists: most questions over reports are look-ups ("2023年产业规模是多少？") whose answer
is a span of one sentence.  Generators propose candidate spans in the best sentences of the top
hits, named features describe each one, a ranker trained on machine-reading data (never on the
development sets) orders them, and a calibrated verifier says how likely a pick is right; the
answer is the rules' pick or the ranker's favourite, whichever the verifier trusts more
(``answer/reading``).  The reply has one of three kinds:

* ``short`` — probability ≥ the threshold: the short answer first, then the quoted evidence;
* ``quote`` — evidence found but no span is sure: said plainly, with the best sentence(s);
* ``none``  — the evidence does not carry the question's qualifiers (美国 vs 中国, 2025 vs 2028)
  or is too weak: an honest refusal in the question's language.

>>> reader = ExtractiveReader(ReaderSettings())
>>> answer = reader.read(AskRequest("2023年中国人工智能产业规模是多少？"), hits, Trace())
>>> answer.answer_kind, answer.short_answer
('short', '2137亿元')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import rjieba

from zhiku.answer.evidence import (
    PUNCT_EDGE,
    Sentence,
    absent_qualifiers,
    absent_topics,
    build_sentences,
    clean_text,
    join_text,
)
from zhiku.answer.lang import frame_answer, not_found_message, refusal_note
from zhiku.answer.reading.candidates import Candidate
from zhiku.answer.reading.complete import complete
from zhiku.answer.reading.pipeline import Reading, prepare
from zhiku.answer.reading.scorer import ReaderModel
from zhiku.answer.reading.verifier import DEMOTE, constrain, verify_row
from zhiku.config import ReaderSettings
from zhiku.errors import ConfigError
from zhiku.types import Answer, AskRequest, Citation, Hit, Language, Question, Trace
from zhiku.understand import analyse, question_of
from zhiku.understand.normalise import normalise
from zhiku.understand.sentences import split_sentences

__all__ = ["ExtractiveReader", "clean_text", "split_parts"]

QUOTE_LEAD = {
    "zh": "未能确定简短答案，以下是最相关的原文：",
    "en": "No short answer I am sure of; the most relevant passage:",
}
_NOUN_TAGS = frozenset({"n", "nz", "nt", "nw"})
_WH = re.compile(r"多少|几|什么|哪|谁|何|怎样|如何|为什么|\b(?:who|what|when|where|which|why|how)\b", re.I)
_PARTS = re.compile(r"(?<=[？?])\s*(?=\S)")


@dataclass(frozen=True)
class Choice:
    """The reader's best candidate (or none) and how sure it is."""

    reading: Reading
    row: int  # index into reading.candidates, -1 when there is none
    probability: float
    ranked: tuple[int, ...]  # candidate rows, best first
    completed: Candidate | None = None  # the chosen row completed in its sentence (``complete``)

    @property
    def best(self) -> Candidate | None:
        """The span the reply states: the chosen candidate, completed where its sentence shows how."""
        if self.row < 0:
            return None
        return self.completed or self.reading.candidates[self.row]


def _same_answer(a: str, b: str) -> bool:
    """One answer restates the other (equal, or one holds the other)."""
    return bool(a) and bool(b) and (a in b or b in a)


def split_parts(question: Question) -> list[Question]:
    """One question per asked part (a question without parts is returned alone).

    Several questions in one ("北京核心技术人才有多少人？占全国的比例是多少？"): a later part
    without a subject of its own borrows the words before the first part's question word; the
    items of "A和B分别…" come from the analysis (``Question.parts``).
    """
    pieces = [p.strip() for p in _PARTS.split(question.text.strip()) if p.strip()]
    if len(pieces) > 1:
        first = _WH.search(pieces[0])
        subject = pieces[0][: first.start()] if first else ""
        subject = re.sub(r"(?:有|是|为|的|达到|共)$", "", subject)
        texts = [pieces[0]]
        for piece in pieces[1:]:
            wh = _WH.search(piece)
            own = piece[: wh.start()] if wh else piece
            named = any(t in ("ns", "nr", "nt", "nz") or len(w) >= 4 for w, t in rjieba.tag(own))
            texts.append(piece if named or not subject else subject + piece)
        return [analyse(t, question.language, split=False) for t in texts]
    return list(question.items)


class ExtractiveReader:
    """Answer from the top hits with the trained reader; refuse when the evidence is weak.

    >>> ExtractiveReader(ReaderSettings(min_confidence=0.2)).read(request, hits, trace).route
    'extractive'
    """

    def __init__(self, settings: ReaderSettings, model: ReaderModel | None = None) -> None:
        if not 0 <= settings.min_confidence <= 1:
            raise ConfigError(
                f"reader.min_confidence 必须在 0 到 1 之间：{settings.min_confidence}",
                f"reader.min_confidence must be within [0, 1], got {settings.min_confidence}",
            )
        self.settings = settings
        self.model = model or ReaderModel.load(settings.model_dir)
        threshold = settings.short_threshold
        self.threshold = self.model.threshold if threshold is None else threshold
        self._split = split_sentences

    def read(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer:
        """Answer ``request`` from ``hits``; a question in several parts is answered part by part."""
        question = question_of(request)
        parts = split_parts(question)
        if len(parts) == 1:
            return self._read_one(request, question, hits, trace)
        answers = [
            self._read_one(replace(request, question=part.text, analysis=part), part, hits, trace, choice)
            for part, choice in zip(parts, self.choose_parts(parts, hits), strict=True)
        ]
        return _combine(request, question, answers, self.settings.max_citations)

    def choose_parts(self, parts: Sequence[Question], hits: Sequence[Hit]) -> list[Choice | None]:
        """Each part's choice; parts that differ ("A和B分别…") get different answers.

        Reading each part alone, the second part of "男子和女子冠军分别是谁" often picks the first
        part's answer, which its sentences also hold.  The part surer of a shared answer keeps it;
        the other reads again with that answer set aside.
        """
        choices = [self.choose(part, hits) for part in parts]
        sureness = [c.probability if c is not None else 0.0 for c in choices]
        order = sorted(range(len(parts)), key=lambda i: -sureness[i])
        taken: list[str] = []
        for i in order:
            choice = choices[i]
            best = choice.best if choice is not None else None
            if best is None:
                continue
            if any(_same_answer(normalise(best.text), t) for t in taken):
                again = self.choose(parts[i], hits, avoid=tuple(taken))
                if again is not None and again.best is not None:
                    choices[i], best = again, again.best
            taken.append(normalise(best.text))
        return choices

    def choose(self, question: Question, hits: Sequence[Hit], avoid: Sequence[str] = ()) -> Choice | None:
        """The best candidate and its calibrated probability (``None``: no sentence to read).

        ``avoid``: answers (normalised) another part of the question already gives; candidates
        stating one are ranked last and are never the rules' pick.
        """
        sentences = build_sentences(hits[: self.settings.max_hits], self._split)
        if not sentences:
            return None
        reading = prepare(
            question,
            hits,
            self._split,
            self.model.max_sentences,
            sentences=sentences,
            compat=self.model.compat,
        )
        raw = constrain(reading.matrix, self.model.raw(reading.matrix))
        if len(raw) == 0:
            return Choice(reading, -1, 0.0, ())
        rule_row = reading.rule_row
        if avoid:
            taken = [any(_same_answer(normalise(c.text), t) for t in avoid) for c in reading.candidates]
            raw = raw - DEMOTE * np.asarray(taken, dtype=raw.dtype)
            rule_row = -1 if rule_row >= 0 and taken[rule_row] else rule_row
        ranked = [int(i) for i in np.argsort(-raw, kind="stable")]
        strength = reading.rules.strength if reading.rules is not None else 0.0
        picker = self.model.picker
        favourites = ranked[: self.model.top_k if picker == "select" else 1]
        rows = [rule_row, *favourites]
        scores = self.model.verify(np.stack([verify_row(reading.matrix, raw, r, strength) for r in rows]))
        if picker == "rules":
            at = 0
        elif picker == "learned":
            at = 1
        else:
            at = int(np.argmax(scores[1:])) + 1
            at = at if scores[at] > scores[0] else 0
        row, score = rows[at], float(scores[at])
        completed = None
        if row >= 0:
            ranked.remove(row)
            ranked.insert(0, row)
            if self.settings.complete_spans:
                text = reading.scored[reading.candidates[row].sentence].sentence.text
                completed = complete(question, reading.candidates, row, text)
        return Choice(reading, row, self.model.probability(score), tuple(ranked), completed)

    def _read_one(
        self,
        request: AskRequest,
        question: Question,
        hits: Sequence[Hit],
        trace: Trace,
        choice: Choice | None = None,
    ) -> Answer:
        lang = question.language
        choice = choice or self.choose(question, hits)
        if choice is None:
            return self._refuse(request, lang, trace, "no evidence")
        reading = choice.reading
        sentences = [s.sentence for s in reading.scored]
        absent = absent_qualifiers(question, sentences) + absent_topics(
            question.folded, list(question.nouns), sentences
        )
        if absent:
            return self._refuse(request, lang, trace, "qualifier not in evidence: " + ", ".join(absent))
        evidence = reading.scored[reading.order[0]].evidence
        kind_asked = question.qtype.kind
        if question.qtype.typed:
            # a number (date) question is answered only from a sentence that states one: its
            # evidence is that of the best such sentence (none at all: nothing to answer from)
            typed = {c.sentence for c in reading.candidates if kind_asked in c.sources}
            if not typed:
                return self._refuse(request, lang, trace, f"no {kind_asked} in evidence")
            evidence = max(reading.scored[i].evidence for i in typed)
        if evidence < self.settings.min_confidence or self.settings.min_confidence >= 1.0:  # 1: never answer
            return self._refuse(
                request, lang, trace, f"evidence {evidence:.3f} < {self.settings.min_confidence}"
            )
        kind = "short" if choice.row >= 0 and choice.probability >= self.threshold else "quote"
        trace.notes.append(
            f"reader: kind={question.qtype.kind} p={choice.probability:.3f} "
            f"threshold={self.threshold:.3f} → {kind}"
        )
        if kind == "short":
            return self._short(request, lang, choice)
        return self._quote(request, lang, choice)

    def _refuse(self, request: AskRequest, lang: Language, trace: Trace, reason: str) -> Answer:
        trace.notes.append(refusal_note(lang, reason))
        trace.route_reason = trace.route_reason or f"extractive reader refused: {reason}"
        return Answer(
            question=request.question,
            answer=not_found_message(lang),
            found=False,
            route="extractive",
            language=lang,
            confidence=0.0,
            answer_kind="none",
            probability=0.0,
        )

    def _short(self, request: AskRequest, lang: Language, choice: Choice) -> Answer:
        reading = choice.reading
        cand = choice.best
        assert cand is not None  # a short answer has a chosen row
        sentence = reading.scored[cand.sentence].sentence
        short = PUNCT_EDGE.sub("", cand.text)[:80]
        text, shift = sentence.text, 0
        if sentence.preceding:  # quote whole sentences, not a piece that starts mid-way
            text = join_text(sentence.preceding, sentence.text)
            shift = len(text) - len(sentence.text)
        quote = _cut(text, (cand.start + cand.end) // 2 + shift, self.settings.max_quote_chars)
        citations = [_citation(1, sentence, quote)]
        for other in _corroborating(reading, cand.sentence, short, self.settings.max_citations - 1):
            citations.append(_citation(len(citations) + 1, other, other.text))
        header = table_header(sentence)
        body = frame_answer(lang, short, f"{header}\n{quote}" if header else quote, "[1]")
        if len(citations) > 1:
            more = "".join(f"[{c.index}]" for c in citations[1:])
            body += f"（另见{more}）" if lang == "zh" else f" (see also {more})"
        return Answer(
            question=request.question,
            answer=body,
            found=True,
            citations=citations,
            route="extractive",
            language=lang,
            short_answer=short,
            confidence=round(choice.probability, 4),
            answer_kind="short",
            probability=round(choice.probability, 4),
        )

    def _quote(self, request: AskRequest, lang: Language, choice: Choice) -> Answer:
        """No sure span: say so and quote the sentences the best candidates stand in."""
        reading = choice.reading
        picked: list[int] = []
        for row in choice.ranked:
            index = reading.candidates[row].sentence
            if index not in picked:
                picked.append(index)
            if len(picked) >= self.settings.quote_sentences:
                break
        if not picked:
            picked = reading.order[: self.settings.quote_sentences]
        citations: list[Citation] = []
        for index in picked:
            s = reading.scored[index].sentence
            citations.append(_citation(len(citations) + 1, s, _cut(s.text, 0, self.settings.max_quote_chars)))
        lines = [QUOTE_LEAD[lang]]
        shown: set[str] = set()
        for index, c in zip(picked, citations, strict=True):
            header = table_header(reading.scored[index].sentence)
            if header and header not in shown:  # a row means little without its column names
                shown.add(header)
                lines.append(f"“{header}”")
            lines.append(f"“{c.text}”[{c.index}]")
        return Answer(
            question=request.question,
            answer="\n".join(lines),
            found=True,
            citations=citations,
            route="extractive",
            language=lang,
            short_answer="",
            confidence=round(choice.probability, 4),
            answer_kind="quote",
            probability=round(choice.probability, 4),
        )


def table_header(s: Sentence) -> str:
    """The column names of the table a quoted row belongs to ("指标 | 上线前 | 上线后"), or "".

    Tables are stored one row a line with cells joined by " | ", the header first; a row quoted
    alone ("首次解决率 | 72% | 86%") does not say which figure is before and which after.
    """
    row = s.text.strip()
    if "|" not in row:
        return ""
    lines = [line.strip() for line in s.hit.text.splitlines()]
    at = next((i for i, line in enumerate(lines) if line == row), -1)
    if at <= 0:
        return ""
    top = at
    while top > 0 and "|" in lines[top - 1]:
        top -= 1
    return lines[top] if top < at else ""


def _cut(text: str, centre: int, limit: int) -> str:
    """``text`` cut to ``limit`` characters around ``centre``."""
    if len(text) <= limit:
        return text
    start = max(0, min(centre - limit // 2, len(text) - limit))
    piece = text[start : start + limit]
    return ("…" if start > 0 else "") + piece + ("…" if start + limit < len(text) else "")


def _citation(index: int, s: Sentence, quote: str) -> Citation:
    hit = s.hit
    return Citation(
        index=index,
        document=hit.title or hit.source or hit.doc_id,
        doc_id=hit.doc_id,
        chunk_id=hit.chunk_id,
        page=hit.page,
        text=quote,
        source=hit.source,
    )


def _corroborating(reading: Reading, best: int, short: str, limit: int) -> list[Sentence]:
    """Sentences of other chunks among the best that state the same short answer (extra citations)."""
    if not short or limit <= 0:
        return []
    key = normalise(short)
    seen = {reading.scored[best].sentence.hit.chunk_id}
    floor = 0.5 * reading.scored[best].evidence
    out: list[Sentence] = []
    for index in reading.order[:10]:
        scored = reading.scored[index]
        s = scored.sentence
        if len(out) >= limit:
            break
        if s.hit.chunk_id in seen or key not in s.norm or scored.evidence < floor:
            continue
        seen.add(s.hit.chunk_id)
        out.append(s)
    return out


def _combine(request: AskRequest, question: Question, answers: list[Answer], max_citations: int) -> Answer:
    """One reply for a question in parts: each part's answer in turn, citations renumbered; a part
    without an answer says so by name."""
    lang = question.language
    found = [a for a in answers if a.found]
    if not found:
        return replace(answers[0], question=request.question)
    lines: list[str] = []
    shorts: list[str] = []
    citations: list[Citation] = []
    for part in answers:
        if not part.found:
            sep = "：" if lang == "zh" else ": "
            lines.append(f"{part.question}{sep}{part.answer}")
            continue
        offset = len(citations)
        text = part.answer
        for cite in sorted(part.citations, key=lambda c: -c.index):
            text = text.replace(f"[{cite.index}]", f"[{cite.index + offset}]")
        citations.extend(replace(c, index=c.index + offset) for c in part.citations)
        if part.short_answer:
            shorts.append(part.short_answer)
        lines.append(text if part.answer_kind == "short" else f"{part.question}\n{text}")
    every_short = all(a.answer_kind == "short" for a in answers)
    probability = min(a.probability for a in answers)
    return Answer(
        question=request.question,
        answer="\n".join(lines),
        found=True,
        citations=citations[: max(max_citations, len(found))],
        route="extractive",
        language=lang,
        short_answer=("；" if lang == "zh" else "; ").join(shorts) if every_short else "",
        confidence=probability,
        answer_kind="short" if every_short else "quote",
        probability=probability,
    )
