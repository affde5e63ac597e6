"""Evidence for the extractive reader: sentences of the hits, how well each answers, how sure we are.

Why a module of its own: reading a hit is more than splitting it.  PDF text leaves spaces
between Chinese characters and statements broken over lines; a sentence is read together with
its neighbours and its document title (every sentence of 《X》 is about X); the question's
qualifiers (years, places) must agree; and when several documents state the same answer they
vote (``vote_key``, read by retrieval's agreement pass).  How sure an answer is, is no longer
read off this evidence: the trained reader (``answer/reading``) calibrates its own score.

>>> sentences = build_sentences(hits, split_sentences)
>>> ranked = score_all(analyse("2023年产业规模是多少？"), sentences, pick_span)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zhiku.answer import spans as sp
from zhiku.types import Hit, Question, Term
from zhiku.understand.normalise import normalise

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_GAP = re.compile(
    rf"(?<=[{_CJK}，。、：；！？（）《》“”%])[ \t\u3000]+(?=[{_CJK}，。、：；！？（）《》“”])"
)
_LATIN_EDGE = re.compile(r"[A-Za-z0-9.,;:!?)\]'\"%-]")
_UNIT_GAP = re.compile(r"(?<=\d)[ \t\u3000]+(?=[年月日号亿万元家个人名位倍%％])")
_QUESTION_LIKE = re.compile(r"[?？]\W*$|吗\W*$|(?:是谁|是什么|多少|哪些|哪个|为什么|怎么)\W*$")
PUNCT_EDGE = re.compile(r"^[\s，,、：:；;。.]+|[\s，,、：:；;]+$")


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
    fit: float = 0.0  # how well the span fits the question (unit, year, nearness)

    @property
    def evidence(self) -> float:
        return self.coverage * self.factor

    def type_factor(self, kind: str) -> float:
        """A sentence without a span of the asked kind is weak evidence for a typed question."""
        if self.span is not None or kind == "other":
            return 1.0
        return 0.45 if kind in ("number", "date") else 0.6

    def rank_score(self, kind: str) -> float:
        fit = 0.06 * max(-2.0, min(2.0, self.fit)) if kind == "number" else 0.0
        return self.evidence * self.type_factor(kind) + 0.08 / (1 + self.sentence.rank) + fit


def clean_text(text: str) -> str:
    """Drop the spaces PDF extraction leaves between Chinese characters (亿 个 参 数 → 亿个参数)."""
    return _UNIT_GAP.sub("", _CJK_GAP.sub("", text))


SENTENCE_END = re.compile(r"[。！？!?；;…]['\"”’」』）)】]*$|[.](?:['\"”’)]*)$")


def join_text(left: str, right: str) -> str:
    """One space between Latin words or numbers, none where Chinese meets anything."""
    latin = _LATIN_EDGE.match(left[-1]) and _LATIN_EDGE.match(right[0])
    return f"{left} {right}" if latin else left + right


def merge_fragments(parts: list[str], short: int = 40) -> list[str]:
    """Glue line fragments ("截至2022年10月，北京" / "拥有人工智能核心企业" / "1048家") into one unit.

    Layout-broken text (slides, charts, tables) splits a statement over lines; a fragment that
    does not end a sentence and is short is joined with the next piece.
    """
    out: list[str] = []
    buffer = ""
    for part in parts:
        buffer = join_text(buffer, part) if buffer else part
        if SENTENCE_END.search(buffer) or len(buffer) >= short:
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    return out


PickFn = Callable[[Question, Sentence], tuple[sp.Span, float] | None]


def _table_rows(text: str) -> list[str]:
    """A table rendering ("a | b | c" per line) read row by row, so that an answer is taken
    from the row that names the question's terms, not from the next row's cells."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or sum(" | " in line for line in lines) < len(lines) * 0.6:
        return []
    return lines


def build_sentences(hits: Sequence[Hit], split: Callable[[str], list[str]]) -> list[Sentence]:
    """Sentences of the hits in rank order, with the context each one is read in."""
    out: list[Sentence] = []
    for rank, hit in enumerate(hits):
        rows = _table_rows(hit.text)
        parts = rows or merge_fragments([clean_text(s) for s in split(hit.text)])
        parts = [p for p in parts if len(p) >= 4]
        title = normalise(hit.title)
        headings = normalise(" ".join(hit.heading_path + ((rows[0],) if rows else ())))
        for i, text in enumerate(parts):
            around = normalise(" ".join(parts[max(0, i - 1) : i + 2]))
            following = parts[i + 1] if i + 1 < len(parts) else ""
            preceding = parts[i - 1] if i > 0 and not SENTENCE_END.search(parts[i - 1]) else ""
            context = f"{title} {headings} {around}"
            out.append(Sentence(text, normalise(text), context, title, following, preceding, rank, hit))
    return out


