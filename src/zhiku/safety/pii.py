"""Personal information (个人信息) in answers: detect and mask, with validation, not just shape.

A bare 18-digit pattern would also mask order numbers and a 16-digit one invoice ids, so each
kind is validated the way the issuer does it: mainland resident ID numbers by region digit,
birth date and the ISO 7064 MOD 11-2 check character; bank cards by the Luhn checksum; mobile
numbers by the 1[3-9] prefix; e-mail by shape.  Masking keeps the length (one ``*`` per hidden
character), which lets the streaming filter mask a window without shifting what follows.

>>> PiiMasker().mask("联系 13812345678 或 a.b@example.com").text
'联系 138****5678 或 a**@example.com'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from zhiku.types import Document

PiiKind = Literal["id_card", "mobile", "bank_card", "email"]
PII_KINDS: tuple[PiiKind, ...] = ("id_card", "mobile", "bank_card", "email")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
# 13-19 digits, optionally grouped by single spaces or hyphens (6222 0202 0000 1234 567).
_CARD = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d){9,15}(?![\d-])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")


@dataclass(frozen=True)
class PiiFinding:
    kind: PiiKind
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class MaskResult:
    text: str
    findings: tuple[PiiFinding, ...]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out


def valid_id_card(number: str) -> bool:
    """Mainland resident ID (18 characters): plausible birth date and correct check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > date.today() or born.year < 1880:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def find_pii(text: str, kinds: Iterable[PiiKind] = PII_KINDS) -> list[PiiFinding]:
    """All validated findings, non-overlapping, in text order (IDs win over card numbers)."""
    wanted = set(kinds)
    found: list[PiiFinding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PiiKind, m: re.Match[str]) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(PiiFinding(kind, m.start(), m.end(), m.group()))

    if "email" in wanted:
        for m in _EMAIL.finditer(text):
            add("email", m)
    if "id_card" in wanted:
        for m in _ID.finditer(text):
            if valid_id_card(m.group()):
                add("id_card", m)
    if "mobile" in wanted:
        for m in _MOBILE.finditer(text):
            add("mobile", m)
    if "bank_card" in wanted:
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if 13 <= len(digits) <= 19 and luhn_ok(digits):
                add("bank_card", m)
    return sorted(found, key=lambda f: f.start)


def _mask_digits(value: str, keep_head: int, keep_tail: int) -> str:
    """Replace digits (not separators) outside the kept head/tail with ``*``."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    hide = set(positions[keep_head : len(positions) - keep_tail])
    return "".join("*" if i in hide else c for i, c in enumerate(value))


def mask_value(kind: PiiKind, value: str) -> str:
    if kind == "id_card":
        return _mask_digits(value, 6, 4)
    if kind == "mobile":
        prefix = len(value) - len(value.lstrip("+86 -")) if value.startswith(("+86", "86")) else 0
        return value[:prefix] + _mask_digits(value[prefix:], 3, 4)
    if kind == "bank_card":
        return _mask_digits(value, 0, 4)
    local, _, domain = value.partition("@")
    return local[:1] + "*" * (len(local) - 1) + "@" + domain


class PiiMasker:
    """Mask the configured kinds of personal information; length-preserving."""

    def __init__(self, kinds: Iterable[PiiKind] = PII_KINDS) -> None:
        self.kinds: tuple[PiiKind, ...] = tuple(kinds)

    def mask(self, text: str) -> MaskResult:
        findings = find_pii(text, self.kinds)
        if not findings:
            return MaskResult(text, ())
        out: list[str] = []
        last = 0
        for f in findings:
            out.append(text[last : f.start])
            out.append(mask_value(f.kind, f.value))
            last = f.end
        out.append(text[last:])
        return MaskResult("".join(out), tuple(findings))


def mask_document(document: Document, masker: PiiMasker) -> Document:
    """Ingestion-time masking (``safety.pii_mask_ingest``): the same document, PII starred out.

    Meant to run before chunking, so neither the catalog nor any index ever holds the raw values;
    table cells are masked too.  Lengths are kept, so page and span offsets stay valid.
    """
    blocks = []
    for block in document.blocks:
        rows = tuple(tuple(masker.mask(cell).text for cell in row) for row in block.rows)
        blocks.append(replace(block, text=masker.mask(block.text).text, rows=rows))
    return replace(document, blocks=tuple(blocks), title=masker.mask(document.title).text)
