"""Numbers as the verifier reads them: values with scales, units from headers, and what they belong to.

Why a module of its own: checking that "a number is in the evidence" needs more than string
search.  ``620亿元`` = ``620 亿元`` = ``六百二十亿元`` = ``62 billion yuan`` = ``0.062万亿元``; a table
cell ``620`` is 亿元 when its caption says "（亿元）"; and ``327`` in the same row is the 2022
value, so an answer giving it for 2023 cites a real number for the wrong year.  Mentions carry
their position so a claim can be bound to its year (table column, chart-series row, the year
that opens a prose sentence) and to its table row label.

>>> [m.scaled for m in extract_numbers("中国AI芯片市场规模（亿元）\\nAI芯片 | 327 | 620")]
[32700000000.0, 62000000000.0]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from zhiku.answer.numwords import find_chinese_numbers

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CITE_ANY = re.compile(
    r"[\[【]\s*\^?\s*(?:资料|来源|证据|evidence|source|doc)?\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】]", re.I
)
_LIST_MARK = re.compile(r"^\s*\d{1,2}[.、)]\s+", re.M)
_ESTIMATE_YEAR = re.compile(r"(?<![\dA-Za-z])((?:19|20)\d{2})[EeAaFfPp](?![A-Za-z])")
_SCALES = "万亿|千万|百万|十亿|亿|万|千"
# A number after a Latin letter or before a lone one is an identifier (H100, 18C, 5G), not a quantity.
_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)(?![0-9]|[A-Za-z](?![A-Za-z]))\s*"
    rf"({_SCALES}|trillion|billion|million|thousand|bn|%|个百分点)?",
    re.I,
)
_UNIT_DECL = re.compile(
    rf"[（(]\s*(?:单位\s*[:：]\s*)?(?:人民币|美元)?\s*({_SCALES})[^()（）\d]{{0,4}}[)）]"
    rf"|单位\s*[:：]\s*(?:人民币|美元)?\s*({_SCALES})"
    r"|\(\s*(?:in\s+)?(?:rmb|usd|cny|us\$|\$)?\s*(trillions?|billions?|millions?|thousands?|bn|mn)\b[^)]{0,20}\)",
    re.I,
)
SCALE = {
    "万亿": 1e12,
    "千万": 1e7,
    "百万": 1e6,
    "十亿": 1e9,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "trillion": 1e12,
    "trillions": 1e12,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "thousand": 1e3,
    "thousands": 1e3,
}
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.]?\d)")
_COMPARED = re.compile(r"(较|比|相比|同比|与|相较于?|超过|高于|低于)\s*$")
_SENTENCE = re.compile(r"[。！？!?；;\n]")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_TIME = "年月日号时"
# Measure words: a number followed by one counts that thing ("60倍" is not "60秒").
_MEASURE = frozenset("家个位倍次种项款名人条座所部天年月日秒分元台辆件套张本篇集只头吨米户")
_DATE = re.compile(r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def dates_in(prepared: str) -> list[tuple[int | None, int, int]]:
    """(year or None, month, day) of every "2031年5月17日" / "5月17日" in the text."""
    return [(int(y) if y else None, int(m), int(d)) for y, m, d in _DATE.findall(prepared)]


def date_supported(date: tuple[int | None, int, int], pool: Sequence[tuple[int | None, int, int]]) -> bool:
    """A date is backed when the evidence states the same month and day (and year, when both give one)."""
    year, month, day = date
    return any(m == month and d == day and (year is None or y is None or y == year) for y, m, d in pool)


@dataclass(frozen=True)
class NumberMention:
    """One number: its value, its value × scale when a unit is known, and where it stands."""

    raw: str
    value: float
    scaled: float | None  # value × unit (亿, billion …); None when no scale is known or a percentage
    start: int = 0
    end: int = 0
    percent: bool = False
    inferred: bool = False  # the scale came from a header or caption, not from the number itself
    suffix: str = ""  # the measure word right after it ("家", "条", "元"), for telling kinds apart


def prepare(text: str) -> str:
    """Text as numbers are read: full width folded, thousands separators and citations dropped."""
    text = unicodedata.normalize("NFKC", _THOUSANDS.sub("", text))
    text = _THOUSANDS.sub("", text)
    text = _CITE_ANY.sub(" ", text)
    text = _LIST_MARK.sub(lambda m: " " * len(m.group(0)), text)
    return _ESTIMATE_YEAR.sub(lambda m: m.group(1) + " ", text)


def unit_declarations(text: str) -> list[tuple[int, float]]:
    """(position, scale) of every unit stated apart from a number: "（亿元）", "单位：万元", "(in billions)"."""
    out = []
    for m in _UNIT_DECL.finditer(text):
        word = (m.group(1) or m.group(2) or m.group(3) or "").lower()
        if word in SCALE:
            out.append((m.start(), SCALE[word]))
    return out


def _arabic(text: str) -> list[NumberMention]:
    out = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(1))
        unit = (m.group(2) or "").lower()
        scale = SCALE.get(unit)
        percent = unit in ("%", "个百分点")
        suffix = "日" if _EN_MONTH.search(text, max(0, m.start() - 12), m.start()) else _suffix(text, m.end())
        out.append(
            NumberMention(
                m.group(0).strip(),
                value,
                value * scale if scale else None,
                m.start(),
                m.end(),
                percent,
                False,
                suffix,
            )
        )
    return out


# "Oct 5, 2022", "March 3": the number is a day of a date, whatever follows it.
_EN_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$", re.I)
# English words that may follow a number without naming what it counts ("2030 is", "12 of").
_EN_GLUE = frozenset("is was are were in on at of to and or by for as the a an from than with".split())


def _suffix(text: str, end: int) -> str:
    """What follows a number: a Chinese measure word, "‰", or a Latin unit ("kHz"); an English
    glue word ("2030 is") is no unit."""
    rest = text[end : end + 12].lstrip()
    if rest[:1] and (_CJK_CHAR.match(rest[:1]) or rest[:1] == "‰"):
        return rest[:1]
    word = re.match(r"[A-Za-z]+", rest)
    return word.group(0) if word and word.group(0).lower() not in _EN_GLUE else ""


def _chinese(text: str) -> list[NumberMention]:
    out = []
    for start, end, value, percent in find_chinese_numbers(text):
        unit = next((u for u in ("万亿", "亿", "万") if text.startswith(u, end)), "")
        scale = SCALE.get(unit)
        stop = end + len(unit)
        out.append(
            NumberMention(
                text[start:stop],
                value,
                value * scale if scale else None,
                start,
                stop,
                percent,
                False,
                _suffix(text, stop),
            )
        )
    return out


def _column_units(prepared: str) -> dict[int, tuple[float | None, bool, str]]:
    """Per table cell position: the unit its column header states ("产业规模（亿元）" → 亿,
    "占比（%）" → percent).  Columns whose header states no unit are left to the caption."""
    out: dict[int, tuple[float | None, bool, str]] = {}
    header: list[str] = []
    offset = 0
    for line in prepared.split("\n"):
        if "|" in line:
            cells = line.split("|")
            if not any(_NUMBER.fullmatch(c.strip()) for c in cells[1:]):
                header = cells  # a row of labels, not of values
            elif header:
                start = offset
                for i, cell in enumerate(cells):
                    head = header[i] if i < len(header) else ""
                    decl = unit_declarations(head)
                    unit = re.search(r"[（(]([^()（）]{1,8})[)）]", head)
                    if unit:  # the column states its own unit
                        percent = not decl and "%" in unit.group(1)
                        word = unit.group(1).lstrip("万亿千百十").strip()[:1]
                        out[start] = (decl[0][1] if decl else None, percent, word if word in _MEASURE else "")
                        for k in range(start, start + len(cell) + 1):
                            out[k] = out[start]
                    start += len(cell) + 1
        else:
            header = [] if line.strip() else header
        offset += len(line) + 1
    return out


def mentions(prepared: str, infer_units: bool = True) -> list[NumberMention]:
    """Numbers of already ``prepare``d text, in order; unitless ones take the unit of their table
    column's header, else the nearest unit declared in the passage (a caption)."""
    found = sorted(_arabic(prepared) + _chinese(prepared), key=lambda n: n.start)
    decls = unit_declarations(prepared) if infer_units else []
    if not decls and not (infer_units and "|" in prepared):
        return found
    columns = _column_units(prepared) if "|" in prepared else {}
    out = []
    for n in found:
        if n.scaled is None and not n.percent:
            if n.start in columns:
                scale, percent, word = columns[n.start]
                n = NumberMention(
                    n.raw,
                    n.value,
                    n.value * scale if scale else None,
                    n.start,
                    n.end,
                    percent,
                    True,
                    n.suffix or word,
                )
            elif decls:
                _, scale = min(decls, key=lambda d: abs(d[0] - n.start))
                n = NumberMention(n.raw, n.value, n.value * scale, n.start, n.end, False, True, n.suffix)
        out.append(n)
    return out


