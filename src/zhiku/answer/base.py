"""Contracts of the answer stage: the expert protocols the gate routes to.

An *expert* answers a question from the knowledge base in its own way (extractive reader,
numeric/BI, graph, LLM).  It returns ``None`` when the question is not its kind, so the
cascade can try the next one.  A *retrieval expander* (the graph) adds hits instead.

>>> class Echo:
...     name = "echo"
...     def try_answer(self, request, hits, trace): return None
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from zhiku.types import Answer, AskRequest, Hit, Trace


class Expert(Protocol):
    name: str

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None: ...


class RetrievalExpander(Protocol):
    name: str

    def expand(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> list[Hit]: ...
