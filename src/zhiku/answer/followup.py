"""Follow-up questions made stand-alone by rules: carry the subject, the year or the place over.

Retrieval needs a whole question: "那2028年呢？" or "它的增速是多少？" alone find nothing.  When no
LLM is configured these rules rewrite a follow-up from the previous stand-alone question.  They
state facts about how people ask, never names: a follow-up that only gives a new year swaps
the year; one that only gives a new place swaps the place (places are recognised by the
segmenter's part-of-speech tags, English ones by capitalisation); a pronoun (它/其/it/its/they)
stands for the previous question's subject, the noun phrase before its measure word.

>>> rewrite_follow_up("那2028年呢？", "2023年某国储能电池出货量是多少？")
'2028年某国储能电池出货量是多少？'
>>> rewrite_follow_up("它的同比增速是多少？", "2023年某国储能电池出货量是多少？")
'某国储能电池的同比增速是多少？'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from zhiku.understand.lang import detect_language

YEAR = re.compile(r"(?:19|20)\d{2}\s*年?(?:\s*(?:到|至|—|–|-|~|～)\s*(?:19|20)\d{2}\s*年?)?")
_ONE_YEAR = re.compile(r"((?:19|20)\d{2})(\s*年?)")

# Words that carry no subject: lead-ins, hedges, copulas, question words, punctuation.
_ZH_FILLER = re.compile(
    r"那么|那|还有|另外|再问一下|请问|呢|预计|预期|将会|将|会|大约|大概|约为|约|达到|是|为|有|多少|几|"
    r"怎么样|如何|情况|又|的|呀|啊|吗|分别|[，,。？?！!：:；;\s]"
)
_ZH_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下[，,]?|请问)\s*")
_ZH_FOLLOW = re.compile(
    r"^(?:那么|那|还有|另外|再问一下[，,]?)?\s*(?P<x>.{1,20}?)\s*(?:呢|怎么样|如何|情况呢)\s*[？?。]?$"
)
_ZH_TAIL = re.compile(
    r"(?:的)?(?:预计|将会|将|会|能)?(?:达到|是|为|有|约为|约|大约)?"
    r"(?:多少|几|多大|多高|哪些|哪个|哪家|什么|如何|怎样|怎么样)[^？?]*[？?。]?$"
)
# Measure words: what is asked *about* a subject (a fact of the language, not of any data set).
_ZH_MEASURES = (
    "复合增长率", "同比增长率", "增长率", "同比增速", "增速", "增长", "规模", "份额", "占比", "比重", "收入", "营收",
    "利润", "净利润", "产量", "销量", "出货量", "数量", "总量", "人数", "投资额", "融资额", "金额", "价格",
    "产值", "增加值", "渗透率", "用户数", "市值",
)  # fmt: skip
_ZH_SECTOR = ("市场", "产业", "行业", "领域")
_ZH_PRONOUN = re.compile(r"它们的|它的|它们|(?<!其)它|(?<![及与和尤极])其(?![中他它余实次后间])")

_EN_FOLLOW = re.compile(r"^(?:and|what about|how about|and what about|what of)\s+(?P<x>.+?)\s*[?.]?$", re.I)
_EN_YEAR_ONLY = re.compile(r"^(?:and|what about|how about|and what about|and in|in|what of)?\s*(?:in\s+)?"
                           r"((?:19|20)\d{2})\s*[?.]?$", re.I)  # fmt: skip
_EN_PRONOUN = re.compile(r"\b(its|their|it|they|them)\b", re.I)
# Only words like these may come before a pronoun that points back to the previous question;
# after a content word ("Which companies raised their prices?") it points inside its own question.
_EN_LEAD_WORDS = frozenset(
    "and so then what how which why when where who whose is was are were do does did will would can could "
    "has have had much many fast big large high quickly far long of for about in on at by the a an to".split()
)
_EN_DUMMY_IT = re.compile(
    r"\b(?:is|was)\s+it\s+(?:true|possible|likely|that)\b|\bit\s+(?:is|was)\s+\w+\s+that\b", re.I
)
# A Chinese pronoun that refers back opens the question (after a lead-in or a time, at most).
_ZH_PRONOUN_OPENING = re.compile(
    rf"^(?:那么|那|另外|还有|请问|再问一下)?[，,\s]*(?:{YEAR.pattern})?[，,\s]*(?:它|其)"
)
_EN_OF = re.compile(
    r"\b(?:size|value|revenue|number|share|growth(?:\s+rate)?|output|sales|price|count|volume|profit|"
    r"market\s+size|CAGR)\s+of\s+(?P<np>.+?)(?:\s+(?:in|by|for|during)\s+(?:19|20)\d{2})?\s*[?.]?$",
    re.I,
)
_EN_SUBJECT = re.compile(
    r"^(?:how\s+\w+|what|which|when|where|who)\s+(?:is|was|are|were|does|did|do|will|has|have)\s+"
    r"(?P<np>(?:the\s+)?[^?]+?)(?:\s+(?:be|have|grow|reach|make|cost|earn|sell)\b[^?]*)?"
    r"(?:\s+(?:in|by|for)\s+(?:19|20)\d{2})?\s*[?.]?$",
    re.I,
)
_EN_PROPER = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][a-z]+)\b")


@dataclass(frozen=True)
class FollowUp:
    """A rewrite and the rule that made it (``none`` when the question stands alone)."""

    question: str
    rule: str


def _years(text: str) -> list[str]:
    return [m.group(0) for m in YEAR.finditer(text)]


def _swap_years(previous: str, years: list[str]) -> str:
    new = years[0]
    if YEAR.search(previous):
        return YEAR.sub(lambda m: new if new.endswith("年") or not m.group(0).endswith("年") else new + "年",
                        previous, count=1)  # fmt: skip
    return (new if new.endswith("年") else new + "年") + previous


def _zh_np(question: str) -> str:
    """The noun phrase a Chinese question asks about: no year, no lead-in, no question tail."""
    core = _ZH_LEAD.sub("", YEAR.sub("", question).strip())
    core = _ZH_TAIL.sub("", core).strip(" ，,的")
    return core


def _strip_measure(np: str) -> str:
    for word in sorted(_ZH_MEASURES, key=len, reverse=True):
        if np.endswith(word) and len(np) > len(word):
            return np[: -len(word)].rstrip("的")
    return np


def zh_subject(question: str) -> str:
    """The subject of a Chinese question: its noun phrase up to the first 的, less the measure word.

    >>> zh_subject("2023年某国储能电池出货量是多少？")
    '某国储能电池'
    """
    np = _zh_np(question)
    head = np.split("的", 1)[0] if "的" in np else np
    return _strip_measure(head)


@lru_cache(maxsize=1)
def _tagger() -> object | None:
    try:
        import rjieba

        return rjieba
    except ImportError:  # pragma: no cover - rjieba is a core dependency
        return None


def _zh_places(text: str) -> list[str]:
    """Place names by the segmenter's part-of-speech tag ``ns`` (a model, not a list)."""
    tagger = _tagger()
    tag = getattr(tagger, "tag", None)
    if tag is None:
        return []
    return [w for w, t in tag(text) if t == "ns" and len(w) >= 2]


