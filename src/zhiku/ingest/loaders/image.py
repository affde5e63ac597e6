"""Images (PNG, JPEG, TIFF, BMP) through OCR: a photographed or scanned page becomes a document.

Why the same cleaner as PDF: OCR output has the same shape as text pulled from a PDF page
(short broken lines, headings, table rows), so each frame becomes a page separated by ``\\f``
and :func:`clean_text` turns it into blocks with page numbers.  A multi-page TIFF gives one
page per frame.

>>> load(Path("scan.png"), Path("scan.png").read_bytes(), IngestSettings())[0].format
'image'
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.errors import IngestError
from zhiku.ingest.clean import clean_text
from zhiku.ingest.loaders.base import corrupt, title_from
from zhiku.ingest.ocr import OcrEngine, OcrUnavailableError, PageFn, default_engine, page_text, title_line
from zhiku.types import Document

EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
MAX_PIXELS = 80_000_000  # a 8000×10000 scan; beyond that decoding alone can exhaust memory
_MAX_SIDE = 4000  # OCR works best (and fastest) on pages no larger than this


def load(
    path: Path,
    data: bytes,
    settings: IngestSettings,
    on_page: PageFn | None = None,
    engine: OcrEngine | None = None,
) -> list[Document]:
    frames = _frames(path, data)
    if not settings.ocr:
        raise IngestError(
            "图片需要文字识别，但 ingest.ocr 已关闭",
            "images need text recognition but ingest.ocr is off",
            path=str(path),
        )
    try:
        reader = engine or default_engine()
    except OcrUnavailableError as exc:
        raise OcrUnavailableError(str(path)) from exc
    texts: list[str] = []
    title: str | None = None
    for number, frame in enumerate(frames, start=1):
        if on_page is not None:
            on_page(number, len(frames))  # "reading page n of m": a scan page takes seconds
        boxes = reader.read(frame)
        texts.append(page_text(boxes))
        title = title or (title_line(boxes) if number == 1 else None)
    empty = [n for n, t in enumerate(texts, start=1) if not t.strip()]
    if len(empty) == len(texts):
        raise IngestError(
            "图片中没有识别出文字（空白、过于模糊或分辨率太低？）",
            "no text was recognised in the image (blank, too blurred or too low a resolution?)",
            path=str(path),
        )
    warnings = (
        [
            f"{len(empty)} 页没有识别出文字：第 {empty} 页 / no text recognised on {len(empty)} page(s): {empty}"
        ]
        if empty
        else []
    )
    blocks = clean_text("\f".join(texts), title)
    return [
        Document(
            source=str(path),
            title=title_from(blocks, path),
            format="image",
            blocks=tuple(blocks),
            pages=len(frames),
            meta={"warnings": warnings, "empty_pages": empty, "ocr": True},
        )
    ]


def _frames(path: Path, data: bytes) -> list[Any]:
    """Decode every frame to an RGB numpy array; a file Pillow cannot read is reported as corrupt."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise corrupt(
                    path, "image", f"图片过大 / image too large: {width}×{height} > {MAX_PIXELS} pixels"
                )
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frame = image.convert("RGB")
                if max(frame.size) > _MAX_SIDE:
                    frame.thumbnail((_MAX_SIDE, _MAX_SIDE))
                frames.append(np.asarray(frame))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise corrupt(path, "image", f"无法解码图片 / cannot decode the image: {exc}") from exc
    return frames
