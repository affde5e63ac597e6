"""Sentence splitting for Chinese and English text.

Why a hand-written splitter: Chinese ends sentences with 。！？；… and no space, English with
.?! and a space, and both put closing quotes or brackets after the stop.  A period is not a
stop inside numbers (3.4万亿, 30.6%), after common abbreviations (e.g., U.S., Dr.) or after a
single capital initial (J. Smith).  Line breaks end a sentence too: loaders and the cleaner
only leave a newline where the layout meant one (list items, table rows, code).

>>> split_sentences("产业规模达2137亿元。预计2028年达到8110亿元！It grew 30.6% in 2023. Next one.")
['产业规模达2137亿元。', '预计2028年达到8110亿元！', 'It grew 30.6% in 2023.', 'Next one.']
"""

from __future__ import annotations

import re

_STOPS_CJK = "。！？；…"
_STOPS_LATIN = "!?"
_CLOSERS = "\"'”’」』）)】》〉]"
_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "etc",
        "vs",
        "cf",
        "al",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "no",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "ph.d",
    }
)
_WORD_BEFORE = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)$")


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences (stripped, non-empty)."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each sentence in ``text``, whitespace excluded.

    The chunker uses the offsets to give chunks exact character spans in the document.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        end = -1
        if ch == "\n":
            end = i
        elif ch in _STOPS_CJK or ch in _STOPS_LATIN or (ch == "." and _period_ends_sentence(text, i)):
            end = _after_run(text, i)
        if end >= 0:
            _push(text, start, end, spans)
            start = end
            i = max(end, i + 1)
            continue
        i += 1
    _push(text, start, n, spans)
    return spans


def _after_run(text: str, i: int) -> int:
    """Index just past the stop run (……, ?!, ...) and any closing quotes/brackets."""
    n = len(text)
    j = i + 1
    while j < n and (text[j] in _STOPS_CJK or text[j] in _STOPS_LATIN or text[j] == "."):
        j += 1
    while j < n and text[j] in _CLOSERS:
        j += 1
    return j


def _period_ends_sentence(text: str, i: int) -> bool:
    nxt = text[i + 1] if i + 1 < len(text) else ""
    prev = text[i - 1] if i > 0 else ""
    if prev.isdigit() and nxt.isdigit():
        return False  # decimal point
    if nxt and not (nxt.isspace() or nxt in _CLOSERS or _is_cjk(nxt)):
        return False  # inside a token: example.com, v1.2, U.S
    match = _WORD_BEFORE.search(text, 0, i)
    if match:
        word = match.group(1)
        if word.lower() in _ABBREVIATIONS:
            return False
        if len(word) == 1 and word.isupper() and _next_word_is_capitalised(text, i):
            return False  # an initial: "J. Smith"
    return True


def _next_word_is_capitalised(text: str, i: int) -> bool:
    rest = text[i + 1 : i + 4].lstrip()
    return bool(rest) and rest[0].isupper()


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
