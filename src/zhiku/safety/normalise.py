"""Text normalisation for matching: the form in which keyword rules and questions are compared.

People dodge keyword filters with full-width letters (ｂｏｍｂ), traditional characters (炸彈),
inserted spaces or symbols (炸 弹, 炸*弹) and odd casing.  We fold all of these into one
*compact* form — NFKC, lower case, traditional→simplified by character, with every space,
punctuation mark and symbol removed — and keep a map from each compact character back to
its position in the original text, so a match can be masked or reported where it really is.

The traditional→simplified step is a character table built from the dictionary shipped with
``opencc-python-reimplemented`` (``TSCharacters.txt``) and applied with ``str.translate``: the
phrase-level converter is pure Python and far too slow for an output filter, and for matching
a per-character fold is what we want anyway.

>>> n = normalise("炸 *彈")
>>> n.compact, n.origin
('炸弹', (0, 3))
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Everything that is not a letter, a digit or a combining mark is noise for matching.
_NOISE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Normalised:
    """``compact`` text plus, for each of its characters, the index in the original text."""

    original: str
    compact: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering compact characters ``[start, end)``."""
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    if not path.is_file():  # a packaging without the dictionary: no folding, still correct
        return table
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and parts[1]:
            target = parts[1].split(" ")[0]
            if len(target) == 1:
                table[ord(parts[0])] = target
    return table


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    return frozenset(chr(c) for c in _t2s_table())


def fold(text: str) -> str:
    """Character-wise fold (NFKC, case, traditional→simplified); keeps noise characters.

    The result has the same length as ``text`` so positions stay valid.  Each step is skipped
    by a cheap C-level test when it would change nothing (the usual case for simplified text).
    """
    folded = text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)
    folded = folded.lower()
    if len(folded) != len(text):
        folded = "".join(_fold_char(c) for c in text)
    if _traditional().isdisjoint(set(folded)):
        return folded
    return folded.translate(_t2s_table())


def _fold_char(char: str) -> str:
    out = unicodedata.normalize("NFKC", char).lower()
    if len(out) == 1:
        return out
    # NFKC expands some characters (㈱ → (株), ﬁ → fi); keep one letter so positions line up.
    letters = _NOISE.sub("", out)
    return letters[:1] if letters else " "


def compact(text: str) -> str:
    """Just the compact form, without the position map (fast path for scanning).

    Noise is stripped *before* the fold, so NFKC runs on the shorter text.  This can differ
    from ``normalise(text).compact`` only for symbols whose compatibility form holds letters
    (℃ → °c); scanners therefore use it to find candidates and take positions from
    :func:`normalise`.
    """
    stripped = _NOISE.sub("", text)
    if not unicodedata.is_normalized("NFKC", stripped):
        stripped = _NOISE.sub("", unicodedata.normalize("NFKC", stripped))
    stripped = stripped.lower()
    if _traditional().isdisjoint(set(stripped)):
        return stripped
    return stripped.translate(_t2s_table())


def normalise(text: str) -> Normalised:
    """Compact form with a position map back to ``text``."""
    folded = fold(text)
    keep: list[int] = []
    pieces: list[str] = []
    last = 0
    for m in _NOISE.finditer(folded):
        if m.start() > last:
            pieces.append(folded[last : m.start()])
            keep.extend(range(last, m.start()))
        last = m.end()
    if last < len(folded):
        pieces.append(folded[last:])
        keep.extend(range(last, len(folded)))
    return Normalised(original=text, compact="".join(pieces), origin=tuple(keep))


def words(text: str) -> str:
    """Folded text with noise runs collapsed to one space (for word-level English rules)."""
    return _NOISE.sub(" ", fold(text)).strip()


def is_latin_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def word_edges_ok(norm: Normalised, start: int, end: int, right: bool = True) -> bool:
    """Compact match ``[start, end]`` (inclusive) sits on word edges where it is Latin-edged.

    So ``gun`` never fires inside ``begun`` while ``炸弹`` fires anywhere in Chinese text;
    ``right=False`` skips the right edge (prefix terms such as ``bomb*``).
    """
    text = norm.original
    ostart, oend = norm.span(start, end + 1)
    if (
        is_latin_word_char(norm.compact[start])
        and ostart > 0
        and is_latin_word_char(fold(text[ostart - 1])[:1])
    ):
        return False
    if not right or not is_latin_word_char(norm.compact[end]) or oend >= len(text):
        return True
    return not is_latin_word_char(fold(text[oend])[:1])
