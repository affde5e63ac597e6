"""Scanned documents: images and image-only PDF pages go through OCR (rapidocr, the real engine).

Every page is rendered by the test itself with Pillow and a CJK font found on the system
(Chinese and English sentences and a small table), so the expected text is known exactly.
Skips cleanly when no CJK font or no OCR engine is installed.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from zhiku.config import IngestSettings, Settings
from zhiku.errors import CorruptFileError, IngestError
from zhiku.eval.text_metrics import char_accuracy
from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS, load_path
from zhiku.ingest.ocr import OcrBox, ocr_available, page_text, rows

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_NAMES = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc")

LINES = (
    "星河芯片市场报告",
    "2023年星河芯片市场规模为47亿元。",
    "The Star chip market reached 4.7 billion yuan in 2023.",
)
TABLE = (("年份", "规模（亿元）"), ("2022", "31"), ("2023", "47"), ("2024", "70"))
PAGE_TEXT = "\n".join([*LINES, *(" | ".join(row) for row in TABLE)])


def cjk_font() -> Path | None:
    for folder in FONT_DIRS:
        for name in FONT_NAMES:
            found = next(folder.rglob(name), None) if folder.is_dir() else None
            if found:
                return found
    return None


@pytest.fixture(scope="module")
def font() -> Path:
    path = cjk_font()
    if path is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    if not ocr_available():
        pytest.skip("rapidocr is not installed (pip install 'zhiku[ocr]')")
    return path


def render_page(
    font: Path, lines: tuple[str, ...] = LINES, table: tuple[tuple[str, ...], ...] = TABLE
) -> Any:
    """A white page with a heading, two sentences and a two-column table (a Pillow image)."""
    from PIL import Image, ImageDraw, ImageFont

    face = ImageFont.truetype(str(font), 30)
    big = ImageFont.truetype(str(font), 44)  # the title is set larger, as in a printed report
    image = Image.new("RGB", (1240, 300 + 70 * len(lines) + 60 * len(table)), "white")
    draw = ImageDraw.Draw(image)
    y = 60
    for number, line in enumerate(lines):
        draw.text((60, y), line, font=big if number == 0 else face, fill="black")
        y += 90 if number == 0 else 70
    y += 20
    for row in table:
        draw.text((60, y), row[0], font=face, fill="black")
        draw.text((480, y), row[1], font=face, fill="black")
        draw.line((60, y + 48, 760, y + 48), fill="gray", width=1)
        y += 60
    return image


def save(image: Any, path: Path, **options: Any) -> Path:
    image.save(path, **options)
    return path


def scanned_pdf(image: Any, path: Path, text_page: str | None = None) -> Path:
    """A PDF whose page is only the image (no text layer), optionally after a normal text page."""
    from fpdf import FPDF

    pdf = FPDF()
    if text_page is not None:
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, text_page)
    pdf.add_page()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    pdf.image(buffer, x=0, y=0, w=210)
    pdf.output(str(path))
    return path


def document_text(path: Path, **kwargs: Any) -> tuple[str, Any]:
    docs = load_path(path, IngestSettings(), **kwargs)
    assert len(docs) == 1
    return "\n".join(b.text for b in docs[0].blocks), docs[0]


# ---- reading order, without the engine ------------------------------------------------------
@pytest.mark.unit
def test_boxes_on_one_line_form_a_row_and_far_apart_cells_are_joined_as_a_table() -> None:
    boxes = [
        OcrBox("620", 480, 205, 540, 235),
        OcrBox("2023", 60, 200, 130, 232),
        OcrBox("星河芯片市场报告", 60, 40, 400, 75),
        OcrBox("reached 4.7 billion", 300, 122, 600, 150),
        OcrBox("The market", 60, 120, 290, 152),
    ]
    assert [[b.text for b in row] for row in rows(boxes)] == [
        ["星河芯片市场报告"],
        ["The market", "reached 4.7 billion"],
        ["2023", "620"],
    ]
    assert page_text(boxes).split("\n") == [
        "星河芯片市场报告",
        "",
        "The market reached 4.7 billion",
        "",
        "2023 | 620",
    ]


@pytest.mark.unit
def test_images_are_supported_formats() -> None:
    assert {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"} <= set(SUPPORTED_EXTENSIONS)


# ---- the real engine -------------------------------------------------------------------------
@pytest.mark.integration
@pytest.mark.parametrize(("suffix", "options"), [(".png", {}), (".jpg", {"quality": 85})])
def test_a_rendered_image_is_read_in_chinese_and_english_with_its_table(
    font: Path, tmp_path: Path, suffix: str, options: dict[str, Any]
) -> None:
    path = save(render_page(font), tmp_path / f"scan{suffix}", **options)
    text, doc = document_text(path)
    assert doc.format == "image" and doc.pages == 1 and doc.meta["ocr"]
    assert doc.title == "星河芯片市场报告"
    assert "47亿元" in text and "billion yuan" in text
    assert char_accuracy(PAGE_TEXT, text) >= 0.9, text
    assert any(b.page == 1 for b in doc.blocks)
    assert "2023 | 47" in text.replace("｜", "|")  # the table row stays a row


@pytest.mark.integration
def test_a_multi_page_tiff_reports_progress_page_by_page(font: Path, tmp_path: Path) -> None:
    first = render_page(font)
    second = render_page(font, ("第二页：月光算力规模为12亿元。",), (("2025", "88"),))
    path = tmp_path / "two.tiff"
    first.save(path, save_all=True, append_images=[second])
    seen: list[tuple[int, int]] = []
    text, doc = document_text(path, on_page=lambda page, pages: seen.append((page, pages)))
    assert seen == [(1, 2), (2, 2)] and doc.pages == 2
    assert "月光算力" in text and {b.page for b in doc.blocks} == {1, 2}


@pytest.mark.integration
def test_a_pdf_page_without_text_layer_is_read_by_ocr(font: Path, tmp_path: Path) -> None:
    path = scanned_pdf(
        render_page(font), tmp_path / "scan.pdf", text_page="Cover page: Star chip annual review."
    )
    seen: list[tuple[int, int]] = []
    text, doc = document_text(path, on_page=lambda page, pages: seen.append((page, pages)))
    assert doc.format == "pdf" and doc.meta["ocr_pages"] == [2] and doc.meta["empty_pages"] == []
    assert seen == [(1, 2), (2, 2)]
    assert "Cover page" in text and "47亿元" in text and "billion yuan" in text
    assert char_accuracy(PAGE_TEXT, text.split("annual review.", 1)[-1]) >= 0.85


@pytest.mark.integration
def test_unreadable_and_blank_images_fail_with_a_clear_reason(font: Path, tmp_path: Path) -> None:
    from PIL import Image

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10)
    with pytest.raises(CorruptFileError) as info:
        load_path(broken, IngestSettings())
    assert "cannot decode the image" in info.value.en and "无法解码图片" in info.value.zh

    blank = save(Image.new("RGB", (600, 400), "white"), tmp_path / "blank.png")
    with pytest.raises(IngestError) as info:
        load_path(blank, IngestSettings())
    assert "no text was recognised" in info.value.en and "没有识别出文字" in info.value.zh


@pytest.mark.integration
@pytest.mark.slow
def test_scans_in_a_knowledge_base_answer_questions(font: Path, settings: Settings, tmp_path: Path) -> None:
    from zhiku.kb import KnowledgeBase
    from zhiku.types import AskRequest, IngestEvent
    from zhiku.wiring import build_assistant

    folder = tmp_path / "scans"
    folder.mkdir()
    save(render_page(font), folder / "star.png")
    moon = render_page(font, ("月光算力报告", "2023年月光算力市场规模为88亿元。"), (("2023", "88"),))
    scanned_pdf(moon, folder / "moon.pdf")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 64)
    events: list[IngestEvent] = []
    with KnowledgeBase.create(settings, "scans") as kb:
        report = kb.ingest([folder], events.append)
        status = {Path(f.path).name: f.status for f in report.files}
        assert status == {"star.png": "added", "moon.pdf": "added", "broken.jpg": "failed"}
        assert any(e.page == 1 and e.pages == 1 and e.path.endswith("moon.pdf") for e in events)
        assistant = build_assistant(kb, settings)
        zh = assistant.ask(AskRequest("2023年星河芯片市场规模是多少？", language="zh"))
        assert zh.found and "47" in zh.answer, zh.answer
        moon_answer = assistant.ask(AskRequest("2023年月光算力市场规模是多少？", language="zh"))
        assert moon_answer.found and "88" in moon_answer.answer, moon_answer.answer
        en = assistant.ask(AskRequest("How much did the Star chip market reach in 2023?", language="en"))
        assert en.found and "4.7" in en.answer, en.answer
