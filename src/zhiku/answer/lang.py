"""The fixed bilingual phrases of the small path.

The reply follows the *question's* language (``Question.language``, see ``zhiku.understand``),
not the evidence's: an English question over Chinese reports gets an English frame around the
quoted Chinese sentence.

>>> not_found_message("en")
'Not found in the knowledge base.'
"""

from __future__ import annotations

import re

from zhiku.types import Language

NOT_FOUND: dict[Language, str] = {
    "zh": "知识库中未找到相关信息。",
    "en": "Not found in the knowledge base.",
}


def not_found_message(language: Language) -> str:
    """The honest refusal of the small path, in the reply language."""
    return NOT_FOUND[language]


def frame_answer(language: Language, short: str, evidence: str, marker: str) -> str:
    """Put the short answer first, then the quoted supporting sentence with its ``[n]`` marker.

    The document title and page travel in the citation, not in the text.

    >>> frame_answer("zh", "2137亿元", "2023年产业规模达到2137亿元。", "[1]")
    '2137亿元。\\n依据：“2023年产业规模达到2137亿元。”[1]'
    """
    evidence = evidence.strip()
    if language == "en":
        words = english_amount(short)
        head = f"{short} ({words}).\n" if words else f"{short}.\n" if short else ""
        return f"{head}Evidence: “{evidence}” {marker}"
    head = f"{short.rstrip('。')}。\n" if short else ""
    return f"{head}依据：“{evidence}”{marker}"


def refusal_note(language: Language, reason: str) -> str:
    """A short trace note that says why the small path refused."""
    prefix = "拒答" if language == "zh" else "refused"
    return f"{prefix}: {reason}"


_CN_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(万亿|亿|万)(元|美元|人民币)?$")
_MAGNITUDE = {"万亿": 1e12, "亿": 1e8, "万": 1e4}
_CURRENCY = {"元": " yuan", "人民币": " yuan", "美元": " US dollars", None: ""}


def english_amount(text: str) -> str:
    """Render a Chinese amount in English words for an English reply ("8110亿元" → "811 billion yuan").

    Returns "" when ``text`` is not a plain amount with 万/亿/万亿.
    """
    m = _CN_AMOUNT.match(text.replace(",", "").strip())
    if m is None:
        return ""
    value = float(m.group(1)) * _MAGNITUDE[m.group(2)]
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if value >= scale:
            number = f"{value / scale:.2f}".rstrip("0").rstrip(".")
            return f"{number} {word}{_CURRENCY[m.group(3)]}"
    return f"{value:g}{_CURRENCY[m.group(3)]}"
