"""Candidate answer spans in a sentence: numbers with units, dates, names, enumerations, clauses.

The extractive reader asks this module "which pieces of this sentence could answer a question
of kind K?" and then picks the one nearest the question's key terms.  Everything is regular
expressions plus jieba part-of-speech tags (through ``rjieba``), so it runs in microseconds.

>>> [s.text for s in number_spans("2023年规模达到2137亿元，五年复合增长率为30.6%。")]
['2137亿元', '30.6%']
>>> [s.text for s in date_spans("新规于2031年5月17日生效。")]
['2031年5月17日']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SpanKind = Literal["number", "date", "name", "list", "clause"]


@dataclass(frozen=True)
class Span:
    """A piece of a sentence; ``unit`` is the unit/measure word of a number ("亿元", "%", "家")."""

    text: str
    start: int
    end: int
    kind: SpanKind
    unit: str = ""
    tag: str = ""  # part-of-speech tag of a name (nr person, ns place, nt organisation …)
    outer: tuple[int, int] | None = None  # the name run a core was cut from (see name_cores)


_DIGITS = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
_CN_NUM = r"[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"
_MAG = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|百)"
_EN_MAG = r"(?:\s?(?:trillion|billion|million|thousand|bn|mn)\b)"
_UNIT = (
    r"(?:个百分点|百分点|%|％|‰|倍|亿元|万元|千元|元人民币|元|亿美元|万美元|美元|亿欧元|欧元|日元|韩元|英镑|港元|港币|"
    r"家|个|人次|人|名|位|次|种|项|款|台|辆|件|部|座|所|条|张|只|份|岁|周岁|年|个月|天|小时|分钟|秒|"
    r"亿美金|美金|亿港币|港币|万斤|亿斤|斤|点|"
    r"吨|千克|公斤|克|千米|公里|平方公里|平方米|米|厘米|公分|公尺|毫米|纳米|英尺|英寸|英里|海里|磅|公顷|亩|"
    r"GB|TB|PB|MB|Gbps|TOPS|"
    r"[PET]?FLOPS|瓦|千瓦|兆瓦|W|kW|度|℃|分|票|字|页|集|场|届|枚|架|艘|颗|块|户|层|级|代|卷|章|首|册|篇|株|棵|头|匹|"
    r"percent\b|per cent\b|times\b|yuan\b|dollars?\b|people\b|companies\b)"
)
# A unit of Latin letters written onto the number ("160Wh/kg", "3.2GHz", "5nm"): tried after the
# known units, and only without a space, so "2023 its" never reads "its" as a unit.
_LATIN_UNIT = r"[A-Za-z]{1,5}(?:/[A-Za-z]{1,5})?"
_SINGLE = (
    rf"(?:(?:US)?\$|¥|￥)?(?:{_DIGITS}{_EN_MAG}?|{_CN_NUM})\s?{_MAG}?(?:\+|多|余)?"
    rf"(?:\s?{_UNIT}|(?<=\d){_LATIN_UNIT})?"
)
_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9.])(?:{_SINGLE}(?:\s?(?:到|至|-|~|～|—|–|to)\s?{_SINGLE})?)(?:(?<![0-9A-Za-z])|(?![A-Za-z0-9]))"
)
_HAS_DIGIT = re.compile(r"\d")
_CN_ONLY = re.compile(rf"^{_CN_NUM}$")

_PHASE = r"(?:初期|早期|中期|晚期|末期|前期|后期|初|中叶|末|上半叶|下半叶)"
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:(?:公元前|公元|前)\d{1,4}|\d{3,4}|[零〇一二三四五六七八九]{4})年"
_MD = r"\d{1,2}月(?:\d{1,2}[日号])?(?:[上中下]旬)?"
# the end of a range: "至16日", "至11月16日", "到2024年3月" (never a dangling "至")
_RANGE_END = rf"(?:到|至|-|—|~)(?:{_YEAR}(?:{_MD})?|{_MD}|\d{{1,2}}[日号])"
_DATE = re.compile(
    rf"{_YEAR}(?:{_MD}|[初底末]|代|上半年|下半年)?(?:{_RANGE_END})?"
    rf"|{_MD}(?:{_RANGE_END})?|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    rf"|{_MONTHS}\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}|\d{{1,2}}\s{_MONTHS}\s\d{{4}}|{_MONTHS}\s\d{{4}}"
    r"|\b(?:in|since|by|until) (?:1[5-9]|20)\d{2}\b"
    rf"|(?:公元前|公元)?(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})世纪(?:\d0年代)?{_PHASE}?"
    rf"|\d0年代{_PHASE}?|[\u4e00-\u9fff]{{1,3}}纪{_PHASE}|[\u4e00-\u9fff]{{2,4}}(?:时期|期间|年间)"
)
_YEAR_IN = re.compile(r"(?:19|20)\d{2}")

_TITLE = re.compile(r"《[^《》]{1,40}》|“[^“”]{1,30}”|「[^「」]{1,30}」|\"[^\"]{1,30}\"")
# a comma or colon between digits ("3,600 tons", "10:30") is part of a number, not a clause break
_CLAUSE = re.compile(r"(?:[^，,；;：:。！？!?]|(?<=\d)[,:](?=\d))+")

_PROPER_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng"})
_NOUN_TAGS = _PROPER_TAGS | frozenset({"n", "vn", "an", "nrt"})
_ITEM_TAGS = _NOUN_TAGS | frozenset({"m", "q", "mq", "a", "b", "x"})
_LIST_SEPS = frozenset({"、", "和", "及", "与", "以及", "或", ",", "and", "or"})
_JOINERS = frozenset({"-", "·", ".", "•", "/"})
_STRONG_SEPS = frozenset({"、", ","})


def locate(text: str, tags: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """Attach character offsets to ``(word, tag)`` pairs from ``rjieba.tag``, names mended."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    for word, tag in tags:
        found = text.find(word, pos)
        if found < 0:
            continue
        pos = found + len(word)
        if out and _given_name(out[-1], word, tag, found):
            surname = out.pop()
            out.append((surname[0] + word, "nr", surname[2]))
            continue
        out.append((word, tag, found))
    return out


