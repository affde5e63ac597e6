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
from dataclasses import dataclass, field
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
    # what an OpenAI client sends besides the question; only the LLM path reads them
    instructions: str = ""  # the client's system prompt, given to the LLM after ours
    temperature: float | None = None  # None: the model's configured sampling
    max_tokens: int | None = None


class Expert(Protocol):
    name: str

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None: ...


class RetrievalExpander(Protocol):
    name: str

    def expand(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> list[Hit]: ...
