"""Named features of a candidate answer: what we know about questions, as numbers a model weighs.

Every feature is a general fact about Chinese or English questions and their answers, stated
once here with the reason it may help; none names an entity, a team, an event or a title.  The
trained scorer decides how much each one counts (``bench/reader_bench.py`` ablates them).

>>> FEATURES["unit_match"]
'the number carries the unit the question asks for (多少家 → 家): +1, a sibling measure word +0.5, another unit < 0'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zhiku.answer import pick
from zhiku.answer import spans as sp
from zhiku.answer.evidence import BASELINE_YEAR, Scored, other_year
from zhiku.answer.reading.candidates import GENERATORS, Candidate
from zhiku.types import Question
from zhiku.understand.normalise import normalise

KINDS = ("number", "date", "person", "place", "entity", "list", "other")
_TAGS = {
    "nr": 1, "nrt": 1, "nrfg": 1, "ns": 2, "nt": 3, "nz": 4, "n": 5, "vn": 6, "eng": 7,
    "title": 8, "m": 9, "q": 9, "mq": 9, "t": 10, "alias": 11, "j": 12,
}  # fmt: skip

FEATURES: dict[str, str] = {
    "q_kind": "the answer kind the question asks for (number, date, person, place, entity, list, other)",
    "q_unit": "the question names a unit or measured quantity (多少家, 占比, 体长)",
    "q_years": "how many years the question names",
    "q_en": "the question is in English",
    "q_grain": "how precise an asked date must be (0 any, 1 year, 2 month, 3 day)",
    **{f"src_{g}": f"the {g} generator proposed this span" for g in GENERATORS},
    "c_len": "length of the span in characters (answers are short; clauses are long)",
    "c_digit": "the span holds a digit",
    "c_tag": "part of speech of the span's last word (person, place, organisation, noun, title …)",
    "c_unit": "the span is a number with a unit",
    "type_match": "the span's shape fits the asked kind (a date for 何时, a person's name for 谁 …)",
    "unit_match": "the number carries the unit the question asks for (多少家 → 家): +1, "
    "a sibling measure word +0.5, another unit < 0",
    "year_agree": "the last year named before the span is an asked year (+1) or another one, or the "
    "asked year only as the base of a comparison (-1)",
    "date_other_year": "the date states a year and none of the asked ones",
    "date_detail": "how precise a date span is (-1 no date, 0 a year or era, 1 a month, 2 a day)",
    "place_before": "the last place named before a figure is the asked place (+) or another (-)",
    "entity_bonus": "titles for questions about works, no bare place for 哪家公司, no restated category",
    "echo_in_q": "the span appears in the question itself: it restates rather than answers",
    "echo_share": "share of the span's character pairs that the question holds",
    "anchor_left": "characters from the nearest question term on the span's left (99: none)",
    "anchor_right": "characters to the nearest question term on the span's right (99: none)",
    "anchors_near": "question terms within 12 characters of the span",
    "window_cov": "share of the question's terms within 20 characters of the span",
    "ctx_left": "overlap of the question's words before its question word with the text before the span",
    "ctx_right": "overlap of the question's words after its question word with the text after the span",
    "ctx_suffix": "characters the question before its question word and the sentence before the span "
    "end alike (a statement restates the question and puts the answer where 谁/什么 stood)",
    "ctx_prefix": "characters the question after its question word and the sentence after the span begin alike",
    "ctx_left_chars": "share of the question's last characters before its question word found just before the span",
    "ctx_right_chars": "share of the question's first characters after its question word found just after the span",
    "pos_rel": "where the span starts in its sentence (0 first, 1 last)",
    "s_coverage": "weighted share of the question's terms in the span's sentence and title",
    "s_factor": "agreement of the sentence with the question's qualifiers (years, places, names)",
    "s_ratio": "the sentence's evidence over the best sentence's",
    "s_rank": "rank of the sentence by evidence among all read sentences",
    "s_missing": "qualifiers of the question the sentence lacks",
    "hit_rank": "rank of the passage in retrieval",
    "hit_ratio": "retrieval score of the passage over the top passage's",
    "agree_hits": "other passages that state the same span",
    "agree_cands": "other top sentences proposing the same span",
    "rule_pick": "the span is the one the hand-written span picker chooses in its sentence",
    "rule_fit": "the hand-written picker's fit score for its choice, when this span is it",
    "rule_choice": "the span is the hand-written reader's overall answer (best sentence, votes)",
    "lex_compat": "learned log-odds that a span of this shape answers a question worded so "
    "(hashed crosses of the words around the question word and the span's shape; ``compat``)",
}
NAMES: tuple[str, ...] = tuple(FEATURES)
INDEX = {name: i for i, name in enumerate(NAMES)}

_WH_ZH = re.compile(
    r"多少|几[个家人名位年月日天次种项倍]?|什么|哪[一个些里儿位家种年天所部条款支国座类]*|谁|何[时地处人]?|怎样|如何|为什么|为何"
)
_WH_EN = re.compile(
    r"\b(?:who|whom|whose|what|when|where|which|why|how(?: many| much| long| old| far| big)?)\b", re.I
)
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class QuestionView:
    """What every candidate of one question is compared with, computed once."""

    analysis: Question
    norm: str
    terms: tuple[str, ...]
    left: frozenset[str]  # character pairs of the question before its question word
    right: frozenset[str]  # … and after it
    bigrams: frozenset[str]
    before: str = ""  # the question's text before its question word, spaces removed
    after: str = ""  # … and after it, without the closing mark
    wh: str = ""  # the question word itself ("" for a keyword query)

    @classmethod
    def of(cls, analysis: Question) -> QuestionView:
        norm = normalise(analysis.question)
        wh = (_WH_EN if analysis.language == "en" else _WH_ZH).search(norm)
        at, end = (wh.start(), wh.end()) if wh else (len(norm), len(norm))
        terms = tuple(dict.fromkeys(a for t in analysis.tokens for a in t.alternatives[:1] if a))
        return cls(
            analysis,
            norm,
            terms,
            frozenset(_pairs(norm[max(0, at - 10) : at])),
            frozenset(_pairs(norm[end : end + 10].rstrip("？?。. "))),
            frozenset(_pairs(norm)),
            _squeeze(norm[:at]),
            _squeeze(norm[end:]).rstrip("？?。.!！"),
            norm[at:end],
        )


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _common_suffix(a: str, b: str, cap: int = 8) -> int:
    n = 0
    while n < min(cap, len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str, cap: int = 8) -> int:
    n = 0
    while n < min(cap, len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _char_share(wanted: str, text: str) -> float:
    chars = {ch for ch in wanted if ch.isalnum()}
    return len(chars & set(text)) / len(chars) if chars else 0.0


def alignment(view: QuestionView, before: str, after: str) -> tuple[float, float, float, float]:
    """How the text around a span mirrors the question around its question word:
    (common suffix before, common prefix after, character share before, character share after).

    >>> v = QuestionView.of(analyse("星火公司的创始人是谁？"))
    >>> alignment(v, "据介绍，星火公司的创始人是", "。")
    (8.0, 0.0, 1.0, 0.0)
    """
    before, after = _squeeze(before), _squeeze(after)
    return (
        float(_common_suffix(view.before, before)),
        float(_common_prefix(view.after, after)),
        _char_share(view.before[-8:], before[-12:]),
        _char_share(view.after[:8], after[:12]),
    )


def _pairs(text: str) -> list[str]:
    text = re.sub(r"\s+", "", text)
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _overlap(pairs: frozenset[str], text: str) -> float:
    if not pairs:
        return 0.0
    return len(pairs & set(_pairs(text))) / len(pairs)


def _type_match(kind: str, c: Candidate) -> float:
    src = c.sources
    if kind == "number":
        return float("number" in src)
    if kind == "date":
        return float("date" in src)
    if kind == "person":
        return float(c.tag in ("nr", "nrt", "nrfg", "eng") or "·" in c.text)
    if kind == "place":
        return float(c.tag == "ns" or c.text.endswith(pick._PLACE_SUFFIXES))
    if kind == "list":
        return float("list" in src)
    if kind == "entity":
        return float(bool(src & {"name", "title", "head", "alias", "capital"}))
    return float("clause" in src)


_GRAINS = {"year": 1, "month": 2, "day": 3}
_DAY = re.compile(
    r"\d[日号]|\d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2} [A-Z][a-z]+ \d{4}"
)
_MONTH = re.compile(r"\d月|[上中下]旬|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def _date_detail(c: Candidate) -> float:
    if "date" not in c.sources:
        return -1.0
    if _DAY.search(c.text):
        return 2.0
    return 1.0 if _MONTH.search(c.text) else 0.0


def _unit_match(analysis: Question, c: Candidate) -> float:
    qt = analysis.qtype
    if qt.kind != "number" or "number" not in c.sources:
        return 0.0
    if qt.unit:
        return pick._unit_match(qt.unit, c.unit)
    if qt.units:
        return 0.8 if c.unit.lower().endswith(qt.units) else -0.3
    if qt.counted:
        return 0.8 if c.unit.endswith(qt.counted) else 0.0
    return -0.3 if c.unit.endswith(("年", "个月", "天", "岁")) else 0.0


def _year_agree(analysis: Question, norm: str, c: Candidate) -> float:
    """+1: the last year before the span is an asked one; -1: another one, or the asked year is
    only the base of a comparison (比2021年增加…); 0: the question or the text names no year."""
    if not analysis.years:
        return 0.0
    before = list(_YEAR.finditer(norm[: c.start]))
    if not before:
        return 0.0
    last = before[-1]
    baseline = BASELINE_YEAR.search(norm[max(0, last.start() - 3) : c.start]) is not None
    return 1.0 if last.group(0) in analysis.years and not baseline else -1.0


def _anchors(view: QuestionView, norm: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for term in view.terms:
        start = norm.find(term)
        while start >= 0:
            out.append((start, start + len(term), term))
            start = norm.find(term, start + 1)
    return out


def _anchor_features(view: QuestionView, anchors: list[tuple[int, int, str]], c: Candidate) -> list[float]:
    left = [c.start - e for s, e, _ in anchors if e <= c.start]
    right = [s - c.end for s, e, _ in anchors if s >= c.end]
    near = {
        t for s, e, t in anchors if s < c.end + 12 and e > c.start - 12 and not (c.start <= s and e <= c.end)
    }
    window = {t for s, e, t in anchors if s < c.end + 20 and e > c.start - 20}
    return [
        float(min(left, default=99)),
        float(min(right, default=99)),
        float(len(near)),
        len(window) / len(view.terms) if view.terms else 0.0,
    ]


def featurize(
    view: QuestionView,
    scored: Sequence[Scored],
    order: Sequence[int],
    candidates: Sequence[Candidate],
    rule_picks: dict[int, tuple[sp.Span, float] | None],
    rule_row: int = -1,
) -> np.ndarray:
    """One row of ``NAMES`` per candidate; ``order`` ranks the sentences by evidence and the
    candidates' ``sentence`` indexes ``scored``."""
    analysis = view.analysis
    qt = analysis.qtype
    rows = np.zeros((len(candidates), len(NAMES)), dtype=np.float32)
    if not candidates:
        return rows
    rank_of = {i: r for r, i in enumerate(order)}
    best = max((s.evidence for s in scored), default=0.0) or 1.0
    top_score = max((s.sentence.hit.score for s in scored), default=0.0)
    keys = [normalise(c.text) for c in candidates]
    per_key: dict[str, set[int]] = {}
    for c, key in zip(candidates, keys, strict=True):
        per_key.setdefault(key, set()).add(c.sentence)
    texts: dict[int, str] = {}
    for s in scored:
        if id(s.sentence.hit) not in texts:
            texts[id(s.sentence.hit)] = normalise(s.sentence.hit.text)
    anchor_cache: dict[int, list[tuple[int, int, str]]] = {}
    for row, (c, key) in enumerate(zip(candidates, keys, strict=True)):
        s = scored[c.sentence]
        norm = s.sentence.norm
        if c.sentence not in anchor_cache:
            anchor_cache[c.sentence] = _anchors(view, norm)
        anchors = anchor_cache[c.sentence]
        year_agree = _year_agree(analysis, norm, c)
        span = sp.Span(c.text, c.start, c.end, "name", c.unit, c.tag)
        picked = rule_picks.get(c.sentence)
        is_pick = picked is not None and picked[0].start == c.start and picked[0].end == c.end
        hit = s.sentence.hit
        agree_hits = sum(1 for h, t in texts.items() if h != id(hit) and len(key) >= 2 and key in t)
        pairs = _pairs(key)
        values = {
            "q_kind": KINDS.index(qt.kind),
            "q_unit": float(bool(qt.unit or qt.units or qt.counted)),
            "q_years": len(analysis.years),
            "q_en": float(analysis.language == "en"),
            "q_grain": _GRAINS.get(qt.grain, 0),
            **{f"src_{g}": float(g in c.sources) for g in GENERATORS},
            "c_len": len(c.text),
            "c_digit": float(any(ch.isdigit() for ch in c.text)),
            "c_tag": _TAGS.get(c.tag, 0),
            "c_unit": float(bool(c.unit)),
            "type_match": _type_match(qt.kind, c),
            "unit_match": _unit_match(analysis, c),
            "year_agree": year_agree,
            "date_other_year": float("date" in c.sources and other_year(c.text, analysis.years)),
            "date_detail": _date_detail(c),
            "place_before": pick._place_before(analysis, s.sentence, span) if "number" in c.sources else 0.0,
            "entity_bonus": pick._entity_bonus(analysis, span) if qt.kind == "entity" else 0.0,
            "echo_in_q": float(key in view.norm),
            "echo_share": sum(p in view.bigrams for p in pairs) / len(pairs) if pairs else 0.0,
            "ctx_left": _overlap(view.left, norm[max(0, c.start - 10) : c.start]),
            "ctx_right": _overlap(view.right, norm[c.end : c.end + 10]),
            **dict(
                zip(
                    ("ctx_suffix", "ctx_prefix", "ctx_left_chars", "ctx_right_chars"),
                    alignment(view, norm[max(0, c.start - 24) : c.start], norm[c.end : c.end + 24]),
                    strict=True,
                )
            ),
            "pos_rel": c.start / max(1, len(norm)),
            "s_coverage": s.coverage,
            "s_factor": s.factor,
            "s_ratio": s.evidence / best,
            "s_rank": rank_of.get(c.sentence, len(order)),
            "s_missing": len(s.missing),
            "hit_rank": s.sentence.rank,
            "hit_ratio": hit.score / top_score if top_score > 0 else 0.0,
            "agree_hits": min(5, agree_hits),
            "agree_cands": len(per_key[key]) - 1,
            "rule_pick": float(is_pick),
            "rule_fit": picked[1] if is_pick and picked is not None else 0.0,
            "rule_choice": float(row == rule_row),
            "lex_compat": 0.0,  # filled by the pipeline from the compatibility model
        }
        anchor_left, anchor_right, near, window = _anchor_features(view, anchors, c)
        values.update(
            anchor_left=anchor_left, anchor_right=anchor_right, anchors_near=near, window_cov=window
        )
        rows[row] = [values[name] for name in NAMES]
    return rows
