"""Coordinated questions ("A和B分别…") cut into one question per item.

"广州和深圳2022年的GDP分别是多少？" is answered by two passages that each name one city, so
retrieval searches, and the reader answers, each item's question on its own.

>>> split_coordinated("广州和深圳2022年的GDP分别是多少？")
['广州2022年的GDP是多少？', '深圳2022年的GDP是多少？']
"""

from __future__ import annotations

import re

from zhiku.types import Language
from zhiku.understand.lang import detect_language

_COORD = re.compile(r"和|与|以及|及")
_CONJ = frozenset({"和", "与", "以及", "及"})
_NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz", "j", "eng"})
_ITEM_TAGS = _NAME_TAGS | {"n", "t", "m", "a", "z", "f", "zg", "b", "nw"}
# Questions about the two items together (their relation, a comparison) must stay whole.
_JOINT = re.compile(
    r"关系|区别|差异|差别|比较|对比|相比|之间|谁更|融合|合作|协同|协作|配合|互动|共同|联合|异同|相同|不同|结合"
    r"|哪(?:个|一个)[^？?，,]{0,6}?(?:更|高|低|大|小|多|少|强|弱|快|慢|好|早|晚)"
)
_MAX_ITEM = 3  # tokens per coordinated item


def split_coordinated(question: str, language: Language | None = None) -> list[str]:
    """One question per coordinated item: "广州和深圳2022年的GDP分别是多少？" → the 广州 … and the 深圳 … question.

    Items may be several words ("第十四届和第十五届全运会开幕时间", "最佳女主角和最佳男主角"): the
    right item runs to the first word that parallels the word before the conjunction (same
    ending character, else the same part of speech), and the left item takes as many words.
    Applies to Chinese questions whose items are years, names, words with a shared ending, or
    that say 分别; a question about the items together (关系, 区别, 哪个…) is returned whole.
    """
    import rjieba

    if (
        (language or detect_language(question)) != "zh"
        or not _COORD.search(question)
        or _JOINT.search(question)
    ):
        return [question]
    tags = _merge_years([(w, t) for w, t in rjieba.tag(question) if w.strip()])
    for i in range(1, len(tags) - 1):
        if tags[i][0] not in _CONJ:
            continue
        items = _align(tags, i)
        if items is None or not _parallel(*items, says_each="分别" in question):
            items = _attributes(tags, i, says_each="分别" in question)
        if items is None:
            continue
        (left, _), (right, _) = items
        joined = f"{left}{tags[i][0]}{right}"
        if joined not in question:
            continue
        base = question.replace("分别", "")
        first = left + "年" if re.fullmatch(r"\d{4}", left) and right.endswith("年") else left
        return [base.replace(joined, first, 1), base.replace(joined, _year_swapped(left, right), 1)]
    return [question]


def _merge_years(tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ "2022" + "年" → "2022年" (tag t), so a year is one item."""
    out: list[tuple[str, str]] = []
    for word, tag in tags:
        if word == "年" and out and re.fullmatch(r"\d{4}", out[-1][0]):
            out[-1] = (out[-1][0] + "年", "t")
        else:
            out.append((word, "t" if re.fullmatch(r"\d{4}年?", word) else tag))
    return out


def _align(tags: list[tuple[str, str]], i: int) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """The (text, head tag) of the left and right items around the conjunction at ``i``."""
    head, head_tag = tags[i - 1]
    if head_tag not in _ITEM_TAGS:
        return None
    right = tags[i + 1 : i + 1 + _MAX_ITEM]
    k = next((n for n, (w, _) in enumerate(right, 1) if w[-1] == head[-1] and len(w) > 1), None)
    by_ending = k is not None
    k = k or next((n for n, (_, t) in enumerate(right, 1) if t == head_tag), None)
    k = k or next((n for n, (_, t) in enumerate(right, 1) if {t, head_tag} <= _NAME_TAGS), None)
    if k is None and re.search(r"\d{4}$", head) and right and re.fullmatch(r"\d{4}年?", right[0][0]):
        k = 1  # "EMNLP2022和2023"
    if k is None:
        return None
    while not by_ending and head_tag == "n" and k < len(right) and right[k][1] == right[k - 1][1] == "n":
        k += 1  # a compound noun runs on: "最佳 电视 动画"
    if any(t not in _ITEM_TAGS for _, t in right[:k]):
        return None
    opener = right[0][0]
    mirror = next((j for j in range(i - 1, max(-1, i - 1 - _MAX_ITEM), -1) if tags[j][0] == opener), None)
    if mirror is not None:
        start = mirror  # the left item opens with the same word: "最佳女主角和最佳男主角"
    else:
        start = i - 1
        while start > 0 and i - start < k and tags[start - 1][1] in _ITEM_TAGS:
            start -= 1
    if start > 0 and len(tags[start - 1][0]) == 1 and tags[start - 1][1] == head_tag in _NAME_TAGS:
        start -= 1  # a name the tokenizer cut short: "布" + "林肯"
    left = "".join(w for w, _ in tags[start:i])
    return (left, head_tag), ("".join(w for w, _ in right[:k]), right[k - 1][1])


_NOMINAL = frozenset({"n", "vn", "v", "nz", "nr", "nrt", "ns", "nt", "j", "eng"})
_ASKS = re.compile(r"^(?:[？?]|是|分别|多少|几|谁|什么|哪|在哪|有哪些|如何|$)")


def _attributes(
    tags: list[tuple[str, str]], i: int, says_each: bool
) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """Two single words the question asks about ("国葬时间和地点？", "主演和导演是谁？").

    The tagger often calls such nouns verbs (导演, 收入, 高考), so any nominal tag will do, but
    only where the question asks about both right after them (or says 分别): "研究和开发投入"
    names one thing and stays whole.
    """
    (left, lt), (right, rt) = tags[i - 1], tags[i + 1]
    if lt not in _NOMINAL - {"v"} or rt not in _NOMINAL or len(left) < 2 or len(right) < 2:
        return None
    k = 1
    while rt == "n" and i + 1 + k < len(tags) and tags[i + 1 + k][1] == "n" and k < _MAX_ITEM:
        k += 1  # "标准版 国区 价格"
    after = "".join(w for w, _ in tags[i + 1 + k :])
    if not (says_each or _ASKS.match(after)):
        return None
    return (left, lt), ("".join(w for w, _ in tags[i + 1 : i + 1 + k]), tags[i + k][1])


def _year_swapped(left: str, right: str) -> str:
    """ "EMNLP2022和2023": the second item is "EMNLP2023", not a bare "2023"."""
    stem = re.fullmatch(r"(.*\D)((?:19|20)\d{2})", left)
    if stem and re.fullmatch(r"(?:19|20)\d{2}", right):
        return stem.group(1) + right
    return right


def _parallel(left: tuple[str, str], right: tuple[str, str], says_each: bool) -> bool:
    (lw, lt), (rw, rt) = left, right
    years = all(re.search(r"(?:19|20)\d{2}年?$", w) for w in (lw, rw))
    names = lt in _NAME_TAGS and rt in _NAME_TAGS
    shared_ending = len(lw) > 1 and len(rw) > 1 and lw[-1] == rw[-1]
    return years or names or shared_ending or (says_each and lt == rt)
