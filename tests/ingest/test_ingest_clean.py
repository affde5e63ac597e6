"""The cleaner on synthetic PDF-extraction text and (when present) the real seed report."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from zhiku.config import IngestSettings
from zhiku.ingest.chunk import Chunker
from zhiku.ingest.clean import clean_text, fix_spacing, looks_like_pdf_extraction, split_pages
from zhiku.ingest.loaders import load_path
from zhiku.types import Block

pytestmark = pytest.mark.unit

REPORT = Path(__file__).resolve().parents[3] / "shared" / "bench" / "seed_report" / "report.txt"

BODIES = [
    ("算力市场", "2023年中国智能算力市场规模达到5097亿元，较上年\n\n增长明显，训练需求是主要动力。"),
    ("模型备案", "截至2024年3月，国内已有117个大模型完成备案，其中\n\n通用大模型占比约三成。"),
    ("边缘智能", "端侧大模型率先落地于手机和智能座舱，\n\n芯片厂商推出支持百亿参数的移动平台。"),
    ("企业应用", "知识助手与对话式BI是企业最先采用的场景，部署周期\n\n普遍缩短到两个月以内。"),
    ("Global view", "The market for AI accelerators kept growing in\n\n2023 and vendors shipped new parts."),
]


def _page(n: int, title: str, body: str) -> str:
    return (
        f"智库研究院 | 2024年人工智能产业观察\n\n{title}\n\n{body}\n\n"
        "2019\n\n2020\n\n2021\n\n1389\n\n1621\n\n1687\n\n单位：亿元\n\n"
        f"Part1: 政策环境Part2: 资本市场Part3: 技术演进\n\n第 {n} 页"
    )


def synthetic_report() -> str:
    return "\f".join(_page(n, title, body) for n, (title, body) in enumerate(BODIES, start=1))


def _prose(blocks: list[Block]) -> str:
    return "\n".join(b.text for b in blocks if b.kind == "paragraph")


def test_repeated_headers_nav_and_page_numbers_are_removed() -> None:
    blocks = clean_text(synthetic_report())
    everything = "\n".join(b.text for b in blocks)
    assert "智库研究院" not in everything
    assert "Part1" not in everything
    assert not re.search(r"第 ?\d ?页", everything)


def test_broken_sentences_are_rejoined() -> None:
    prose = _prose(clean_text(synthetic_report()))
    assert "2023年中国智能算力市场规模达到5097亿元，较上年增长明显，训练需求是主要动力。" in prose
    assert "其中通用大模型占比约三成。" in prose
    assert "The market for AI accelerators kept growing in 2023 and vendors shipped new parts." in prose


def test_chart_residue_is_kept_apart() -> None:
    blocks = clean_text(synthetic_report())
    charts = [b for b in blocks if b.kind == "chart"]
    assert len(charts) == len(BODIES)
    assert charts[0].text.split("\n")[:3] == ["2019", "2020", "2021"]
    assert "1389" not in _prose(blocks)
    assert {b.page for b in charts} == {1, 2, 3, 4, 5}


def test_pages_from_leading_space_title_lines() -> None:
    text = "\n".join(f" {title}\n\n{body}\n\n导航：首页 政策 市场 技术 关于我们\n" for title, body in BODIES)
    pages = split_pages(text)
    assert len(pages) == len(BODIES)
    blocks = clean_text(text)
    headings = [b for b in blocks if b.kind == "heading"]
    assert [h.text for h in headings] == [title for title, _ in BODIES]
    assert [h.page for h in headings] == [1, 2, 3, 4, 5]
    assert "导航" not in "\n".join(b.text for b in blocks)


def test_numbered_headings_and_source_lines() -> None:
    text = (
        "第一章 产业概况\n\n中国人工智能产业规模持续扩大，2023年达到\n\n2137亿元。\n\n"
        "来源：公开资料整理。\n\n1.1 市场结构\n\n语言语音模态占比最高。"
    )
    blocks = clean_text(text)
    assert [(b.kind, b.level) for b in blocks if b.kind == "heading"] == [("heading", 1), ("heading", 3)]
    assert "中国人工智能产业规模持续扩大，2023年达到2137亿元。" in _prose(blocks)
    assert "来源：公开资料整理。" in [b.text for b in blocks]


def test_letter_spacing_and_latin_joins() -> None:
    assert fix_spacing("性 能 较 H100 提 升 了 60%") == "性能较H100提升了60%"
    assert fix_spacing("H200 ， 性 能") == "H200，性能"
    assert fix_spacing("大模型技术进程 大模型落地应用进程") == "大模型技术进程 大模型落地应用进程"
    blocks = clean_text("OpenAI发布了制作工具GPT\n\nBuilder，用户可以生成专属GPT。")
    assert blocks[0].text == "OpenAI发布了制作工具GPT Builder，用户可以生成专属GPT。"


def test_detects_pdf_extraction_layout() -> None:
    assert looks_like_pdf_extraction(synthetic_report())
    plain = "第一段是完整的句子。\n\n第二段也是完整的句子。\n\n第三段。\n\n第四段。\n\n第五段。\n\n第六段。"
    assert not looks_like_pdf_extraction(plain)


def test_fast_on_a_long_document() -> None:
    text = "\f".join(_page(n, f"标题{n}", BODIES[n % 5][1]) for n in range(400))
    start = time.perf_counter()
    clean_text(text)
    assert time.perf_counter() - start < 2.0


@pytest.fixture
def report_text() -> str:
    if not REPORT.is_file():
        pytest.skip("../shared/bench/seed_report/report.txt is not available")
    return REPORT.read_text(encoding="utf-8")


def test_seed_report(report_text: str) -> None:
    start = time.perf_counter()
    blocks = clean_text(report_text)
    assert time.perf_counter() - start < 2.0
    everything = "\n".join(b.text for b in blocks)
    assert "Part4: 产业动态" not in everything
    assert "iResearch Inc." not in everything
    prose = [b.text for b in blocks if b.kind == "paragraph"]
    assert any("2023年中国人工智能产业规模已达到2137亿元" in p for p in prose)
    assert any("预计到2028年，中国人工智能产业规模将达到8110亿元" in p for p in prose)
    charts = "\n".join(b.text for b in blocks if b.kind == "chart")
    assert "2020 2021 2022 2023 2024E" in charts
    assert "1389 1621 1687 2093" in charts
    assert not any("1389 1621" in p for p in prose)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert "中国人工智能产业规模" in headings and len(headings) > 30


def test_seed_report_through_loader_and_chunker(report_text: str, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(report_text, encoding="utf-8")
    settings = IngestSettings()
    doc = load_path(path, settings)[0]
    assert doc.meta.get("cleaned") is True and doc.pages > 30
    chunks = Chunker(settings).split(doc, "seed")
    assert any("2023年中国人工智能产业规模已达到2137亿元" in c.text for c in chunks)
    assert all(doc.text[c.char_start : c.char_end] == c.text for c in chunks)
    assert {c.kind for c in chunks} >= {"paragraph", "chart"}


def test_chart_title_line_becomes_the_chart_caption() -> None:
    text = "正文第一句话到此结束。\n\n中国智能算力市场规模（亿元）\n\n2020 2021 2022 2023\n\n100\n\n120\n\n150\n\n210"
    blocks = clean_text(text)
    assert [b.kind for b in blocks] == ["paragraph", "chart"]
    assert blocks[1].text.startswith("中国智能算力市场规模（亿元）\n2020 2021")
    assert blocks[1].meta["caption"] == "中国智能算力市场规模（亿元）"


def test_flattened_tables_become_table_blocks() -> None:
    text = (
        "下表列出部分厂商。\n\n公司 模型\n\n百度 文心一言\n\n京东 言犀\n\n阿里巴巴 通义千问\n\n"
        "上市情况如下。\n\n公司 年份 板块\n\n商汤科技 2021 港股\n\n寒武纪 2020 科创板\n\n结束。"
    )
    tables = [b for b in clean_text(text) if b.kind == "table"]
    assert [t.rows for t in tables] == [
        (("公司", "模型"), ("百度", "文心一言"), ("京东", "言犀"), ("阿里巴巴", "通义千问")),
        (("公司", "年份", "板块"), ("商汤科技", "2021", "港股"), ("寒武纪", "2020", "科创板")),
    ]