def vote_key(span: sp.Span) -> str:
    """What sources agree on: the normalised span; for a date range, its first day
    ("7月6日至9日" agrees with a source that says "7月6日")."""
    key = normalise(PUNCT_EDGE.sub("", span.text))
    return re.split(r"至|到|~|—", key)[0] if span.kind == "date" else key


def _idf(terms: Sequence[Term], sentences: Sequence[Sentence]) -> dict[Term, float]:
    n = len(sentences)
    out: dict[Term, float] = {}
    for term in terms:
        df = sum(1 for s in sentences if any(a in s.norm or a in s.title for a in term.alternatives))
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


def score_all(
    analysis: Question, sentences: Sequence[Sentence], pick: PickFn, pick_floor: float = 0.0
) -> list[Scored]:
    """Every sentence scored; answer spans are picked only in sentences whose evidence is at
    least ``pick_floor`` × the best sentence's (picking is the costly part, and a pass that
    only compares strong sentences need not pick in the weak ones)."""
    tokens, bigrams, trigrams = analysis.tokens, analysis.ngrams(2), analysis.ngrams(3)
    idf = _idf(analysis.terms, sentences)
    rows = [(s, *_evidence_parts(analysis, s, idf, tokens, bigrams, trigrams)) for s in sentences]
    best = max((coverage * factor for _, coverage, factor, _ in rows), default=0.0)
    out: list[Scored] = []
    for s, coverage, factor, missing in rows:
        picked = pick(analysis, s) if coverage * factor >= pick_floor * best else None
        span, fit = picked if picked else (None, 0.0)
        if analysis.qtype.alias and (span is None or span.tag != "alias"):
            factor *= 0.7  # "又称什么": a sentence that states no alias answers only by accident
        if span is not None and span.kind == "date" and other_year(span.text, analysis.years):
            factor *= 0.25  # its only date is of another year ("2014年" for "2020年…开始时间")
        out.append(Scored(s, coverage, factor, span, missing, fit))
    return out


def other_year(date: str, asked: Sequence[str]) -> bool:
    """The date states a year and none of the asked ones."""
    stated = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", date))
    return bool(asked and stated and not stated & set(asked))


def _evidence_parts(
    analysis: Question,
    s: Sentence,
    idf: dict[Term, float],
    tokens: Sequence[Term],
    bigrams: Sequence[Term],
    trigrams: Sequence[Term],
) -> tuple[float, float, tuple[str, ...]]:
    """(coverage, qualifier factor, missing qualifiers) of one sentence."""
    tok = _coverage(tokens, idf, s) if tokens else 0.0
    big = _coverage(bigrams, idf, s) if bigrams else tok
    tri = _coverage(trigrams, idf, s) if trigrams else big
    coverage = 0.5 * tok + 0.3 * big + 0.2 * tri if tokens else 0.6 * big + 0.4 * tri
    factor, missing = _qualifier_factor(analysis, s)
    if s.hit.kind == "chart":
        factor *= 0.6  # chart residue marked by the cleaner: labels and values, not statements
    if _numeric_residue(s.text):
        factor *= 0.3  # chart residue: a run of bare numbers and axis labels, not a statement
    if _QUESTION_LIKE.search(s.text):
        factor *= 0.5  # evidence that asks the question back ("…总导演是谁?") does not answer it
    return coverage, factor, missing


def _numeric_residue(text: str) -> bool:
    """Mostly bare numbers and spaces ("75 94 117 2020 2021 2022 …"): flattened chart data."""
    compact = re.sub(r"\s", "", text)
    if len(compact) < 8:
        return False
    numeric = len(re.findall(r"[\d.,%E]", compact))
    return numeric / len(compact) > 0.6


def absent_qualifiers(analysis: Question, sentences: Sequence[Sentence]) -> list[str]:
    """Years and places the question names that no hit mentions at all: nothing to answer from."""
    absent: list[str] = []
    for term in analysis.critical:
        if term.role not in ("year", "place"):
            continue
        if not any(any(a in s.context for a in term.alternatives) for s in sentences):
            absent.append(term.alternatives[0])
    return absent


