"""The sample knowledge base in examples/: every file loads, in the format and encoding intended."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from zhiku.config import IngestSettings
from zhiku.ingest.chunk import Chunker
from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS, load_path

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCUMENTS = sorted(
    p for p in EXAMPLES.iterdir() if p.suffix.lower() in SUPPORTED_EXTENSIONS and p.name != "questions.jsonl"
)


def test_examples_cover_the_formats() -> None:
    formats = {p.suffix.lower() for p in DOCUMENTS}
    assert {".pdf", ".docx", ".html", ".md", ".txt"} <= formats
    assert 6 <= len(DOCUMENTS) <= 10


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_example_loads_and_chunks(path: Path) -> None:
    settings = IngestSettings()
    docs = load_path(path, settings)
    assert len(docs) == 1
    doc = docs[0]
    assert doc.title and doc.blocks
    chunks = Chunker(settings).split(doc, "ex")
    assert chunks and all(doc.text[c.char_start : c.char_end] == c.text for c in chunks)


def test_gbk_text_example_is_really_gbk() -> None:
    path = EXAMPLES / "edge_ai_gbk.txt"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = load_path(path, IngestSettings())[0]
    assert doc.meta["encoding"] in ("gb18030", "gbk")
    assert "骁龙8 Gen 3" in doc.text


def test_pdf_example_is_cleaned() -> None:
    doc = load_path(EXAMPLES / "ai_market_compute.pdf", IngestSettings())[0]
    text = doc.text
    assert doc.pages == 3
    assert "智库示例资料" not in text and "共 3 页" not in text  # running header and footer removed
    assert "2023年中国人工智能产业规模已达到2137亿元。" in text
    assert any(b.kind == "chart" and "8110" in b.text for b in doc.blocks)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows[1] == ("中国人工智能产业规模", "2137亿元", "8110亿元", "30.6%")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings[:2] == ["中国人工智能产业规模与智能算力（2023—2028）", "一、产业规模"]


def test_questions_file() -> None:
    rows = [
        json.loads(line)
        for line in (EXAMPLES.parent / "src" / "zhiku" / "data" / "demo_questions.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    assert 10 <= len(rows) <= 20
    assert all(r["question"].strip() for r in rows)
    assert any(r.get("unanswerable") for r in rows)
    assert any(r["question"].isascii() for r in rows)  # English questions too
    names = {p.name for p in EXAMPLES.iterdir()}
    assert all(r.get("source") in names for r in rows if r.get("source"))


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_pdf_fails_clearly_without_a_font(tmp_path: Path) -> None:
    make_pdf = _load_script("make_pdf")
    with pytest.raises(SystemExit) as info:
        make_pdf.find_font(str(tmp_path / "no-such-font.ttf"))
    assert "CJK font not found" in str(info.value.code)


def test_make_docx_rebuilds(tmp_path: Path) -> None:
    make_docx = _load_script("make_docx")
    out = tmp_path / "landscape.docx"
    make_docx.build(out)
    doc = load_path(out, IngestSettings())[0]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows[7][:2] == ("京东", "言犀大模型")