def extract_numbers(text: str) -> list[NumberMention]:
    return mentions(prepare(text))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


_DIGITS = re.compile(r"\d+(?:\.(\d+))?")


def _rounded(n: NumberMention, target: float) -> bool:
    """``n`` is ``target`` rounded to the digits ``n`` is written with ("0.0473万亿" for
    "472.58亿", "318亿" for "317.6亿"); at least two significant digits, so "2亿" is not "2.4亿"."""
    m = _DIGITS.match(n.raw)
    if m is None or n.scaled is None or not n.value:
        return False
    significant = len(m.group(0).replace(".", "").lstrip("0"))
    if significant < 2:
        return False
    step = 10.0 ** -len(m.group(1) or "") * (n.scaled / n.value)
    return _close(round(target / step) * step, n.scaled)


def same_number(n: NumberMention, e: NumberMention) -> bool:
    """Same value; when both carry a scale, the same scaled value (620亿 ≠ 620万); a percentage
    is not a count or an amount (44.7% ≠ 44.7亿, 28% ≠ 28条)."""
    if n.suffix and e.suffix and (n.suffix in _TIME) != (e.suffix in _TIME):
        return False  # "10家" is not the "10" of "10月"
    if n.suffix in _MEASURE and e.suffix in _MEASURE and n.suffix != e.suffix:
        return False  # "60倍" is not the "60" of "60秒"
    for a, b in ((n, e), (e, n)):
        if b.suffix in ("日", "号") and not b.inferred and (a.scaled is not None or a.percent):
            return False  # "5万亿" is not the day of "Oct 5" or of "5日"
    bare = not (n.percent or n.scaled is not None or n.suffix or n.inferred)
    if bare and not e.inferred and e.suffix in ("日", "号"):
        return False  # a bare "20" is not the "20日" of a date
    if n.percent != e.percent:
        other = e if n.percent else n
        if other.scaled is not None or other.suffix:
            return False  # a percentage is not an amount, nor a value under a "（亿元）" caption
    if n.scaled is not None and e.scaled is not None:
        return _close(n.scaled, e.scaled) or _rounded(n, e.scaled)
    if n.scaled is None and e.scaled is not None and _close(n.value, e.scaled):
        return True  # "12000人" for "1.2万人"
    if e.scaled is None and n.scaled is not None and _close(n.scaled, e.value):
        return True  # "1.2万人" for "12000人"
    if n.scaled is not None and not n.inferred and e.scaled is None and e.suffix and e.suffix not in _TIME:
        return False  # "1048亿" is not the "1048" of a "（家）" column or of "1048家"
    if e.scaled is not None and not e.inferred and n.scaled is None and n.suffix and not n.inferred:
        return False  # "1465‰" is not "1465万人"
    return _close(n.value, e.value)


