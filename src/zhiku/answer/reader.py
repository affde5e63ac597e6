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

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zhiku.answer import spans as sp
from zhiku.answer.base import AskRequest
from zhiku.answer.lang import frame_answer, not_found_message, refusal_note
from zhiku.answer.qtypes import QuestionAnalysis, Term, analyse_question
from zhiku.config import ReaderSettings
from zhiku.errors import ConfigError
from zhiku.types import Answer, Citation, Hit, Language, Trace

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_GAP = re.compile(
    rf"(?<=[{_CJK}，。、：；！？（）《》“”%])[ \t\u3000]+(?=[{_CJK}，。、：；！？（）《》“”])"
)
_GLUE = re.compile(rf"[{_CJK}，。、：；！？（）《》“”%]")
_UNIT_GAP = re.compile(r"(?<=\d)[ \t\u3000]+(?=[年月日号亿万元家个人名位倍%％])")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_EN_BREAK = re.compile(r"(?<=[a-z0-9\)\]%][.])\s+(?=[A-Z])")
_QUESTION_LIKE = re.compile(r"[?？]\W*$|吗\W*$|(?:是谁|是什么|多少|哪些|哪个|为什么|怎么)\W*$")
_PUNCT_EDGE = re.compile(r"^[\s，,、：:；;。.]+|[\s，,、：:；;]+$")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a hit; ``norm`` is a length-preserving NFKC + lower-case copy for matching."""

    text: str
    norm: str
    context: str  # normalised title + neighbouring sentences: where qualifiers may also sit
    title: str  # normalised document title: every sentence of a document is about its title
    following: str  # the next sentence of the same hit (descriptive answers quote it too)
    preceding: str  # the previous piece when this one starts mid-sentence, else ""
    rank: int
    hit: Hit


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    coverage: float  # weighted share of the question's terms found (0..1)
    factor: float  # qualifier (critical term) agreement (0..1)
    span: sp.Span | None
    missing: tuple[str, ...]

    @property
    def evidence(self) -> float:
        return self.coverage * self.factor

    def type_factor(self, kind: str) -> float:
        """A sentence without a span of the asked kind is weak evidence for a typed question."""
        if self.span is not None or kind == "other":
            return 1.0
        return 0.45 if kind in ("number", "date") else 0.6

    def rank_score(self, kind: str) -> float:
        return self.evidence * self.type_factor(kind) + 0.08 / (1 + self.sentence.rank)


def normalise(text: str) -> str:
    """NFKC + lower case, character by character so that offsets stay valid."""
    out = []
    for ch in text:
        mapped = unicodedata.normalize("NFKC", ch)
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out).lower()


def clean_text(text: str) -> str:
    """Drop the spaces PDF extraction leaves between Chinese characters (亿 个 参 数 → 亿个参数)."""
    return _UNIT_GAP.sub("", _CJK_GAP.sub("", text))


def fallback_split(text: str) -> list[str]:
    """Split on Chinese/Latin sentence ends and line breaks (used until the ingest splitter exists)."""
    out: list[str] = []
    for piece in _SENTENCE.findall(text):
        out.extend(p.strip() for p in _EN_BREAK.split(piece) if p.strip())
    return out


def _load_splitter() -> Callable[[str], list[str]]:
    try:
        from zhiku.ingest.sentences import split_sentences  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return fallback_split

    def split(text: str) -> list[str]:
        return [str(s).strip() for s in split_sentences(text) if str(s).strip()]

    return split


_ENDS = re.compile(r"[。！？!?；;…]['\"”’」』）)】]*$|[.](?:['\"”’)]*)$")


def _join(left: str, right: str) -> str:
    """No space between Chinese characters, one between Latin words."""
    glue = _GLUE.match(left[-1]) and _GLUE.match(right[0])
    return left + right if glue else f"{left} {right}"


def _merge_fragments(parts: list[str], short: int = 40) -> list[str]:
    """Glue line fragments ("截至2022年10月，北京" / "拥有人工智能核心企业" / "1048家") into one unit.

    Layout-broken text (slides, charts, tables) splits a statement over lines; a fragment that
    does not end a sentence and is short is joined with the next piece.
    """
    out: list[str] = []
    buffer = ""
    for part in parts:
        buffer = _join(buffer, part) if buffer else part
        if _ENDS.search(buffer) or len(buffer) >= short:
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    return out


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
        self._split = _load_splitter()

    def read(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer:
        analysis = analyse_question(request.question)
        lang = analysis.language
        sentences = self._sentences(hits[: self.settings.max_hits])
        if not sentences:
            return self._refuse(request, lang, trace, "no evidence")
        absent = _absent_qualifiers(analysis, sentences)
        if absent:
            return self._refuse(request, lang, trace, "qualifier not in evidence: " + ", ".join(absent))
        scored = _score_all(analysis, sentences)
        kind = analysis.qtype.kind
        ranked = sorted(scored, key=lambda s: s.rank_score(kind), reverse=True)
        best = _vote(ranked, kind)
        if analysis.qtype.typed and best.span is None:
            return self._refuse(request, lang, trace, f"no {kind} span in evidence")
        confidence = _confidence(best, kind)
        trace.notes.append(f"reader: kind={analysis.qtype.kind} confidence={confidence:.3f}")
        if confidence < self.settings.min_confidence:
            return self._refuse(
                request, lang, trace, f"confidence {confidence:.3f} < {self.settings.min_confidence}"
            )
        return self._answer(request, analysis, best, ranked, confidence)

    def _sentences(self, hits: Sequence[Hit]) -> list[Sentence]:
        out: list[Sentence] = []
        for rank, hit in enumerate(hits):
            parts = _merge_fragments([clean_text(s) for s in self._split(hit.text)])
            parts = [p for p in parts if len(p) >= 4]
            title = normalise(hit.title)
            headings = normalise(" ".join(hit.heading_path))
            for i, text in enumerate(parts):
                around = normalise(" ".join(parts[max(0, i - 1) : i + 2]))
                following = parts[i + 1] if i + 1 < len(parts) else ""
                preceding = parts[i - 1] if i > 0 and not _ENDS.search(parts[i - 1]) else ""
                context = f"{title} {headings} {around}"
                out.append(Sentence(text, normalise(text), context, title, following, preceding, rank, hit))
        return out

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
        analysis: QuestionAnalysis,
        best: Scored,
        ranked: list[Scored],
        confidence: float,
    ) -> Answer:
        lang = analysis.language
        sentence = best.sentence
        short = _short_answer(best)
        text, shift = sentence.text, 0
        if sentence.preceding:  # quote whole sentences, not a piece that starts mid-way
            text, shift = _join(sentence.preceding, text), len(_join(sentence.preceding, text)) - len(text)
        if analysis.qtype.kind == "other" and sentence.following:
            text = _join(text, sentence.following)  # a description often runs over two sentences
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


def _vote(ranked: list[Scored], kind: str, depth: int = 10, floor: float = 0.7) -> Scored:
    """Let different sources that state the same span add up (news snippets that agree).

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
        key = normalise(_PUNCT_EDGE.sub("", cand.span.text))
        if cand.sentence.hit.doc_id in voters.setdefault(key, set()):
            continue
        voters[key].add(cand.sentence.hit.doc_id)
        tally[key] = tally.get(key, 0.0) + cand.rank_score(kind)
        first.setdefault(key, cand)
    winner = max(tally, key=tally.__getitem__) if tally else ""
    return first[winner] if winner and len(voters[winner]) >= 2 else best


