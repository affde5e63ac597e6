"""PDF via pypdfium2: text per page, then the shared cleaner (furniture, broken lines, charts).

Why pdfium: it is the engine Chrome uses, ships as a wheel, is fast and extracts CJK text well.
Pages without a text layer (scans) produce a warning, or go through ``rapidocr`` when
``settings.ocr`` is on and the package is installed (``pip install zhiku[ocr]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.errors import IngestError
from zhiku.ingest.clean import clean_text
from zhiku.ingest.loaders.base import corrupt, title_from
from zhiku.types import Document


def load(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
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
        texts, empty = _page_texts(pdf, settings)
        meta_title = _meta_title(pdf)
        count = len(pdf)
    finally:
        pdf.close()
    warnings: list[str] = []
    if empty:
        pages = ", ".join(str(n) for n in empty[:20])
        warnings.append(
            f"{len(empty)} 页没有文字层（扫描件？可开启 ingest.ocr）：第 {pages} 页 / "
            f"{len(empty)} page(s) have no text layer (scanned? enable ingest.ocr): {pages}"
        )
    if count and len(empty) == count:
        raise IngestError(
            "PDF 中没有可提取的文字（扫描件？请安装 rapidocr 并开启 ingest.ocr）",
            "the PDF has no extractable text (a scan? install rapidocr and set ingest.ocr = true)",
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
            meta={"warnings": warnings, "empty_pages": empty},
        )
    ]


def _page_texts(pdf: Any, settings: IngestSettings) -> tuple[list[str], list[int]]:
    texts: list[str] = []
    empty: list[int] = []
    ocr = _ocr_engine() if settings.ocr else None
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            textpage.close()
            if not text.strip() and ocr is not None:
                text = _ocr_page(ocr, page)
        finally:
            page.close()
        if not text.strip():
            empty.append(index + 1)
        texts.append(text.replace("\f", "\n"))
    return texts, empty


def _meta_title(pdf: Any) -> str | None:
    try:
        title = pdf.get_metadata_dict().get("Title")
    except Exception:  # metadata is optional and sometimes malformed
        return None
    return title if isinstance(title, str) and title.strip() else None


def _ocr_engine() -> Any | None:
    try:
        from rapidocr import RapidOCR  # type: ignore[import-not-found]
    except ImportError:
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found,no-redef]
        except ImportError:
            return None
    return RapidOCR()


def _ocr_page(engine: Any, page: Any) -> str:
    """Render at 2x and read the lines rapidocr finds, top to bottom."""
    image = page.render(scale=2).to_numpy()
    result = engine(image)
    lines = getattr(result, "txts", None)
    if lines is None and isinstance(result, tuple) and result and result[0]:
        lines = [item[1] for item in result[0]]
    return "\n".join(str(line) for line in (lines or []))
