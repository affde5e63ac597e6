"""Fixtures shared by the answer tests."""

from __future__ import annotations

import pytest

from zhiku.answer.reader import ExtractiveReader
from zhiku.config import ReaderSettings


@pytest.fixture(scope="module")
def reader() -> ExtractiveReader:
    """The reader with the shipped model and default settings (loading it costs ~1 s)."""
    return ExtractiveReader(ReaderSettings())
