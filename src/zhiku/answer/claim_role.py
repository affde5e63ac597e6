"""Does the claimed span play the role the question asks for?  Facts about question and answer.

Why: the lexical verifier proves that an answer's words stand in the cited evidence, and the
reader cross-check weighs how likely the claim answers the question.  A wrong answer that names
*another* entity of the same passage passes the first and, where the reader is unsure, the
second.  Yet many such answers cannot be the answer whatever the reader thinks, because of what
the claimed words *are* where they stand in the evidence:

* **alias** — a question for another name ("又称什么", "简称", "also known as") is answered by a
  name the evidence introduces as one: right after 又称/又名/简称/俗名/改称…, "known as", "called".
  A name that stands nowhere after such a cue fills no alias role.
* **foreign fragment** — a single Latin word claimed in a Chinese answer that, everywhere it
  stands, is one word of a longer Latin phrase ("Hunger" of "The Hunger Games", "Rural" of
  "Rural Telephone Service Co."): a piece of a name is no name (and the same for a CJK piece of
  a CJK phrase in an English answer).
* **no place for "where"** — a question for a place (哪里, 哪国, where) answered by a short span
  that is no place name: the reader's word tag and place suffixes (Chinese), no capitalised word
  (English).
* **no person for "who"** — a question for a person (谁, who) answered by a place name (the
  tagger's place words, administrative suffixes), an upper-case acronym (a title or a body) or,
  in English, by words without a capital.
* **piece of a title** — a claim that stands only inside a quoted title and is not all of it
  ("黑高飞" of 《月黑高飞》, "Hunger" of "The Hunger Games").
* **a work for who or where** — a claim that stands only as a quoted title names a work.
* **member of a named class** — "哪所大学", "which company": the claim ends with the class word
  or the evidence calls it so within a few characters.
* **no number for a number** — "第几张", "how many" answered by words without any numeral.
* **figure of the wrong kind** — a share for a question asking an amount with its unit, an
  amount with a unit for a question asking a share.
* **no year for "which year"** — a bare one- or two-digit number.
* **direction for a named thing** — "西南" for "与哪个郡相邻", "north" for "which county": a
  direction places something, it names nothing.
* **month for a non-date question** — "Jul" of a dateline "Jul 22, 2003 …" (or "7月") claimed for
  a question that asks no date or time.
* **unanchored** — in running text, a claim that stands only in sentences sharing no content
  character or word with the question, and shares none itself: lifted from a byline, a dateline
  or another topic; the sentence that answers a question names what it asks about.
* **piece of a word** — a Chinese claim that, wherever it stands, cuts a word of the evidence
  apart ("高圣" of the name "高圣皓羽"): a name is a word or a run of whole words.
* **dateline** — a claim that stands only as the place of a news dateline ("新华社北京2月9日电",
  "BEIJING, Feb. 9 (Xinhua) --"): where the report was filed from, which answers no question
  about what the report tells.
* **one word for a description** — a question asking a feature, effect, cause or shape (特点, 影响,
  原因, 为什么, why, what effect) to which the answer adds one bare word ("块根" for "根有什么特点").

Each check returns a reason (English, for the trace) or ``None``; they are applied by
``reader_check.ReaderCrossCheck`` only where the reader's own pick is not what the answer says,
so an answer that states the reader's pick is never refused here.

>>> role_clash("拉里·伯德条款又称什么条款？", "references", ['<div class="references-small">'])
'the claim is not introduced as another name in the evidence'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence

from zhiku.understand.qtypes import detect_question_type

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")

# words that introduce another name of a thing, within a few characters before that name
_ALIAS_CUE_ZH = re.compile(
    r"又称|又名|又叫|又作|又译|又被称|也称|也叫|也称为|亦称|亦名|或称|简称|俗称|俗名|别称|别名|统称|"
    r"称为|称作|称之为|叫做|叫作|名为|名叫|改称|改名|更名|复名|易名|全称|原名|本名|学名|英文名|"
    r"英语|英文|译名|译为|译作|谥号?|字|号|绰号|外号|昵称|爱称|代号|简写|缩写"
)
_ALIAS_CUE_EN = re.compile(
    r"\b(?:also|otherwise|formerly|better|commonly|popularly)? ?(?:known|called|named|referred to|"
    r"nicknamed|dubbed|abbreviated|shortened|styled|titled|renamed)\b(?: as| to)?|\ba\.?k\.?a\.?|"
    r"\bshort for\b|\bor\b|\bi\.e\.|\bnickname\b|\babbreviation\b|\bname\b|[(（]",
    re.IGNORECASE,
)
_ALIAS_QUESTION_EN = re.compile(
    r"\b(?:also|otherwise|formerly|commonly) (?:known|called|named)\b|\bnickname\b|\babbreviat\w*\b|"
    r"\bshort (?:name|form)\b|\bother name\b|\bwhat (?:is|was|are|were) \w+(?: \w+){0,4} (?:also )?called\b|"
    r"\balias\b|\bstands? for\b",
    re.IGNORECASE,
)
_ALIAS_WINDOW = 12  # characters before the name in which its cue stands
# between the cue and the name: the cue's own punctuation ("简称：DQ"), then no clause break
_AFTER_CUE = re.compile(r"^[：:\s\"“「『《（(]*[^，,。；;：:！？!?]*$")

_MONTH = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\.?$|"
    r"^(?:january|february|march|april|june|july|august|september|october|november|december)$|"
    r"^(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3}|正|腊)月$",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"时间|时候|何时|哪天|哪一天|日期|几月|哪个月|哪年|哪一年|年份|月份|季节|\bwhen\b|\bdate\b|\bmonth\b|\bday\b|\bseason\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _occurrences(claim: str, sentences: Sequence[str]) -> Iterator[tuple[str, int]]:
    for sentence in sentences:
        text = _fold(sentence)
        at = text.find(claim)
        while at >= 0:
            yield text, at
            at = text.find(claim, at + 1)


def asks_alias(question: str) -> bool:
    """The question asks for another name of something ("又称什么", "What is X also called?")."""
    if _CJK.search(question):
        return detect_question_type(question).alias
    return _ALIAS_QUESTION_EN.search(question) is not None


def _alias_clash(question: str, claim: str, sentences: Sequence[str]) -> bool:
    """Asked for another name; the claim stands somewhere, but never right after a naming cue."""
    if not asks_alias(question):
        return False
    cue = _ALIAS_CUE_ZH if _CJK.search(question) else _ALIAS_CUE_EN
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        window = text[max(0, at - _ALIAS_WINDOW) : at]
        if any(_AFTER_CUE.match(window[m.end() :]) for m in cue.finditer(window)):
            return False
    return found


def _foreign_fragment(question: str, claim: str, sentences: Sequence[str]) -> bool:
    """A one-word claim in the other script than the question's that is, wherever it stands, a
    word of a longer phrase of that script."""
    zh = _CJK.search(question) is not None
    if zh:
        if not _LATIN_WORD.fullmatch(claim):
            return False
        before = re.compile(r"[A-Za-z][A-Za-z'’.]*[ \-]$")
        after = re.compile(r"^[ \-][A-Za-z]")
    else:
        if not re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff]{1,4}", claim):
            return False
        before = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u30a0-\u30ff]$")
        after = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\u30a0-\u30ff]")
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        head, tail = text[:at], text[at + len(claim) :]
        if zh and (re.search(r"[A-Za-z]$", head) or re.match(r"^[A-Za-z]", tail)):
            continue  # inside a longer word ("references-small" is one token: still a fragment)
        if not (before.search(head) or after.match(tail)):
            return False  # somewhere it stands on its own
    return found


def _month_clash(question: str, claim: str) -> bool:
    """A bare month claimed for a question that asks no date or time."""
    return _MONTH.match(claim.strip()) is not None and _WHEN.search(question) is None


def _place_clash(question: str, claim: str, typed: bool | None) -> bool:
    """A question for a place answered by a short span that is no place name: in Chinese, one
    neither the reader's typing (its word tag in the evidence, a place suffix: ``typed``) nor the
    tagger on the claim alone sees as a place; in English, one with no capitalised word ("capacity" for "Where is …")."""
    if len(claim) > 12 or re.search(r"\d", claim):
        return False
    kind = detect_question_type(question).kind
    if kind != "place":
        return False
    if _CJK.search(question):
        return typed is False and _CJK.search(claim) is not None and not _is_place_zh(claim)
    return re.search(r"\b[A-Z]", claim) is None and _LATIN_WORD.search(claim) is not None


_PLACE_END = ("市", "省", "县", "州", "国", "郡", "城", "镇", "村", "岛")


def _is_place_zh(claim: str) -> bool:
    """A Chinese place name: one word the tagger marks as a place ("北京", "美国"), or a name
    ending in an administrative suffix ("尼崎市").  Never a name with a "·" (foreign persons)."""
    import jieba.posseg as pseg

    if "·" in claim or not re.fullmatch(r"[\u4e00-\u9fff]{2,8}", claim):
        return False
    words = list(pseg.cut(claim))
    if len(words) == 1 and words[0].flag == "ns":
        return True
    return len(words) == 2 and words[0].flag == "ns" and claim.endswith(_PLACE_END)


def _person_clash(question: str, claim: str) -> bool:
    """A question for a person (谁, who) answered by a place name (Chinese), by words with no
    capital at all (English: "engineers" is nobody's name), or by an upper-case acronym ("CEO",
    "NFL": a title or a body, not a person)."""
    if detect_question_type(question).kind != "person":
        return False
    if re.fullmatch(r"[A-Z]{2,5}", claim):
        return True
    if _CJK.search(question):
        return _is_place_zh(claim)
    return _LATIN_WORD.search(claim) is not None and re.search(r"[A-Z]", claim) is None


_QUOTED = re.compile(r"《([^《》]{2,40})》|「([^「」]{2,40})」|“([^“”]{2,40})”|\"([^\"]{2,40})\"")


def _title_fragment(claim: str, sentences: Sequence[str]) -> bool:
    """The claim stands only inside a quoted title and is not the whole of it ("黑高飞" of
    《月黑高飞》, "Hunger" of "The Hunger Games"): a piece of a title names nothing."""
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        inside = False
        for m in _QUOTED.finditer(text):
            title = next(g for g in m.groups() if g is not None)
            title = re.sub(r"\s*[（(][^（()）]*[）)]$", "", title).strip()  # "拉伊卜(La'eeb)": a gloss
            if m.start() < at and at + len(claim) <= m.end() and title != claim:
                inside = True
                break
        if not inside:
            return False
    return found


_PERCENT = re.compile(r"%|％|百分之|percent|per cent", re.IGNORECASE)
_AMOUNT_UNIT = re.compile(
    r"\d\s*(?:[万亿千百]*(?:元|美元|欧元|港元|人|家|个|吨|辆|台|次|点|米|公里)|(?:million|billion|thousand)?\s*"
    r"(?:yuan|dollars?|euros?|people|persons|companies|tons?|points?|units?))",
    re.IGNORECASE,
)


def _figure_clash(question: str, claim: str) -> bool:
    """A figure of the wrong kind: a share ("1.84%") for a question that asks an amount or a
    count with its unit (点数, 多少人, how many people), or an amount with a unit ("12亿元") for
    a question that asks a share (占比, what percentage)."""
    qt = detect_question_type(question)
    if qt.kind != "number" or not re.search(r"\d", claim):
        return False
    share = _PERCENT.search(claim) is not None
    if qt.unit == "%":
        return not share and _AMOUNT_UNIT.search(claim) is not None
    counted = (
        re.search(r"\bhow many\b|多少[个名位人家次]|几[个名位人家次]", question, re.IGNORECASE) is not None
    )
    return share and bool(qt.unit or qt.units or counted)


_BOOK_TITLE = re.compile(r"《[^《》]{1,40}》")
_EN_QUOTED = re.compile(r"\"[^\"]{1,40}\"|“[^“”]{1,40}”")


def _work_clash(question: str, claim: str, sentences: Sequence[str]) -> bool:
    """Asked who (or, in Chinese, where); the claim stands in the evidence only as a whole
    title of a work: in book-title marks (《泰坦尼克号》), or for "who" in English in quotes
    ("Titanic").  Quotes around a Chinese name may mark a nickname (“鸟巢”), so only 《》 count
    there."""
    kind = detect_question_type(question).kind
    zh = _CJK.search(question) is not None
    if kind not in ("person", "place") or (kind == "place" and not zh):
        return False
    marks = _BOOK_TITLE if zh else _EN_QUOTED
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        if not any(m.start() < at and at + len(claim) <= m.end() for m in marks.finditer(text)):
            return False
    return found and not claim.startswith(("《", "“", '"'))


_NUMERAL = re.compile(
    r"[0-9零〇一二两三四五六七八九十百千万亿半]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)


def _no_number(question: str, claim: str) -> bool:
    """A question for a number (多少, 第几, how many) answered by words holding no numeral at all."""
    return detect_question_type(question).kind == "number" and _NUMERAL.search(claim) is None


def _year_clash(question: str, claim: str) -> bool:
    """Asked which year; the claim is a bare one- or two-digit number ("5"), no year."""
    qt = detect_question_type(question)
    return qt.kind == "date" and qt.grain == "year" and re.fullmatch(r"\d{1,2}", claim) is not None


# classes of named things whose names carry the class ("南开大学", "恒远集团") or are called so
# next to them in the evidence; not companies, organisations or teams, which are often named bare
# ("英特尔", "民建联", "湖人")
_NAMED_CLASSES = (
    "大学", "学院", "学校", "医院", "银行", "集团", "俱乐部", "杂志", "报纸", "电视台", "出版社", "郡",
)  # fmt: skip
_WHICH_ZH = re.compile(r"(?:哪一?|什么)[个支所家部款种类项只位座条届名]?(" + "|".join(_NAMED_CLASSES) + ")")
_WHICH_EN = re.compile(
    r"\b(?:which|what) (university|college|school|hospital|bank|group|club|magazine|newspaper|"
    r"publisher|county)\b",
    re.IGNORECASE,
)
_CLASS_WINDOW = 6


def _class_clash(question: str, claim: str, sentences: Sequence[str]) -> bool:
    """Asked for a member of a named class ("哪所大学", "which company"): the claim neither ends
    with the class word nor stands within a few characters of it anywhere in the evidence."""
    zh = _CJK.search(question) is not None
    m = (_WHICH_ZH if zh else _WHICH_EN).search(question)
    if m is None:
        return False
    head = m.group(1).lower()
    if head in ("杂志", "报纸", "magazine", "newspaper") and (
        claim.startswith("《") or f"《{claim}" in "".join(sentences)
    ):
        return False  # a title in book-title marks names a publication
    window = _CLASS_WINDOW if zh else 4 * _CLASS_WINDOW
    if claim.lower().endswith(head[-1] if zh else head) or head in claim.lower():
        return False
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        near = text[max(0, at - window) : at] + " " + text[at + len(claim) : at + len(claim) + window]
        if head in near.lower():
            return False
    return found


# a question that asks for a description — a feature, an effect, a cause, a shape — is answered
# by a phrase or a clause, not by one bare word lifted from the passage
_DESCRIBE_ZH = re.compile(
    r"什么(?:样的?)?(?:特点|特征|特色|影响|作用|原因|来由|由来|结果|后果|意义|功能|用途|目的|形状|外形|样子|"
    r"贡献|变化|区别|不同|优势|优点|缺点|危害|症状|经过|过程)|(?:^|[，,])为什么|为何|(?:的|之)(?:原因|影响|意义|作用)[？?]?$"
)
_DESCRIBE_EN = re.compile(
    r"^\s*why\b|\bwhat (?:effects?|impacts?|role|purpose|reasons?|causes?|features?|characteristics?|"
    r"differences?|shape|consequences?|significance)\b",
    re.IGNORECASE,
)


def asks_description(question: str) -> bool:
    """The question asks for a description (特点, 影响, 原因, 为什么, why, what effect …).
    "为什么" counts only where it opens a clause: "册封为什么官职" is 为 + 什么, asking a name."""
    return (_DESCRIBE_ZH if _CJK.search(question) else _DESCRIBE_EN).search(question) is not None


def _lone_word(question: str, said: str) -> bool:
    """Asked for a description; all the answer adds to the question is one short word ("块根"
    for "根有什么特点", "fog" for "What effect did …"): a word names, it does not describe."""
    if not said or not asks_description(question) or re.search(r"\d", said):
        return False
    if _CJK.search(question):
        return re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff]{1,2}", said) is not None
    return re.fullmatch(r"[A-Za-z]+", said) is not None


_FUNCTION_ZH = frozenset(
    "的是了在和与及有为被将于对从把吗呢啊吧这那个之其也都而或等以由向到上下中年月日一不"
    "谁什么哪几多少何怎样如请问"
)
_FUNCTION_EN = frozenset(
    "the a an of in on at to for and or is are was were be been by with as from that this it its "
    "what which who whom whose when where why how did does do has have had not".split()
)


def _content(text: str) -> set[str]:
    """The content characters (Chinese) and content word stems (other scripts) of ``text``."""
    low = _fold(text).lower()
    chars = {c for c in low if _CJK.match(c) and c not in _FUNCTION_ZH}
    words = {w[:5] for w in re.findall(r"[a-z]{3,}", low) if w not in _FUNCTION_EN}
    return chars | words


def _unanchored(question: str, claim: str, sentences: Sequence[str]) -> bool:
    """Every evidence sentence that holds the claim shares, outside the claim, nothing with the
    question — no content character, no content word — and neither does the claim: the claim
    was lifted from a sentence about something else (a byline, a dateline, another topic), while
    the sentence that answers a question names what it asks about (or the claim itself does)."""
    asked = _content(question)
    if not asked or asked & _content(claim):
        return False
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        if asked & _content(text[:at] + " " + text[at + len(claim) :]):
            return False
    return found


def _bounds(text: str) -> frozenset[int]:
    """Word boundaries of a Chinese text (the tagger's segmentation): offsets where a word starts or ends."""
    import jieba

    out, at = {0}, 0
    for word in jieba.cut(text):
        at += len(word)
        out.add(at)
    return frozenset(out)


def _word_piece(claim: str, sentences: Sequence[str]) -> bool:
    """A Chinese claim that, wherever it stands, cuts a word of the evidence apart: "高圣" of
    the name "高圣皓羽", "双奥" of "双奥之城".  A name is a word or a run of whole words; a
    piece of one names nothing."""
    if not re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,8}", claim):
        return False
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        bounds = _bounds(text)
        if at in bounds and at + len(claim) in bounds:
            return False
    return found


