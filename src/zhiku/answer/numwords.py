"""Numbers written in Chinese numerals: ``六百二十`` ⇄ 620, ``三点四`` ⇄ 3.4, ``百分之四十四点七``.

Why a module of its own: models restate figures in words ("六百二十亿元") as often as in digits,
so the verifier must read them as values, and the scripted paraphrasing model must write
them.  Only well-formed numerals are read; a run that does not parse (``十二五``, ``一一``)
is left alone rather than guessed, because a misread number would make the verifier reject
a sentence that never stated one.

>>> parse_chinese("六百二十")
620.0
>>> to_chinese(2137)
'二千一百三十七'
"""

from __future__ import annotations

import re

_DIGIT = {
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
_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_DIGIT_CHARS = "零〇一二两三四五六七八九"
# Measure words after which a lone digit is a count ("五家", "三倍"); "一" is left out: "一个" is
# far more often "a" than "one".
_MEASURE = "家个位倍次种项款名人条座所部天年"
_WRITE = "零一二三四五六七八九"

# A candidate run: digits and 十百千 (万 and 亿 are read as scale units by the caller), optionally
# a decimal part after 点.  The run must hold a digit and either a 十/百/千 or a 点 — "一" alone is
# far more often a word ("统一", "一带一路") than a quantity.
CHINESE_NUMBER = re.compile(
    rf"(?:百分之)?[{_DIGIT_CHARS}十百千]+(?:万[{_DIGIT_CHARS}十百千]+)?(?:点[{_DIGIT_CHARS}]+)?"
)


def _parse_integer(text: str) -> int | None:
    """``二千一百三十七`` → 2137, ``十五`` → 15, ``一百零五`` → 105; ``None`` when malformed."""
    if not text:
        return None
    total, digit, last_unit, seen_digit = 0, None, 10_000, False
    for ch in text:
        if ch in _DIGIT:
            if digit is not None and digit != 0 and _DIGIT[ch] != 0:
                return None  # two digits in a row ("一一", "四五百")
            digit = _DIGIT[ch]
            seen_digit = True
        elif ch in _SMALL_UNIT:
            unit = _SMALL_UNIT[ch]
            if unit >= last_unit:
                return None  # units must fall: 千 > 百 > 十
            total += (digit if digit else (1 if unit == 10 and total == 0 else 0)) * unit
            if digit == 0:
                return None
            digit, last_unit = None, unit
        else:
            return None
    if digit:
        if last_unit == 10_000 and len(text) > 1:
            return None
        total += digit
    return total if seen_digit or total else None


def parse_chinese(text: str) -> float | None:
    """The value of a Chinese numeral (no 万/亿), or ``None`` when it is not one."""
    text = text.removeprefix("百分之")
    whole, _, frac = text.partition("点")
    value: int | None
    high_s, sep, low_s = whole.partition("万")
    if sep:
        high = _parse_integer(high_s) if len(high_s) > 1 else _DIGIT.get(high_s)
        low = (
            _parse_integer(low_s.removeprefix("零"))
            if len(low_s.removeprefix("零")) > 1
            else _DIGIT.get(low_s.removeprefix("零"))
        )
        if high is None or low is None:
            return None
        whole, value = "万", high * 10_000 + low
    else:
        value = _parse_integer(whole) if whole else 0
    if value is None:
        return None
    if frac:
        if any(ch not in _DIGIT for ch in frac):
            return None
        return float(f"{value}." + "".join(str(_DIGIT[ch]) for ch in frac))
    if not any(ch in _SMALL_UNIT or ch == "万" for ch in whole):
        return None  # a bare digit run ("一", "二〇二三") is not read as a quantity here
    return float(value)


def _write_below_10000(n: int) -> str:
    out: list[str] = []
    zero = False
    for unit, label in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_WRITE[d] + label)
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def to_chinese(value: float) -> str | None:
    """620 → ``六百二十``, 3.4 → ``三点四``, 51200 → ``五万一千二百``; ``None`` beyond 10⁸ or 3 decimals."""
    if value < 0 or value >= 1e8:
        return None
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    whole_s, _, frac = text.partition(".")
    whole = int(whole_s)
    high, low = divmod(whole, 10_000)
    if high:
        head = _write_below_10000(high) + "万"
        if low:
            tail = _write_below_10000(low)
            head += ("零" + tail) if low < 1000 else tail
        words = head
    else:
        words = _write_below_10000(low) if low else "零"
    if frac:
        words += "点" + "".join(_WRITE[int(d)] for d in frac)
    return words


def find_chinese_numbers(text: str) -> list[tuple[int, int, float, bool]]:
    """``(start, end, value, is_percent)`` of every well-formed Chinese numeral in ``text``."""
    out = []
    for m in CHINESE_NUMBER.finditer(text):
        raw = m.group(0)
        value = parse_chinese(raw)
        after = text[m.end() : m.end() + 1]
        if (
            value is None
            and len(raw) == 1
            and raw in _DIGIT
            and after
            and (after in "万亿" or (raw != "一" and after in _MEASURE))
        ):
            value = float(_DIGIT[raw])  # "三亿", "五家": a lone digit before a scale or measure word
        if value is None:
            continue
        out.append((m.start(), m.end(), value, raw.startswith("百分之")))
    return out


__all__ = ["CHINESE_NUMBER", "find_chinese_numbers", "parse_chinese", "to_chinese"]
