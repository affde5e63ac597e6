"""Numeric facts from prose: "2023年中国人工智能产业规模已达到2137亿元" → a typed ``Fact``.

Reports state their key figures in a handful of sentence shapes: *period, subject+metric,
verb, value* ("2028年中国AI芯片市场规模将达到3931亿元"), a follow-on clause that inherits the
subject ("五年复合增长率达到44.7%"), or *period, count, noun* ("2023年共有18家AI公司进入IPO阶段").
We extract those shapes with patterns rather than a model, keep the source span, and let the
numeric expert decide whether a fact matches a question well enough to be used.

>>> [f.label for f in extract_facts("2023年中国人工智能产业规模已达到2137亿元。")]
['中国人工智能产业规模']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhiku.bi.numbers import Quantity, find_quantities, is_year, to_halfwidth

METRICS = (
    "五年复合增长率",
    "年均复合增长率",
    "复合增长率",
    "CAGR",
    "同比增长率",
    "同比增速",
    "增长率",
    "增速",
    "同比增长",
    "年均增长",
    "市场规模",
    "产业规模",
    "行业规模",
    "规模",
    "市场份额",
    "份额",
    "占比",
    "比例",
    "比重",
    "渗透率",
    "净利润",
    "净利率",
    "毛利率",
    "利润",
    "营业收入",
    "营收",
    "收入",
    "融资额",
    "融资金额",
    "估值",
    "出货量",
    "销量",
    "数量",
)
QUALIFIERS = (
    "预计",
    "或将",
    "有望",
    "将",
    "约为",
    "约",
    "超过",
    "超",
    "逾",
    "近",
    "不足",
    "接近",
    "突破",
    "达到",
    "达",
)
_VERBS = re.compile(
    r"(?:(?:已经|已|预计|或将|有望|将会|将|会|可|约|共|总共|合计|累计|仍|达)*"
    r"(?:达到|达|为|是|约为|超过|超|突破|增长至|增长到|增至|升至|提升至|上升至|下降至|降至|攀升至|有|占|"
    r"reached|reach|was|is|were|are|will\s+reach|will\s+be|of|at|totaled|totalled|hit)?"
    r"(?:了|到|约|近|超|逾)?\s*)$",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(
    r"(?P<y1>(?:19|20)\d{2})(?P<e1>[EeF])?\s*(?:[-–—~～至到]\s*(?P<y2>(?:19|20)\d{2})(?P<e2>[EeF])?)?\s*年?"
)
_CLAUSE_SPLIT = re.compile(r"[，,；;：:（）()\n]")
SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])|\n{2,}|(?<=\.)\s+(?=[A-Z])")
_STOP_LEAD = re.compile(
    r"^(?:[\s，,、：:；;。]|的|而|其中|而且|并且|并|另外|此外|同时|其|和|与|及|截至|截止|到|至|在|预计|预测|有望|根据|据)*"
)
_NUM_WORDS = re.compile(r"(?:多少|几)")


@dataclass(frozen=True)
class Fact:
    """One numeric statement with its provenance.

    ``value`` is in base units (元, %, 家 …) and ``raw`` is the text as written (2137亿元);
    ``period`` is "2023", "2024E" or "2023-2028"; ``label`` is the subject+metric phrase
    used to match questions; ``source`` is "prose", "chart" or "table".  ``start``/``end`` are
    character offsets into ``text`` (the chunk or block the fact came from).
    """

    label: str
    subject: str
    metric: str
    period: str
    value: float
    unit: str
    scale: str
    raw: str
    qualifier: str
    sentence: str
    start: int = 0
    end: int = 0
    source: str = "prose"
    confidence: float = 1.0
    chunk_id: str = ""
    doc_id: str = ""
    page: int | None = None
    row: str = ""  # table facts: the row key (first cell) that locates the row in the rendered table

    @property
    def estimate(self) -> bool:
        return "E" in self.period or self.qualifier in ("预计", "或将", "有望", "将")

    @property
    def year(self) -> int | None:
        m = re.match(r"(\d{4})", self.period)
        return int(m.group(1)) if m and "-" not in self.period else None


def split_metric(label: str) -> tuple[str, str]:
    """中国AI芯片市场规模 → ("中国AI芯片", "市场规模")."""
    for metric in METRICS:
        idx = label.rfind(metric)
        if idx >= 0 and idx + len(metric) >= len(label) - 1:
            return label[:idx].rstrip("的 "), metric
    return label, ""


def _period_before(text: str, pos: int) -> tuple[str, int]:
    """The last year or year range before ``pos``; returns (period, end offset) or ("", -1)."""
    best: tuple[str, int] = ("", -1)
    for m in _YEAR_RE.finditer(text, 0, pos):
        if m.end() > pos:
            break
        after = text[m.end() : m.end() + 1]
        if after and (after.isdigit() or after == "%") and not re.match(r"\d{1,2}月", text[m.end() :]):
            continue
        y1 = m.group("y1") + (("E") if m.group("e1") else "")
        period = y1 if not m.group("y2") else f"{m.group('y1')}-{m.group('y2')}"
        best = (period, m.end())
    return best


def _clean_label(text: str) -> str:
    text = re.sub(r"(?:的|从|由|自)+$", "", text.strip())
    text = _VERBS.sub("", text)
    text = re.sub(r"(?:的|从|由|自)+$", "", text)
    for q in QUALIFIERS:
        if text.endswith(q):
            text = text[: -len(q)]
    text = re.sub(r"^(?:\d{1,2}月(?:\d{1,2}日)?|月)", "", text)
    text = _STOP_LEAD.sub("", text)
    text = re.sub(r"^(?:in|by|the|of|,|\s)+", "", text, flags=re.IGNORECASE)
    return text.strip(" ，,、。.的'\"“”")


_APPROX_Q = ("约为", "约", "超过", "超", "逾", "近", "不足", "接近", "突破")
_FORECAST_Q = ("预计", "或将", "有望", "将")


def _qualifier(before: str) -> str:
    """Approximation first (将超8000亿元 → 超), then forecast (将达到 → 将), then plain verbs."""
    tail = before[-6:]
    for group in (_APPROX_Q, _FORECAST_Q, ("达到", "达")):
        best, at = "", -1
        for q in group:
            pos = tail.rfind(q)
            if pos >= 0 and pos + len(q) > at:
                best, at = q, pos + len(q)
        if best:
            return best
    return ""


_DURATION_AFTER = re.compile(r"^\s*(?:个)?(?:季度|月|年|周|星期|天|日|小时|分钟|秒)")
_EN_MONTH = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$", re.I)


def _is_date_part(text: str, q: Quantity) -> bool:
    """Parts of dates (3月31日, Jan 18) and durations (18个季度, 3个月) are not values of a metric."""
    after = text[q.end : q.end + 1]
    before = text[q.start - 1 : q.start] if q.start else ""
    if q.unit in ("", "年") and after in ("月", "日", "号", "季", "/", "-"):
        return True
    if before in ("月", "/", "第") or _EN_MONTH.search(text[max(0, q.start - 10) : q.start]):
        return True
    return q.unit in ("", "个") and bool(_DURATION_AFTER.match(text[q.end - (1 if q.unit else 0) :]))


def _in_range(text: str, q: Quantity) -> bool:
    """Either end of a range such as 2-4卡 or 30%到70%: not one value, so not a fact."""
    before = text[max(0, q.start - 6) : q.start]
    after = text[q.end : q.end + 3]
    return bool(re.search(r"\d[%％]?\s*[-–—~～至到]\s*$", before) or re.match(r"\s*[-–—~～至到]\s*\d", after))


def _after_label(text: str, q: Quantity) -> str:
    rest = _CLAUSE_SPLIT.split(text[q.end :], maxsplit=1)[0]
    return rest.strip().rstrip("。.！!？?")[:24]


def _respective_label(sentence: str, start: int, q: Quantity) -> str:
    """云端、边缘侧、端侧AI芯片的比例将分别达到48.6%、27.5%与23.9% → the label of one value."""
    head, _, _ = sentence[start:].partition("分别")
    head = _clean_label(_YEAR_RE.sub("", head))
    head = _clean_label(re.sub(r"(?:将|会|预计|或将)$", "", head))
    items = [i for i in re.split(r"[、和与及]", head) if i]
    values = [v for v in find_quantities(sentence[start:]) if v.unit == q.unit]
    index = next((i for i, v in enumerate(values) if v.start + start == q.start), -1)
    if len(items) < 2 or len(items) != len(values) or index < 0:
        return ""
    last = items[-1]
    metric = next((m for m in METRICS if m in last), "")
    at = last.rfind(metric) if metric else len(last)
    if metric and last[at - 1 : at] == "的":
        at -= 1
    suffix, last = last[at:], last[:at]
    shared = set("".join(items[:-1]))
    cut = next((i for i, ch in enumerate(last) if ch not in shared), len(last))
    if 0 < cut < len(last):  # 端侧AI芯片 after 云端、边缘侧: "AI芯片" is shared by all items
        suffix, last = last[cut:] + suffix, last[:cut]
    items[-1] = last
    return items[index] + suffix


def _cagr_period(metric: str, label: str, period: str) -> str:
    m = re.search(r"([二三四五六七八九十两]|\d+)年", label)
    if "复合" not in metric and "CAGR" not in metric.upper():
        return period
    if m and period.isdigit():
        n = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}.get(
            m.group(1)
        ) or int(m.group(1))
        return f"{int(period) - n}-{period}"
    return period


def _fact_in_sentence(sentence: str, q: Quantity, prev: Fact | None) -> Fact | None:
    period, _ = _period_before(sentence, q.start)
    clause_start = 0
    for m in _CLAUSE_SPLIT.finditer(sentence, 0, q.start):
        clause_start = m.end()
    start = clause_start
    # the year may sit mid-clause (AIGC相关融资占2023年AI产业全部融资事件的28%): drop it, keep both sides
    before = _YEAR_RE.sub("", sentence[start : q.start])
    label = _clean_label(before)
    if "分别" in before:
        label = _respective_label(sentence, start, q) or label
    elif prev is not None and prev.end > start:
        # a second value in the same clause (从195亿元增长到620亿元): label from after the first one
        tail = _clean_label(_YEAR_RE.sub("", sentence[prev.end : q.start]))
        label = tail if split_metric(tail)[1] or len(tail) >= 4 else prev.label
    if not label or _NUM_WORDS.search(label):
        after = _after_label(sentence, q)
        label = re.sub(r"^(?:的|个|家)", "", after) if after and not re.match(r"^\d", after) else label
    if not label:
        return None
    subject, metric = split_metric(label)
    if not subject and prev is not None:
        subject = prev.subject
        if period == prev.period or not period:
            period = prev.period
    if not period and prev is not None and prev.subject == subject:
        period = prev.period
    period = _cagr_period(metric, label, period)
    full = (subject + metric) if metric and subject and not label.startswith(subject) else label
    if metric and subject and subject not in label:
        full = subject + label
    return Fact(
        label=full,
        subject=subject,
        metric=metric,
        period=period,
        value=q.value,
        unit=q.unit,
        scale=q.scale,
        raw=q.raw,
        qualifier=_qualifier(sentence[max(0, q.start - 8) : q.start]),
        sentence=sentence.strip(),
        start=q.start,
        end=q.end,
    )


# Two year columns side by side ("2023年 2028年（预计）"): a table flattened into a line of text.
# Its values are in column order, so "the last year before the number" would pair them wrongly.
_FLAT_HEADER = re.compile(r"(?:19|20)\d{2}年?[EeAP]?\s*(?:[(（][^()（）]{0,6}[)）])?\s+(?:19|20)\d{2}年?")


def extract_facts(text: str) -> list[Fact]:
    """Facts of every sentence of ``text``; offsets are relative to ``text``."""
    text = to_halfwidth(text)
    facts: list[Fact] = []
    offset = 0
    for sentence in SENTENCE_SPLIT.split(text):
        if not sentence or "|" in sentence or "\t" in sentence or _FLAT_HEADER.search(sentence):
            continue  # table renderings: their numbers come from the table itself, not prose
        base = text.find(sentence, offset)
        base = base if base >= 0 else offset
        offset = base + len(sentence)
        prev: Fact | None = None
        for q in find_quantities(sentence):
            if is_year(q) or q.unit == "年" or _is_date_part(sentence, q) or _in_range(sentence, q):
                continue
            fact = _fact_in_sentence(sentence, q, prev)
            if fact is None:
                continue
            facts.append(_shift(fact, base))
            prev = fact  # offsets relative to the sentence, as _fact_in_sentence expects
    return facts


def _shift(fact: Fact, base: int) -> Fact:
    from dataclasses import replace

    return replace(fact, start=fact.start + base, end=fact.end + base)
