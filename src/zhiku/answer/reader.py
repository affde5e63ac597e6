"""The small-path answerer: pick the best supporting sentence and the answer span in it, no LLM.

Why this exists: most questions over reports are look-ups ("2023年产业规模是多少？") whose answer
is a span of one sentence.  Scoring sentences of the top hits by weighted query-term overlap
(jieba tokens plus Chinese character bigrams, IDF taken from the hits themselves), the hit's
rank and the expected answer type answers them in milliseconds on a laptop — and it refuses,
in the question's language, when the evidence does not carry the question's qualifiers
(美国 vs 中国, 2025 vs 2028) or holds no span of the required type.

>>> reader = ExtractiveReader(ReaderSettings())
>>> answer = reader.read(AskRequest("2023年中国人工智能产业规模是多少？"), hits, Trace())
>>> answer.short_answer, answer.citations[0].page
('2137亿元', 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from zhiku.answer import spans as sp
from zhiku.answer.evidence import (
    PUNCT_EDGE,
    Scored,
    Sentence,
    absent_qualifiers,
    absent_topics,
    build_sentences,
    calibrate,
    clean_text,
    join_text,
    score_all,
    vote,
)
from zhiku.answer.lang import frame_answer, not_found_message, refusal_note
from zhiku.answer.pick import pick_span
from zhiku.config import ReaderSettings
from zhiku.errors import ConfigError
from zhiku.types import Answer, AskRequest, Citation, Hit, Language, Question, Trace
from zhiku.understand import question_of
from zhiku.understand.normalise import normalise
from zhiku.understand.sentences import split_sentences

__all__ = ["ExtractiveReader", "calibrate", "clean_text"]


class ExtractiveReader:
    """Answer from the top hits by extraction; refuse when the evidence is weak.

    >>> ExtractiveReader(ReaderSettings(min_confidence=0.2)).read(request, hits, trace).route
    'extractive'
    """

    def __init__(self, settings: ReaderSettings) -> None:
        if not 0 <= settings.min_confidence <= 1:
            raise ConfigError(
                f"reader.min_confidence 必须在 0 到 1 之间：{settings.min_confidence}",
                f"reader.min_confidence must be within [0, 1], got {settings.min_confidence}",
            )
        self.settings = settings
        self._split = split_sentences

    def read(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer:
        """Answer ``request`` from ``hits``; a question about two items is answered item by item."""
        question = question_of(request)
        if not question.parts:
            return self._read_one(request, question, hits, trace)
        answers = [
            self._read_one(replace(request, question=part.text, analysis=part), part, hits, trace)
            for part in question.parts
        ]
        return _combine(request, question, answers, self.settings.max_citations)

    def _read_one(self, request: AskRequest, analysis: Question, hits: Sequence[Hit], trace: Trace) -> Answer:
        lang = analysis.language
        sentences = build_sentences(hits[: self.settings.max_hits], self._split)
        if not sentences:
            return self._refuse(request, lang, trace, "no evidence")
        nouns = list(analysis.nouns)
        absent = absent_qualifiers(analysis, sentences) + absent_topics(analysis.folded, nouns, sentences)
        if absent:
            return self._refuse(request, lang, trace, "qualifier not in evidence: " + ", ".join(absent))
        scored = score_all(analysis, sentences, pick_span)
        kind = analysis.qtype.kind
        ranked = sorted(scored, key=lambda s: s.rank_score(kind), reverse=True)
        best = vote(ranked, kind)
        if analysis.qtype.typed and best.span is None:
            return self._refuse(request, lang, trace, f"no {kind} span in evidence")
        confidence = _confidence(best, kind)
        trace.notes.append(f"reader: kind={analysis.qtype.kind} confidence={confidence:.3f}")
        if confidence < self.settings.min_confidence:
            return self._refuse(
                request, lang, trace, f"confidence {confidence:.3f} < {self.settings.min_confidence}"
            )
        return self._answer(request, analysis, best, ranked, confidence)

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
        )

    def _answer(
        self,
        request: AskRequest,
        analysis: Question,
        best: Scored,
        ranked: list[Scored],
        confidence: float,
    ) -> Answer:
        lang = analysis.language
        sentence = best.sentence
        short = _short_answer(best)
        text, shift = sentence.text, 0
        if sentence.preceding:  # quote whole sentences, not a piece that starts mid-way
            text = join_text(sentence.preceding, sentence.text)
            shift = len(text) - len(sentence.text)
        if analysis.qtype.kind == "other" and sentence.following:
            text = join_text(text, sentence.following)  # a description often runs over two sentences
        quote = _quote(text, best.span, self.settings.max_quote_chars, shift)
        citations = [_citation(1, sentence, quote)]
        for other in _corroborating(best, ranked, short, self.settings.max_citations - 1):
            citations.append(_citation(len(citations) + 1, other.sentence, other.sentence.text))
        marker = "".join(f"[{c.index}]" for c in citations[:1])
        text = frame_answer(lang, short, quote, marker)
        if len(citations) > 1:
            more = "".join(f"[{c.index}]" for c in citations[1:])
            text += f"（另见{more}）" if lang == "zh" else f" (see also {more})"
        return Answer(
            question=request.question,
            answer=text,
            found=True,
            citations=citations,
            route="extractive",
            language=lang,
            short_answer=short,
            confidence=confidence,
        )


def _confidence(best: Scored, kind: str) -> float:
    """Calibrated confidence in [0, 1] from the best sentence's evidence, lowered without a span."""
    return round(calibrate(best.evidence * best.type_factor(kind)), 4)


