"""Deterministic parsing of a numeric question (Chinese or English) into an operation.

The small path must not guess: this parser recognises a fixed set of operations (lookup,
difference, ratio, growth multiple, CAGR and checking a stated CAGR, max/min, comparison of two
series, listing a series) from cue words, pulls out the periods and the phrases naming what
is measured, and translates a few English domain words to Chinese so English questions match
Chinese sources.  Anything it does not recognise returns ``None`` and the reader takes over.

>>> parse_question("2022年华东区销售额比华南区销售额多多少万元？").op
'difference'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from zhiku.bi.facts import METRICS, split_metric
from zhiku.bi.numbers import find_quantities, to_halfwidth

Lang = Literal["zh", "en"]
Op = Literal[
    "lookup",
    "multi",
    "growth",
    "difference",
    "ratio",
    "multiple",
    "cagr",
    "check_cagr",
    "max",
    "min",
    "series",
    "compare",
]

_YEAR = r"(?:19|20)\d{2}"
_RANGE_RE = re.compile(
    rf"(?P<a>{_YEAR})\s*年?\s*(?:[-–—~～至到]|to|and|through|until)\s*(?P<b>{_YEAR})\s*年?", re.I
)
_YEAR_RE = re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?:\s*年)?(?!\d)")
_NUMERIC_CUES = re.compile(
    r"多少|几倍|多大|规模|占比|比例|比重|增长率|增速|复合增长|CAGR|差距|相差|倍|百分之|金额|数额|总额|市场|产值|"
    r"how much|how many|how large|how big|\bworth\b|what is the (?:size|value|share|market)|size|market|revenue|growth|ratio|share|percentage|"
    r"times|difference|billion|million|percent",
    re.I,
)
_NON_NUMERIC = re.compile(
    r"哪天|哪一天|何时|什么时候|什么时间|哪个月|是谁|为什么|如何|怎么|什么作用|\bwhen\b|\bwho\b|\bwhy\b|\bhow do",
    re.I,
)
_Q_WORDS = re.compile(
    r"这个说法|说法|是否|对吗|正确吗|准确吗|正确|[-+]?\d+(?:\.\d+)?%|"
    r"(?:(?:预计|或将|将会|将)?(?:达到|达|是|为|约为|大约是|大约|约|超过)?|(?<![拥具含持])有)"
    r"(?:多少|几)(?:家|个|项|人|台|款|种|件|名|亿美元|亿元|万元|亿|万|元|倍)?|有多大|多大|是什么|"
    r"请问|请|分别|呢|吗|？|\?|。|，|,|！|!|年度|(?:预计|预测|或将|有望|将会|将|会)(?=\s|$|达|为|是)|"
    r"(?:达到|达|约为|是|为)(?=\s|$)|"
    r"\b(?:the|what|is|was|will|be|how much|how many|projected|expected|estimated|"
    r"forecast|value|of|in|by|did|does|do|reach|reached|according to|report|how large|how big|worth|its|their|"
    r"a|an|from|to|between|total|amount|which|are|were|has|have|had)\b",
    re.I,
)
EN_GLOSSARY: tuple[tuple[str, str], ...] = (
    (r"china'?s|chinese|\bchina\b", "中国"),
    (r"artificial intelligence|\bai\b industry", "人工智能产业"),
    (r"intelligent computing power|intelligent computing|ai computing power|computing power", "智能算力"),
    (r"ai chips?", "AI芯片"),
    (r"conversational ai", "对话式AI"),
    (r"knowledge graphs?", "知识图谱"),
    (r"(?:ai )?(?:basic )?data services?", "AI基础数据服务"),
    (r"compound annual growth rate|\bcagr\b", "复合增长率"),
    (r"market size|size of the market|market", "市场规模"),
    (r"industry size|size", "规模"),
    (r"\bindustry\b", "产业"),
    (r"share|proportion|percentage", "占比"),
    (r"growth rate", "增长率"),
    (r"revenue", "收入"),
    (r"companies|firms", "企业"),
    (r"cloud", "云端"),
    (r"edge", "边缘侧"),
)


@dataclass(frozen=True)
class Target:
    """One measured thing a question names: the phrase to match and the period wanted."""

    text: str
    period: str = ""
    context: str = ""  # a whole the target is part of (中国AI芯片 in 云端AI芯片在中国AI芯片中的比例)


@dataclass(frozen=True)
class QuestionSpec:
    op: Op
    targets: tuple[Target, ...]
    periods: tuple[str, ...] = ()
    language: Literal["zh", "en"] = "zh"
    unit_hint: str = ""  # "%", "元", "家" … when the question says what kind of number it wants
    stated: float | None = None  # a value the question asks us to check (a stated CAGR)
    notes: tuple[str, ...] = field(default=())


def looks_numeric(question: str) -> bool:
    """Cheap gate: does the question ask for a number at all?"""
    return bool(_NUMERIC_CUES.search(question)) and not _NON_NUMERIC.search(question)


def _language(question: str) -> Lang:
    cjk = sum(1 for c in question if "\u4e00" <= c <= "\u9fff")
    return "zh" if cjk >= 2 else "en"


def translate_en(text: str) -> str:
    """Replace English domain words by the Chinese words reports use (for matching only)."""
    out = text.lower()
    for pattern, zh in EN_GLOSSARY:
        out = re.sub(pattern, f" {zh} ", out, flags=re.I)
    return re.sub(r"\s+", " ", out).strip()


def _periods(text: str) -> tuple[str, ...]:
    rng = _RANGE_RE.search(text)
    if rng:
        return (rng.group("a"), rng.group("b"))
    return tuple(dict.fromkeys(m.group("y") for m in _YEAR_RE.finditer(text)))


def _strip(text: str) -> str:
    text = re.sub(
        r"(?<!\d)\d{1,2}月(?:\d{1,2}日)?|截至|截止|年底|年末|年初|底", " ", _RANGE_RE.sub(" ", text)
    )
    text = _YEAR_RE.sub(" ", text)
    text = re.sub(r"(?:从|自|到|至|比|相比|与|和|跟|同|较|在)\s*$", "", text.strip())
    text = re.sub(r"^\s*(?:在|从|自|到|至)", "", text)
    prev = None
    while prev != text:
        prev = text
        text = _Q_WORDS.sub(" ", text)
    text = re.sub(r"(?:^|\s)(?:和|与|及|、)(?=\s|$)", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" 的'\"“”-")
    text = re.sub(r"了$", "", text).strip()
    return re.sub(r"^[家个项人台款种件名]", "", text).strip()


def _unit_hint(question: str) -> str:
    if re.search(
        r"占比|比例|比重|百分之|百分比|份额|增长率|增速|percentage|share|proportion|rate|%", question, re.I
    ):
        return "%"
    if re.search(r"亿元|万元|元|金额|规模|市场|产值|收入|营收|size|revenue|yuan|billion|RMB", question, re.I):
        return "元"
    m = re.search(r"多少(家|个|人|台|款|种|项|件)", question)
    return m.group(1) if m else ""


MAX_QUESTION_CHARS = 400


def parse_question(question: str) -> QuestionSpec | None:
    """The operation a numeric question asks for, or None when it is not one we handle."""
    # Numeric questions are one sentence; the patterns below backtrack (cubic) on pasted pages.
    if len(question) > MAX_QUESTION_CHARS or not looks_numeric(question):
        return None
    lang = _language(question)
    text = to_halfwidth(question)
    if lang == "en":
        text = translate_en(text)
    periods = _periods(text)
    if len(periods) == 2:
        periods = tuple(sorted(periods))
    unit = _unit_hint(text if lang == "zh" else question)
    for parser in (_cagr, _multiple, _difference, _growth, _ratio, _extreme, _multi, _series, _compare):
        spec = parser(text, periods, lang, unit)
        if spec is not None:
            return spec
    if len(periods) > 1:
        return None
    target = _strip(text)
    if len(target) < 2:
        return None
    if not unit and re.search(
        r"(?:增长|下降|增加|减少|提高|降低|上涨|下跌|提升)了?(?:多少|几)|grow|grew|increase", text, re.I
    ):
        unit = "%"  # "经济增长了多少" asks for a rate, never a count that happens to follow the words
    # no year named: the fact pool answers only when its facts know one period for the target
    return QuestionSpec(
        "lookup", (split_context(target, periods[0] if periods else ""),), periods, lang, unit
    )


_PART_OF = (
    re.compile(r"^(?P<a>.+?)在(?P<b>.+?)中的?(?P<m>比例|占比|比重|份额|渗透率)$"),
    re.compile(r"^(?P<b>.+?)中的?(?P<a>[^中]+?)的?(?P<m>比例|占比|比重|份额|渗透率)$"),
)


def split_context(target: str, period: str = "") -> Target:
    """云端AI芯片在中国AI芯片中的比例 → Target("云端AI芯片的比例", context="中国AI芯片")."""
    compact = target.replace(" ", "")
    for pattern in _PART_OF:
        m = pattern.match(compact)
        if m and len(m.group("a")) >= 2:
            return Target(f"{m.group('a')}的{m.group('m')}", period, m.group("b"))
    return Target(target, period)


def _cagr(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    if not re.search(r"复合增长率|年均增长率|年均增速|年复合|CAGR", text, re.I):
        return None
    target = _strip(
        re.sub(
            r"(?:(?<!\d)(?:[二三四五六七八九十两]|\d{1,2})年)?(?:的)?(?:年均)?复合增长率|年均增长率|年均增速|(?i:cagr)",
            " ",
            text,
        )
    )
    stated = [q.value for q in find_quantities(text) if q.unit == "%"]
    if stated and re.search(r"是否|对吗|正确|准确|属实|\bcorrect\b|\btrue\b|check|verify", text, re.I):
        return QuestionSpec("check_cagr", (Target(target),), periods, lang, "%", stated=stated[0])
    if len(periods) == 1:
        periods = _cagr_span(text, periods[0])
    if len(periods) != 2:
        return None
    return QuestionSpec("cagr", (Target(target),), periods, lang, "%")


def _cagr_span(text: str, end: str) -> tuple[str, ...]:
    n = re.search(r"(?<!\d)([二三四五六七八九十两]|\d{1,2})年(?:的)?(?:年均)?复合", text)
    if not n:
        return (end,)
    words = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
    years = words.get(n.group(1)) or int(n.group(1))
    return (str(int(end) - years), end)


def _multiple(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    if not re.search(r"几倍|多少倍|倍数|how many times|multiple", text, re.I):
        return None
    m = re.search(r"(?P<a>.+?)是(?P<b>.+?)的(?:几|多少)倍", text)
    if m and len(periods) <= 1:
        period = periods[0] if periods else ""
        return QuestionSpec(
            "multiple",
            (Target(_strip(m.group("a")), period), Target(_strip(m.group("b")), period)),
            periods,
            lang,
            "",
        )
    if len(periods) == 2:
        target = _strip(re.sub(r"增长了?|扩大了?|提升了?|相比|相较|较|比(?![例重])|几倍|多少倍", " ", text))
        return QuestionSpec(
            "multiple", (Target(target, periods[1]), Target(target, periods[0])), periods, lang, ""
        )
    return None


_EN_MORE = (
    re.compile(
        r"(?:bigger|larger|higher|greater|more)\s+(?:was|is|were|are|will be)?\s*(?P<a>.+?)\s+than\s+(?P<b>.+)",
        re.I,
    ),
    re.compile(r"(?P<a>.+?)\s+(?:bigger|larger|higher|greater|more)\s+than\s+(?P<b>.+)", re.I),
)


def _difference_en(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    if lang != "en" or len(periods) > 1 or not re.search(r"how much|difference|by how", text, re.I):
        return None
    for pattern in _EN_MORE:
        m = pattern.search(text)
        if m:
            period = periods[0] if periods else ""
            a, b = _strip(m.group("a")), _strip(m.group("b"))
            if a and b:
                return QuestionSpec("difference", (Target(a, period), Target(b, period)), periods, lang, unit)
    return None


def _difference_years(m: re.Match[str], text: str, lang: Lang, unit: str) -> QuestionSpec | None:
    """2023年X相比2028年少多少: the first-mentioned year minus the second."""
    mentioned = [y.group("y") for y in _YEAR_RE.finditer(text)]
    if len(set(mentioned)) != 2:
        return None
    first, second = mentioned[0], next(y for y in mentioned if y != mentioned[0])
    a, b = _strip(m.group("a")), _strip(m.group("b"))
    a, b = a or b, b or a
    if not a:
        return None
    return QuestionSpec("difference", (Target(a, first), Target(b, second)), (first, second), lang, unit)


def _growth(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    """Year-on-year growth of one year: 2023年X同比增长多少 / growth rate of X in 2023."""
    if len(periods) != 1 or not re.search(
        r"同比|增速|增长率|较上年|比上年|year[- ]on[- ]year|\byoy\b|growth rate|grow", text, re.I
    ):
        return None
    year = int(periods[0])
    cleaned = re.sub(
        r"同比|较上年|比上年|的?增速|的?增长率|增长了?|year[- ]on[- ]year|\byoy\b|growth rate|grew|grow",
        " ",
        text,
        flags=re.I,
    )
    target = _strip(cleaned)
    if len(target) < 2:
        return None
    return QuestionSpec(
        "growth", (Target(target, str(year)), Target(target, str(year - 1))), periods, lang, "%"
    )


def _difference(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    en = _difference_en(text, periods, lang, unit)
    if en is not None:
        return en
    m = re.search(r"(?P<a>.+?)(?:比|较|相比)(?P<b>.+?)(?:多|少|高|低|大|小)(?:出|了)?(?:多少|几)", text)
    if m and len(periods) == 2:
        return _difference_years(m, text, lang, unit)
    if m and len(periods) <= 1:
        period = periods[0] if periods else ""
        a, b = _strip(m.group("a")), _strip(m.group("b"))
        b = b or a
        return QuestionSpec("difference", (Target(a, period), Target(b, period)), periods, lang, unit)
    if len(periods) == 2 and re.search(
        r"(?:增长|增加|减少|下降|提升|扩大|相差|差)了?(?:多少|几)|difference|increase", text, re.I
    ):
        target = _strip(
            re.sub(
                r"增长了?|增加了?|减少了?|下降了?|提升了?|扩大了?|相差|差|相比|较|比(?![例重])|difference|increase",
                " ",
                text,
            )
        )
        return QuestionSpec(
            "difference", (Target(target, periods[1]), Target(target, periods[0])), periods, lang, unit
        )
    return None


def _ratio(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    m = re.search(r"(?P<a>.+?)占(?P<b>.+?)的(?:比例|比重|百分之几|份额|多少)", text)
    if not m or len(periods) > 1:
        return None
    period = periods[0] if periods else ""
    a, b = _strip(m.group("a")), _strip(m.group("b"))
    if not a or not b:
        return None
    return QuestionSpec("ratio", (Target(a, period), Target(b, period)), periods, lang, "%")


def _extreme(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    m = re.search(
        r"哪一?年.*?(最高|最大|最多|最低|最小|最少)|which year.*?(highest|largest|most|lowest|smallest)",
        text,
        re.I,
    )
    if not m:
        return None
    word = m.group(1) or m.group(2) or ""
    op: Op = "max" if word in ("最高", "最大", "最多", "highest", "largest", "most") else "min"
    target = _strip(
        re.sub(
            r"哪一?年|which year|最高|最大|最多|最低|最小|最少|highest|largest|most|lowest|smallest",
            " ",
            text,
        )
    )
    return QuestionSpec(op, (Target(target),), periods, lang, unit)


def _multi(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    """A和B…分别是多少 / X在2021年和2022年分别是多少: several lookups answered together."""
    if not re.search(r"分别|respectively", text, re.I) or _RANGE_RE.search(text):
        return None
    mentioned = list(dict.fromkeys(y.group("y") for y in _YEAR_RE.finditer(text)))
    target = _strip(text)
    if len(mentioned) >= 2 and target:
        return QuestionSpec(
            "multi", tuple(Target(target, y) for y in mentioned), tuple(mentioned), lang, unit
        )
    items = split_items(target) if len(mentioned) == 1 else []
    if len(items) < 2:
        return None
    return QuestionSpec("multi", tuple(Target(i, mentioned[0]) for i in items), (mentioned[0],), lang, unit)


def split_items(target: str) -> list[str]:
    """宝马和奔驰的全球销量 → [宝马的全球销量, 奔驰的全球销量]; the shared part follows the last item."""
    parts = [p.strip() for p in re.split(r"和|与|及|、", target) if p.strip()]
    if len(parts) < 2:
        return []
    last = parts[-1]
    metric = next((m for m in METRICS if m in last), "")
    if "的" in last:
        cut = last.index("的")
    elif metric:
        cut = last.index(metric)
    else:
        cut = len(parts[0])
    head, suffix = last[:cut].strip(), last[cut:].strip()
    if not head or not suffix:
        return []
    return [f"{p}{suffix}" for p in [*parts[:-1], head]]


def _series(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    if not re.search(
        r"各年|历年|每年|逐年|趋势|走势|变化|列出|分别是多少|each year|trend|list|over the years", text, re.I
    ):
        return None
    target = _strip(
        re.sub(
            r"各年|历年|每年|逐年|的?趋势|的?走势|的?变化|列出|each year|trend|list|over the years", " ", text
        )
    )
    return QuestionSpec("series", (Target(target),), periods, lang, unit)


def _compare(text: str, periods: tuple[str, ...], lang: Lang, unit: str) -> QuestionSpec | None:
    m = re.search(r"(?:对比|比较|compare)(?P<a>.+?)(?:和|与|跟|同|and|with)(?P<b>.+)", text, re.I)
    if not m:
        return None
    a, b = _strip(m.group("a")), _strip(m.group("b"))
    if not a or not b:
        return None
    metric_b = split_metric(b)[1]
    if metric_b and not split_metric(a)[1]:
        a += metric_b
    return QuestionSpec("compare", (Target(a), Target(b)), periods, lang, unit)
