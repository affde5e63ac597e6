"""Text that crosses a trust boundary is made valid Unicode once, at the door.

Why: JSON allows ``"\\ud800"`` (a lone surrogate), which Python decodes to a ``str`` that no
UTF-8 encoder accepts; jieba, the safety classifier, SQLite and the audit log all encode, so one
such character turned a question into an HTTP 500.  Every entry point (chat, ask, search, the
CLI, upload names) passes its text through :func:`scrub`, which replaces invalid code points
with U+FFFD and drops NULs, so the rest of the code only ever sees encodable text.

>>> scrub("a\\ud800b\\x00c")
'a\\ufffdbc'
"""

from __future__ import annotations

import re
import unicodedata

_INVALID = re.compile("[\ud800-\udfff]")
# Bidirectional overrides/isolates and other invisible format characters: in a file name they
# make "report\u202etxt.exe" display as "reportexe.txt".
_BIDI = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def scrub(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    if not text:
        return text
    if text.isascii():
        return text.replace("\x00", "")
    return _INVALID.sub("\ufffd", text).replace("\x00", "")


def strip_controls(text: str) -> str:
    """Also remove bidi overrides and every control/format character (for names and titles)."""
    text = _BIDI.sub("", scrub(text))
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
