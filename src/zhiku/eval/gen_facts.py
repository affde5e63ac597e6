"""Questions from the numeric facts of a KB: lookup, difference, ratio, growth rate.

The gold answer of a computed question is computed here from the two stated figures, on the
scale the source used, and given at one and two decimals (a reader may round either way).
Operands must be of the same metric, unit and scale and from different years.

>>> fact_questions(facts, rng)[0].question
'2023年中国人工智能产业规模是多少？'
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence

from zhiku.bi.facts import Fact
from zhiku.bi.numbers import format_value
from zhiku.eval.gen_types import Candidate

_YEAR = re.compile(r"^(\d{4})(E?)$")
_BAD_LABEL = re.compile(r"[\d%％]|^.$")
_APPROX = "余多约近超逾"


def _year(fact: Fact) -> str | None:
    m = _YEAR.match(fact.period or "")
    return m.group(1) if m else None


def _usable(fact: Fact) -> bool:
    """A fact whose label reads as a Chinese noun phrase: the question template is Chinese, and a
    label starting with an approximation word (余/多/约…) is the tail of a number, not a metric."""
    label = (fact.label or "").strip()
    if not (fact.chunk_id and label and _year(fact)) or _BAD_LABEL.search(label) or len(label) > 30:
        return False
    latin = sum(ch.isascii() and ch.isalpha() for ch in label)
    return latin * 2 <= len(label) and label[0] not in _APPROX


def _variants(value: float, scale: str, unit: str, digits_list: tuple[int, ...] = (2, 1, 0)) -> list[str]:
    out = []
    for digits in digits_list:
        shown = format_value(value, scale, unit, digits=digits)
        if shown not in out:
            out.append(shown)
    return out


def lookup(fact: Fact) -> Candidate:
    year = _year(fact)
    when = "预计" if fact.estimate else ""
    core = format_value(fact.value, fact.scale, "", digits=4)
    # a bare "18.8" would match inside "118.8"; a share is answered with its percent sign
    shown = format_value(fact.value, "", "%", digits=4) if fact.unit == "%" else core
    return Candidate(
        question=f"{year}年{fact.label}{when}是多少？",
        answers=[shown],
        kind="fact_lookup",
        chunk_id=fact.chunk_id,
        doc_id=fact.doc_id,
        support=[core],
    )


def _computed(question: str, answers: list[str], kind: str, a: Fact, b: Fact) -> Candidate:
    support = [format_value(a.value, a.scale, "", 4), format_value(b.value, b.scale, "", 4)]
    return Candidate(question, answers, kind, b.chunk_id, b.doc_id, support, extra_chunks=[a.chunk_id])


def _pair_items(a: Fact, b: Fact) -> list[Candidate]:
    """Difference, ratio and growth of ``b`` (later year) over ``a``."""
    ya, yb, label = _year(a), _year(b), b.label
    diff = b.value - a.value
    word = "增加" if diff >= 0 else "减少"
    if b.unit == "%":
        shown = _variants(abs(diff), "", "个百分点") + _variants(abs(diff), "", "%")
    else:
        shown = _variants(abs(diff), b.scale, "")
    items = [_computed(f"{label}{yb}年比{ya}年{word}了多少？", shown, "fact_difference", a, b)]
    if a.unit != "%" and a.value > 0 and b.value > 0:
        ratio = b.value / a.value
        times = [f"{v}倍" for v in _variants(ratio, "", "", (2, 1))]
        items.append(_computed(f"{yb}年{label}是{ya}年的多少倍？", times, "fact_ratio", a, b))
        growth = _variants((ratio - 1) * 100, "", "%")
        items.append(_computed(f"{ya}年到{yb}年{label}增长了百分之多少？", growth, "fact_growth", a, b))
    return items


def fact_questions(facts: Sequence[Fact], rng: random.Random, max_pairs: int = 200) -> list[Candidate]:
    """Lookup questions for every usable fact, and computed ones for pairs of years."""
    usable = [f for f in facts if _usable(f)]
    out = [lookup(f) for f in usable]
    series: dict[tuple[str, str, str], dict[str, Fact]] = defaultdict(dict)
    for f in usable:
        year = _year(f)
        assert year is not None
        series[(f.label, f.unit, f.scale)].setdefault(year, f)
    pairs = []
    for by_year in series.values():
        years = sorted(by_year)
        for i, ya in enumerate(years):
            for yb in years[i + 1 :]:
                pairs.append((by_year[ya], by_year[yb]))
    rng.shuffle(pairs)
    for a, b in pairs[:max_pairs]:
        out.extend(_pair_items(a, b))
    return out
