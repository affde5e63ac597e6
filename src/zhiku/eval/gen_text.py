"""Questions from sentences and graph edges, by rules that hold for any text.

A sentence becomes a question by replacing one span — a date, a year, an amount, a person, a
place, an organisation — with the question word for it (Chinese: 哪一天/哪一年/多少/谁/哪里/哪个机构;
English: which day/which year/how much/who/where/which organisation), so the gold answer is that
span and the source sentence proves it.  Names come from the graph's small extractor (POS tags and
patterns), not from lists.  A graph edge "X released Y" gives "Who released Y?" and "What did X release?".

>>> sentence_candidates(chunk, extractor, rng)[0].question
'《办法》自哪一天起施行？'
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from zhiku.bi.numbers import find_quantities, is_year
from zhiku.eval.gen_types import Candidate
from zhiku.graph.model import Edge
from zhiku.types import Chunk
from zhiku.understand.lang import detect_language
from zhiku.understand.sentences import split_sentences

_ZH_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_ZH_YEAR = re.compile(r"(?<!\d)\d{4}年(?!\d)")
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_EN_DATE = re.compile(rf"\b(?:{_EN_MONTHS}) \d{{1,2}}, \d{{4}}\b")
_EN_YEAR = re.compile(r"\b(?:in|In) ((?:19|20)\d{2})\b")
_MONEY_UNITS = {"元", "美元", "%"}
# source and note lines under figures state where data came from, not facts to ask about
_CAPTION = re.compile(r"^\s*(?:资料)?(?:来源|注|备注|说明)\s*[:：]|^\s*(?:Sources?|Notes?)\s*:", re.I)
_END = "。.！!？?；;，,：: \n"

WH = {
    "zh": {
        "date": "哪一天",
        "year": "哪一年",
        "amount": "多少",
        "person": "谁",
        "place": "哪里",
        "org": "哪个机构",
    },
    "en": {
        "date": "which day",
        "year": "which year",
        "amount": "how much",
        "person": "who",
        "place": "where",
        "org": "which organisation",
    },
}
KIND = {
    "date": "date",
    "year": "date",
    "amount": "amount",
    "person": "person",
    "place": "place",
    "org": "organisation",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    slot: str  # key of WH


def _spans(sentence: str, lang: str, names: Sequence[tuple[str, str]]) -> list[Span]:
    spans: list[Span] = []
    if lang == "zh":
        spans += [Span(m.start(), m.end(), "date") for m in _ZH_DATE.finditer(sentence)]
        spans += [Span(m.start(), m.end(), "year") for m in _ZH_YEAR.finditer(sentence)]  # 2023年 → 哪一年
    else:
        spans += [Span(m.start(), m.end(), "date") for m in _EN_DATE.finditer(sentence)]
        spans += [Span(m.start(1), m.end(1), "year") for m in _EN_YEAR.finditer(sentence)]
    for q in find_quantities(sentence):
        if not is_year(q) and (q.unit in _MONEY_UNITS or q.scale):
            spans.append(Span(q.start, q.end, "amount"))
    for name, etype in names:
        if etype in ("person", "place", "org") and sentence.count(name) == 1:
            start = sentence.index(name)
            spans.append(Span(start, start + len(name), etype))
    taken: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if all(s.end <= t.start or s.start >= t.end for t in taken):
            taken.append(s)
    return taken


def _statement(sentence: str) -> bool:
    """A full sentence worth asking about: ends like one (headings and table rows do not), is not
    a source/note line, and is not a list of names separated by dashes."""
    s = sentence.strip()
    return 10 <= len(s) <= 160 and s[-1] in "。！？.!?；;" and not _CAPTION.match(s) and s.count("——") < 2


def _question(sentence: str, span: Span, lang: str) -> str:
    wh = WH[lang][span.slot]
    body = (sentence[: span.start] + wh + sentence[span.end :]).strip().rstrip(_END)
    if lang == "zh":
        return body + "？"
    body = body[0].upper() + body[1:] if body else body
    return body + "?"


def sentence_candidates(
    chunk: Chunk, names: Sequence[tuple[str, str, str]], rng: random.Random, per_chunk: int = 5
) -> list[Candidate]:
    """Up to ``per_chunk`` questions from the chunk's sentences (one per sentence).

    ``names`` are (name, entity type, sentence) triples the extractor found in this chunk.
    """
    out: list[Candidate] = []
    sentences = [s for s in split_sentences(chunk.text) if _statement(s)]
    rng.shuffle(sentences)
    for sentence in sentences:
        lang = detect_language(sentence)
        local = [(n, t) for n, t, s in names if s == sentence or n in sentence]
        spans = [s for s in _spans(sentence, lang, local) if sentence.count(sentence[s.start : s.end]) == 1]
        if not spans:
            continue
        span = rng.choice(spans)
        answer = (
            sentence[span.start : span.end].removesuffix("年")
            if span.slot == "year"
            else sentence[span.start : span.end]
        )
        rest = sentence[: span.start] + sentence[span.end :]
        if len(rest.strip()) < (8 if lang == "zh" else 20):
            continue  # too little context left to say what is asked
        out.append(
            Candidate(
                question=_question(sentence, span, lang),
                answers=[answer],
                kind=KIND[span.slot],
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                support=[answer],
            )
        )
        if len(out) >= per_chunk:
            break
    return out


_EDGE_ZH = {
    "released": ("{dst}是由谁发布的？", "{src}发布了什么？"),
    "acquired": ("{dst}被谁收购了？", "{src}收购了谁？"),
    "invested_in": ("谁投资了{dst}？", "{src}投资了谁？"),
    "partnered_with": ("谁与{dst}合作？", "{src}与谁合作？"),
    "provides": ("谁提供{dst}？", "{src}提供什么？"),
}
_EDGE_EN = {
    "released": ("Who released {dst}?", "What did {src} release?"),
    "acquired": ("Who acquired {dst}?", "Whom did {src} acquire?"),
    "invested_in": ("Who invested in {dst}?", "What did {src} invest in?"),
    "partnered_with": ("Who partnered with {dst}?", "Whom did {src} partner with?"),
    "provides": ("Who provides {dst}?", "What does {src} provide?"),
}


def edge_candidates(edges: Sequence[Edge]) -> list[Candidate]:
    """Two questions per typed edge; "what did X release" accepts any of X's releases."""
    by_src: dict[tuple[str, str], list[str]] = {}
    for e in edges:
        by_src.setdefault((e.src, e.type), []).append(e.dst_name)
    out = []
    for e in edges:
        if e.type not in _EDGE_ZH or not e.evidence or not e.src_name or not e.dst_name:
            continue
        ev = e.evidence[0]
        lang = detect_language(ev.sentence or e.src_name + e.dst_name)
        who, what = (_EDGE_ZH if lang == "zh" else _EDGE_EN)[e.type]
        support = [e.src_name, e.dst_name]
        others = [o for o in by_src.get((e.src, e.type), []) if o != e.dst_name]
        out.append(
            Candidate(who.format(dst=e.dst_name), [e.src_name], "relation", ev.chunk_id, ev.doc_id, support)
        )
        out.append(
            Candidate(
                what.format(src=e.src_name),
                [e.dst_name, *others],
                "relation",
                ev.chunk_id,
                ev.doc_id,
                support,
            )
        )
    return out