def _idf(terms: Sequence[Term], sentences: Sequence[Sentence]) -> dict[Term, float]:
    n = len(sentences)
    out: dict[Term, float] = {}
    for term in terms:
        df = sum(1 for s in sentences if any(a in s.norm for a in term.alternatives))
        weight = math.log(1 + (n - df + 0.5) / (df + 0.5))
        out[term] = weight * (1.5 if term.critical else 1.0)
    return out


def _coverage(terms: Sequence[Term], idf: dict[Term, float], sentence: Sentence) -> float:
    total = sum(idf[t] for t in terms)
    if total <= 0:
        return 0.0
    got = 0.0
    for term in terms:
        if any(a in sentence.norm or a in sentence.title for a in term.alternatives):
            got += idf[term]
        elif any(a in sentence.context for a in term.alternatives):
            got += 0.5 * idf[term]
    return got / total


def _score_all(analysis: QuestionAnalysis, sentences: Sequence[Sentence]) -> list[Scored]:
    tokens, bigrams, trigrams = analysis.tokens, analysis.ngrams(2), analysis.ngrams(3)
    idf = _idf(analysis.terms, sentences)
    out: list[Scored] = []
    for s in sentences:
        tok = _coverage(tokens, idf, s) if tokens else 0.0
        big = _coverage(bigrams, idf, s) if bigrams else tok
        tri = _coverage(trigrams, idf, s) if trigrams else big
        coverage = 0.5 * tok + 0.3 * big + 0.2 * tri if tokens else 0.6 * big + 0.4 * tri
        factor, missing = _qualifier_factor(analysis, s)
        if _numeric_residue(s.text):
            factor *= 0.3  # chart residue: a run of bare numbers and axis labels, not a statement
        if _QUESTION_LIKE.search(s.text):
            factor *= 0.5  # evidence that asks the question back ("…总导演是谁?") does not answer it
        out.append(Scored(s, coverage, factor, _pick_span(analysis, s), missing))
    return out


