"""Choosing the answer span inside one sentence: the right type, near the question's words.

For numbers the unit the question names (多少家 → 家, 占比 → %) and the year it asks about
decide between several figures in one sentence ("2023年…2137亿元，预计到2028年…8110亿元").

>>> pick_span(analyse("2028年产业规模是多少？"), sentence)[0].text
'8110亿元'
"""

from __future__ import annotations

import re

from zhiku.answer import spans as sp
from zhiku.answer.evidence import BASELINE_YEAR, Sentence, other_year
from zhiku.types import Question
from zhiku.understand.normalise import normalise


def _candidates(analysis: Question, s: Sentence) -> list[sp.Span]:
    kind = analysis.qtype.kind
    text = s.text
    if kind == "number":
        spans = [c for c in sp.number_spans(text) if _whole_words(text, c) and not _bare_year(c)]
        if analysis.qtype.unit in _STRICT_UNITS:
            family = _STRICT_UNITS[analysis.qtype.unit]
            spans = [c for c in spans if c.unit and any(u in c.unit for u in family)]
        elif analysis.qtype.units:  # an amount or a length was asked: a rate or a ratio does not answer
            spans = [c for c in spans if not any(u in c.unit for u in _RATIO_UNITS)]
        if noun := analysis.qtype.counted:  # "覆盖50+语种": the counted noun is the unit
            spans = [
                sp.Span(text[c.start : c.end + len(noun)], c.start, c.end + len(noun), c.kind, unit=noun)
                if not c.unit and text.startswith(noun, c.end)
                else c
                for c in spans
            ]
        return spans
    if kind == "date":
        return sp.date_spans(text)
    if kind == "other":
        return sp.clause_spans(text)
    import rjieba

    tags = rjieba.tag(text)
    if kind == "list":
        return sp.list_spans(text, tags) or sp.name_spans(text, tags)
    # "北京时间/当地时间" are tagged like names but only ever introduce a time; "根据艾瑞统计"
    # names who counted, not what was counted; a news dateline names who filed the story
    datelines = sp.dateline_spans(text)
    names = [
        n
        for n in sp.name_spans(text, tags)
        if not n.text.endswith("时间")
        and not any(s <= n.start < e for s, e in datelines)
        and not _cited_source(text, n, analysis.question)
        and not _lone_char(n.text)
    ]
    if analysis.qtype.alias:
        return sp.alias_spans(text, analysis.question) or names
    if analysis.qtype.head in ("剧", "片") and "类" in analysis.qtype.cue + analysis.question:
        return sp.genre_spans(text)  # "什么类型的电视剧": a genre, never a title or a name
    if len(analysis.qtype.head) == 1:  # 哪个组 → D组; 哪家公司 is answered by names anyway
        names = names + sp.head_spans(text, tags, analysis.qtype.head)
    if kind == "person":
        own = [
            a for t in analysis.critical if t.role in ("name", "latin") for a in t.alternatives if len(a) >= 2
        ]
        people = [c for n in names for c in sp.name_cores(n) if _person_like(c) and not _names_own(c, own)]
        if _CAST.search(analysis.question):  # "主演是谁": the cast list answers, not one of it
            people += sp.join_listed(people, text)
        return people
    if kind == "place":
        return [
            n
            for n in names
            if (n.tag == "ns" or n.text.endswith(_PLACE_SUFFIXES)) and n.text not in _GENERIC_PLACES
        ]
    return names


def _lone_char(text: str) -> bool:
    """A single Chinese character ("北") is a fragment the tagger split off, not a name."""
    return len(text) == 1 and "\u4e00" <= text <= "\u9fff"


_GENERIC_PLACES = frozenset("城市 国家 地区 省份 本市 全国 全省 全市 各地 当地 海外 国内 国外".split())


def _person_like(span: sp.Span) -> bool:
    if re.match(r"[一二三四五六七八九十两\d]", span.text):
        return False
    if not (span.tag in ("nr", "nrt", "nrfg") or "·" in span.text or span.tag == "eng"):
        return False
    import rjieba

    tags = rjieba.tag(span.text)
    if not tags:
        return False
    last, tag = tags[-1]
    return not (tag in ("n", "vn") and len(last) >= 2)  # 奥斯卡颁奖典礼 is an event, not a person


def _names_own(span: sp.Span, own: list[str]) -> bool:
    """The span holds a name the question itself gives (约翰·肯尼迪 for "谁暗杀了肯尼迪")."""
    text = span.text.lower()
    return any(a in text for a in own)


_CAST = re.compile(r"主演|演员|成员|主创|嘉宾|阵容|都有谁|有哪些人|有谁")


_PLACE_SUFFIXES = ("市", "省", "国", "州", "县", "区", "城", "镇", "村", "岛", "馆", "中心", "体育场")


