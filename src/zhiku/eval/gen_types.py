"""The records of QA generation: a ``Candidate`` before checks, a ``GeneratedItem`` after.

``support`` lists the strings that must appear in the source chunk(s) for the item to be
kept: the answer itself for extracted questions, the operands for computed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    question: str
    answers: list[str]
    kind: str
    chunk_id: str
    doc_id: str
    support: list[str]
    extra_chunks: list[str] = field(default_factory=list)
    answerable: bool = True
    origin: str = "generated"


@dataclass(frozen=True)
class GeneratedItem:
    """One line of a generated QA file (the format ``zhiku eval run --qa`` reads)."""

    id: str
    question: str
    answers: list[str]
    kind: str
    answerable: bool
    source_chunk: str
    doc: str
    origin: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answers": self.answers,
            "kind": self.kind,
            "answerable": self.answerable,
            "source_chunk": self.source_chunk,
            "doc": self.doc,
            "origin": self.origin,
        }
