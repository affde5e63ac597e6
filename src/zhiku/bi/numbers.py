"""Numbers as Chinese and English reports write them, parsed into values with units.

Reports mix Arabic digits with Chinese magnitudes (3.4万亿元), thousands separators (1,219),
full-width digits (３．４万亿), Chinese numerals (两千三百, 百分之三十) and English magnitudes
(811 billion).  Everything numeric in zhiku goes through this module so that a value quoted in
an answer and a value computed from operands are compared on one scale.

>>> parse_number("３．４万亿")
3400000000000.0
>>> [q.raw for q in find_quantities("2023年规模达到2137亿元，增长30.6%")]
['2137亿元', '30.6%']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％－＋", "0123456789.%-+")

ZH_MAGNITUDES: dict[str, float] = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
EN_MAGNITUDES: dict[str, float] = {
    "trillion": 1e12,
    "billion": 1e9,
    "million": 1e6,
    "thousand": 1e3,
    "bn": 1e9,
    "mn": 1e6,
}
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}

CURRENCY_UNITS = ("人民币元", "美元", "欧元", "港元", "日元", "元", "RMB", "CNY", "USD", "yuan", "dollars")
COUNT_UNITS = ("家", "个", "件", "项", "人次", "人", "名", "台", "款", "种", "次", "篇", "张", "条", "倍", "年", "辆", "架",
               "艘", "部", "套", "户", "所", "座", "例", "只", "头", "本", "场", "桶")  # fmt: skip
MEASURE_UNITS = ("吨", "公斤", "千克", "克", "斤", "平方公里", "平方米", "立方米", "公里", "千米", "米", "亩", "公顷",
                 "千瓦时", "千瓦", "瓦", "GB", "TB", "PB")  # fmt: skip
_UNIT_RE = "|".join(sorted((*CURRENCY_UNITS, *COUNT_UNITS, *MEASURE_UNITS), key=len, reverse=True))
_MAG_RE = "万亿|亿|千万|百万|万|千"
_EN_MAG_RE = "trillion|billion|million|thousand|bn|mn"
_NUM_RE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

QUANTITY_RE = re.compile(
    rf"(?:(?P<cur>USD|US\$|RMB|CNY|\$|¥|￥)\s?)?(?:(?<![\d.A-Za-z])(?P<sign>[-+]))?(?P<num>{_NUM_RE})\s*"
    rf"(?:(?P<pct>%|％)|(?P<mag>{_MAG_RE})?(?:\s?(?P<emag>{_EN_MAG_RE})\b)?\s?(?P<unit>{_UNIT_RE})?)",
    re.IGNORECASE,
)
ZH_PERCENT_RE = re.compile(r"百分之(?P<num>[零〇一二两三四五六七八九十百点]+)")
ZH_NUMERAL_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]{2,}|[一二两三四五六七八九十]")


def to_halfwidth(text: str) -> str:
    """Full-width digits and number punctuation to ASCII, leaving other CJK punctuation alone."""
    return text.translate(_FULLWIDTH)


def parse_zh_numeral(text: str) -> float | None:
    """两千三百 → 2300, 三十 → 30, 一点五 → 1.5, 二〇二三 → 2023 (digit by digit when no unit)."""
    text = text.strip()
    if not text:
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        head = parse_zh_numeral(whole) if whole else 0.0
        digits = "".join(str(_ZH_DIGITS[c]) for c in frac if c in _ZH_DIGITS)
        if head is None or not digits:
            return None
        return head + float("0." + digits)
    if all(c in _ZH_DIGITS for c in text):
        return float("".join(str(_ZH_DIGITS[c]) for c in text))
    yi, wan, section, current = 0.0, 0.0, 0.0, 0.0
    for char in text:
        if char in _ZH_DIGITS:
            current = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            section += (current or 1) * _ZH_UNITS[char]
            current = 0
        elif char == "万":
            wan = (section + current or 1) * 1e4
            section, current = 0.0, 0.0
        elif char == "亿":
            yi = (yi + wan + section + current or 1) * 1e8
            wan, section, current = 0.0, 0.0, 0.0
        else:
            return None
    return yi + wan + section + current


def parse_number(text: str) -> float | None:
    """Parse one number with an optional magnitude; percentages return the percent value.

    ``"1,219"`` → 1219, ``"3.4万亿"`` → 3.4e12, ``"30.6%"`` → 30.6, ``"百分之三十"`` → 30,
    ``"811 billion"`` → 8.11e11.  Returns None when the text is not a number.
    """
    text = to_halfwidth(text).strip()
    zh_pct = ZH_PERCENT_RE.fullmatch(text)
    if zh_pct:
        return parse_zh_numeral(zh_pct.group("num"))
    match = QUANTITY_RE.fullmatch(text)
    if match:
        return quantity_from_match(match).value
    if re.fullmatch(r"[零〇一二两三四五六七八九十百千万亿点]+", text):
        return parse_zh_numeral(text)
    return None


@dataclass(frozen=True)
class Quantity:
    """A number found in text: ``value`` in base units (元, %, 家 …), ``raw`` as written.

    ``scale`` is the magnitude word the source used (亿, 万亿, billion or ""), kept so that answers
    can be shown on the scale the reader expects (4477亿元, not 447700000000元).
    """

    value: float
    unit: str
    scale: str
    raw: str
    start: int
    end: int
    number: float  # the digits as written, before the magnitude

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


def _unit_of(match: re.Match[str]) -> str:
    if match.group("pct"):
        return "%"
    cur = (match.group("cur") or "").upper()
    if cur in ("USD", "US$", "$"):
        return "美元"
    if cur in ("RMB", "CNY", "¥", "￥"):
        return "元"
    unit = match.group("unit") or ""
    if unit.lower() in ("rmb", "cny", "yuan", "人民币元"):
        return "元"
    if unit.lower() in ("usd", "dollars"):
        return "美元"
    return unit


def quantity_from_match(match: re.Match[str], offset: int = 0) -> Quantity:
    number = float(match.group("num").replace(",", ""))
    if match.group("sign") == "-":
        number = -number
    mag = match.group("mag") or ""
    emag = (match.group("emag") or "").lower()
    factor = ZH_MAGNITUDES.get(mag, 1.0) * EN_MAGNITUDES.get(emag, 1.0)
    raw = match.group(0).strip()
    return Quantity(
        value=number * factor,
        unit=_unit_of(match),
        scale=mag or emag,
        raw=raw,
        start=match.start() + offset,
        end=match.start() + offset + len(raw),
        number=number,
    )


def find_quantities(text: str) -> list[Quantity]:
    """All numbers in ``text`` with spans into the original string (full-width handled)."""
    norm = to_halfwidth(text)
    found: list[Quantity] = []
    for match in QUANTITY_RE.finditer(norm):
        before = norm[match.start() - 1] if match.start() > 0 else ""
        after = norm[match.end() : match.end() + 1]
        if (before.isalpha() and before.isascii()) or (
            after.isalpha()
            and after.isascii()
            and not (match.group("emag") or match.group("unit") or match.group("mag"))
        ):
            continue  # part of an identifier such as H100, GPT4, 18C, 7B
        found.append(quantity_from_match(match))
    for match in ZH_PERCENT_RE.finditer(norm):
        value = parse_zh_numeral(match.group("num"))
        if value is not None:
            found.append(Quantity(value, "%", "", match.group(0), match.start(), match.end(), value))
    return sorted(found, key=lambda q: q.start)


def is_year(q: Quantity) -> bool:
    """A bare four-digit number between 1900 and 2100 followed by 年 or nothing is a year."""
    return q.unit in ("", "年") and not q.scale and q.number.is_integer() and 1900 <= q.number <= 2100


def close(a: float, b: float, rel: float = 0.005) -> bool:
    """Equality on the precision reports round to (half a percent by default)."""
    if a == b:
        return True
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def format_value(value: float, scale: str = "", unit: str = "", digits: int = 2) -> str:
    """Show ``value`` (base units) on ``scale``: format_value(4.477e11, "亿", "元") → "4477亿元"."""
    if unit == "%":
        return f"{_trim(value, digits)}%"
    factor = ZH_MAGNITUDES.get(scale, EN_MAGNITUDES.get(scale.lower(), 1.0)) if scale else 1.0
    shown = _trim(value / factor, digits)
    sep = " " if scale.lower() in EN_MAGNITUDES else ""
    return f"{shown}{sep}{scale}{unit}"


def _trim(value: float, digits: int) -> str:
    rounded = round(value, digits)
    if float(rounded).is_integer():
        return str(int(rounded))
    return f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
