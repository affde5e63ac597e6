"""PDF via pypdfium2: text per page, then the shared cleaner (furniture, broken lines, charts).

Why pdfium: it is the engine Chrome uses, ships as a wheel, is fast and extracts CJK text well.
Pages without a text layer (scans) are rendered and read by OCR (``rapidocr``, the ``ocr``
extra: ``pip install 'zhiku[ocr]'``) whenever ``ingest.ocr`` is on, which it is by default; the
OCR models are loaded only when such a page turns up.  Without the extra those pages produce a
warning naming them (and a PDF with no text at all fails with the install hint).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.errors import IngestError
from zhiku.ingest.clean import clean_text
from zhiku.ingest.loaders.base import corrupt, title_from
from zhiku.ingest.ocr import INSTALL_HINT, OcrEngine, OcrUnavailableError, PageFn, default_engine, page_text
from zhiku.types import Document


def load(path: Path, data: bytes, settings: IngestSettings, on_page: PageFn | None = None) -> list[Document]:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise corrupt(path, "PDF", "缺少 %PDF 文件头 / missing the %PDF header")
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise corrupt(
            path, "PDF", f"pdfium 无法打开（可能已加密）/ pdfium cannot open it (maybe encrypted): {exc}"
        ) from exc
    try:
        texts, empty, ocred = _page_texts(pdf, settings, on_page)
        meta_title = _meta_title(pdf)
        count = len(pdf)
    finally:
        pdf.close()
    warnings: list[str] = []
    if empty:
        pages = ", ".join(str(n) for n in empty[:20])
        warnings.append(
            f"{len(empty)} 页没有文字（扫描件？需要 OCR：{INSTALL_HINT}，ingest.ocr = true）：第 {pages} 页 / "
            f"{len(empty)} page(s) have no text (scanned? OCR needs {INSTALL_HINT} and ingest.ocr = true): {pages}"
        )
    if count and len(empty) == count:
        raise IngestError(
            f"PDF 中没有可提取的文字（扫描件？OCR 需要 {INSTALL_HINT} 且 ingest.ocr = true）",
            f"the PDF has no extractable text (a scan? OCR needs {INSTALL_HINT} and ingest.ocr = true)",
            path=str(path),
        )
    blocks = clean_text("\f".join(texts), meta_title)
    return [
        Document(
            source=str(path),
            title=title_from(blocks, path, meta_title),
            format="pdf",
            blocks=tuple(blocks),
            pages=count,
            meta={"warnings": warnings, "empty_pages": empty, "ocr_pages": ocred},
        )
    ]


def _page_texts(
    pdf: Any, settings: IngestSettings, on_page: PageFn | None
) -> tuple[list[str], list[int], list[int]]:
    """Each page's text layer, or its OCR when it has none: texts, still-empty pages, OCRed pages."""
    texts: list[str] = []
    empty: list[int] = []
    ocred: list[int] = []
    ocr = _LazyOcr(settings.ocr)
    for index in range(len(pdf)):
        if on_page is not None:
            on_page(index + 1, len(pdf))  # "reading page n of m" (an OCR page takes seconds)
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            textpage.close()
            engine = ocr.engine() if not text.strip() else None
            if engine is not None:
                text = _ocr_page(engine, page)
                ocred.append(index + 1)
        finally:
            page.close()
        if not text.strip():
            empty.append(index + 1)
        texts.append(text.replace("\f", "\n"))
    return texts, empty, ocred


class _LazyOcr:
    """Loads the OCR engine at the first page that needs it; remembers when it is unavailable."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._engine: OcrEngine | None = None

    def engine(self) -> OcrEngine | None:
        if self._engine is None and self.enabled:
            try:
                self._engine = default_engine()
            except OcrUnavailableError:
                self.enabled = False
        return self._engine


def _meta_title(pdf: Any) -> str | None:
    try:
        title = pdf.get_metadata_dict().get("Title")
    except Exception:  # metadata is optional and sometimes malformed
        return None
    return title if isinstance(title, str) and title.strip() else None


def _ocr_page(engine: OcrEngine, page: Any) -> str:
    """Render at 2x (about 150 dpi for A4) and read the rows OCR finds, top to bottom."""
    bitmap = page.render(scale=2, rev_byteorder=True)  # RGB order, as the engine expects
    return page_text(engine.read(bitmap.to_numpy()))