def _zh_fragment_rewrite(fragment: str, previous: str) -> FollowUp | None:
    np = _zh_np(previous)
    if not np or not _ZH_TAIL.search(previous):  # only a question with a subject and a question word
        return None
    measure = next((w for w in sorted(_ZH_MEASURES, key=len, reverse=True) if fragment.endswith(w)), None)
    if measure is not None:  # "那增长率呢？": same subject, another measure
        subject = _strip_measure(np)
        if subject != np:
            return FollowUp(previous.replace(np, subject + fragment, 1), "measure")
    places = _zh_places(fragment)
    if places and places[0] == fragment:
        old = _zh_places(np)
        if old:
            return FollowUp(previous.replace(old[0], fragment, 1), "place")
    subject = _strip_measure(np)
    for place in _zh_places(subject):
        if subject.startswith(place):
            subject = subject[len(place) :]
    for sector in _ZH_SECTOR:
        if subject.endswith(sector) and len(subject) > len(sector):
            subject = subject[: -len(sector)]
    if subject and subject in previous and fragment not in previous:
        return FollowUp(previous.replace(subject, fragment, 1), "subject")
    return None


def _rewrite_zh(question: str, previous: str) -> FollowUp:
    q = question.strip()
    years = _years(q)
    if years and not _ZH_FILLER.sub("", YEAR.sub("", q)):
        return FollowUp(_swap_years(previous, years), "year")
    if _ZH_PRONOUN_OPENING.match(q) and _ZH_PRONOUN.search(q):
        subject = zh_subject(previous)
        if subject:
            # the year is not carried: "它的五年复合增长率" is about a span, not the earlier year
            body = _ZH_PRONOUN.sub(
                lambda m: subject + ("的" if m.group(0).endswith("的") else ""), q, count=1
            )
            return FollowUp(body, "pronoun")
    m = _ZH_FOLLOW.match(q)
    if m and len(q.rstrip("？?。 ")) <= 16:
        fragment = m.group("x").strip(" ，,？?")
        done = _zh_fragment_rewrite(fragment, previous)
        if done is not None:
            return done
        return FollowUp(f"关于{fragment}：{previous}", "topic")
    return FollowUp(q, "none")