_RATIO_UNITS = ("%", "％", "‰", "百分点", "倍", "percent", "times")
_STRICT_UNITS = {
    "%": ("%", "％", "‰", "百分点", "percent", "成"),
    "倍": ("倍", "times"),
    "个百分点": ("百分点", "%"),
}


def _bare_year(span: sp.Span) -> bool:
    return not span.unit and re.fullmatch(r"(?:19|20)\d{2}", span.text.strip()) is not None


def _whole_words(text: str, span: sp.Span) -> bool:
    """A span must not end inside a word: 七部 of 七部门 is not a quantity."""
    if span.end >= len(text) or not re.match(r"[\u4e00-\u9fff]", text[span.end - 1]):
        return True
    import rjieba

    window_start = max(0, span.start - 4)
    pos = window_start
    for word in rjieba.cut(text[window_start : span.end + 6]):
        pos += len(word)
        if pos == span.end:
            return True
        if pos > span.end:
            return False
    return True


def pick_span(analysis: Question, s: Sentence) -> tuple[sp.Span, float] | None:
    """The best candidate span of the asked kind and its fit score (unit, year, nearness)."""
    question = normalise(analysis.question)
    cands = [c for c in _candidates(analysis, s) if not _echoes(normalise(c.text).strip(), question)]
    if not cands:
        return None
    anchors = _anchors(analysis, s)
    scored = [(c, _span_score(analysis, s, c, anchors)) for c in cands]
    return max(scored, key=lambda pair: pair[1])


def _echoes(span: str, question: str) -> bool:
    """The span repeats the question (its own subject or year) rather than answering it."""
    if span in question:
        return True
    if len(span) < 3 or span[0].isdigit():
        return False
    pairs = [span[i : i + 2] for i in range(len(span) - 1)]
    return sum(p in question for p in pairs) / len(pairs) > 0.5


def _anchors(analysis: Question, s: Sentence) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for term in analysis.tokens:
        for alt in term.alternatives:
            start = s.norm.find(alt)
            while start >= 0:
                out.append((start, start + len(alt)))
                start = s.norm.find(alt, start + 1)
    return out


def _span_score(analysis: Question, s: Sentence, c: sp.Span, anchors: list[tuple[int, int]]) -> float:
    qt = analysis.qtype
    score = 0.0
    if anchors:
        start, end = c.outer or (c.start, c.end)  # a name cut from "张昊领衔主演" is as near as the run
        dist = min(start - e if start >= e else (st - end) * 1.5 if end <= st else 0 for st, e in anchors)
        score -= dist / 30
    if qt.kind == "number":
        score += _number_bonus(analysis, s, c)
    elif qt.kind == "date":
        has_day = bool(re.search(r"[日号]|\d,? \d{4}", c.text))
        has_month = "月" in c.text or bool(re.search(r"[a-z]", c.text, re.I))
        if qt.grain == "day":
            score += 0.8 * has_day + 0.3 * has_month
        elif qt.grain == "year":
            score += 0.5 * bool(re.search(r"\d{3,4}年", c.text)) - 0.3 * has_month
        if other_year(c.text, analysis.years):
            score -= 1.0  # "2014年" does not answer "2021年温网开始时间"
    elif qt.kind == "entity":
        score += _entity_bonus(analysis, c)
    elif qt.kind == "person" and c.kind == "list":
        score += 0.3
    elif qt.kind == "other":
        covered = sum(1 for st, e in anchors if c.start <= st and e <= c.end)
        score += 0.3 * covered - len(c.text) / 80
    return score


_WORK = re.compile(r"电影|影片|电视剧|剧|书|小说|作品|歌|专辑|节目|游戏|片|著作|文件|办法|法规|条例|报告")


def _entity_bonus(analysis: Question, c: sp.Span) -> float:
    """Titles answer questions about works; a bare place rarely answers "哪家公司/哪部电影"."""
    bonus = 0.0
    if c.tag == "title" and c.text.startswith("《"):
        # a work's title answers "哪部电视剧", not "什么类型的电视剧" (a genre: 刑侦剧)
        bonus += (
            -0.6 if analysis.qtype.head in ("剧", "片") else 0.6 if _WORK.search(analysis.question) else 0.2
        )
    if (
        c.tag == "ns"
        and not re.search(r"国家|城市|地区|省|哪里|在哪", analysis.question)
        and _place_only(c.text)
    ):
        bonus -= 0.5  # a city or a venue is a place; a city's name + a nickname + 队 is a team
    category = analysis.qtype.category
    if category and c.text.endswith(category) and c.text != category:
        bonus -= 0.6  # "NFL冠军" restates what "超级碗冠军是谁" asks for; it does not name it
    head = analysis.qtype.head
    if len(head) == 1 and c.text.endswith(head) and c.text != head:
        # "哪个组" is answered by "D组"; a longer head says less (哪家公司 → 英特尔, not 制造公司)
        bonus += 0.5
    return bonus


