"""Contracts of the answer stage: the request, and the expert protocols the gate routes to.

An *expert* answers a question from the knowledge base in its own way (extractive reader,
numeric/BI, graph, LLM).  It returns ``None`` when the question is not its kind, so the
cascade can try the next one.  A *retrieval expander* (the graph) adds hits instead.

>>> class Echo:
...     name = "echo"
...     def try_answer(self, request, hits, trace): return None
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from zhiku.types import Answer, Hit, Language, Trace


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters on scalar fields (never JSON fields: milvus-lite is slow on those)."""

    doc_ids: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class AskRequest:
    question: str
    language: Language = "zh"
    history: tuple[Turn, ...] = ()
    top_k: int | None = None
    filters: SearchFilters = field(default_factory=SearchFilters)
    policy: str | None = None  # cascade policy override (issue: LLM cascade)
    key_id: str | None = None  # API key that asked (audit)

    def __post_init__(self) -> None:
        # Every entry point builds one of these: invalid Unicode stops here (see safety.unicode).
        from zhiku.safety.unicode import scrub

        object.__setattr__(self, "question", scrub(self.question))
        if any(scrub(t.content) != t.content for t in self.history):
            history = tuple(replace(t, content=scrub(t.content)) for t in self.history)
            object.__setattr__(self, "history", history)


class Expert(Protocol):
    name: str

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None: ...


class RetrievalExpander(Protocol):
    name: str

    def expand(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> list[Hit]: ...
