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


def ingest_hooks(settings: Settings) -> list[IngestHook]:
    """Derived stores updated on every ingestion (facts/tables, graph)."""
    hooks: list[IngestHook] = []
    return hooks


def build_assistant(kb: KnowledgeBase, settings: Settings) -> Assistant:
    return Assistant(kb, settings)
