"""Composition root: builds the assistant and the ingest hooks from settings.

The only place that knows which optional features exist; each feature adds itself here,
so the CLI and the server stay thin and tests can build exactly what they need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhiku.answer.assistant import Assistant
from zhiku.config import Settings
from zhiku.ingest.hooks import IngestHook

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase
    from zhiku.safety.guard import GuardedAssistant


def ingest_hooks(settings: Settings) -> list[IngestHook]:
    """Derived stores updated on every ingestion (facts/tables, graph)."""
    hooks: list[IngestHook] = []
    if settings.bi.enabled:
        from zhiku.bi.hook import FactsHook

        hooks.append(FactsHook())
    if settings.graph.enabled:
        from zhiku.graph.hook import GraphHook

        hooks.append(GraphHook(settings.graph))
    return hooks


def build_assistant(kb: KnowledgeBase, settings: Settings) -> GuardedAssistant:
    from zhiku.answer.base import Expert
    from zhiku.bi.expert import NumericExpert
    from zhiku.bi.text_sql import sql_experts
    from zhiku.graph.wiring import graph_expanders, graph_experts
    from zhiku.models.registry import ModelRegistry
    from zhiku.safety.guard import GuardedAssistant

    registry = ModelRegistry.from_settings(settings.llm)
    numeric: list[Expert] = (
        [NumericExpert(kb), *sql_experts(kb, settings, registry)] if settings.bi.enabled else []
    )
    inner = Assistant(
        kb,
        settings,
        experts=[*numeric, *graph_experts(kb, settings)],
        expanders=[*graph_expanders(kb, settings)],
        registry=registry,
    )
    # Every route (extractive, LLM, BI, graph) answers through the compliance guard (zhiku.safety).
    return GuardedAssistant(inner, settings, kb_name=kb.name)