def _numeric_residue(text: str) -> bool:
    """Mostly bare numbers and spaces ("75 94 117 2020 2021 2022 …"): flattened chart data."""
    compact = re.sub(r"\s", "", text)
    if len(compact) < 8:
        return False
    numeric = len(re.findall(r"[\d.,%E]", compact))
    return numeric / len(compact) > 0.6


def _absent_qualifiers(analysis: QuestionAnalysis, sentences: Sequence[Sentence]) -> list[str]:
    """Years and places the question names that no hit mentions at all: nothing to answer from."""
    absent: list[str] = []
    for term in analysis.critical:
        if term.role not in ("year", "place"):
            continue
        if not any(any(a in s.context for a in term.alternatives) for s in sentences):
            absent.append(term.alternatives[0])
    return absent


def _qualifier_factor(analysis: QuestionAnalysis, s: Sentence) -> tuple[float, tuple[str, ...]]:
    factor = 1.0
    missing: list[str] = []
    for term in analysis.critical:
        if any(a in s.norm or a in s.title for a in term.alternatives):
            continue
        if term.role in ("name", "latin") and any(a in s.context for a in term.alternatives):
            continue
        missing.append(term.alternatives[0])
        if term.role == "year":
            other_years = sp.years_in(s.norm) - set(analysis.years)
            factor *= 0.3 if other_years else 0.75
        elif term.role == "place":
            factor *= _place_factor(analysis, s, term)
        else:
            factor *= 0.7
    return factor, tuple(missing)


def _place_factor(analysis: QuestionAnalysis, s: Sentence, term: Term) -> float:
    """How much a sentence that does not name the asked place can still speak for it."""
    if _other_place(analysis, s):
        return 0.2  # it names another place: 中国 where 美国 was asked
    if any(a in s.context for a in term.alternatives):
        return 0.8  # the place is named next to it
    return 0.45


def _other_place(analysis: QuestionAnalysis, s: Sentence) -> bool:
    """The sentence is about another place than the question (中国 where 美国 was asked)."""
    import rjieba

    asked = {a for t in analysis.terms for a in t.alternatives}
    return any(tag == "ns" and len(w) >= 2 and w not in asked for w, tag in rjieba.tag(s.norm))


def _candidates(analysis: QuestionAnalysis, s: Sentence) -> list[sp.Span]:
    kind = analysis.qtype.kind
    text = s.text
    if kind == "number":
        spans = [c for c in sp.number_spans(text) if _whole_words(text, c) and not _bare_year(c)]
        if analysis.qtype.unit in _STRICT_UNITS:
            family = _STRICT_UNITS[analysis.qtype.unit]
            spans = [c for c in spans if c.unit and any(u in c.unit for u in family)]
        return spans
    if kind == "date":
        return sp.date_spans(text)
    if kind == "other":
        return sp.clause_spans(text)
    import rjieba

    tags = rjieba.tag(text)
    if kind == "list":
        return sp.list_spans(text, tags) or sp.name_spans(text, tags)
    names = sp.name_spans(text, tags)
    if analysis.qtype.alias:
        return sp.alias_spans(text) or names
    if kind == "person":
        return [n for n in names if _person_like(n)]
    if kind == "place":
        return [n for n in names if n.tag == "ns" or n.text.endswith(_PLACE_SUFFIXES)]
    return names


def _person_like(span: sp.Span) -> bool:
    if re.match(r"[一二三四五六七八九十两\d]", span.text):
        return False
    return span.tag in ("nr", "nrt", "nrfg") or "·" in span.text or span.tag == "eng"


_PLACE_SUFFIXES = ("市", "省", "国", "州", "县", "区", "城", "镇", "村", "岛", "馆", "中心", "体育场")


_STRICT_UNITS = {
    "%": ("%", "％", "‰", "百分点", "percent", "成"),
    "倍": ("倍", "times"),
    "个百分点": ("百分点", "%"),
}


def _bare_year(span: sp.Span) -> bool:
    return not span.unit and re.fullmatch(r"(?:19|20)\d{2}", span.text.strip()) is not None


def _whole_words(text: str, span: sp.Span) -> bool:
    """A span must not end inside a word: 七部 of 七部门 is not a quantity."""
    if span.end >= len(text) or not re.match(r"[\u4e00-\u9fff]", text[span.end - 1]):
        return True
    import rjieba

    window_start = max(0, span.start - 4)
    pos = window_start
    for word in rjieba.cut(text[window_start : span.end + 6]):
        pos += len(word)
        if pos == span.end:
            return True
        if pos > span.end:
            return False
    return True


