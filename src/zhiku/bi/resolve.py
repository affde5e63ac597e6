"""Match a question's target phrase to facts, conservatively.

Matching is on character bigrams for Chinese runs and words for Latin runs, weighted toward
covering the question's phrase (the fact may say more, the question must not name something the
fact lacks).  A match is only returned when the best facts agree on the value; conflicting
values with no exact (unqualified) statement to settle them give ``None``: a wrong number is
worse than no number.

>>> pool = FactPool(extract_facts("2023年中国AI芯片市场规模约为620亿元。"))
>>> pool.lookup(Target("AI芯片市场规模", "2023"), "元")[0].raw
'620亿元'
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from zhiku.bi.facts import Fact, split_metric
from zhiku.bi.numbers import CURRENCY_UNITS, close
from zhiku.bi.question import Target

MIN_SCORE = 0.65
MIN_CONFIDENCE = 0.5
_APPROX = ("约", "约为", "超过", "超", "逾", "近", "不足", "接近", "突破")
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z][A-Za-z0-9.+-]*|\d+")


def tokens(text: str) -> set[str]:
    out: set[str] = set()
    for run in _RUN.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            out.update(run[i : i + 2] for i in range(len(run) - 1)) if len(run) > 1 else out.add(run)
        else:
            out.add(run.lower())
    return out


_FUNCTION_CHARS = set("的之和与及其在年度占")


def uncovered(target: str, label: str) -> set[str]:
    """Content characters/words of ``target`` that ``label`` does not contain (美国 vs 中国 → {美})."""
    have = tokens(label)
    missing: set[str] = set()
    for run in _RUN.findall(target):
        if "\u4e00" <= run[0] <= "\u9fff":
            for i, ch in enumerate(run):
                pairs = {run[j : j + 2] for j in (i - 1, i) if 0 <= j < len(run) - 1}
                if ch not in _FUNCTION_CHARS and not (pairs & have) and not (len(run) == 1 and ch in label):
                    missing.add(ch)
        elif run.lower() not in have:
            missing.add(run.lower())
    return missing


def match_score(target: str, label: str) -> float:
    """0..1, favouring coverage of the target; 0 when the target names something the label lacks."""
    want, have = tokens(target), tokens(label)
    if not want or not have or uncovered(target, label):
        return 0.0
    common = len(want & have)
    coverage = max(common / len(want), 0.8)  # every content character is covered (checked above)
    return 0.75 * coverage + 0.25 * common / len(have)


def _context_ok(context: str, fact: Fact) -> bool:
    """At least half of the context's content units appear around the fact (label or sentence)."""
    units = [u for u in _RUN.findall(context)]
    chars = [c for u in units for c in (u if "\u4e00" <= u[0] <= "\u9fff" else [u.lower()])]
    if not chars:
        return True
    missing = uncovered(context, f"{fact.label} {fact.sentence}")
    return len(missing) <= len(chars) / 2


def agree(a: Fact, b: Fact) -> bool:
    """Equal within the precision the less precise of the two was printed with (3.4万亿 ≈ 34,174亿)."""
    if a.unit != b.unit:
        return False
    return abs(a.value - b.value) <= max(_precision(a), _precision(b)) or close(a.value, b.value)


def _printed(f: Fact) -> float | None:
    m = re.search(r"\d+(?:\.\d+)?", f.raw.replace(",", ""))
    return float(m.group(0)) if m else None


def _drop_unitless_echoes(group: list[Fact]) -> list[Fact]:
    """A chart value seen without its legend ("37") echoes "37亿元": drop it rather than call it a conflict."""
    with_unit = [f for f in group if f.unit or f.scale]
    if not with_unit:
        return group
    printed = {_printed(f) for f in with_unit}
    return [f for f in group if f.unit or f.scale or _printed(f) not in printed]


def cagr_bounds(first: Fact, last: Fact, years: int) -> tuple[float, float]:
    """The CAGR range (in %) the printed endpoints allow, given the precision they were rounded to."""
    lo_a, hi_a = first.value - _precision(first), first.value + _precision(first)
    lo_z, hi_z = last.value - _precision(last), last.value + _precision(last)
    if lo_a <= 0 or years <= 0:
        return (float("-inf"), float("inf"))
    return (((lo_z / hi_a) ** (1 / years) - 1) * 100, ((hi_z / lo_a) ** (1 / years) - 1) * 100)


