"""The text normaliser of the project: NFKC (full-width → half-width) and lower case.

Two views of the same folding, because callers need different guarantees:

* ``normalise`` keeps every offset valid (a character whose NFKC form is several characters,
  such as "㎡", is left alone), so a span found in the normalised text can be cut from the
  original.  The reader, the retriever's agreement pass and span matching use it.
* ``fold`` applies NFKC to the whole text ("㎡" → "m2", "…" → "..."); the tokenizer indexes
  and queries with it, where offsets do not matter but symmetry does.

>>> normalise("２０２３年ＡＩ产业")
'2023年ai产业'
>>> fold("１０㎡")
'10m2'
"""

from __future__ import annotations

import functools
import unicodedata


class _CharTable(dict[int, str]):
    """Code point → its one-character NFKC form (itself when NFKC gives several), filled on
    first sight: ``str.translate`` then folds a text at C speed instead of a Python loop."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        mapped = unicodedata.normalize("NFKC", ch)
        self[code] = out = mapped if len(mapped) == 1 else ch
        return out


_TABLE = _CharTable()  # a memo of a pure function: what it holds never changes a result


@functools.lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """NFKC + lower case, character by character so that offsets stay valid.

    Most text is already in NFKC (then no character changes alone either), so that case skips
    the per-character loop; the cache serves the sentences that the retriever's agreement pass
    and the reader both read.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text.lower()
    return text.translate(_TABLE).lower()


def fold(text: str) -> str:
    """NFKC (full-width digits/letters → half-width) and lower case, length not kept."""
    return unicodedata.normalize("NFKC", text).lower()
