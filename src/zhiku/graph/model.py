"""Typed records of the knowledge graph: entities, relations, and what one chunk yields.

Every node and edge carries *evidence* — the chunk ids (and the sentence) it was read from —
so an answer built from the graph can cite its source, and removing a document can remove
exactly what it alone supported.

>>> Relation("e:京东", "e:言犀", "released", evidence=(Evidence("c1", "d1", "京东发布言犀。"),))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal["org", "product", "person", "place", "other"]
RelationType = Literal[
    "released",  # X 发布/推出/开源 Y, X released Y
    "acquired",
    "invested_in",
    "partnered_with",
    "provides",  # X 提供 Y (products, services)
    "attribute",  # X —<label>→ Y from a table column or "X是Y的…"
    "mentions_with",  # typed co-occurrence within one sentence (weighted)
]
RELATION_TYPES: tuple[str, ...] = (
    "released",
    "acquired",
    "invested_in",
    "partnered_with",
    "provides",
    "attribute",
    "mentions_with",
)

# Labels shown to people (CLI, answers); the type stays the machine key.
RELATION_LABELS: dict[str, tuple[str, str]] = {
    "released": ("发布", "released"),
    "acquired": ("收购", "acquired"),
    "invested_in": ("投资", "invested in"),
    "partnered_with": ("合作", "partnered with"),
    "provides": ("提供", "provides"),
    "attribute": ("属性", "has"),
    "mentions_with": ("共现", "mentioned with"),
}


@dataclass(frozen=True)
class Evidence:
    """Where a node or edge was read: the chunk, its document, and the sentence."""

    chunk_id: str
    doc_id: str
    sentence: str = ""


@dataclass(frozen=True)
class EntityMention:
    """An entity as one extractor saw it in one chunk (before merging)."""

    name: str
    type: EntityType
    evidence: Evidence
    source: str = "pos"  # pos | pattern | table | lexicon | llm


@dataclass(frozen=True)
class Relation:
    """A directed, typed edge between two canonical entity ids.

    ``label`` refines ``attribute`` edges (the column header or the noun of "X是Y的Z");
    ``weight`` counts supporting sentences for ``mentions_with``.
    """

    src: str
    dst: str
    type: str
    label: str = ""
    weight: float = 1.0
    evidence: tuple[Evidence, ...] = ()
    source: str = "pattern"


@dataclass(frozen=True)
class RawRelation:
    """A relation between surface names, before normalisation gives them ids."""

    src: str
    dst: str
    type: str
    evidence: Evidence
    src_type: EntityType = "other"
    dst_type: EntityType = "other"
    label: str = ""
    source: str = "pattern"


@dataclass
class Extraction:
    """What an extractor produced for a batch of chunks (surface names, not ids yet)."""

    mentions: list[EntityMention] = field(default_factory=list)
    relations: list[RawRelation] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, full name)

    def extend(self, other: Extraction) -> None:
        self.mentions.extend(other.mentions)
        self.relations.extend(other.relations)
        self.aliases.extend(other.aliases)


@dataclass(frozen=True)
class Entity:
    """A canonical node: id, display name, type, aliases seen, and the chunks mentioning it."""

    entity_id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    chunks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """A stored edge with its evidence (what the CLI and the answerer see)."""

    src: str
    dst: str
    type: str
    label: str
    weight: float
    evidence: tuple[Evidence, ...]
    src_name: str = ""
    dst_name: str = ""


@dataclass(frozen=True)
class GraphStats:
    entities: int
    edges: int
    by_relation: dict[str, int]
    by_entity_type: dict[str, int]
    chunks_processed: int


def name_key(name: str) -> str:
    """Two cells name the same thing when they match ignoring spaces and case."""
    return re.sub(r"\s+", "", name).casefold()


def raw_relation(
    src: str, dst: str, rtype: str, ev: Evidence, label: str = "", source: str = "pattern"
) -> RawRelation:
    """A relation with the entity types its kind implies (a releaser is an organisation …)."""
    src_type: EntityType = "org" if rtype in ("released", "acquired", "invested_in", "provides") else "other"
    dst_type: EntityType = "product" if rtype == "released" else "org" if rtype == "acquired" else "other"
    return RawRelation(src.strip(), dst.strip(), rtype, ev, src_type, dst_type, label, source)