def _precision(f: Fact) -> float:
    digits = re.search(r"\d+(?:\.(\d+))?", f.raw.replace(",", ""))
    decimals = len(digits.group(1) or "") if digits else 0
    number = f.raw.replace(",", "")
    m = re.search(r"\d+(?:\.\d+)?", number)
    printed = float(m.group(0)) if m else 0.0
    factor = abs(f.value / printed) if printed else 1.0
    return 0.5 * 10 ** (-decimals) * factor


def period_matches(want: str, have: str) -> bool:
    if not want:
        return True
    return have.rstrip("EF") == want or have == want


def unit_matches(hint: str, unit: str) -> bool:
    if not hint:
        return True
    if hint == "元":
        return unit in CURRENCY_UNITS or unit == "元"
    return unit == hint


class FactPool:
    """The facts an answer may use: from the KB's store and from the retrieved chunks."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        seen: set[tuple[str, str, int, str, str, str, float]] = set()
        self.facts: list[Fact] = []
        for f in facts:
            key = (f.chunk_id, f.doc_id, f.start, f.period, f.source, f.label, f.value)
            if f.confidence >= MIN_CONFIDENCE and key not in seen:
                seen.add(key)
                self.facts.append(f)

    def scored(self, target: Target, unit_hint: str) -> list[tuple[float, Fact]]:
        out = []
        for f in self.facts:
            if not period_matches(target.period, f.period) or not unit_matches(unit_hint, f.unit):
                continue
            score = match_score(target.text, f.label)
            if score >= MIN_SCORE and target.context and not _context_ok(target.context, f):
                continue
            if score >= MIN_SCORE:
                out.append((score, f))
        return sorted(out, key=lambda sf: -sf[0])

    def lookup(self, target: Target, unit_hint: str = "") -> list[Fact] | None:
        """The agreeing best facts for ``target`` (best first), or None when absent or ambiguous.

        A target without a period ("北京有多少家核心企业？") is answered only when the best facts
        all speak of one period; with 2023 and a 2028 forecast on record it is ambiguous.
        """
        scored = [(s, f) for s, f in self.scored(target, unit_hint) if "-" not in f.period]
        if not scored:
            return None
        best = scored[0][0]
        group = _drop_unitless_echoes([f for s, f in scored if s >= best - 0.15])
        if not target.period and len({f.period.rstrip("EF") for f in group}) != 1:
            return None
        exact = [f for f in group if f.qualifier not in _APPROX] or group
        if not all(agree(f, exact[0]) for f in exact):
            return None
        agreeing = [f for f in group if agree(f, exact[0])]
        agreeing.sort(key=lambda f: (f.source != "prose", f.qualifier in _APPROX))
        return agreeing

    def stated(self, target: Target, start: str, end: str) -> Fact | None:
        """A stated rate over a period range (a CAGR "2023-2028")."""
        span = f"{start}-{end}"
        subject = (
            re.sub(r"(?:的)?(?:市场|产业|行业)?(?:规模)?$", "", split_metric(target.text)[0]) or target.text
        )
        for f in self.facts:
            if f.period != span or f.unit != "%" or not ("复合" in f.metric or "CAGR" in f.metric.upper()):
                continue
            if match_score(subject, f.subject) >= MIN_SCORE:
                return f
        return None

    def precise(self, target: Target, unit_hint: str = "") -> Fact | None:
        """For computing: the most precisely printed of the agreeing facts (34,174亿 over 3.4万亿)."""
        found = self.lookup(target, unit_hint)
        return min(found, key=_precision) if found else None

    def series(self, target: Target, unit_hint: str = "", periods: Sequence[str] = ()) -> list[Fact]:
        """The best matching series (≥ 3 periods from one source), ordered by period."""
        groups: dict[tuple[str, str, str], dict[str, Fact]] = defaultdict(dict)
        scores: dict[tuple[str, str, str], float] = {}
        for score, f in self.scored(Target(target.text), unit_hint):
            if f.source == "prose" or not f.year:
                continue
            key = (f.doc_id, f.source, f.label)
            groups[key].setdefault(f.period, f)
            scores[key] = max(scores.get(key, 0.0), score)
        if not groups:
            return []
        key = max(groups, key=lambda k: (scores[k], len(groups[k])))
        points = sorted(groups[key].values(), key=lambda f: f.year or 0)
        if len(periods) == 2:
            lo, hi = int(periods[0]), int(periods[1])
            points = [f for f in points if f.year and lo <= f.year <= hi]
        return points if len(points) >= 3 else []