# Month and weekday names are capitalised but name a date's part, never a person or a thing.
CALENDAR_WORD = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\.?"
)

# Tags a given name is never read as: verbs, prepositions, particles, numerals, punctuation.
_NOT_GIVEN = frozenset({"v", "vd", "vn", "p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "d", "m", "q", "r", "x",
                        "f", "s", "y", "e", "o", "zg"})  # fmt: skip


def _given_name(prev: tuple[str, str, int], word: str, tag: str, found: int) -> bool:
    """The tagger often cuts an unknown person's name after the surname ("周/nr 明远/a"): a
    one-character surname directly followed by one or two Chinese characters that are no verb,
    particle or number is read as one name."""
    surname, prev_tag, at = prev
    return (
        prev_tag == "nr"
        and len(surname) == 1
        and at + 1 == found
        and tag not in _NOT_GIVEN
        and re.fullmatch(r"[\u4e00-\u9fff]{1,2}", word) is not None
    )


_ARTICLE_UNITS = frozenset(
    {"个", "种", "位", "名", "家", "只", "部", "座", "项", "款", "条", "次", "件", "张"}
)
_ALIAS = re.compile(
    r"(?P<marker>又称|又名|别名|别称|亦称|亦作|亦名|俗称|简称|全称|又叫|也叫|也称|或称|通称|统称|被称为|称为|称作|"
    r"英文名|英语|英文|学名|原名|本名|艺名|谥号|字|号)(?:为|是|作)?[:：]?\s*"
    r"(?P<name>[^，。；;,（）()：:]{1,40})"
)
# Alias markers that name a different kind of name than the usual "又称": asked for explicitly.
_SPECIAL_MARKERS = (
    "英文名",
    "英语",
    "英文",
    "学名",
    "原名",
    "本名",
    "艺名",
    "谥号",
    "字",
    "号",
    "简称",
    "全称",
)


