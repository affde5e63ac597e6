"""Fixtures of the evaluation tests: one small bilingual KB (hashing embedder, Milvus Lite),
built once per module, and the files it was built from."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # eval_helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llama"))  # tiny_gguf helpers

from eval_helpers import eval_settings, write_docs

from zhiku.config import Settings
from zhiku.wiring import create_kb


@pytest.fixture(scope="module")
def kb_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    """Settings and the name of KB ``t`` holding ``DOCS`` (ingested once per module)."""
    root = tmp_path_factory.mktemp("eval-kb")
    settings = eval_settings(root / "home")
    with create_kb(settings, "t") as kb:
        report = kb.ingest([write_docs(root / "docs")])
        assert not report.failed
    yield settings, "t"
