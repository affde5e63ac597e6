"""Recover chart series from flattened PDF text: a title, a run of values, a row of years, a legend.

PDF text extraction turns a bar chart into residue such as::

    2020-2028年中国AI基础数据服务市场规模
    29 27 31
    37
    47 …
    2020 2021 2022 2023 2024E 2025E 2026E 2027E 2028E
    中国AI基础数据服务市场规模（亿元）

We find each row of (strictly increasing) years, take the run of bare numbers right before it
(or right after it when none precede), drop evenly spaced axis ticks (0%, 25%, 50% …), and align
values to years.  When the counts agree the series is trusted; when they only divide evenly
(two legends, interleaved stacks) or do not agree at all the series is kept with a low
confidence flag so the numeric expert never quotes it as if it were sure.

>>> [s.points[0] for s in recover_series("2020-2022年销量\\n1 2 3\\n2020 2021 2022\\n销量（万台）")]
[ChartPoint(period='2020', value=10000.0, raw='1')]
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from zhiku.bi.facts import Fact, split_metric
from zhiku.bi.numbers import EN_MAGNITUDES, ZH_MAGNITUDES, to_halfwidth

_YEAR_TOKEN = re.compile(r"^((?:19|20)\d{2})([EeAFP]|年)?$")
_NUM_TOKEN = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_TITLE_HINT = re.compile(
    r"((?:19|20)\d{2}\s*[-–—~～至]\s*(?:19|20)\d{2}\s*年?)|"
    r"(规模|比例|占比|分布|变化|情况|趋势|数量|增速|增长|份额|收入|营收|出货量|销量|走势|size|share|revenue|growth)",
    re.IGNORECASE,
)
_UNIT_PAREN = re.compile(r"[（(]\s*(?P<unit>[^()（）]{1,8})\s*[）)]")
_LEGEND_SPLIT = re.compile(r"(?<=[）)])\s+|\s{2,}")
HIGH, LOW = 0.9, 0.3


@dataclass(frozen=True)
class ChartPoint:
    period: str
    value: float  # base units (亿元 values multiplied out)
    raw: str  # the number as printed in the chart


@dataclass(frozen=True)
class ChartSeries:
    """One recovered series with its provenance in the text it came from.

    ``start``/``end`` span the values, the years and the legend; ``title_start`` is where the
    linked title sits (may be before or after).  ``confidence`` is HIGH only when values and
    years align one to one under a single legend.
    """

    title: str
    legend: str
    unit: str
    scale: str
    points: tuple[ChartPoint, ...]
    confidence: float
    start: int
    end: int
    title_start: int = -1
    notes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """The phrase questions are matched against: the legend when specific, else the title."""
        legend = _UNIT_PAREN.sub("", self.legend).strip()
        title = _UNIT_PAREN.sub("", strip_years(self.title)).strip()
        if "interleaved" in " ".join(self.notes) or len(title) < 4:
            return legend or title
        return title


@dataclass
class _Item:
    kind: str  # "num", "year", "text"
    text: str
    start: int
    end: int


def strip_years(title: str) -> str:
    title = re.sub(r"(?:19|20)\d{2}\s*[-–—~～至]\s*(?:19|20)\d{2}\s*年?", "", title)
    return re.sub(r"^(?:19|20)\d{2}年", "", title).strip(" ：:")


def _items(text: str) -> list[_Item]:
    items: list[_Item] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        tokens = line.split()
        if not tokens:
            continue
        if all(_YEAR_TOKEN.match(t) or _NUM_TOKEN.match(t) for t in tokens):
            offset = start
            for tok in tokens:
                at = text.index(tok, offset)
                offset = at + len(tok)
                items.append(_Item("num", tok, at, offset))
        else:
            items.append(_Item("text", line.strip(), start, end))
    _mark_years(items)
    return items


def _mark_years(items: list[_Item]) -> None:
    """Year-like numbers are years only in a run of >= 3 increasing by 1..5 (2042 alone is a value)."""
    i = 0
    while i < len(items):
        j = i
        while (
            j < len(items)
            and items[j].kind == "num"
            and _YEAR_TOKEN.match(items[j].text)
            and (j == i or 1 <= _year(items[j]) - _year(items[j - 1]) <= 5)
        ):
            j += 1
        if j - i >= 3:
            for k in range(i, j):
                items[k].kind = "year"
            i = j
        else:
            i += 1


def _year_runs(items: list[_Item]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(items):
        j = i
        while (
            j < len(items) and items[j].kind == "year" and (j == i or _year(items[j]) > _year(items[j - 1]))
        ):
            j += 1
        if j - i >= 3:
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _year(item: _Item) -> int:
    return int(item.text[:4])


def _num(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def _is_axis(values: list[_Item]) -> bool:
    """Evenly spaced ticks starting at 0 are an axis, not data."""
    nums = [_num(v.text) for v in values]
    if len(nums) < 3 or nums[0] != 0:
        return False
    step = nums[1] - nums[0]
    return step > 0 and all(abs((b - a) - step) < 1e-9 for a, b in itertools.pairwise(nums))


def _values_near(items: list[_Item], lo: int, hi: int) -> list[_Item]:
    before: list[_Item] = []
    k = lo - 1
    while k >= 0 and items[k].kind == "num":
        before.insert(0, items[k])
        k -= 1
    if before and not _is_axis(before):
        return before
    after: list[_Item] = []
    k = hi
    while k < len(items) and items[k].kind == "num":
        after.append(items[k])
        k += 1
    return [] if _is_axis(after) else after


def _legends(items: list[_Item], hi: int) -> tuple[list[str], int]:
    k = hi
    while k < len(items) and items[k].kind == "num":
        k += 1
    if k >= len(items) or items[k].kind != "text":
        return [], items[hi - 1].end
    line = items[k]
    parts = [p.strip() for p in _LEGEND_SPLIT.split(line.text) if p.strip()]
    if not any(_UNIT_PAREN.search(p) for p in parts) and len(line.text) > 40:
        return [], items[hi - 1].end
    return parts, line.end


def _unit(legend: str, values: list[_Item]) -> tuple[str, str]:
    if values and values[0].text.endswith("%"):
        return "%", ""
    m = _UNIT_PAREN.search(legend)
    if not m:
        return "", ""
    text = m.group("unit").strip()
    if text in ("%", "％", "百分比"):
        return "%", ""
    for scale in sorted((*ZH_MAGNITUDES, *EN_MAGNITUDES), key=len, reverse=True):
        if text.startswith(scale):
            return text[len(scale) :].strip(), scale
    return text, ""


def _title(items: list[_Item], lo: int, hi: int, window: int = 12) -> tuple[str, int]:
    """Nearest title-like text line, preferring one with a year range, before then after."""
    candidates: list[tuple[int, str, int]] = []
    for k in range(lo - 1, max(-1, lo - 1 - window), -1):
        item = items[k]
        if item.kind == "text" and _TITLE_HINT.search(item.text) and len(item.text) <= 60:
            rank = (0 if re.search(r"\d{4}\s*[-–—~～至]", item.text) else 1, lo - k)
            candidates.append((rank[0] * 100 + rank[1], item.text, item.start))
    for k in range(hi, min(len(items), hi + 6)):
        item = items[k]
        if item.kind == "text" and re.search(r"(?:19|20)\d{2}\s*[-–—~～至]\s*(?:19|20)\d{2}", item.text):
            candidates.append((50 + k - hi, item.text, item.start))
    if not candidates:
        return "", -1
    _, text, start = min(candidates)
    return text, start


def recover_series(text: str) -> list[ChartSeries]:
    """All series recovered from ``text`` (offsets relative to ``text``)."""
    text = to_halfwidth(text)
    items = _items(text)
    out: list[ChartSeries] = []
    for lo, hi in _year_runs(items):
        values = _values_near(items, lo, hi)
        if not values:
            continue
        years = [it.text.rstrip("年").upper() for it in items[lo:hi]]
        legends, legend_end = _legends(items, hi)
        title, title_start = _title(items, min(lo, _index(items, values[0])), hi)
        start = min(values[0].start, items[lo].start)
        end = max(values[-1].end, legend_end)
        out.extend(_align(values, years, legends, title, title_start, start, end))
    return out


def _index(items: list[_Item], item: _Item) -> int:
    return next(i for i, it in enumerate(items) if it is item)


def _align(
    values: list[_Item],
    years: list[str],
    legends: list[str],
    title: str,
    title_start: int,
    start: int,
    end: int,
) -> list[ChartSeries]:
    n = len(years)
    groups = len(values) // n if len(values) % n == 0 else 0
    notes: list[str] = []
    if groups == 1 and len(legends) <= 1:
        confidence = HIGH
    elif groups >= 1:
        confidence = LOW
        notes.append(f"{groups} series interleaved in flattened text; order assumed")
    else:
        notes.append(f"{len(values)} values for {n} years: not aligned")
        return [ChartSeries(title, " ".join(legends), "", "", (), LOW, start, end, title_start, tuple(notes))]
    out: list[ChartSeries] = []
    for g in range(groups):
        legend = legends[g] if g < len(legends) else (legends[0] if legends else "")
        unit, scale = _unit(legend, values)
        factor = ZH_MAGNITUDES.get(scale, EN_MAGNITUDES.get(scale.lower(), 1.0)) if scale else 1.0
        chunk = values[g * n : (g + 1) * n]
        points = tuple(
            ChartPoint(y, _num(v.text) * factor, v.text) for y, v in zip(years, chunk, strict=True)
        )
        out.append(
            ChartSeries(title, legend, unit, scale, points, confidence, start, end, title_start, tuple(notes))
        )
    return out


def series_facts(series: ChartSeries, text: str = "") -> list[Fact]:
    """Each point of a series as a ``Fact`` (source "chart") whose sentence quotes the chart."""
    quote = f"{series.title} {series.legend}".strip()
    if text and series.title_start >= 0:
        lo = min(series.title_start, series.start)
        hi = max(series.end, series.title_start + len(series.title))
        quote = re.sub(r"\s+", " ", text[lo:hi]).strip()[:400]
    subject, metric = split_metric(series.label)
    return [
        Fact(
            label=series.label,
            subject=subject,
            metric=metric,
            period=p.period,
            value=p.value,
            unit=series.unit,
            scale=series.scale,
            raw=p.raw,
            qualifier="",
            sentence=quote,
            start=series.start,
            end=series.end,
            source="chart",
            confidence=series.confidence,
        )
        for p in series.points
    ]


_SHARE_TITLE = re.compile(r"(?:19|20)\d{2}\s*年.*(?:分布|构成|结构|占比|份额|比例)")


def _share_labels(items: list[_Item], start: int, k: int) -> list[str]:
    """The k labels after a pie's values; glued lines ("A（…）B（…）") are split after "）"."""
    labels: list[str] = []
    for it in items[start : start + k]:
        if it.kind != "text" or re.match(r"^(?:来源|资料来源|注|Source|Note)", it.text, re.I):
            break
        labels.extend(p.strip() for p in re.split(r"(?<=[）)])(?=[^\s，,、。；;）)])", it.text) if p.strip())
        if len(labels) >= k:
            break
    ok = len(labels) == k and all(len(t) <= 60 and not _SHARE_TITLE.search(t) for t in labels)
    return labels if ok else []