def number_supported(n: NumberMention, pool: Sequence[NumberMention]) -> bool:
    return any(same_number(n, e) for e in pool)


# -- what a number belongs to ----------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """The years and the table row a number in the evidence belongs to (empty when unknown)."""

    years: frozenset[int]
    label: str | None = None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


def _year_of_cell(cell: str) -> int | None:
    m = re.fullmatch(r"((?:19|20)\d{2})\s*(?:年)?\s*(?:[（(]?预计[)）]?)?", cell.strip())
    return int(m.group(1)) if m else None


def _table_binding(lines: list[str], index: int, line_start: int, pos: int) -> Binding:
    line = lines[index]
    cells = _cells(line)
    k = line[: pos - line_start].count("|")
    own_years = [
        y
        for i, c in enumerate(cells)
        if i != k and (y := _year_of_cell(c)) is not None and ("年" in c or len(cells) <= 2)
    ]
    if own_years:  # a chart-series row: "2021年 | 327亿元"
        return Binding(frozenset(own_years))
    label = cells[0] if k > 0 and cells[0] and not re.fullmatch(r"[\d.\s%]+", cells[0]) else None
    for header in reversed(lines[:index]):
        head = _cells(header)
        years = [_year_of_cell(c) for c in head]
        if "|" in header and sum(y is not None for y in years) >= 2:
            year = years[k] if k < len(years) else None
            return Binding(frozenset([year]) if year else frozenset(), label)
    return Binding(frozenset(), label)


def _prose_binding(text: str, start: int, end: int) -> Binding:
    begin = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
    before = [
        m
        for m in _YEAR.finditer(text, begin, start)
        if not _COMPARED.search(text[max(0, m.start() - 4) : m.start()])
    ]
    after = _YEAR.search(text[end : end + 8])
    years = {int(before[-1].group(1))} if before else set()
    if after and "年" in text[end : end + 10]:
        years.add(int(after.group(1)))
    return Binding(frozenset(years))


def binding(prepared: str, n: NumberMention) -> Binding:
    """What the number at ``n.start`` in ``prepared`` evidence belongs to: a table cell's column
    year and row label, a chart-series row's year, or the year that governs its prose sentence."""
    line_start = prepared.rfind("\n", 0, n.start) + 1
    lines = prepared.split("\n")
    index = prepared.count("\n", 0, n.start)
    if "|" in lines[index]:
        return _table_binding(lines, index, line_start, n.start)
    return _prose_binding(prepared, n.start, n.end)


_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:-|–|—|~|～|至|到)\s*((?:19|20)\d{2})")


def years_in(prepared: str, skip: NumberMention | None = None) -> set[int]:
    """Years a sentence speaks of (not counting the claimed number itself); "2020-2024年" spans all."""
    years = {
        int(m.group(1))
        for m in _YEAR.finditer(prepared)
        if skip is None or not (skip.start <= m.start() < skip.end)
    }
    for m in _YEAR_RANGE.finditer(prepared):
        low, high = int(m.group(1)), int(m.group(2))
        if 0 < high - low <= 30:
            years.update(range(low, high + 1))
    return years


__all__ = [
    "SCALE",
    "Binding",
    "NumberMention",
    "binding",
    "date_supported",
    "dates_in",
    "extract_numbers",
    "mentions",
    "number_supported",
    "prepare",
    "same_number",
    "unit_declarations",
    "years_in",
]
