"""Composition root: builds knowledge bases, the assistant and the ingest hooks from settings.

The only place that knows which optional features exist; each feature adds itself here,
so the CLI and the server stay thin and tests can build exactly what they need.  A
``KnowledgeBase`` knows no feature package: ``open_kb`` / ``create_kb`` / ``open_or_create_kb``
inject the ingest hooks the settings enable and the extractive reader as retrieval's answer
voter (a keyword argument given by the caller wins, e.g. ``hooks=[]``).

>>> kb = open_or_create_kb(settings, "demo")
>>> assistant = build_assistant(kb, settings)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zhiku.answer.assistant import Assistant
from zhiku.answer.voter import ReaderVoter
from zhiku.config import Settings
from zhiku.ingest.hooks import IngestHook
from zhiku.kb import KnowledgeBase

if TYPE_CHECKING:
    from zhiku.safety.guard import GuardedAssistant


def ingest_hooks(settings: Settings) -> list[IngestHook[KnowledgeBase]]:
    """Derived stores updated on every ingestion (facts/tables, graph)."""
    hooks: list[IngestHook[KnowledgeBase]] = []
    if settings.bi.enabled:
        from zhiku.bi.hook import FactsHook

        hooks.append(FactsHook())
    if settings.graph.enabled:
        from zhiku.graph.hook import GraphHook

        hooks.append(GraphHook(settings.graph))
    return hooks


def _parts(settings: Settings, kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("voter", ReaderVoter())
    if "hooks" not in kwargs:
        kwargs["hooks"] = ingest_hooks(settings)
    return kwargs


def open_kb(settings: Settings, name: str, **kwargs: Any) -> KnowledgeBase:
    """An existing knowledge base with the features the settings enable."""
    return KnowledgeBase(settings, name, **_parts(settings, kwargs))


def create_kb(settings: Settings, name: str, **kwargs: Any) -> KnowledgeBase:
    """A new knowledge base (``AlreadyExistsError`` when the name is taken)."""
    return KnowledgeBase.create(settings, name, **_parts(settings, kwargs))


def open_or_create_kb(settings: Settings, name: str, **kwargs: Any) -> KnowledgeBase:
    """The knowledge base ``name``, created first when it does not exist."""
    return KnowledgeBase.open_or_create(settings, name, **_parts(settings, kwargs))


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