def _share_runs(items: list[_Item]) -> list[tuple[int, int, list[str]]]:
    """Runs of 2..8 percentages summing to ~100, with their labels ([] when they cannot be read)."""
    runs: list[tuple[int, int, list[str]]] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j].kind == "num" and items[j].text.endswith("%"):
            j += 1
        k = j - i
        if 2 <= k <= 8 and abs(sum(_num(it.text) for it in items[i:j]) - 100) <= 1.5:
            runs.append((i, j, _share_labels(items, j, k)))
        i = max(j, i + 1)
    return runs


def recover_shares(text: str) -> list[Fact]:
    """Pie/donut charts: "62.1% 25.2% 12.6%" then three labels, titled by a preceding "2023年…分布".

    Titles are consumed in order, so two titles followed by two pies pair up first-to-first;
    a pie with no title left in the 80 preceding lines is skipped rather than guessed.
    """
    text = to_halfwidth(text)
    items = _items(text)
    used: set[int] = set()
    facts: list[Fact] = []
    for lo, hi, labels in _share_runs(items):
        titles = [
            k
            for k in range(max(0, lo - 80), lo)
            if items[k].kind == "text"
            and k not in used
            and _SHARE_TITLE.search(items[k].text)
            and len(items[k].text) <= 60
        ]
        if not titles:
            continue
        t = titles[0]
        used.add(t)  # consumed even when the labels are unreadable, so the next pie gets the next title
        if not labels:
            continue
        title = items[t].text
        year = re.search(r"((?:19|20)\d{2})", title)
        for item, label in zip(items[lo:hi], labels, strict=True):
            name = re.sub(r"[（(][^（）()]*[）)]", "", label).strip()
            facts.append(
                Fact(
                    label=f"{name}的占比",
                    subject=name,
                    metric="占比",
                    period=year.group(1) if year else "",
                    value=_num(item.text),
                    unit="%",
                    scale="",
                    raw=item.text,
                    qualifier="",
                    sentence=f"{title}：{label} {item.text}",
                    start=item.start,
                    end=item.end,
                    source="chart",
                    confidence=0.7,
                )
            )
    return facts
