"""The weighted query terms of a question and the qualifiers evidence must share.

Words come from jieba (with POS tags: places, people and organisations are *critical*, a
passage about 中国 does not answer a question about 美国), years are critical too, and runs of
Chinese characters add character pairs and triples, a segmentation-proof view of the question.
An English question adds the Chinese renderings of its glossary words.

>>> [t.alternatives[0] for t in question_terms("2023年美国AI产业规模", "zh")[:2]]
['2023', '美国']
"""

from __future__ import annotations

import re

from zhiku.types import Language, Term
from zhiku.understand.lang import glossary_terms

_ZH_STOP = frozenset(
    "的 了 是 在 有 和 与 及 或 为 被 由 将 对 从 中 上 下 把 给 让 向 于 以 而 并 也 都 又 就 这 那 其 该 此 之 "
    "多少 什么 哪 哪些 哪个 哪家 哪里 哪儿 哪位 哪天 哪年 哪一年 几 吗 呢 吧 啊 请问 是否 怎么 怎样 如何 为什么 为何 谁 "
    "何时 什么时候 多大 多高 多长 多久 一个 一种 哪种 哪款 哪部 哪一 哪两 哪三 哪几 叫 叫做 称为 名字 时候 "
    "达到 是多少 多 少 个 年 月 日 第 第几 最 请 能 会 要 可以 主要 进行 相关 以及 通过 所 着 过 等 "
    "预计 截至 截止 根据 目前 已经 其中 分别 大约 约 何时 何地 何处 多远 多重 多快 几月 几号 几日 哪天 哪里 "
    "哪儿 哪一天 哪国 哪位 哪部 哪支 哪队 哪所 哪类 哪项 什么样 怎么样 具体".split()
)
_EN_STOP = frozenset(
    "a an the of in on at to for from by with and or is are was were be been being do does did what which who "
    "whom whose when where why how many much that this these those it its as into about than their there "
    "will would could should can may might has have had i you we they he she what's s".split()
)
_CRITICAL_TAGS = {"ns": "place", "nr": "name", "nrt": "name", "nrfg": "name", "nt": "name", "j": "name"}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def question_years(text: str) -> tuple[str, ...]:
    """The years a (normalised) question names, in order, once each ("2023年…2028年" → 2023, 2028)."""
    return tuple(dict.fromkeys(_YEAR.findall(text)))


def question_terms(text: str, lang: Language, focus: str = "") -> tuple[Term, ...]:
    """Years, words (with their critical role) and character n-grams of a normalised question.

    ``focus`` (a free-text question's subject, ``understand.focus``) becomes a critical term:
    the sentence that answers "X中的Y起什么作用" mentions Y, not merely X.
    """
    import rjieba

    years = question_years(text)
    terms: list[Term] = [Term((y,), critical=True, role="year") for y in years]
    seen = set(years)
    glossary = glossary_terms(text) if lang == "en" else {}
    for phrase, zh in glossary.items():
        if " " in phrase:
            seen.update(phrase.split())
            terms.append(
                Term((phrase, *zh), critical=zh[0] in _PLACES, role="place" if zh[0] in _PLACES else "")
            )
    content = text
    for word, tag in rjieba.tag(content):
        w = word.strip().lower()
        if not w or w in seen or re.fullmatch(r"[\W_]+", w) or w in _ZH_STOP or w in _EN_STOP:
            continue
        if len(w) == 1 and not re.match(r"[a-z0-9]", w) and tag not in _CRITICAL_TAGS:
            continue
        seen.add(w)
        terms.append(_token_term(w, tag, lang, glossary.get(w, ())))
    if focus:
        key = focus.lower()
        terms = [t for t in terms if t.alternatives != (key,)]
        terms.append(Term((key,), critical=True, role="focus"))
        seen.add(key)
    for run in _CJK_RUN.findall(_strip_stop(content)):
        for n in (2, 3):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                if gram not in seen:
                    seen.add(gram)
                    terms.append(Term((gram,), ngram=n))
    return tuple(terms)


_PLACES = frozenset({"中国", "美国", "日本", "韩国", "欧洲", "印度", "北京", "上海", "深圳", "香港"})


def _token_term(word: str, tag: str, lang: Language, zh: tuple[str, ...]) -> Term:
    if lang == "en":
        place = bool(zh) and zh[0] in _PLACES
        return Term((word, *zh), critical=place, role="place" if place else "")
    if re.fullmatch(r"[a-z][a-z0-9\-\.]*", word):
        return Term((word,), critical=len(word) >= 2, role="latin")
    if re.search(r"\d", word):
        return Term((word,), critical=bool(re.search(r"[a-z]", word)), role="latin")
    role = _CRITICAL_TAGS.get(tag, "")
    return Term((word,), critical=bool(role) and len(word) >= 2, role=role)


def _strip_stop(text: str) -> str:
    """Stop words become breaks; neighbouring content words stay joined for the n-grams."""
    import rjieba

    return "".join(w if w.strip() and w not in _ZH_STOP else " " for w in rjieba.cut(text))
