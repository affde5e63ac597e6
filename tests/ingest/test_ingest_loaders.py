"""Each loader on small files the tests write themselves."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from zhiku.config import IngestSettings
from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS, load_path

pytestmark = pytest.mark.unit


@pytest.fixture
def ingest() -> IngestSettings:
    return IngestSettings()


def test_supported_extensions_cover_the_formats() -> None:
    for ext in (".pdf", ".docx", ".html", ".md", ".txt", ".csv", ".xlsx", ".jsonl"):
        assert ext in SUPPORTED_EXTENSIONS


def test_markdown_headings_tables_code_and_lists(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# 大模型备案\n\n截至2024年，已有**40余家**大模型通过[备案](https://example.com)。\n"
        "这是同一段落的第二行。\n\n## 厂商\n\n| 厂商 | 模型 |\n|---|---|\n| 百度 | 文心一言 |\n| 阿里 | 通义千问 |\n\n"
        "- 第一项\n- 第二项\n\n```python\nprint('hi')\n```\n",
        encoding="utf-8",
    )
    doc = load_path(path, ingest)[0]
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["heading", "paragraph", "heading", "table", "list", "list", "code"]
    assert doc.title == "大模型备案"
    assert doc.blocks[1].text == "截至2024年，已有40余家大模型通过备案。这是同一段落的第二行。"
    table = doc.blocks[3]
    assert table.rows == (("厂商", "模型"), ("百度", "文心一言"), ("阿里", "通义千问"))
    assert doc.blocks[2].level == 2


def test_html_main_text_without_chrome(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>算力市场</title><style>p{color:red}</style></head><body>"
        "<nav>首页 | 新闻 | 关于</nav><header>站点抬头</header><main><h1>智能算力</h1>"
        "<p>2023年中国智能算力市场规模达到<b>5097亿元</b>。</p><div>增长很快。<p>内层段落。</p></div>"
        "<h2>表格</h2><table><tr><th>年份</th><th>规模</th></tr><tr><td>2023</td><td>5097</td></tr></table>"
        "<script>var x = 1;</script></main><footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    doc = load_path(path, ingest)[0]
    text = doc.text
    assert doc.title == "算力市场"
    assert "首页" not in text and "站点抬头" not in text and "版权所有" not in text and "var x" not in text
    assert [b.kind for b in doc.blocks] == [
        "heading",
        "paragraph",
        "paragraph",
        "paragraph",
        "heading",
        "table",
    ]
    assert doc.blocks[1].text == "2023年中国智能算力市场规模达到5097亿元。"
    assert doc.blocks[-1].rows == (("年份", "规模"), ("2023", "5097"))


def test_html_declared_gbk_charset(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "gbk.html"
    html = '<html><head><meta charset="gbk"><title>测试</title></head><body><p>国家数据局挂牌成立。</p></body></html>'
    path.write_bytes(html.encode("gbk"))
    doc = load_path(path, ingest)[0]
    assert "国家数据局挂牌成立。" in doc.text


def test_docx_headings_and_tables(tmp_path: Path, ingest: IngestSettings) -> None:
    import docx

    document = docx.Document()
    document.add_heading("企业知识助手案例", level=1)
    document.add_paragraph("某银行于2024年3月上线知识助手，覆盖1200名客服人员。")
    document.add_heading("效果", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "数值"
    table.cell(1, 0).text = "首次解决率"
    table.cell(1, 1).text = "86%"
    document.add_paragraph("第一项", style="List Bullet")
    path = tmp_path / "case.docx"
    document.save(str(path))
    doc = load_path(path, ingest)[0]
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "heading", "table", "list"]
    assert doc.blocks[2].level == 2
    assert doc.blocks[3].rows == (("指标", "数值"), ("首次解决率", "86%"))
    assert doc.title == "企业知识助手案例"


def test_csv_rows_kept(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "market.csv"
    path.write_bytes("年份,规模（亿元）\n2022,1687\n2023,2137\n".encode("gbk"))
    doc = load_path(path, ingest)[0]
    (block,) = doc.blocks
    assert block.kind == "table"
    assert block.rows == (("年份", "规模（亿元）"), ("2022", "1687"), ("2023", "2137"))
    assert "2023 | 2137" in block.text


def test_xlsx_each_sheet_is_a_table(tmp_path: Path, ingest: IngestSettings) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "规模"
    sheet.append(["年份", "规模"])
    sheet.append([2023, 2137.0])
    other = book.create_sheet("空表")
    del other
    third = book.create_sheet("芯片")
    third.append(["厂商", "产品"])
    third.append(["华为", "昇腾910B"])
    path = tmp_path / "data.xlsx"
    book.save(str(path))
    doc = load_path(path, ingest)[0]
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert [t.meta["sheet"] for t in tables] == ["规模", "芯片"]
    assert tables[0].rows == (("年份", "规模"), ("2023", "2137"))
    assert doc.format == "xlsx"


def test_txt_plain_paragraphs_and_heading(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "memo.txt"
    path.write_text(
        "边缘智能\n\n端侧大模型率先落地于手机。\n智能座舱紧随其后。\n\nSecond paragraph is\nwrapped here.\n",
        encoding="utf-8",
    )
    doc = load_path(path, ingest)[0]
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "paragraph"]
    assert doc.blocks[1].text == "端侧大模型率先落地于手机。智能座舱紧随其后。"
    assert doc.blocks[2].text == "Second paragraph is wrapped here."
    assert doc.meta["encoding"] == "utf-8"


def test_jsonl_one_document_per_row_with_bad_lines(tmp_path: Path, ingest: IngestSettings) -> None:
    rows = [{"id": f"r{i}", "title": f"标题{i}", "text": f"第{i}段正文。\n第二行。"} for i in range(3)]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"id": "x", "title": "no text"}))
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = load_path(path, ingest)
    assert [d.external_id for d in docs] == ["r0", "r1", "r2"]
    assert docs[1].source == f"{path}#r1"
    assert docs[1].title == "标题1"
    assert [b.text for b in docs[0].blocks] == ["第0段正文。", "第二行。"]
    assert docs[0].meta["bad_lines"] == [2, 5]
    assert docs[0].meta["warnings"]


def test_jsonl_is_fast(tmp_path: Path, ingest: IngestSettings) -> None:
    body = "大模型正在从算力统管和场景优化两个维度在边缘侧进行落地尝试。" * 10
    path = tmp_path / "big.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"id": str(i), "title": "", "text": body}, ensure_ascii=False) for i in range(6000)
        ),
        encoding="utf-8",
    )
    start = time.perf_counter()
    docs = load_path(path, ingest)
    assert len(docs) == 6000
    assert time.perf_counter() - start < 1.5  # ~0.1–0.3 s measured; slack for a busy CI machine


def test_pdf_text_pages_and_cleaning(tmp_path: Path, ingest: IngestSettings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    topics = ("phones", "cars", "factories")
    for page, topic in enumerate(topics, start=1):
        pdf.add_page()
        pdf.cell(0, 8, "ACME Research | Quarterly Outlook", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(
            0,
            6,
            f"Section {page} explains that the market for edge inference chips in {topic} grew strongly "
            f"and the vendors expect further growth next year, mostly in {topic} made for export markets.",
        )
        pdf.cell(0, 8, f"Page {page} of 3", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "outlook.pdf"
    pdf.output(str(path))
    doc = load_path(path, ingest)[0]
    assert doc.pages == 3
    assert "ACME Research" not in doc.text and "Page 1 of 3" not in doc.text
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 3
    assert paragraphs[0].text.startswith("Section 1 explains that the market")
    assert "grew strongly and the vendors expect further growth next year, mostly" in paragraphs[0].text
    assert [p.page for p in paragraphs] == [1, 2, 3]


def test_unknown_extension_sniffed_by_content(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "page.download"
    path.write_text("<!DOCTYPE html><html><body><p>你好，世界。</p></body></html>", encoding="utf-8")
    assert load_path(path, ingest)[0].format == "html"


def test_html_chrome_marked_by_class_or_role(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "chrome.html"
    path.write_text(
        '<html><body><div class="top-navbar">首页 新闻</div><div role="navigation">菜单</div>'
        '<div id="content"><p>正文内容在这里。</p></div><div class="site-footer">备案号</div></body></html>',
        encoding="utf-8",
    )
    assert load_path(path, ingest)[0].text == "正文内容在这里。"