# a news dateline: the place a report was filed from, between the outlet and the date
# ("新华社北京2月9日电", "本报上海3月1日讯", "BEIJING, Feb. 9 (Xinhua) --", "LONDON (Reuters) -")
_DATELINE_ZH = (
    r"(?:社|报|网|台|电视|日报|晚报|消息)\s*{claim}\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*(?:电|讯|消息)"
)
_DATELINE_EN = r"(?:^|\n|\.\s|\.\.\.\s?){claim},?\s+(?:[A-Z][a-z]{{2,8}}\.?\s+\d{{1,2}},?\s+)?\([A-Z][A-Za-z. ]{{1,30}}\)\s*[-–—]"


_DIRECTION = re.compile(
    r"^(?:[东西南北](?:[东西南北]|部|侧|边|面|方)?|[上下左右前后内外](?:方|侧|边|面|部)|以[东西南北]|"
    r"(?:north|south)(?:-?(?:east|west))?(?:ern)?|(?:east|west)(?:ern)?|upper|lower|left|right|inside|outside)$",
    re.IGNORECASE,
)
_ASKS_NAMED = re.compile(r"哪(?:一)?[个所家位支座条部国]|谁|\b(?:which|who|whom)\b", re.IGNORECASE)
_ASKS_DIRECTION = re.compile(
    r"方向|方位|哪边|哪侧|哪一侧|哪一边|哪面|哪部|哪个方|\bdirection\b|\bwhich (?:side|way|part)\b",
    re.IGNORECASE,
)