def en_subject(question: str) -> str:
    """The noun phrase an English question asks about (``""`` when no shape matches).

    >>> en_subject("What was the revenue of the widget industry in 2021?")
    'the widget industry'
    """
    q = question.strip()
    for pattern in (_EN_OF, _EN_SUBJECT):
        m = pattern.search(q)
        if m:
            return m.group("np").strip()
    return ""


def _en_pronoun_refers_back(question: str) -> bool:
    m = _EN_PRONOUN.search(question)
    if m is None or _EN_DUMMY_IT.search(question):
        return False
    before = re.findall(r"[A-Za-z']+", question[: m.start()].lower())
    return all(word in _EN_LEAD_WORDS for word in before)


def _rewrite_en(question: str, previous: str) -> FollowUp:
    q = question.strip()
    year = _EN_YEAR_ONLY.match(q)
    if year and _ONE_YEAR.search(previous):
        return FollowUp(_ONE_YEAR.sub(lambda y: year.group(1) + y.group(2), previous, count=1), "year")
    m = _EN_FOLLOW.match(q)
    if m:
        fragment = m.group("x").strip(" ,?")
        if re.fullmatch(r"[A-Z][a-z]+", fragment):
            old = [p for p in _EN_PROPER.findall(previous) if p != fragment]
            if old:
                return FollowUp(re.sub(rf"\b{old[0]}\b", fragment, previous, count=1), "place")
        return FollowUp(f"{previous.rstrip('?. ')} (regarding {fragment})?", "topic")
    if _en_pronoun_refers_back(q):
        subject = en_subject(previous)
        if subject:
            body = _EN_PRONOUN.sub(
                lambda p: subject + ("'s" if p.group(1).lower() in ("its", "their") else ""), q, count=1
            )
            return FollowUp(body, "pronoun")
    return FollowUp(q, "none")


def rewrite_follow_up(question: str, previous: str | None) -> str:
    """The stand-alone form of ``question`` after ``previous`` (unchanged when it stands alone)."""
    return follow_up(question, previous).question


def follow_up(question: str, previous: str | None) -> FollowUp:
    if not previous or not question.strip():
        return FollowUp(question, "none")
    if detect_language(question) == "en":
        return _rewrite_en(question, previous)
    return _rewrite_zh(question, previous)


def needs_context(question: str, previous: str | None) -> bool:
    """Whether rules would rewrite ``question`` (a follow-up that cannot stand alone)."""
    return follow_up(question, previous).rule != "none"


__all__ = ["FollowUp", "en_subject", "follow_up", "needs_context", "rewrite_follow_up", "zh_subject"]
