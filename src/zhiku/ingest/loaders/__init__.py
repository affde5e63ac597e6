"""Loaders: one module per format; :func:`load_path` picks one and turns failures into reasons.

Why a single entry point: the pipeline must treat every file the same way — size limit, empty
file, unreadable path, unknown format and corrupt content all become an ``IngestError`` subclass
with a bilingual message, so one bad file never stops the others.

>>> docs = load_path(Path("examples/policy_timeline.md"), IngestSettings())
>>> docs[0].format, docs[0].blocks[0].kind
('md', 'heading')

Warnings that do not fail a file (pages without text, skipped JSONL lines) are listed in
``Document.meta["warnings"]`` (the first document of the file for JSONL).

ZIP containers (DOCX, XLSX and any later one) and PDFs pass :mod:`zhiku.ingest.limits` first.

Formats: PDF, DOCX, HTML, Markdown, TXT, CSV/TSV, XLSX, JSON Lines, and images (PNG, JPEG, TIFF,
BMP) through OCR (see ``SUPPORTED_EXTENSIONS``).  Paged loaders (PDF, images) report each page
through ``on_page`` so a long scan shows progress page by page.
A file with no or an unknown extension is sniffed (``%PDF``, ZIP with ``word/`` or ``xl/``,
``<html``) before giving up with ``UnsupportedFormatError``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from zhiku.config import IngestSettings
from zhiku.errors import CorruptFileError, FileTooLargeError, IngestError, UnsupportedFormatError, ZhikuError
from zhiku.ingest.limits import check_bytes
from zhiku.ingest.loaders import docx, html, image, jsonl, markdown, pdf, table, text
from zhiku.ingest.loaders.base import LoaderFn
from zhiku.ingest.ocr import PageFn
from zhiku.types import Document

_LOADERS: dict[str, tuple[str, LoaderFn]] = {
    ".pdf": ("PDF", pdf.load),
    ".docx": ("DOCX", docx.load),
    ".html": ("HTML", html.load),
    ".htm": ("HTML", html.load),
    ".xhtml": ("HTML", html.load),
    ".md": ("Markdown", markdown.load),
    ".markdown": ("Markdown", markdown.load),
    ".txt": ("TXT", text.load),
    ".text": ("TXT", text.load),
    ".csv": ("CSV", table.load_csv),
    ".tsv": ("CSV", table.load_csv),
    ".xlsx": ("XLSX", table.load_xlsx),
    ".xlsm": ("XLSX", table.load_xlsx),
    ".jsonl": ("JSONL", jsonl.load),
    ".ndjson": ("JSONL", jsonl.load),
    **{ext: ("image", image.load) for ext in image.EXTENSIONS},
}
PagedLoaderFn = Callable[[Path, bytes, IngestSettings, PageFn | None], list[Document]]
_PAGED: dict[str, PagedLoaderFn] = {".pdf": pdf.load, **{ext: image.load for ext in image.EXTENSIONS}}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(_LOADERS)


def load_path(path: Path, settings: IngestSettings, on_page: PageFn | None = None) -> list[Document]:
    """Load one file into documents; every failure is an ``IngestError`` with a reason."""
    data = _read(path, settings)
    ext = path.suffix.lower()
    if ext not in _LOADERS:
        ext = _sniff(data) or ""
    if ext not in _LOADERS:
        supported = " ".join(SUPPORTED_EXTENSIONS)
        raise UnsupportedFormatError(
            f"不支持的文件格式：{path.suffix or '（无扩展名）'}；支持：{supported}",
            f"unsupported file format: {path.suffix or '(no extension)'}; supported: {supported}",
            path=str(path),
        )
    fmt, loader = _LOADERS[ext]
    check_bytes(path, data, settings, fmt)  # decompression bombs never reach a parser
    try:
        if on_page is not None and ext in _PAGED:
            return _PAGED[ext](path, data, settings, on_page)
        return loader(path, data, settings)
    except ZhikuError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise IngestError(
            f"文件过于复杂，无法载入：{type(exc).__name__}",
            f"the file is too complex to load: {type(exc).__name__}",
            path=str(path),
        ) from exc
    except Exception as exc:  # a parser choking on bad bytes: report it as this file's reason
        raise CorruptFileError(
            f"{fmt} 文件无法解析（已损坏或格式不符）：{exc}",
            f"cannot parse the {fmt} file (corrupt or not really {fmt}): {exc}",
            path=str(path),
        ) from exc


def _read(path: Path, settings: IngestSettings) -> bytes:
    try:
        if not path.is_file():
            what = "不存在" if not path.exists() else "不是普通文件"
            raise IngestError(
                f"路径{what}：{path}",
                f"path does not exist or is not a regular file: {path}",
                path=str(path),
            )
        size = path.stat().st_size
        limit = int(settings.max_file_mb * 1024 * 1024)
        if size > limit:
            raise FileTooLargeError(
                f"文件过大：{size / 1048576:.1f} MB，上限 {settings.max_file_mb:g} MB（ingest.max_file_mb）",
                f"file too large: {size / 1048576:.1f} MB, limit {settings.max_file_mb:g} MB (ingest.max_file_mb)",
                path=str(path),
                size=size,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            f"无法读取文件：{exc.strerror or exc}",
            f"cannot read the file: {exc.strerror or exc}",
            path=str(path),
        ) from exc
    if not data or data.isspace():
        raise CorruptFileError(
            "文件是空的（0 字节或只有空白）", "the file is empty (0 bytes or only whitespace)", path=str(path)
        )
    return data


def _sniff(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return ".pdf"
    if head.startswith(b"PK"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if any(n.startswith("word/") for n in names):
            return ".docx"
        if any(n.startswith("xl/") for n in names):
            return ".xlsx"
        return None
    lowered = head[:256].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return _sniff_image(data)


def _sniff_image(data: bytes) -> str | None:
    for magic, ext in (
        (b"\x89PNG\r\n", ".png"),
        (b"\xff\xd8\xff", ".jpg"),
        (b"II*\x00", ".tif"),
        (b"MM\x00*", ".tif"),
    ):
        if data.startswith(magic):
            return ext
    if data.startswith(b"BM") and len(data) > 26 and data[6:10] == b"\x00\x00\x00\x00":
        return ".bmp"  # "BM", file size, four reserved zero bytes
    return None


__all__ = ["SUPPORTED_EXTENSIONS", "load_path"]
