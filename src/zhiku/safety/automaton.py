"""Aho-Corasick over UTF-8 bytes: the same matches, an order of magnitude faster for CJK lists.

``pyahocorasick`` keeps each trie node's children in a small array that it scans; with a
10,000-term Chinese list the root alone has thousands of children and matching crawls at about
1 MB/s.  Spelling keys and text as UTF-8 bytes (carried in a latin-1 ``str``) caps every node
at 256 children, and because UTF-8 is self-synchronising a whole key can only match on
character boundaries.  Positions are turned back into character offsets only for the hits.

>>> a = TermAutomaton(); a.add("炸弹", "r1"); a.build()
>>> list(a.iter("如何做炸弹"))
[(3, 4, 'r1')]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ahocorasick


def _as_bytes(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


class TermAutomaton:
    """Add ``(key, value)`` pairs, ``build()``, then ``iter(text)`` → ``(start, end_inclusive, value)``."""

    def __init__(self) -> None:
        self._automaton: Any = ahocorasick.Automaton()
        self._size = 0
        self._built = False

    def __len__(self) -> int:
        return self._size

    def add(self, key: str, value: Any) -> None:
        if key:
            self._automaton.add_word(_as_bytes(key), (len(key), value))
            self._size += 1

    def build(self) -> None:
        if self._size:
            self._automaton.make_automaton()
            self._built = True

    def iter(self, text: str) -> Iterator[tuple[int, int, Any]]:
        if not self._built:
            return
        encoded = _as_bytes(text)
        hits = list(self._automaton.iter(encoded))
        if not hits:
            return
        if len(encoded) == len(text):  # ASCII only: byte offsets are character offsets
            for end, (length, value) in hits:
                yield end - length + 1, end, value
            return
        chars = 0
        last = 0
        for end, (length, value) in hits:
            # ``end`` is the last byte of a whole character, so the slice decodes cleanly.
            if end + 1 > last:
                chars += len(encoded[last : end + 1].encode("latin-1").decode("utf-8"))
                last = end + 1
            yield chars - length, chars - 1, value
