"""Optical character recognition for scans: page images in, lines of text in reading order out.

Why rows are rebuilt here: the OCR engine returns one box per run of text, so a table row comes
back as several loose boxes.  Boxes whose vertical centres lie within half a line height of each
other form one row, ordered left to right; cells far apart are joined with `` | `` (how the
other loaders render table rows), so the cleaner, the fact extractor and the reader see
``2023年 | 620亿元`` rather than a column of separate cells.

Why one engine per process: loading the detection and recognition models takes about a second;
:func:`default_engine` loads them once, on first use, and every later page reuses them.

>>> engine = default_engine()          # OcrUnavailableError when rapidocr is not installed
>>> text = page_text(engine.read(image))  # image: an RGB numpy array
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

from zhiku.errors import IngestError

PageFn = Callable[[int, int], None]
"""Progress callback of paged loaders: ``(page, pages)``, called as page ``page`` is started."""

INSTALL_HINT = "pip install 'zhiku[ocr]'"


class OcrUnavailableError(IngestError):
    """The OCR engine is not installed; the message says how to install it."""

    def __init__(self, path: str = "") -> None:
        super().__init__(
            f"需要文字识别（OCR），但未安装 rapidocr：{INSTALL_HINT}",
            f"this needs text recognition (OCR) but rapidocr is not installed: {INSTALL_HINT}",
            **({"path": path} if path else {}),
        )


@dataclass(frozen=True)
class OcrBox:
    """One run of recognised text and its bounding box in image pixels."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


class OcrEngine(Protocol):
    """Anything that reads the text boxes of an RGB image (``numpy`` array, H×W×3, uint8)."""

    def read(self, image: Any) -> list[OcrBox]: ...


class RapidOcrEngine:
    """rapidocr (PP-OCR models on onnxruntime, shipped inside the wheel): Chinese and English.

    A lock serialises calls: the server may ingest from worker threads, and one onnxruntime
    session per model is cheaper than one per thread.
    """

    def __init__(self, min_score: float = 0.5) -> None:
        self.min_score = min_score
        self._engine = _load_rapidocr()
        self._lock = threading.Lock()

    def read(self, image: Any) -> list[OcrBox]:
        import numpy as np

        bgr = np.ascontiguousarray(np.asarray(image)[:, :, 2::-1])  # OpenCV order; drops alpha
        with self._lock:
            # no per-line 180° classifier: pages come upright, and on clean print it flipped
            # whole lines into garbage ("By 2029 the industry…" → "By i s s ss an.") while
            # costing a quarter of the time (bench/ocr_bench.py)
            result = self._engine(bgr, use_cls=False)
        return [b for b in _boxes(result) if b.score >= self.min_score and b.text.strip()]


@lru_cache(maxsize=1)
def default_engine() -> RapidOcrEngine:
    """The process-wide engine, loaded on first use (raises ``OcrUnavailableError`` if missing)."""
    return RapidOcrEngine()


def ocr_available() -> bool:
    try:
        _load_rapidocr()
    except OcrUnavailableError:
        return False
    return True


def _load_rapidocr() -> Any:
    try:
        from rapidocr import RapidOCR  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError as exc:
            raise OcrUnavailableError() from exc
    try:
        engine = RapidOCR()
    except ImportError as exc:  # rapidocr installed without its inference runtime (onnxruntime)
        raise OcrUnavailableError() from exc
    for name in ("RapidOCR", "rapidocr", "RapidOCR_ONNXRuntime"):
        logging.getLogger(name).setLevel(
            logging.ERROR
        )  # its INFO lines and "result is empty" clutter the CLI
    return engine


def _boxes(result: Any) -> list[OcrBox]:
    """Both result shapes: rapidocr ≥ 2 (``.boxes/.txts/.scores``) and rapidocr_onnxruntime (list)."""
    if hasattr(result, "txts"):
        texts = result.txts or ()
        boxes = result.boxes if result.boxes is not None else ()
        scores = result.scores or (1.0,) * len(texts)
        rows: Iterable[tuple[Any, Any, Any]] = zip(boxes, texts, scores, strict=False)
    else:
        found = result[0] if isinstance(result, tuple) else result
        rows = ((item[0], item[1], item[2]) for item in (found or ()))
    out = []
    for points, text, score in rows:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        out.append(OcrBox(str(text), min(xs), min(ys), max(xs), max(ys), float(score)))
    return out


def rows(boxes: Sequence[OcrBox]) -> list[list[OcrBox]]:
    """Group boxes into visual rows (top to bottom), each ordered left to right."""
    grouped: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.middle, b.x0)):
        if grouped:
            last = grouped[-1]
            height = sum(b.height for b in last) / len(last)
            centre = sum(b.middle for b in last) / len(last)
            if abs(box.middle - centre) <= 0.5 * min(height, box.height):
                last.append(box)
                continue
        grouped.append([box])
    return [sorted(row, key=lambda b: b.x0) for row in grouped]


def page_text(boxes: Sequence[OcrBox]) -> str:
    """The page as text: one line per row, table cells joined with `` | ``.

    A wide horizontal gap (more than two line heights) between two boxes of a row means separate
    cells; a narrow one is a space inside a sentence.  A blank line separates rows that are far
    apart vertically, so paragraphs stay paragraphs.
    """
    lines: list[str] = []
    previous: list[OcrBox] | None = None
    for row in rows(boxes):
        height = sum(b.height for b in row) / len(row)
        if previous is not None:
            gap = min(b.y0 for b in row) - max(b.y1 for b in previous)
            if gap > 1.2 * height:
                lines.append("")
        parts = [row[0].text.strip()]
        for left, right in pairwise(row):
            wide = right.x0 - left.x1 > 2 * height
            parts.append((" | " if wide else " ") + right.text.strip())
        lines.append("".join(parts))
        previous = row
    return "\n".join(lines)


def title_line(boxes: Sequence[OcrBox]) -> str | None:
    """The first row when it is set larger than the rest (a title), else None.

    Scans carry no heading markup; a title shows itself by type size: its row is at least a
    fifth taller than the median row, short, and not a sentence.
    """
    grouped = rows(boxes)
    if len(grouped) < 2:
        return None
    heights = sorted(sum(b.height for b in row) / len(row) for row in grouped)
    median = heights[len(heights) // 2]
    first = grouped[0]
    text = " ".join(b.text.strip() for b in first)
    tall = sum(b.height for b in first) / len(first) >= 1.2 * median
    if tall and len(text) <= 40 and not text.endswith(("。", ".", "；", ";", "！", "!", "？", "?")):
        return text
    return None


__all__ = [
    "INSTALL_HINT",
    "OcrBox",
    "OcrEngine",
    "OcrUnavailableError",
    "PageFn",
    "RapidOcrEngine",
    "default_engine",
    "ocr_available",
    "page_text",
    "rows",
    "title_line",
]
