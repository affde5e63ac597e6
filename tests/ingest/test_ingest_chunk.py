"""Chunker: budget (with a tokenizer where characters != tokens), headings, overlap, spans, kinds."""

from __future__ import annotations

import itertools

import pytest

from zhiku.config import IngestSettings
from zhiku.errors import ConfigError
from zhiku.ingest.chunk import Chunker, cjk_units
from zhiku.types import Block, Document

pytestmark = pytest.mark.unit


def fake_tokens(text: str) -> int:
    """A tokenizer where characters != tokens: each CJK char is 2 tokens, each Latin word 1, spaces 0."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    words = len("".join(ch if ch.isascii() and ch.isalnum() else " " for ch in text).split())
    punct = sum(1 for ch in text if not ch.isspace() and not ch.isalnum())
    return 2 * cjk + words + punct


def _doc(*blocks: Block) -> Document:
    return Document(source="mem://doc", title="t", format="md", blocks=blocks)


def _sentences(n: int, start: int = 0) -> str:
    return "".join(f"第{i}号句子讲述人工智能产业的发展情况。" for i in range(start, start + n))


def test_cjk_units() -> None:
    assert cjk_units("人工智能") == 4
    assert cjk_units("intelligence") == 3
    assert cjk_units("2137亿元，") == 1 + 2 + 1
    assert cjk_units("  ") == 0


def test_budget_respected_with_fake_tokenizer() -> None:
    settings = IngestSettings(chunk_chars=80, overlap_sentences=1, min_chunk_chars=10)
    doc = _doc(Block(kind="heading", text="产业", level=1), Block(kind="paragraph", text=_sentences(30)))
    chunks = Chunker(settings, count=fake_tokens).split(doc, "d")
    assert len(chunks) > 5
    for chunk in chunks[:-1]:
        assert fake_tokens(chunk.text) <= 80
    # with chars counted as 1 the same budget would allow ~2x longer chunks
    by_chars = Chunker(settings).split(doc, "d")
    assert len(by_chars) < len(chunks)
    for chunk in by_chars[:-1]:
        assert cjk_units(chunk.text) <= 80


def test_spans_ids_and_pages() -> None:
    doc = _doc(
        Block(kind="heading", text="一、政策", level=1, page=1),
        Block(kind="paragraph", text=_sentences(6), page=1),
        Block(kind="paragraph", text=_sentences(6, 6), page=2),
    )
    chunks = Chunker(IngestSettings(chunk_chars=60, overlap_sentences=0, min_chunk_chars=5)).split(doc, "abc")
    text = doc.text
    for ordinal, chunk in enumerate(chunks):
        assert chunk.chunk_id == f"abc:{ordinal:05d}"
        assert chunk.ordinal == ordinal and chunk.doc_id == "abc"
        assert text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.heading_path == ("一、政策",)
    assert chunks[0].page == 1
    assert chunks[-1].page == 2
    first_page2 = text.index("第6号")
    assert next(c for c in chunks if c.char_start >= first_page2).page == 2


def test_chunks_never_span_sections_and_keep_heading_paths() -> None:
    doc = _doc(
        Block(kind="heading", text="报告", level=1),
        Block(kind="paragraph", text="引言部分的一句话，足够长以便成为独立的一个块。"),
        Block(kind="heading", text="市场", level=2),
        Block(kind="paragraph", text="市场部分的内容。" * 3),
        Block(kind="heading", text="算力", level=3),
        Block(kind="paragraph", text="算力部分的内容。" * 3),
        Block(kind="heading", text="政策", level=2),
        Block(kind="paragraph", text="政策部分的内容。" * 3),
    )
    chunks = Chunker(IngestSettings(chunk_chars=500, min_chunk_chars=5)).split(doc, "d")
    assert [c.heading_path for c in chunks] == [
        ("报告",),
        ("报告", "市场"),
        ("报告", "市场", "算力"),
        ("报告", "政策"),
    ]
    assert all("部分" in c.text and "报告" not in c.text for c in chunks[1:])


def test_sentence_overlap() -> None:
    doc = _doc(Block(kind="paragraph", text=_sentences(12)))
    chunks = Chunker(IngestSettings(chunk_chars=60, overlap_sentences=1, min_chunk_chars=5)).split(doc, "d")
    assert len(chunks) >= 3
    for previous, current in itertools.pairwise(chunks):
        last_sentence = previous.text.split("。")[-2] + "。"
        assert current.text.startswith(last_sentence)
        assert current.char_start < previous.char_end


def test_tables_and_charts_are_their_own_chunks() -> None:
    rows = (("厂商", "模型"), ("百度", "文心一言"), ("阿里", "通义千问"))
    doc = _doc(
        Block(kind="paragraph", text="下表列出主要厂商。"),
        Block(kind="table", text="厂商 | 模型\n百度 | 文心一言\n阿里 | 通义千问", rows=rows),
        Block(kind="chart", text="2020 2021 2022\n1389 1621 1687"),
        Block(kind="paragraph", text="表后的说明文字。"),
    )
    chunks = Chunker(IngestSettings(chunk_chars=300, min_chunk_chars=5)).split(doc, "d")
    assert [c.kind for c in chunks] == ["paragraph", "table", "chart", "paragraph"]
    assert chunks[1].text.startswith("厂商 | 模型")


def test_long_table_split_by_rows_and_long_sentence_hard_split() -> None:
    table = "\n".join(f"第{i}行 | {i * 100}" for i in range(60))
    sentence = "很长的句子" * 100 + "。"
    doc = _doc(Block(kind="table", text=table), Block(kind="paragraph", text=sentence))
    chunks = Chunker(IngestSettings(chunk_chars=60, min_chunk_chars=5)).split(doc, "d")
    tables = [c for c in chunks if c.kind == "table"]
    assert len(tables) > 3 and all("\n" in t.text or "|" in t.text for t in tables)
    prose = [c for c in chunks if c.kind == "paragraph"]
    assert len(prose) >= 8
    assert all(cjk_units(c.text) <= 60 for c in chunks)
    assert "".join(c.text for c in prose) == sentence


def test_tiny_tail_merges_into_previous_chunk() -> None:
    body = _sentences(3)
    budget = cjk_units(body)  # the three sentences fill the budget exactly
    doc = _doc(Block(kind="paragraph", text=body + "短尾。"))
    chunks = Chunker(IngestSettings(chunk_chars=budget, overlap_sentences=0, min_chunk_chars=8)).split(
        doc, "d"
    )
    assert [c.text for c in chunks] == [body + "短尾。"]
    # a tail of at least min_chunk_chars stays a chunk of its own
    doc = _doc(Block(kind="paragraph", text=body + "这是一个不算太短的结尾句子。"))
    chunks = Chunker(IngestSettings(chunk_chars=budget, overlap_sentences=0, min_chunk_chars=8)).split(
        doc, "d"
    )
    assert [c.text for c in chunks] == [body, "这是一个不算太短的结尾句子。"]


def test_english_budget_counts_words_not_letters() -> None:
    text = " ".join(f"Sentence number {i} describes the edge computing market in detail." for i in range(40))
    chunks = Chunker(IngestSettings(chunk_chars=100, min_chunk_chars=10)).split(
        _doc(Block(kind="paragraph", text=text)), "e"
    )
    assert all(len(c.text) > 200 for c in chunks[:-1])  # ~4 letters per unit
    assert all(cjk_units(c.text) <= 110 for c in chunks)


def test_bad_settings_fail_at_startup() -> None:
    with pytest.raises(ConfigError):
        Chunker(IngestSettings(chunk_chars=100, min_chunk_chars=100))


def test_empty_document() -> None:
    assert Chunker(IngestSettings()).split(_doc(), "d") == []
