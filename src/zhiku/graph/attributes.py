"""Attributes: an entity's numeric facts from the BI store ("上海 —核心企业数量 2023→ 760家").

The graph knows *who* (entities, relations); the fact store (``zhiku.bi``) knows *how much*
(period, value, unit, the sentence or table cell it came from).  Linking them at read time,
not by copying facts into the graph, keeps one source of truth: removing a document removes
its facts, and with them the entity's attributes.  A fact belongs to an entity when the
entity (or one of its aliases) is the fact's subject or table row — not merely a word in the
sentence the fact was read from.

>>> [a.name for a in entity_attributes(store_for(kb), graph.store.entity("e:上海"))]
['核心企业数量']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from zhiku.bi.facts import Fact
from zhiku.bi.store import FactStore
from zhiku.graph.model import Entity

_BARE = re.compile(r"[\d.,]+")  # a table cell: the unit is in the column header
_POSSESSIVE = re.compile(r"^(?:['’]s\b)?\s*")
MAX_FACTS = 2000  # facts read per name: an entity's own facts are a small share of a KB's


@dataclass(frozen=True)
class Attribute:
    """One numeric attribute of an entity, with the evidence the fact store keeps."""

    name: str  # what is measured: the subject's remainder plus the metric ("核心企业数量")
    period: str
    value: str  # as written: "760", "5097亿元"
    estimate: bool
    source: str  # prose | table | chart
    doc_id: str
    chunk_id: str
    sentence: str


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def entity_attributes(store: FactStore, entity: Entity, limit: int = 50) -> list[Attribute]:
    """The facts whose subject or row is ``entity`` (by name or alias), as attributes."""
    names = sorted({n for n in (entity.name, *entity.aliases) if len(_fold(n)) >= 2}, key=len, reverse=True)
    seen: set[tuple[str, str, str]] = set()
    out: list[Attribute] = []
    for name in names:
        key = _fold(name)
        for fact in store.facts(text=name, limit=MAX_FACTS):
            attr = _attribute(fact, key)
            if attr is None or (attr.name, attr.period, attr.value) in seen:
                continue
            seen.add((attr.name, attr.period, attr.value))
            out.append(attr)
    out.sort(key=lambda a: (a.name, a.period))
    return out[:limit]


def _after_prefix(text: str, key: str) -> str | None:
    """``text`` after its leading ``key`` (compared folded), or None when it does not start so."""
    for i in range(1, len(text) + 1):
        folded = _fold(text[:i])
        if folded == key:
            return text[i:].strip()
        if not key.startswith(folded):
            return None
    return None


def _attribute(fact: Fact, key: str) -> Attribute | None:
    rest = _after_prefix(fact.subject, key)
    if rest is None:
        if _fold(fact.row) != key:
            return None
        rest = ""
    rest = _POSSESSIVE.sub("", rest)  # "Nordhaven's AI industry" → "AI industry"
    name = (rest + fact.metric).strip() or fact.metric or fact.label or fact.subject
    return Attribute(
        name=name,
        period=fact.period,
        value=fact.raw if not _BARE.fullmatch(fact.raw) else f"{fact.raw}{fact.scale}{fact.unit}",
        estimate=fact.estimate,
        source=fact.source,
        doc_id=fact.doc_id,
        chunk_id=fact.chunk_id,
        sentence=fact.sentence,
    )
