"""Decode bytes of a text file whose encoding nobody told us (UTF-8/16, GB18030/GBK, Big5 …).

Why not just ``charset-normalizer``: on short Chinese files it often picks a legacy encoding
that happens to decode without errors but yields rare characters (GBK bytes read as Big5 or
the reverse).  We try the strict decoders a Chinese user most likely has and keep the one whose
text is made of *common* Chinese characters: the 3755 level-1 characters of GB2312 (simplified)
and the 5401 frequent characters of Big5 (traditional).  ``charset-normalizer`` is the fallback
for everything else (Latin-1, cp1252, Shift-JIS …).

>>> decode_bytes("中文".encode("gbk")).encoding
'gb18030'
"""

from __future__ import annotations

import codecs
import contextlib
import functools
from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CJK_CANDIDATES = ("gb18030", "big5")


@dataclass(frozen=True)
class Decoded:
    """Text plus the encoding it was read with and how sure we are (0–1)."""

    text: str
    encoding: str
    confidence: float


class BinaryContentError(ValueError):
    """The bytes are not text in any encoding we know (a binary file)."""


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data``; raise ``BinaryContentError`` when it does not look like text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(name, errors="replace"), name, 1.0)
    utf16 = _sniff_utf16(data)
    if utf16 is not None:
        return Decoded(data.decode(utf16, errors="replace"), utf16, 0.9)
    if b"\x00" in data[:4096]:
        raise BinaryContentError("NUL bytes in a file that is not UTF-16/32")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        lenient = data.decode("utf-8", errors="replace")
        bad = lenient.count("\ufffd")
        if bad <= max(1, len(data) // 2000) and len(lenient) > 20 * bad:
            return Decoded(lenient, "utf-8", 0.9)  # UTF-8 with a damaged byte or a cut-off tail
    best = _best_cjk(data)
    if best is not None:
        return best
    return _fallback(data)


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII-range text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nul > 0.3 and even_nul < 0.05:
        name = "utf-16-le"
    elif even_nul > 0.3 and odd_nul < 0.05:
        name = "utf-16-be"
    else:
        return _sniff_utf16_cjk(data)
    try:
        data.decode(name)
    except UnicodeDecodeError:
        return None
    return name


def _sniff_utf16_cjk(data: bytes) -> str | None:
    """Mostly-Chinese UTF-16 has few NULs; accept it when nearly every unit is a common character."""
    if b"\x00" not in data[:4096]:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _common_share(text) > 0.6:
            return name
    return None


def _best_cjk(data: bytes) -> Decoded | None:
    scored: list[tuple[float, str, str]] = []
    for name in _CJK_CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        scored.append((_common_share(text), name, text))
    if not scored:
        return None
    share, name, text = max(scored, key=lambda item: item[0])
    if share < 0.5 and _cjk_count(text) > 0:
        return None
    return Decoded(text, name, min(1.0, share))


def _fallback(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        if _control_share(data) > 0.1:
            raise BinaryContentError("no text encoding fits these bytes")
        return Decoded(data.decode("latin-1"), "latin-1", 0.1)
    text = str(match)
    if _control_share(text.encode("utf-8", errors="replace")) > 0.1:
        raise BinaryContentError("decoded text is mostly control characters")
    return Decoded(text, match.encoding, 1.0 - float(match.chaos))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if _is_cjk(ch))


def _common_share(text: str) -> float:
    """Share of the CJK characters of ``text`` that are common ones (1.0 when there are none)."""
    common = _common_chars()
    total = hits = 0
    for ch in text[:20000]:
        if ord(ch) < 0x80:
            continue
        total += 1
        if ch in common or ch in _PUNCT:
            hits += 1
    return 1.0 if total == 0 else hits / total


_PUNCT = frozenset("，。、；：？！“”‘’（）《》【】—…·「」『』〈〉％－～　０１２３４５６７８９")


@functools.cache
def _common_chars() -> frozenset[str]:
    """Level-1 GB2312 (B0A1–D7F9) and frequent Big5 (A440–C67E) characters, built from the codecs."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            _add(chars, bytes((lead, trail)), "gb2312")
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            _add(chars, bytes((lead, trail)), "big5")
    return frozenset(chars)


def _add(chars: set[str], raw: bytes, encoding: str) -> None:
    with contextlib.suppress(UnicodeDecodeError):
        chars.add(raw.decode(encoding))


def _control_share(data: bytes) -> float:
    sample = data[:4096]
    if not sample:
        return 0.0
    bad = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return bad / len(sample)
