"""Candidate answer spans: every generator proposes, none decides.

Each generator is a general fact about how answers look in Chinese or English text (a number
with its unit, a date, a run of nouns holding a proper noun, an enumeration, a 《quoted title》,
a clause, what follows 又称/简称, a capitalised English name, a rank when one is asked).  A span
proposed by several generators is kept once, with the set of generators that proposed it: which
ones did is itself a feature.  Nothing inside a news dateline ("新华社杭州9月24日电") but its date
is proposed: who filed a story never answers a question about it.

>>> [c.text for c in generate_in_sentence("他于2019年3月在上海创办了星火公司。", "zh", "谁创办了星火公司？")][:3]
['2019年3月', '上海', '星火公司']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import rjieba

from zhiku.answer import spans as sp
from zhiku.types import Language

GENERATORS = (
    "number", "date", "name", "title", "list", "noun", "clause", "alias", "head", "capital", "copula",
)  # fmt: skip

_NOUNISH = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "vn", "an", "j", "eng", "nw", "x"})
_CAPITAL = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|the|de|and|for|von|van|la|le)?\s*[A-Z][\w'’.-]*)*")
_EN_NOUNISH = re.compile(r"\b[A-Za-z][a-z-]{2,}(?:\s+[a-z][a-z-]{2,}){0,2}\b")
# what follows a copula up to the next punctuation ("主唱是林晚舟，" → 林晚舟): the tagger often cuts
# an unknown name apart, but "X是Y" still delimits it
_COPULA = re.compile(r"(?:是|为|即|叫做?|名为|称为)([^，,。；;：:！!？?、（）()“”\s]{2,15})")
# Capitalised only because they open a sentence: never a name on their own.
EN_FUNCTION = frozenset(
    "a an the in on at by for from with of to as it its this that these those there their they he she "
    "we his her our and but or if when while after before during since until about".split()
)
_EDGE = re.compile(r"^[\s，,、：:；;。.“”\"'（）()]+|[\s，,、：:；;。.“”\"'（）()]+$")
MAX_CHARS = 40


@dataclass(frozen=True)
class Candidate:
    """One proposed span of one sentence; ``sources`` names the generators that proposed it."""

    text: str
    start: int
    end: int
    sentence: int
    sources: frozenset[str]
    unit: str = ""
    tag: str = ""  # part of speech of the span's last word (or "title", "alias" …)


@dataclass(frozen=True)
class Proposal:
    span: sp.Span
    source: str


def _noun_runs(text: str, words: list[tuple[str, str, int]]) -> list[sp.Span]:
    """Maximal runs of adjacent noun-like words, and each noun word ≥ 2 characters alone."""
    out: list[sp.Span] = []
    run: list[tuple[str, str, int]] = []
    for item in [*words, ("", "", -1)]:
        word, tag, at = item
        nounish = tag in _NOUNISH and bool(re.search(r"\w", word))
        if nounish and (not run or run[-1][2] + len(run[-1][0]) == at):
            run.append(item)
            continue
        if run and run[-1][2] + len(run[-1][0]) - run[0][2] >= 2:
            start, end = run[0][2], run[-1][2] + len(run[-1][0])
            out.append(sp.Span(text[start:end], start, end, "name", tag=run[-1][1]))
            if len(run) > 1:
                out.extend(sp.Span(w, a, a + len(w), "name", tag=t) for w, t, a in run if len(w) >= 2)
        run = [item] if nounish else []
    return out


def _proposals(text: str, lang: Language, question: str) -> list[Proposal]:
    tags = rjieba.tag(text)
    words = sp.locate(text, tags)
    out = [Proposal(s, "number") for s in sp.number_spans(text)]
    if sp.ASKS_ORDINAL.search(question):
        out += [Proposal(s, "number") for s in sp.ordinal_spans(text)]
    out += [Proposal(s, "date") for s in sp.date_spans(text)]
    for name in sp.name_spans(text, tags):
        source = "title" if name.tag == "title" else "name"
        out += [Proposal(core, source) for core in sp.name_cores(name)]
    out += [Proposal(s, "list") for s in sp.list_spans(text, tags)]
    out += [Proposal(s, "noun") for s in _noun_runs(text, words)]
    out += [Proposal(s, "clause") for s in sp.clause_spans(text)]
    out += [Proposal(s, "alias") for s in sp.alias_spans(text, question)]
    out += [
        Proposal(sp.Span(m.group(1), m.start(1), m.end(1), "name"), "copula") for m in _COPULA.finditer(text)
    ]
    head = _asked_head(question)
    if head:
        out += [Proposal(s, "head") for s in sp.head_spans(text, tags, head)]
    if lang == "en":
        out += [
            Proposal(sp.Span(m.group(0), m.start(), m.end(), "name", tag="eng"), "capital")
            for m in _CAPITAL.finditer(text)
            if not sp.CALENDAR_WORD.fullmatch(m.group(0)) and m.group(0).casefold() not in EN_FUNCTION
        ]
        out += [
            Proposal(sp.Span(m.group(0), m.start(), m.end(), "name", tag="eng"), "noun")
            for m in _EN_NOUNISH.finditer(text)
        ]
    return out


_HEAD = re.compile(r"(?:哪|什么)[一个些家所部种支位条]?([\u4e00-\u9fff])(?:[？?是]|$)")


def _asked_head(question: str) -> str:
    """The one-character noun after 哪个/什么 ("哪个组" → 组): answers often end with it."""
    m = _HEAD.search(question)
    return m.group(1) if m else ""


def _in_dateline(span: sp.Span, sources: set[str], datelines: list[tuple[int, int]]) -> bool:
    """A name, noun or clause inside a news dateline (its date may still be the event's)."""
    return not sources <= {"date", "number"} and any(s <= span.start < e for s, e in datelines)


def generate_in_sentence(text: str, lang: Language, question: str, sentence: int = 0) -> list[Candidate]:
    """All candidates of one sentence, merged by position, edges trimmed, long ones dropped."""
    merged: dict[tuple[int, int], tuple[sp.Span, set[str]]] = {}
    for prop in _proposals(text, lang, question):
        s = prop.span
        trimmed = _EDGE.sub("", s.text)
        if not trimmed or len(trimmed) > MAX_CHARS:
            continue
        start = s.start + s.text.find(trimmed)
        key = (start, start + len(trimmed))
        if key in merged:
            merged[key][1].add(prop.source)
        else:
            merged[key] = (sp.Span(trimmed, key[0], key[1], s.kind, s.unit, s.tag), {prop.source})
    datelines = sp.dateline_spans(text)
    out = [
        Candidate(span.text, span.start, span.end, sentence, frozenset(sources), span.unit, span.tag)
        for span, sources in merged.values()
        if not (datelines and _in_dateline(span, sources, datelines))
    ]
    return sorted(out, key=lambda c: (c.start, -c.end))
