"""Character-level text accuracy, for OCR: how much of a known page came back right.

Why characters and not words: Chinese has no spaces, so word error rate depends on a
segmenter; character accuracy (1 − edit distance ÷ reference length, floored at 0) treats
Chinese and English alike.  Whitespace and table rules (``|``) are ignored, and full-width
forms are folded, because they are layout, not content.

>>> char_accuracy("2023年规模为47亿元", "2023年规模为4亿元")
0.9166666666666666
"""

from __future__ import annotations

import re
import unicodedata

_LAYOUT = re.compile(r"[\s|]+")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width) without whitespace and table rules."""
    return _LAYOUT.sub("", unicodedata.normalize("NFKC", text))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), O(len(a)·len(b)) time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_accuracy(reference: str, hypothesis: str) -> float:
    """1 − normalised edit distance between the two texts, in [0, 1]."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 1.0 if not hyp else 0.0
    return max(0.0, 1.0 - edit_distance(ref, hyp) / len(ref))


__all__ = ["char_accuracy", "edit_distance", "normalise"]