def alias_spans(text: str, asked: str = "") -> list[Span]:
    """What follows 又称/又名/简称/原名 … ("青叶草也称山铃草、野蓝草" → 山铃草、野蓝草).

    A list of aliases ("A、B或C") is kept whole: it is the answer to "又称什么".  Markers of a
    special kind of name (英文名, 学名, 简称 …) count only when the question ``asked`` uses them,
    so "英文缩写：MTL" does not answer "简称是什么", and "学名" does not answer "又称什么".
    """
    out = []
    for m in _ALIAS.finditer(text):
        marker, name = m.group("marker"), m.group("name").strip()
        if marker in _SPECIAL_MARKERS and marker not in asked:
            continue
        if len(name) < 2 or not re.search(r"[\w\u4e00-\u9fff]", name):
            continue
        out.append(Span(name, m.start("name"), m.start("name") + len(name), "name", tag="alias"))
    return out


def number_spans(text: str) -> list[Span]:
    """Numbers with their unit ("2137亿元", "44.7%", "30%到70%", "五家", "811 billion")."""
    out: list[Span] = []
    dates = [(d.start, d.end) for d in date_spans(text)]
    for m in _NUMBER.finditer(text):
        raw = m.group(0).rstrip()
        start = m.start()
        core, unit = _split_unit(raw)
        if not core:
            continue
        if not _HAS_DIGIT.search(raw) and (_CN_ONLY.match(core) and not unit):
            continue  # bare Chinese numerals such as the 一 of 一些
        if core == "一" and unit in _ARTICLE_UNITS:
            continue  # 一种/一个/一位 work as articles ("是一种鸟"), not as answers
        end = start + len(raw)
        if unit == "年" and re.fullmatch(r"(?:19|20)\d{2}(?:\D+(?:19|20)\d{2})?", core.strip()):
            continue  # a year or a span of years, not a quantity
        inside_date = any(ds <= start and end <= de for ds, de in dates)
        if inside_date and not (unit and unit != "年"):
            continue
        out.append(Span(raw, start, end, "number", unit=unit))
    return out


