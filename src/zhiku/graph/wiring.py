"""What the graph feature contributes to the assistant (called from ``zhiku.wiring``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhiku.answer.base import Expert, RetrievalExpander
from zhiku.config import Settings

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase


def graph_expanders(kb: KnowledgeBase, settings: Settings) -> list[RetrievalExpander]:
    if not settings.graph.enabled:
        return []
    from zhiku.graph.expand import GraphExpander

    return [GraphExpander(kb, settings.graph, rrf_k=settings.retrieval.rrf_k)]


def graph_experts(kb: KnowledgeBase, settings: Settings) -> list[Expert]:
    if not (settings.graph.enabled and settings.graph.answer):
        return []
    from zhiku.graph.answer import GraphExpert

    return [GraphExpert(kb, settings.graph)]
