"""Other wordings of a training question, so the reader learns to read questions users type.

Many users type a keyword query, not a question: the thing asked comes last as a noun
("…的时间", "…的数量") and no question word is left to anchor the answer.  The training data
(reading-comprehension sets) is written as full questions only, so a share of its Chinese
questions is rewritten here by one general rule: the question word goes, and with it the
copula or particle that clings to it; the kind of thing asked comes back as a trailing noun.
No rule names an entity, a team, an event or a title.

>>> keyword_form("星火公司成立于哪一年？")
'星火公司成立的年份'
>>> keyword_form("星火公司有多少名员工？")
'星火公司员工的数量'
"""

from __future__ import annotations

import re

# (question word, the noun a keyword query ends with instead); longest first
_ASKED: tuple[tuple[str, str], ...] = (
    (r"什么时候|何时|哪个时候", "时间"),
    (r"哪一年|哪年|何年|什么年份", "年份"),
    (r"哪一天|哪天|几月几日|几号", "日期"),
    (r"哪里|哪儿|何处|何地|什么地方", "地点"),
    (r"哪个国家|哪国", "国家"),
    (r"哪个城市|哪座城市", "城市"),
    (r"多少[个家人名位年次种项倍座条只件部所岁米公里吨元]?|几[个家人名位年次种项倍座条只件部所岁]", "数量"),
    (r"多长时间|多久", "时长"),
    (r"谁|何人|哪位|哪个人", "人"),
    (r"哪一?[个些家种部条所支座类门位边]?|什么", ""),
)
_TAIL = re.compile(r"[？?。.!！\s]+$")
_PARTICLES = re.compile(r"(?:吗|呢|呀|啊)$")
_LINK_BEFORE = re.compile(r"(?:位于|是|为|有|在|于|叫|叫做|称为|被称为)$")
_LINK_AFTER = re.compile(r"^(?:的|是|为)")


def keyword_form(question: str) -> str:
    """The keyword query a user might type for ``question`` ("" when it has no question word).

    The question word and its clinging copula go; what is before and after it stays in order;
    the asked kind comes last ("…的年份").  Only Chinese: English keyword queries keep a
    question word often enough that the features already see them.
    """
    text = _PARTICLES.sub("", _TAIL.sub("", question.strip()))
    for pattern, noun in _ASKED:
        m = re.search(pattern, text)
        if m is None:
            continue
        before = _LINK_BEFORE.sub("", text[: m.start()])
        after = _LINK_AFTER.sub("", text[m.end() :])
        core = (before + after).removesuffix("的")
        if not core or len(core) < 2:
            return ""
        if not noun or core.endswith(noun) or (noun == "人" and before):  # "…的创始人是谁" names its person
            return core
        return f"{core}的{noun}"
    return ""


__all__ = ["keyword_form"]