# A news dateline with its reporter ("新华社杭州9月24日电（记者 王某）"): who filed the story,
# where and when; its agency, city and reporter are never the answer to a question about the news.
_DATELINE = re.compile(
    r"[\u4e00-\u9fff]{2,12}\d{1,2}月\d{1,2}日电\s*(?:[（(](?:记者|通讯员)[^）)]{1,30}[）)])?"
)


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Where news datelines stand in ``text`` (start, end)."""
    return [(m.start(), m.end()) for m in _DATELINE.finditer(text)]


_ORDINAL = re.compile(rf"第(?:\d+|[零〇一二两三四五六七八九十百]+)(?:{_UNIT})?")
ASKS_ORDINAL = re.compile(r"第几|排名|名次|排第|位列|位居")


def ordinal_spans(text: str) -> list[Span]:
    """Ranks and ordinals ("第九", "第3名", "第十四届"): the answer to 排名第几, never a quantity."""
    out = []
    for m in _ORDINAL.finditer(text):
        unit = m.group(0)[1:].lstrip("0123456789零〇一二两三四五六七八九十百")
        out.append(Span(m.group(0), m.start(), m.end(), "number", unit=unit))
    return out


def _split_unit(raw: str) -> tuple[str, str]:
    m = re.search(rf"(?:{_MAG}|\+|多|余)?\s?{_UNIT}$|{_MAG}$|{_EN_MAG}$|(?<=\d){_LATIN_UNIT}$", raw)
    if m is None or m.start() == 0:
        return raw, ""
    return raw[: m.start()], raw[m.start() :].strip()


def date_spans(text: str) -> list[Span]:
    """Dates and years ("2031年5月17日", "11月3日", "前87年", "May 17, 2031")."""
    return [Span(m.group(0).strip(), m.start(), m.end(), "date") for m in _DATE.finditer(text)]


def years_in(text: str) -> set[str]:
    """Four-digit years mentioned anywhere (used to check the evidence speaks of the asked year)."""
    return set(_YEAR_IN.findall(text))


def name_spans(text: str, tags: list[tuple[str, str]]) -> list[Span]:
    """Names: 《titles》, quoted terms, and runs of nouns that hold a proper noun (POS tags)."""
    out = [Span(m.group(0), m.start(), m.end(), "name", tag="title") for m in _TITLE.finditer(text)]
    run: list[tuple[str, str, int]] = []
    for word, tag, found in locate(text, tags):
        nounish = tag in _NOUN_TAGS and bool(word.strip()) and re.fullmatch(r"[\W_]+", word) is None
        joiner = word in ("·", "•", "・") and bool(run) and run[-1][2] + len(run[-1][0]) == found
        if joiner:
            run.append(("·", run[-1][1], found))
            continue
        if nounish and (not run or run[-1][2] + len(run[-1][0]) == found):
            run.append((word, tag, found))
            continue
        out.extend(_flush(run))
        run = [(word, tag, found)] if nounish else []
    out.extend(_flush(run))
    return out


def _flush(run: list[tuple[str, str, int]]) -> list[Span]:
    while run and run[-1][0] == "·":
        run = run[:-1]
    # an English word is a proper noun only when capitalised ("was", "opened" are tagged eng too)
    proper = [
        tag
        for w, tag, _ in run
        if tag in _PROPER_TAGS and (tag != "eng" or (w[:1].isupper() and not CALENDAR_WORD.fullmatch(w)))
    ]
    if not proper:
        return []
    start = run[0][2]
    end = run[-1][2] + len(run[-1][0])
    text = "".join(w for w, _, _ in run)
    if len(text) > 16:
        return []
    return [Span(text, start, end, "name", tag=proper[0])]


# Words that sit next to a name in news text and get glued into the noun run: roles and titles
# before it (总导演张艺谋, 外交部长谢尔盖·拉夫罗夫), verbs after or before it (张昊领衔主演,
# 战胜安洗莹).  Never part of a person's name.
_ROLE_WORDS = re.compile(
    r"(?:领衔|联袂)?主演|饰演?|扮演|出演|(?:总)?导演|执导|编剧|制片人|主持人|演员|歌手|作者|创始人|"
    r"冠军|亚军|季军|得主|选手|教练|队长|旗手|火炬手|战胜|击败|负于|"
    r"当选|出任|担任|任命|委任|提名|记者|总理|总统|主席|(?:外交)?部长|市长|议长|"
    r"董事长|董事|总经理|总裁|首席[\u4e00-\u9fff]{1,4}官|行长|局长|厅长|书记|省长|县长|区长|镇长|"
    r"秘书长|会长|理事长|社长|主编|总监|经理|创办人|负责人|发言人|"
    r"弟子|徒弟|学生|先生|女士|夫人|老师|校长|院长|教授"
)


def name_cores(span: Span) -> list[Span]:
    """The pieces of a name run left after cutting out role and verb words, each ≥ 2 characters.

    "闭幕式总导演张艺谋" → 闭幕式, 张艺谋; "张昊领衔主演" → 张昊.  A run without such words is
    returned as it is.
    """
    roles = list(_ROLE_WORDS.finditer(span.text))
    if not roles:
        return [span]
    pieces: list[Span] = []
    pos = 0
    for m in [*roles, None]:
        end = m.start() if m else len(span.text)
        piece = span.text[pos:end].strip("·• ")
        if len(piece) >= 2:
            at = span.start + span.text.index(piece, pos)
            tag = _piece_tag(piece, span.tag)
            pieces.append(Span(piece, at, at + len(piece), span.kind, tag=tag, outer=(span.start, span.end)))
        pos = m.end() if m else pos
    return pieces


def join_listed(spans: list[Span], text: str) -> list[Span]:
    """Names listed one after another ("林远、周晴领衔主演") joined into one list span."""
    ordered = sorted(spans, key=lambda c: c.start)
    out: list[Span] = []
    group: list[Span] = []
    for c in [*ordered, None]:
        if c is not None and group and text[group[-1].end : c.start] in ("、", "和", "与", "及", "，", ","):
            group.append(c)
            continue
        if len(group) >= 2:
            start, end = _listed_before(text, group[0].start), group[-1].end
            out.append(Span(text[start:end], start, end, "list"))
        group = [c] if c is not None else []
    return out


def _listed_before(text: str, start: int) -> int:
    """Extend a list of names back over a leading name the tagger missed ("，雷佳音、张子枫…")."""
    if start < 1 or text[start - 1] != "、":
        return start
    for size in (2, 3, 4):
        at = start - 1 - size
        piece = text[at : start - 1] if at >= 0 else ""
        if re.fullmatch(r"[\u4e00-\u9fff]+", piece) and (at == 0 or text[at - 1] in _BEFORE_NAME):
            return at
    return start


_BEFORE_NAME = frozenset('，,、：:（(“"由是为和与及 ')


def _piece_tag(piece: str, fallback: str) -> str:
    import rjieba

    tags = [tag for _, tag in rjieba.tag(piece) if tag in _PROPER_TAGS]
    return tags[0] if tags else fallback if "·" in piece else ""


# Genres of films and series: a closed, well-known set ("什么类型的电视剧" → 刑侦剧, 喜剧).
_GENRE_WORD = (
    r"(?:喜剧|悲剧|动作|爱情|科幻|悬疑|推理|惊悚|恐怖|纪录|动画|战争|历史|古装|武侠|刑侦|反黑|扫黑|警匪|犯罪|"
    r"家庭|都市|青春|校园|甜宠|奇幻|玄幻|传记|歌舞|剧情|体育|励志|谍战|年代|军旅|律政|职场|仙侠|灾难|冒险)"
)
_GENRE = re.compile(rf"{_GENRE_WORD}(?:[、和与/]?{_GENRE_WORD})*(?:片|剧)?")


def genre_spans(text: str) -> list[Span]:
    """Genre words, with the 片/剧 that may follow ("反黑刑侦剧", "喜剧类型影片" → 喜剧)."""
    return [Span(m.group(0), m.start(), m.end(), "name", tag="genre") for m in _GENRE.finditer(text)]


def head_spans(text: str, tags: list[tuple[str, str]], head: str) -> list[Span]:
    """Words ending in a one-character head noun: "哪个组" → D组, "哪个奖" → 金球奖 (not 组 itself)."""
    out: list[Span] = []
    words = locate(text, tags)
    for n, (word, tag, found) in enumerate(words):
        if not word.endswith(head):
            continue
        start = found
        if word == head and n > 0:
            prev, prev_tag, prev_at = words[n - 1]
            if prev_at + len(prev) != found or not (
                prev_tag in _NOUN_TAGS or (prev.isascii() and prev.isalnum())
            ):
                continue
            start = prev_at
        elif word == head or word[-2] in "小本该各同分这那每全此":
            continue  # 小组/本组 refer back to a group, they do not name one
        out.append(Span(text[start : found + len(word)], start, found + len(word), "name", tag=tag))
    return out


def list_spans(text: str, tags: list[tuple[str, str]]) -> list[Span]:
    """Enumerations ("7B、13B、33B和65B", "Alibaba, Baidu and Tencent"): items joined by 、/和/and."""
    items: list[tuple[int, int]] = []  # (start, end) of item runs
    seps: list[str] = []  # separator before each item after the first of a group
    out: list[Span] = []
    current: tuple[int, int] | None = None
    pending_sep: str | None = None
    for word, tag, found in locate(text, tags):
        if word.strip() == "":
            continue
        if word in _LIST_SEPS:
            if current is not None:
                items.append(current)
                current = None
            pending_sep = word if items else None
            continue
        if current is not None and word in _JOINERS and current[1] == found:
            current = (current[0], found + len(word))
            continue
        if tag in _ITEM_TAGS and re.fullmatch(r"[\W_]+", word) is None:
            if current is None:
                if pending_sep is None and items:
                    out.extend(_emit_list(text, items, seps))
                    items, seps = [], []
                elif pending_sep is not None:
                    seps.append(pending_sep)
                current = (found, found + len(word))
            else:
                current = (current[0], found + len(word))
            pending_sep = None
            continue
        if current is not None:
            items.append(current)
            current = None
        out.extend(_emit_list(text, items, seps))
        items, seps, pending_sep = [], [], None
    if current is not None:
        items.append(current)
    out.extend(_emit_list(text, items, seps))
    return out


def _emit_list(text: str, items: list[tuple[int, int]], seps: list[str]) -> list[Span]:
    if len(items) < 2 or (len(items) > 2 and not _STRONG_SEPS.intersection(seps)):
        return []
    start, end = items[0][0], items[-1][1]
    return [Span(text[start:end], start, end, "list")]


def clause_spans(text: str) -> list[Span]:
    """Comma-separated clauses: the short answer of a free-text question."""
    return [
        Span(m.group(0).strip(), m.start(), m.end(), "clause")
        for m in _CLAUSE.finditer(text)
        if len(m.group(0).strip()) >= 2
    ]