def _direction_clash(question: str, claim: str) -> bool:
    """A question for a named thing ("与哪个郡相邻", "which county", "who") answered by a bare
    direction or position word ("西南", "north"): it places something, it names nothing."""
    return (
        _DIRECTION.match(claim.strip()) is not None
        and _ASKS_NAMED.search(question) is not None
        and _ASKS_DIRECTION.search(question) is None
    )


def _dateline(claim: str, sentences: Sequence[str]) -> bool:
    """The claim stands in the evidence only as the place of a news dateline ("新华社北京2月9日电",
    "BEIJING, Feb. 9 (Xinhua) --"): where a report was filed, not where what it reports is."""
    if not claim or len(claim) > 20:
        return False
    zh = re.compile(_DATELINE_ZH.format(claim=re.escape(claim)))
    en = re.compile(_DATELINE_EN.format(claim=re.escape(claim)))
    found = False
    for text, at in _occurrences(claim, sentences):
        found = True
        if not any(m.start() <= at < m.end() for rx in (zh, en) for m in rx.finditer(text)):
            return False
    return found


def role_clash(
    question: str,
    claim: str,
    sentences: Sequence[str],
    *,
    typed: bool | None = None,
    said: str = "",
    prose: bool = True,
) -> str | None:
    """Why ``claim`` (an evidence span the answer states, not the reader's pick) cannot answer
    ``question`` given the evidence ``sentences``; ``None`` when nothing speaks against it.
    ``typed``: whether the reader's typing sees the claim as of the asked kind (``None``: unknown);
    ``said``: the longest stretch the answer adds to the question (``reader_check.novel_stretches``);
    ``prose``: the claim stands in running text (a table cell is anchored by its row and column
    headers, which a sentence of the row does not carry)."""
    claim = _fold(claim).strip()
    question = _fold(question)
    if _lone_word(question, _fold(said).strip()):
        return "the answer gives one bare word, the question asks for a description"
    if not claim:
        return None
    checks: tuple[tuple[Callable[[], bool], str], ...] = (  # in order, each run only if needed
        (lambda: _place_clash(question, claim, typed), "the claim is no place name, the question asks where"),
        (lambda: _person_clash(question, claim), "the claim is no person's name, the question asks who"),
        (
            lambda: _work_clash(question, claim, sentences),
            "the claim is the title of a work, the question asks for a person or a place",
        ),
        (
            lambda: _class_clash(question, claim, sentences),
            "the claim is not called a member of the asked class in the evidence",
        ),
        (lambda: _month_clash(question, claim), "the claim is a month, the question asks for no date"),
        (
            lambda: _direction_clash(question, claim),
            "the claim is a direction, the question asks for a named thing",
        ),
        (lambda: _year_clash(question, claim), "the claim is no year, the question asks which year"),
        (lambda: _no_number(question, claim), "the claim holds no number, the question asks for one"),
        (
            lambda: _figure_clash(question, claim),
            "the claim is a figure of another kind than the one asked (a share for an amount, or back)",
        ),
        (lambda: _title_fragment(claim, sentences), "the claim is a piece of a quoted title in the evidence"),
        (
            lambda: _alias_clash(question, claim, sentences),
            "the claim is not introduced as another name in the evidence",
        ),
        (
            lambda: _foreign_fragment(question, claim, sentences),
            "the claim is one word of a longer name in the evidence",
        ),
        (
            lambda: _word_piece(claim, sentences),
            "the claim is a piece of a longer word in the evidence",
        ),
        (
            lambda: _dateline(claim, sentences),
            "the claim stands only as the place of a news dateline in the evidence",
        ),
        (
            lambda: prose and _unanchored(question, claim, sentences),
            "the claim stands only in sentences that share nothing with the question",
        ),
    )
    return next((reason for clash, reason in checks if clash()), None)


__all__ = ["asks_alias", "asks_description", "role_clash"]
