"""Recovered chart series become retrievable text; unaligned charts do not."""

from __future__ import annotations

import pytest

from zhiku.config import IngestSettings
from zhiku.ingest.chart_text import describe_charts
from zhiku.ingest.chunk import Chunker
from zhiku.types import Block, Document

pytestmark = pytest.mark.unit


def _doc(*blocks: Block) -> Document:
    return Document(source="/x.pdf", title="报告", format="pdf", blocks=blocks)


def test_aligned_series_is_written_out_with_years_and_units() -> None:
    doc = _doc(
        Block("paragraph", "2019-2023年某市机器人产量", page=2),
        Block("chart", "12 15 19\n24 30\n2019 2020 2021 2022 2023E", page=2),
        Block("paragraph", "某市机器人产量（万台）", page=2),
    )
    described = describe_charts(doc)
    derived = [b for b in described.blocks if b.meta.get("derived")]
    assert len(derived) == 1 and derived[0].kind == "chart" and derived[0].page == 2
    assert "2021年 | 19万台" in derived[0].text and "2023年（预计） | 30万台" in derived[0].text
    chunks = Chunker(IngestSettings()).split(described, "d")
    assert any("2021年 | 19万台" in c.text for c in chunks)
    assert [b for b in described.blocks if not b.meta.get("derived")] == list(doc.blocks)


def test_counts_that_do_not_align_are_not_invented() -> None:
    doc = _doc(Block("chart", "12 15 19 7\n2019 2020 2021\n产量（万台）"))
    assert describe_charts(doc) == doc or not any(b.meta.get("derived") for b in describe_charts(doc).blocks)


def test_documents_without_charts_are_untouched() -> None:
    doc = _doc(Block("paragraph", "2023年产量为19万台。"))
    assert describe_charts(doc) is doc
