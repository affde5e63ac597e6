"""A real llama.cpp OpenAI-compatible server on 127.0.0.1, serving a tiny GGUF the tests write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tiny_gguf import llama_server as run_llama_server
from tiny_gguf import write_tiny_gguf


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.fixture(scope="session")
def llama_server(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The ``/v1`` base URL of a real llama.cpp server, shared by the session's tests."""
    with run_llama_server(tiny_gguf, tmp_path_factory.mktemp("llama") / "server.log") as base:
        yield base
