"""Complete the chosen span where the text shows it stops short.

Why this exists: the scorer learns from machine-reading data whose answers are almost all one span
of one item (31 of 8,207 training answers are enumerations), so it ranks one name of
"由林远与周晴主演" above the enumeration, one piece of a transliterated name above the whole, and a
day above the same day with its year.  What it leaves out is visible in the sentence itself, and
how to take it back in is a general fact about writing, not something to learn:

* **enumerations**: items joined by 、/和/与/及 (", " / and / or in English) are one answer when the
  question may ask for several (no 哪一/第一/最…, "which one", "first") and every item is of the
  chosen item's class (proper names with proper names, nouns with nouns, numbers with numbers);
  an item the question itself states is given, not asked, and is never added;
* **names**: "弗兰克·德拉邦特" and "Jam Cast" are one name each; a piece of one is not the answer;
* **dates**: the year written directly before "9月1日" belongs to it; of a life span
  "（1872年－1944年）" a death is the second year, a birth the first;
* **the asked noun**: the answer to "什么类型的动物" is an animal, named up to 动物.

Only spans the generators proposed are joined, so the completion never invents a boundary.  The
probability stays the chosen span's: the completion states the same fact with what the sentence
adds to it.  English enumerations are left as chosen: its candidates carry no part of speech to
tell a list of names from a run-on clause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import rjieba

from zhiku.answer.reading.candidates import EN_FUNCTION, Candidate
from zhiku.types import Question
from zhiku.understand.normalise import normalise

# Proper-noun tags of the tagger (and ours): a name enumerates with names only.
_NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng", "title"})
_NOUN_TAGS = frozenset({"n", "vn", "nw", "an"})
_ITEM_SOURCES = frozenset({"name", "noun", "capital", "title", "number", "date"})
_SEPS = ("以及", "、", "和", "与", "及", "或", "跟", "同")
# the question asks for one thing: a rank, a superlative, "which one"
_SINGULAR_ZH = re.compile(
    r"哪一|哪个|哪位|哪家|哪国|哪座|哪所|哪名|哪支|哪部|哪条|哪年|哪天|第[一二三四五六七八九十百\d]|首[位个次任]|最|唯一|之一"
)
_SINGULAR_EN = re.compile(r"\b(?:which one|first|last|only|most|least|\w+est)\b", re.I)
# the tagger runs a preposition into the first name of "由林远、周晴主演": not part of the name
_LEAD_FUNCTION = frozenset("由被与和跟同向对将把为是在从让以")
_NAME_DOTS = "·•‧・."
_PERSONAL = frozenset({"nr", "nrt", "nrfg", "eng"})
MAX_PIECE_CHARS = 8
_YEAR_BEFORE = re.compile(r"(?:\d{4}|[一二三四五六七八九〇零]{4})年$")
MAX_ITEM_CHARS = 15
# an item between two 、 (or a 、 and punctuation): no mark inside it
_ITEM_RUN = re.compile(r"[^、，,。；;：:！!？?（）()“”\"'《》\s]+")
_ITEM_RUN_BACK = re.compile(r"[^、，,。；;：:！!？?（）()“”\"'《》\s]+$")
_RESPECTIVELY = re.compile(r"分别|各自|依次|先后|respectively", re.I)
_COMMON_WORD = frozenset({"n", "vn", "v", "a", "ad", "d", "an"})
_KIND_OF_TAG = {"nr": "person", "nrt": "person", "nrfg": "person", "ns": "place", "nt": "organisation"}
# the noun a question asks for: 什么类型的动物 → 动物, 哪个组 → 组, 什么条款 → 条款
_ASKED_NOUN = re.compile(r"(?:什么|哪[个种类])(?:类型|种类|样|种|类)?的?([\u4e00-\u9fff]{1,3}?)(?:[？?]|$)")
# characters that join words rather than build one: a gap holding one is no part of a name
_FUNCTION_CHARS = re.compile(r"[的是在为和与及了有被把将对从到等或也都而]")
MAX_GAP_CHARS = 4
_HEAD_TAGS = frozenset({"n", "ng", "nz", "nt", "ns"})
_DEATH = re.compile(
    r"去世|逝世|死于|死亡|死去|卒于|过世|离世|病逝|\b(?:die[sd]?|death|pass(?:ed|es)? away)\b", re.I
)
_BIRTH = re.compile(r"出生|生于|诞生|出世|\b(?:born|birth)\b", re.I)
# a span of years in parentheses: "（1872年－1944年）", "(1872–1944)"
_SPAN_OF_YEARS = re.compile(r"[（(]\s*(\d{3,4}年?)\s*[-－–—~～至到]\s*(\d{3,4}年?)\s*[）)]")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z0-9'’.-]*(?: [A-Z][A-Za-z0-9'’.-]*)*")
_NEXT_CAPITAL = re.compile(r" ([A-Z][A-Za-z0-9'’-]*)(?![A-Za-z0-9])")
_PREV_CAPITAL = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Za-z0-9'’-]*) $")
_MARKER = re.compile(r"[一二三四五六七八九十\d]+|[a-zA-Z]")  # an outline number ("一、") is no item
_STOP = re.compile(r"[、，,。；;：:！!？?（）()“”\"'\s]")
MAX_ITEMS = 12


def complete(question: Question, candidates: Sequence[Candidate], row: int, text: str) -> Candidate | None:
    """The chosen candidate completed within its sentence ``text``, or ``None`` (nothing to add)."""
    chosen = candidates[row]
    same = [c for c in candidates if c.sentence == chosen.sentence and c is not chosen]
    for step in (_whole_name, _latin_name, _with_year, _life_end, _to_asked_noun, _enumeration):
        done = step(question, chosen, same, text)
        if done is not None:
            return done
    return None


def _whole_name(question: Question, chosen: Candidate, same: list[Candidate], text: str) -> Candidate | None:
    """The whole transliterated name a piece of it stands in (弗兰克 → 弗兰克·德拉邦特)."""
    pieces = [c for c in same if c.tag in _PERSONAL and len(c.text) <= MAX_PIECE_CHARS]
    start, end = chosen.start, chosen.end
    # the tagger may leave the first character after the dot outside the piece (希|普金斯)
    while end + 1 < len(text) and text[end] in _NAME_DOTS:
        after = [c.end for c in pieces if end + 1 <= c.start <= end + 2]
        if not after:
            break
        end = max(after)
    while start > 1 and text[start - 1] in _NAME_DOTS:
        # the shortest piece ending at the dot: a longer one carries a title ("牧师约翰")
        before = [c.start for c in pieces if c.end == start - 1 and len(c.text) >= 2]
        if not before:
            break
        start = max(before)
    if (start, end) == (chosen.start, chosen.end):
        return None
    return Candidate(
        text[start:end], start, end, chosen.sentence, chosen.sources | {"completed"}, chosen.unit, chosen.tag
    )


def _latin_name(question: Question, chosen: Candidate, same: list[Candidate], text: str) -> Candidate | None:
    """A capitalised Latin word inside a run of them is a piece of one name ("Jam" of "Jam Cast")."""
    if not _CAPITALISED.fullmatch(chosen.text):
        return None
    start, end = chosen.start, chosen.end
    while (m := _NEXT_CAPITAL.match(text, end)) and m.group(1).casefold() not in EN_FUNCTION:
        end = m.end()
    while (m := _PREV_CAPITAL.search(text, 0, start)) and m.group(1).casefold() not in EN_FUNCTION:
        start = m.start()
    if (start, end) == (chosen.start, chosen.end):
        return None
    return Candidate(
        text[start:end], start, end, chosen.sentence, chosen.sources | {"completed"}, chosen.unit, chosen.tag
    )


def _with_year(question: Question, chosen: Candidate, same: list[Candidate], text: str) -> Candidate | None:
    """A day or month with the year written directly before it (9月1日 → 2022年9月1日)."""
    if "date" not in chosen.sources or "年" in chosen.text:
        return None
    before = text[max(0, chosen.start - 5) : chosen.start]
    year = _YEAR_BEFORE.search(before)
    if year is None:
        return None
    start = chosen.start - (len(before) - year.start())
    return Candidate(
        text[start : chosen.end], start, chosen.end, chosen.sentence, chosen.sources, chosen.unit, chosen.tag
    )


def _to_asked_noun(
    question: Question, chosen: Candidate, same: list[Candidate], text: str
) -> Candidate | None:
    """A modifier of the noun the question asks for, run on to that noun ("什么类型的动物":
    肉食性 → 肉食性哺乳动物): the answer to "what X" is an X, named up to its head."""
    if question.language != "zh" or question.qtype.kind in ("number", "date"):
        return None
    asked = _ASKED_NOUN.search(question.clean)
    if asked is None:
        return None
    noun = asked.group(1)
    words = rjieba.tag(noun)
    if len(words) != 1 or words[0][1] not in _HEAD_TAGS or noun in chosen.text:
        return None  # "被什么围绕", "受到什么影响": a verb, not the noun asked for
    m = re.compile(rf"[^\W\d_]{{0,{MAX_GAP_CHARS}}}?{re.escape(noun)}").match(text, chosen.end)
    if m is None or _FUNCTION_CHARS.search(m.group(0)[: -len(noun)]):
        return None
    end = m.end()
    return Candidate(
        text[chosen.start : end],
        chosen.start,
        end,
        chosen.sentence,
        chosen.sources | {"completed"},
        chosen.unit,
        chosen.tag,
    )


def _life_end(question: Question, chosen: Candidate, same: list[Candidate], text: str) -> Candidate | None:
    """The other end of a life span ("（1872年－1944年）") when the question asks for it: a death
    is its second year, a birth its first."""
    wants = 1 if _DEATH.search(question.clean) else 0 if _BIRTH.search(question.clean) else -1
    if wants < 0 or not chosen.sources & {"date", "number"}:
        return None
    for m in _SPAN_OF_YEARS.finditer(text):
        ends = [(m.start(1), m.end(1)), (m.start(2), m.end(2))]
        inside = [i for i, (a, b) in enumerate(ends) if a <= chosen.start and chosen.end <= b]
        whole = chosen.start <= ends[0][0] and ends[1][1] <= chosen.end < m.end() + 1  # "1881–1950"
        if (inside and inside[0] != wants) or (whole and not inside):
            a, b = ends[wants]
            return Candidate(
                text[a:b], a, b, chosen.sentence, chosen.sources | {"completed"}, chosen.unit, chosen.tag
            )
    return None


def may_ask_several(question: Question) -> bool:
    """No rank, superlative or "which one" restricts the question to one item."""
    singular = _SINGULAR_EN if question.language == "en" else _SINGULAR_ZH
    return question.qtype.kind == "list" or singular.search(question.clean) is None


def _class(c: Candidate) -> str:
    """What an item must share with its neighbours in an enumeration."""
    if "number" in c.sources:
        return "number:" + c.unit
    if "date" in c.sources:
        return "date"
    if c.tag in _NAME_TAGS or "capital" in c.sources:
        return "name"
    if c.tag in _NOUN_TAGS:
        return "noun"
    return ""


def _enumeration(question: Question, chosen: Candidate, same: list[Candidate], text: str) -> Candidate | None:
    """The enumeration the chosen item (or short enumeration) belongs to, items of its class."""
    if question.qtype.kind in ("number", "date") or not may_ask_several(question):
        return None
    kind = _class(chosen)
    if not kind or (kind == "noun" and question.qtype.kind != "list"):
        return None  # common nouns enumerate the answer only when a list is asked for
    if _RESPECTIVELY.search(text):
        return None  # "A与B分别建立了X和Y": each item goes with its own thing
    if question.language == "en":
        return None  # English candidates carry no part of speech to tell a name list from a clause
    asked = normalise(question.clean)
    alike = [
        c
        for c in same
        if c.sources & _ITEM_SOURCES
        and len(c.text) <= MAX_ITEM_CHARS
        and _class(c) == kind
        and _kin(c, chosen)
    ]
    left: list[Candidate] = []
    right: list[Candidate] = []
    start, end = chosen.start, chosen.end
    while len(left) + len(right) < MAX_ITEMS:
        nxt = _neighbour(alike, text, end, chosen, after=True)
        if nxt is None or _given(nxt.text, asked) or (kind == "name" and _has_own_role(nxt.text)):
            break
        right.append(nxt)
        end = nxt.end
    while len(left) + len(right) < MAX_ITEMS:
        prev = _neighbour(alike, text, start, chosen, after=False)
        if prev is None:
            break
        prev = _trim_lead(prev)
        if _given(prev.text, asked) or (kind == "name" and _has_own_role(prev.text)):
            break
        left.insert(0, prev)
        start = prev.start
    if not left and not right:
        return None
    return _join(chosen, [*left, chosen, *right], text)


def _has_own_role(item: str) -> bool:
    """A name item opening with a common noun ("音效设计师李四") names someone in another role;
    one common dictionary word ("数学家") names no one."""
    words = rjieba.tag(item)
    if len(words) == 1:
        return words[0][1] in _COMMON_WORD
    return len(words[0][0]) > 1 and words[0][1] in _NOUN_TAGS


def _kin(c: Candidate, chosen: Candidate) -> bool:
    """A person enumerates with persons, a place with places (the tagger's coarse kinds)."""
    kind = _KIND_OF_TAG.get(chosen.tag, "")
    return not kind or _KIND_OF_TAG.get(c.tag, "") == kind


def _given(item: str, asked: str) -> bool:
    """The question states the item, or two running characters of it ("通往香港" of a question on
    香港、澳门): it is given, not asked."""
    key = normalise(item)
    return key in asked or any(key[i : i + 2] in asked for i in range(len(key) - 1))


def _neighbour(
    alike: list[Candidate], text: str, at: int, chosen: Candidate, after: bool
) -> Candidate | None:
    """The item joined to position ``at`` by one separator (after it or before it).

    Between two 、 the text itself is the item: the tagger often cuts an unknown name there.  An
    outer item ends where a proposed span of the chosen item's class ends (the longest), else at
    punctuation when it is no longer than the chosen item and two characters (beyond, the clause
    runs on past the item).
    """
    for sep in _SEPS:
        if after and text.startswith(sep, at):
            edge = at + len(sep)
            found = [c for c in alike if c.start == edge]
        elif not after and text.endswith(sep, 0, at):
            edge = at - len(sep)
            found = [c for c in alike if c.end == edge]
        else:
            continue
        raw = _bounded(text, edge, after) if sep == "、" else None
        if raw is not None and raw[2]:  # an inner item: the text between two 、
            return _span(chosen, text, raw[0], raw[1])
        if found:
            return max(found, key=lambda c: c.end - c.start)
        if raw is not None and raw[1] - raw[0] <= len(chosen.text) + 2:
            return _span(chosen, text, raw[0], raw[1])
    return None


def _span(chosen: Candidate, text: str, start: int, end: int) -> Candidate:
    return Candidate(text[start:end], start, end, chosen.sentence, chosen.sources, chosen.unit, chosen.tag)


def _bounded(text: str, edge: int, after: bool) -> tuple[int, int, bool] | None:
    """The span from ``edge`` to the next mark: (start, end, whether that mark is a 、)."""
    m = _ITEM_RUN.match(text, edge) if after else _ITEM_RUN_BACK.search(text, 0, edge)
    if m is None:
        return None
    s, e = (edge, m.end()) if after else (m.start(), edge)
    if not 1 <= e - s <= MAX_ITEM_CHARS or _MARKER.fullmatch(text[s:e]):
        return None
    stop = text[e : e + 1] if after else text[s - 1 : s] if s > 0 else ""
    if stop == "、":
        return s, e, True
    return (s, e, False) if stop == "" or _STOP.fullmatch(stop) else None


def _trim_lead(c: Candidate) -> Candidate:
    """Drop a preposition the tagger ran into the first item ("由林远" → 林远)."""
    if len(c.text) >= 3 and c.text[0] in _LEAD_FUNCTION and c.tag in _NAME_TAGS:
        return Candidate(c.text[1:], c.start + 1, c.end, c.sentence, c.sources, c.unit, c.tag)
    return c


def _join(chosen: Candidate, parts: list[Candidate], text: str) -> Candidate:
    start = min(p.start for p in parts)
    end = max(p.end for p in parts)
    return Candidate(
        text[start:end], start, end, chosen.sentence, chosen.sources | {"completed"}, chosen.unit, chosen.tag
    )
