"""Shared by the graph tests: a knowledge base made from files the test writes."""

from __future__ import annotations

from pathlib import Path

from zhiku.config import Settings
from zhiku.kb import KnowledgeBase
from zhiku.wiring import open_or_create_kb


def kb_from_files(settings: Settings, folder: Path, name: str, files: dict[str, str]) -> KnowledgeBase:
    """A KB called ``name`` holding ``files`` (file name → UTF-8 text) written into ``folder``."""
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    kb = open_or_create_kb(settings, name)
    report = kb.ingest([folder])
    assert not report.failed, report.failed
    return kb