_SOURCE_LABEL = re.compile(r"来源[:：]\s*$")
_SOURCE_BEFORE = re.compile(r"(?:根据|据|援引|引述|引用)\s*$")
_SOURCE_AFTER = re.compile(r"^\s*(?:不完全)?(?:统计|测算|数据|调查|报道|报告|显示|预测|发布的)")
_SOURCE_ASKED = re.compile(r"来源|出处|哪家机构|谁(?:统计|测算|发布|报道)|根据")


def _cited_source(text: str, c: sp.Span, question: str) -> bool:
    """The span is the source a statement cites ("根据艾瑞不完全统计", "来源：艾瑞咨询研究院")."""
    if _SOURCE_ASKED.search(question):
        return False
    before = text[max(0, c.start - 6) : c.start]
    if _SOURCE_LABEL.search(before):
        return True
    return bool(_SOURCE_BEFORE.search(before)) and bool(_SOURCE_AFTER.match(text[c.end : c.end + 8]))


def _place_only(text: str) -> bool:
    import rjieba

    return text.endswith(_PLACE_SUFFIXES) or len(rjieba.cut(text)) == 1


def _number_bonus(analysis: Question, s: Sentence, c: sp.Span) -> float:
    qt = analysis.qtype
    bonus = 0.4 if c.unit else 0.0
    if qt.unit:
        bonus += _unit_match(qt.unit, c.unit)
    elif qt.units:
        # by the unit's end: "亿元" is money, "亿人次" is not; "万吨" is a weight, "公斤/亩" a yield
        bonus += 0.8 if c.unit.lower().endswith(qt.units) else -0.3
    elif qt.counted and c.unit.endswith(qt.counted):
        bonus += 0.8  # "覆盖50+语种" for "覆盖了多少语种"
    elif c.unit.endswith(("年", "个月", "天", "岁")):
        bonus -= 0.3
    per_unit = _PER_UNIT.search(s.norm[max(0, c.start - 12) : c.start]) or _PER_AFTER.match(s.norm[c.end :])
    if per_unit and not _PER_UNIT.search(analysis.question.lower()):
        bonus -= 0.8  # "人均GDP 2.69万美元", "每股95美元": a per-head figure, not the asked total
    growth_before = _GROWTH.search(s.norm[max(0, c.start - 8) : c.start])
    if qt.unit == "%" and growth_before and not _GROWTH.search(analysis.question.lower()):
        bonus -= 0.8  # a growth rate where a share was asked
    if analysis.years:
        before = [m for m in re.finditer(r"(?:19|20)\d{2}", s.norm[: c.start])]
        if before:
            # "比2021年增加24.6万吨" is a change against 2021, not 2021's figure
            baseline = BASELINE_YEAR.search(s.norm[max(0, before[-1].start() - 3) : c.start])
            asked = before[-1].group(0) in analysis.years and not baseline
            bonus += 1.0 if asked else -0.8
    return bonus + _place_before(analysis, s, c)


def _place_before(analysis: Question, s: Sentence, c: sp.Span) -> float:
    """The place named last before a figure is usually whose figure it is.

    "2021年第四季度中国GDP同比增长4.0%，而美国…" gives China's growth, not the asked America's.
    """
    asked = [a for t in analysis.critical if t.role == "place" for a in t.alternatives]
    if not asked:
        return 0.0
    import rjieba

    window = s.norm[max(0, c.start - 40) : c.start]
    clause = re.split(r"[，。；;,]", window)[-1]
    places = [w for w, tag in rjieba.tag(clause) if tag == "ns" and len(w) >= 2]
    if not places:
        return 0.0
    return 0.5 if any(a in places[-1] or places[-1] in a for a in asked) else -0.8


_PER_UNIT = re.compile(r"人均|每股|每人|每户|每吨|每台|每辆|每件|单价|per (?:capita|share|person|head)")
_PER_AFTER = re.compile(r"\s*(?:per (?:share|capita|person|head)|a share|each\b)")
_GROWTH = re.compile(r"增长|增速|增幅|cagr|同比|环比|上涨|下降|下跌|提升|提高|growth|grew|increase")

_UNIT_GROUPS = (
    frozenset("人名位"),
    frozenset("个家座所只款种项部台辆件条张枚颗块"),
)


def _unit_match(asked: str, unit: str) -> float:
    """+1 for the asked unit, +0.5 for a sibling measure word (名 ~ 人), -0.6 for another unit."""
    if asked in unit or (asked == "%" and "％" in unit):
        return 1.0
    last = unit[-1:] if unit else ""
    if any(asked in group and last in group for group in _UNIT_GROUPS):
        return 0.5
    return -0.2 if not unit else -0.6
