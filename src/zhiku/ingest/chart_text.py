"""Readable text for chart series recovered from flattened PDF charts.

A PDF chart survives text extraction as a title, a row of years and a row of bare numbers
("29 27 31 37 … / 2020 2021 … / 规模（亿元）"): neither BM25 nor the extractive reader can
tell that 58 belongs to 2025 and is 亿元.  When the BI chart recovery aligns a series with
high confidence, we add one ``chart`` block after the chart that states it as a table
("2025年 | 58亿元"), so the figure can be retrieved and quoted with its year and unit.
Low-confidence alignments are never written out (we do not invent pairings).

The added block is for chunking only: ingest hooks still receive the original document, and
the ``|`` rendering keeps prose fact extraction from counting the values twice.

>>> describe_charts(document).blocks[-1].text
'图表数据｜2020-2028年中国AI基础数据服务市场规模（亿元）\\n2020年 | 29亿元\\n…'
"""

from __future__ import annotations

from dataclasses import replace

from zhiku.bi.charts_recover import HIGH, ChartSeries, recover_series
from zhiku.types import Block, Document


def _render(series: ChartSeries) -> str:
    unit = f"{series.scale}{series.unit}" if series.unit != "%" else "%"
    label = series.title or series.legend
    head = f"图表数据 | {label}" + (f"（{unit}）" if unit and unit not in label else "")
    rows = [f"{_period(p.period)} | {p.raw}{unit}" for p in series.points]
    return "\n".join([head, *rows])


def _period(period: str) -> str:
    """``2024E`` (estimate) → ``2024年（预计）``; ``2023`` → ``2023年``."""
    year = period.rstrip("EeAFP")
    return f"{year}年（预计）" if year != period else f"{year}年"


def describe_charts(document: Document) -> Document:
    """The document with a text rendering after each confidently recovered chart series."""
    if not any(b.kind == "chart" for b in document.blocks):
        return document
    texts = [b.text for b in document.blocks]
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1  # joined with "\n", as the BI hook does
    extra: dict[int, list[Block]] = {}
    for series in recover_series("\n".join(texts)):
        if series.confidence < HIGH or not series.points:
            continue
        index = max(i for i, s in enumerate(starts) if s <= series.start)
        page = document.blocks[index].page
        extra.setdefault(index, []).append(
            Block(kind="chart", text=_render(series), page=page, meta={"derived": "chart-series"})
        )
    if not extra:
        return document
    blocks: list[Block] = []
    for i, block in enumerate(document.blocks):
        blocks.append(block)
        blocks.extend(extra.get(i, []))
    return replace(document, blocks=tuple(blocks))