def _pick_span(analysis: QuestionAnalysis, s: Sentence) -> sp.Span | None:
    question = normalise(analysis.question)
    cands = [c for c in _candidates(analysis, s) if not _echoes(normalise(c.text).strip(), question)]
    if not cands:
        return None
    anchors = _anchors(analysis, s)
    return max(cands, key=lambda c: _span_score(analysis, s, c, anchors))


def _echoes(span: str, question: str) -> bool:
    """The span repeats the question (its own subject or year) rather than answering it."""
    if span in question:
        return True
    if len(span) < 3 or span[0].isdigit():
        return False
    pairs = [span[i : i + 2] for i in range(len(span) - 1)]
    return sum(p in question for p in pairs) / len(pairs) > 0.5


def _anchors(analysis: QuestionAnalysis, s: Sentence) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for term in analysis.tokens:
        for alt in term.alternatives:
            start = s.norm.find(alt)
            while start >= 0:
                out.append((start, start + len(alt)))
                start = s.norm.find(alt, start + 1)
    return out


def _span_score(analysis: QuestionAnalysis, s: Sentence, c: sp.Span, anchors: list[tuple[int, int]]) -> float:
    qt = analysis.qtype
    score = 0.0
    if anchors:
        dist = min(
            c.start - e if c.start >= e else (st - c.end) * 1.5 if c.end <= st else 0 for st, e in anchors
        )
        score -= dist / 30
    if qt.kind == "number":
        score += _number_bonus(analysis, s, c)
    elif qt.kind == "date":
        has_day = bool(re.search(r"[日号]|\d,? \d{4}", c.text))
        has_month = "月" in c.text or bool(re.search(r"[a-z]", c.text, re.I))
        if qt.grain == "day":
            score += 0.8 * has_day + 0.3 * has_month
        elif qt.grain == "year":
            score += 0.5 * ("年" in c.text) - 0.3 * has_month
    elif qt.kind == "other":
        covered = sum(1 for st, e in anchors if c.start <= st and e <= c.end)
        score += 0.3 * covered - len(c.text) / 80
    return score


def _number_bonus(analysis: QuestionAnalysis, s: Sentence, c: sp.Span) -> float:
    qt = analysis.qtype
    bonus = 0.4 if c.unit else 0.0
    if qt.unit:
        bonus += _unit_match(qt.unit, c.unit)
    elif qt.units:
        bonus += 0.8 if any(u in c.unit for u in qt.units) else -0.3
    elif c.unit in ("年", "个月", "天", "岁"):
        bonus -= 0.3
    if qt.unit == "%" and _GROWTH.search(s.norm[max(0, c.start - 8) : c.start]):
        if not _GROWTH.search(analysis.question.lower()):
            bonus -= 0.8  # a growth rate where a share was asked
    if analysis.years:
        before = [m for m in re.finditer(r"(?:19|20)\d{2}", s.norm[: c.start])]
        if before:
            bonus += 1.0 if before[-1].group(0) in analysis.years else -0.8
    return bonus


_GROWTH = re.compile(r"增长|增速|增幅|cagr|同比|环比|上涨|下降|下跌|提升|提高|growth|grew|increase")

_UNIT_GROUPS = (
    frozenset("人名位"),
    frozenset("个家座所只款种项部台辆件条张枚颗块"),
)


def _unit_match(asked: str, unit: str) -> float:
    """+1 for the asked unit, +0.5 for a sibling measure word (名 ~ 人), -0.6 for another unit."""
    if asked in unit or (asked == "%" and "％" in unit):
        return 1.0
    last = unit[-1:] if unit else ""
    if any(asked in group and last in group for group in _UNIT_GROUPS):
        return 0.5
    return -0.2 if not unit else -0.6


# Raw evidence → share of answers that were right, read off the development sets (seed report,
# CMRC, RGB-zh; bm25 retrieval) and smoothed to a monotone curve.  Coverage alone overstates
# certainty at the top (news snippets repeat the question's words without the answer).
_CALIBRATION = ((0.0, 0.0), (0.2, 0.2), (0.3, 0.45), (0.5, 0.6), (0.7, 0.68), (1.0, 0.85))


def calibrate(raw: float) -> float:
    """Map raw evidence (coverage × qualifier agreement × type fit) to an estimated P(correct)."""
    raw = max(0.0, min(1.0, raw))
    for (x0, y0), (x1, y1) in zip(_CALIBRATION, _CALIBRATION[1:], strict=False):
        if raw <= x1:
            return y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
    return _CALIBRATION[-1][1]


def _confidence(best: Scored, kind: str) -> float:
    """Calibrated confidence in [0, 1] from the best sentence's evidence, lowered without a span."""
    return round(calibrate(best.evidence * best.type_factor(kind)), 4)


def _short_answer(best: Scored) -> str:
    if best.span is None:
        return ""
    text = _PUNCT_EDGE.sub("", best.span.text)
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