_ASKED = re.compile(r"什么|哪[个些所部条一家种位]?|谁的?|多少|多[长大久高远]|怎样|如何|几")


def absent_topics(question: str, nouns: Sequence[str], sentences: Sequence[Sentence]) -> list[str]:
    """Nouns the question is *about* that no retrieved passage mentions, not even in part.

    "2025年量子计算市场规模" over documents that never mention 量子: retrieval still returns the
    nearest market figures, and an answer taken from them would be about something else.
    Nouns next to a question word name the answer's type (什么时候, 哪个地区, 职务是什么) and
    are expected to be missing, as is the closing noun of a search-style query; a noun counts
    as present when any
    two-character piece of it appears, so paraphrase does not cause refusals.
    """
    hits = {id(s.hit): s for s in sentences}.values()
    haystack = normalise("\n".join(f"{s.hit.title} {s.hit.text}" for s in hits))
    absent = []
    for noun in nouns:
        if noun in _GENERIC or not _CJK_WORD.match(noun):
            continue
        at = question.find(noun)
        around = question[max(0, at - 3) : at] + "|" + question[at + len(noun) : at + len(noun) + 4]
        tail = len(question.rstrip("？?。. ")) - (at + len(noun))
        # Skip nouns that are or sit beside a question word, and the closing noun of a
        # search-style query ("恒指收盘点数", "国葬时间和地点"): they name what is asked.
        if at < 0 or _ASKED.search(noun) or _ASKED.search(around) or tail <= 1:
            continue
        if not any(noun[i : i + 2] in haystack for i in range(len(noun) - 1)):
            absent.append(noun)
    return absent


_GENERIC = frozenset(
    "数据 信息 情况 问题 内容 方面 相关 知识库 知识 资料 文档 报告 时间 时候 原因 作用 意义".split()
)
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def _qualifier_factor(analysis: Question, s: Sentence) -> tuple[float, tuple[str, ...]]:
    factor = 1.0
    missing: list[str] = []
    for term in analysis.critical:
        if any(a in s.norm or a in s.title for a in term.alternatives):
            if term.role == "year" and _only_as_baseline(term.alternatives, s.norm):
                factor *= 0.4  # "2030年产量412.3万吨，比2029年增加…" is not 2029's figure
            continue
        if term.role in ("name", "latin") and any(a in s.context for a in term.alternatives):
            continue
        missing.append(term.alternatives[0])
        if term.role == "year":
            other_years = sp.years_in(s.norm) - set(analysis.years)
            factor *= 0.2 if other_years else 0.75
        elif term.role == "place":
            factor *= _place_factor(analysis, s, term)
        else:
            factor *= 0.7
    return factor, tuple(missing)


BASELINE_YEAR = re.compile(r"(?:比|较|相比|相较于?|与|同)(\d{4})年(?!\d)|(\d{4})年同期")


def _only_as_baseline(years: Sequence[str], text: str) -> bool:
    """The asked year appears only as the base of a comparison while another year is the subject.

    Statistical releases state this year's figure against last year's ("比2021年增加24.6万吨"):
    the sentence names 2021 without giving any 2021 figure, so it matches a question about 2021
    only weakly.
    """
    asked = {y[:4] for y in years if y[:4].isdigit()}
    if not asked or not sp.years_in(text) - asked:
        return False
    baseline = [a or b for a, b in BASELINE_YEAR.findall(text)]
    return all(0 < text.count(y + "年") <= baseline.count(y) for y in asked)


def _place_factor(analysis: Question, s: Sentence, term: Term) -> float:
    """How much a sentence that does not name the asked place can still speak for it."""
    if _other_place(analysis, s.norm):
        return 0.2  # it names another place: 中国 where 美国 was asked
    if any(a in s.context for a in term.alternatives):
        return 0.8  # the place is named next to it
    if _other_place(analysis, s.context):
        return 0.35  # its neighbours speak of another place (北京市 …)
    return 0.7


def _other_place(analysis: Question, text: str) -> bool:
    """The text names another place than the question (中国 where 美国 was asked)."""
    import rjieba

    asked = {a for t in analysis.terms for a in t.alternatives}
    return any(tag == "ns" and len(w) >= 2 and w not in asked for w, tag in rjieba.tag(text))