def _short_answer(best: Scored) -> str:
    if best.span is None:
        return ""
    text = PUNCT_EDGE.sub("", best.span.text)
    if best.span.kind == "clause":
        return text[:80]
    return text


def _quote(text: str, span: sp.Span | None, limit: int, shift: int = 0) -> str:
    """The supporting sentence, cut to ``limit`` characters around the answer span."""
    if len(text) <= limit:
        return text
    centre = shift + (span.start + span.end) // 2 if span else shift
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


def _corroborating(best: Scored, ranked: list[Scored], short: str, limit: int) -> list[Scored]:
    """Other chunks whose sentences state the same short answer (extra citations)."""
    if not short or limit <= 0:
        return []
    key = normalise(short)
    seen = {best.sentence.hit.chunk_id}
    out: list[Scored] = []
    for other in ranked[1:]:
        if len(out) >= limit:
            break
        if other.sentence.hit.chunk_id in seen or key not in other.sentence.norm:
            continue
        if other.evidence < 0.5 * best.evidence:
            continue
        seen.add(other.sentence.hit.chunk_id)
        out.append(other)
    return out


def _combine(request: AskRequest, question: Question, answers: list[Answer], max_citations: int) -> Answer:
    """One reply for a two-item question: each item's answer in turn, citations renumbered."""
    lang = question.language
    found = [a for a in answers if a.found]
    if not found:
        return replace(answers[0], question=request.question)
    lines: list[str] = []
    shorts: list[str] = []
    citations: list[Citation] = []
    for part in answers:
        if not part.found:
            lines.append(
                f"{part.question}：{part.answer}" if lang == "zh" else f"{part.question}: {part.answer}"
            )
            continue
        offset = len(citations)
        text = part.answer
        for cite in sorted(part.citations, key=lambda c: -c.index):
            text = text.replace(f"[{cite.index}]", f"[{cite.index + offset}]")
        citations.extend(replace(c, index=c.index + offset) for c in part.citations)
        shorts.append(part.short_answer)
        lines.append(text)
    return Answer(
        question=request.question,
        answer="\n".join(lines),
        found=True,
        citations=citations[: max(max_citations, len(found))],
        route="extractive",
        language=lang,
        short_answer="；".join(s for s in shorts if s) if lang == "zh" else "; ".join(s for s in shorts if s),
        confidence=sum(a.confidence for a in found) / len(answers),
    )
