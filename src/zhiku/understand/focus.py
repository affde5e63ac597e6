"""The thing a free-text question is about: "检索系统中的重排序模块起什么作用" → 重排序模块.

Why: a question about a part's role names the whole as context ("X中的Y", "Y在X中"), and the
sentence that describes the whole ("X由三部分组成") shares more words with the question than the
sentence that answers it ("Y负责……").  Word overlap alone then quotes the wrong sentence.  The
focus is the noun phrase the question word is asked of; the evidence must mention it.  Only
free-text questions (role, function, purpose, definition) get one: typed questions are steered
by the shape of their answer instead.

>>> focus_of("检索系统中的重排序模块起什么作用？", "zh")
'重排序模块'
>>> focus_of("What does the reranker do in the pipeline?", "en")
'reranker'
"""

from __future__ import annotations

import re

from zhiku.types import Language

_ASPECT = r"(?:作用|功能|用途|角色|意义|目的|原理|优势|特点|职责|任务)"
_ZH_PATTERNS = (
    # 「Y起/发挥/有/具有/扮演 什么(样的)/哪些/怎样的 作用」
    re.compile(rf"^(?P<subj>.+?)(?:起|发挥|有|具有|扮演)了?(?:什么样?的?|哪些|怎样的|何种){_ASPECT}"),
    # 「Y的(主要)作用是什么 / 有哪些」
    re.compile(rf"^(?P<subj>.+?)的(?:主要|核心|具体)?{_ASPECT}(?:是什么|是|有哪些|有什么|包括)"),
    # 「Y负责什么 / Y用来做什么 / Y用于什么」
    re.compile(r"^(?P<subj>.+?)(?:主要)?(?:负责|用来|用于)(?:做)?(?:什么|哪些)"),
    # 「什么是Y」
    re.compile(r"^什么是(?P<subj>.+?)[？?。.]*$"),
)
_ZH_CONTEXT = re.compile(r"^(?P<focus>.+?)在.+?(?:中|里|内)$")  # 「Y在X中」
_ZH_OWNER = re.compile(r".+(?:中|里|内|之中)?的(?P<focus>.+)$")  # 「X中的Y」「X的Y」

_EN_PATTERNS = (
    re.compile(r"^what (?:does|do|did) (?P<subj>.+?) do\b"),
    re.compile(
        r"^what (?:is|are|was|were) the (?:main |key )?(?:role|roles|function|functions|purpose|job|task)s? of (?P<subj>.+?)(?: in | within | inside |[?.]|$)"
    ),
    re.compile(r"^what role (?:does|do|did) (?P<subj>.+?) play\b"),
    re.compile(r"^what is (?:a |an )?(?P<subj>[a-z][a-z -]+?)[?.]?$"),
)
_EN_DROP = re.compile(r"^(?:the|a|an|this|that|its|their)\s+")
_EN_CONTEXT = re.compile(r"\s+(?:in|within|inside|of)\s+.*$")


def focus_of(question: str, language: Language) -> str:
    """The focus of a free-text question, or "" when the question names none."""
    text = question.strip()
    if language == "en":
        return _focus_en(text.lower())
    return _focus_zh(text)


def _focus_zh(text: str) -> str:
    for pattern in _ZH_PATTERNS:
        if m := pattern.search(text):
            return _trim_zh(m.group("subj"))
    return ""


def _trim_zh(subject: str) -> str:
    subject = subject.strip("，,。？? ")
    if (m := _ZH_CONTEXT.match(subject)) or (m := _ZH_OWNER.match(subject)):
        subject = m.group("focus")
    subject = subject.lstrip("的")
    # a focus is a short noun phrase; a long run is a clause and says nothing reliable
    return subject if 2 <= len(subject) <= 10 and re.search(r"[\u4e00-\u9fffA-Za-z]", subject) else ""


def _focus_en(text: str) -> str:
    for pattern in _EN_PATTERNS:
        if m := pattern.search(text):
            subject = _EN_CONTEXT.sub("", m.group("subj").strip())
            subject = _EN_DROP.sub("", subject)
            words = subject.split()
            # the head of an English noun phrase is its last word ("the ranking module" → module
            # is too generic alone, so keep up to two words)
            focus = " ".join(words[-2:]) if words else ""
            return focus if 3 <= len(focus) <= 30 else ""
    return ""
