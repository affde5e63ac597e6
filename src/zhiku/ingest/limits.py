"""Decompression guards: refuse archive and PDF bombs before any parser inflates them.

Why a separate pass: DOCX and XLSX are ZIP containers, and a PDF's streams are Flate-compressed;
a 1 MB upload can inflate to gigabytes inside python-docx, openpyxl or pdfium, where we can no
longer stop it.  So before a parser sees the bytes we

- read the ZIP directory: member count, declared sizes, their total and the compression ratio;
- inflate every member (or every PDF Flate stream) in fixed-size pieces, counting what comes
  out and stopping at the limit, so a header that lies about the size is caught too;
- count a PDF's pages from its objects.

Nothing is kept in memory beyond one piece, so the guard itself costs at most the limits in CPU
and about a megabyte of RAM.  Over a limit → :class:`~zhiku.errors.ArchiveBombError` (one file's
clear error; nothing reaches the knowledge base).

>>> check_bytes(Path("a.docx"), data, IngestSettings())   # raises ArchiveBombError on a bomb
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from zhiku.config import IngestSettings
from zhiku.errors import ArchiveBombError, CorruptFileError, FileTooLargeError

_PIECE = 1 << 16  # bytes of input handed to the decompressor at a time
_OUT = 1 << 20  # most bytes one decompress() call may return
_SMALL = 1 << 20  # members smaller than this may have any ratio (tiny XML parts compress well)
_MB = 1024 * 1024
_STREAM = re.compile(rb"stream\r?\n")
_FLATE = re.compile(rb"/FlateDecode|/Fl\b")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@dataclass(frozen=True)
class ArchiveLimits:
    """The limits one file must stay under (built from ``IngestSettings``)."""

    max_unzipped_bytes: int
    max_ratio: float
    max_members: int
    max_pdf_pages: int
    max_pdf_stream_bytes: int
    max_pdf_inflated_bytes: int

    @classmethod
    def from_settings(cls, settings: IngestSettings) -> ArchiveLimits:
        return cls(
            max_unzipped_bytes=int(settings.max_unzipped_mb * _MB),
            max_ratio=settings.max_zip_ratio,
            max_members=settings.max_zip_members,
            max_pdf_pages=settings.max_pdf_pages,
            max_pdf_stream_bytes=int(settings.max_pdf_stream_mb * _MB),
            max_pdf_inflated_bytes=int(settings.max_pdf_inflated_mb * _MB),
        )


def check_bytes(path: Path, data: bytes, settings: IngestSettings, fmt: str = "") -> None:
    """Run the guard that fits ``data`` (ZIP container, PDF, HTML); other formats pass untouched."""
    limits = ArchiveLimits.from_settings(settings)
    head = data[:1024].lstrip()
    if head.startswith(b"PK"):
        check_zip(path, data, limits)
    elif head.startswith(b"%PDF"):
        check_pdf(path, data, limits)
    elif fmt == "HTML":
        check_html_depth(path, data, settings.max_html_depth)


_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
# Elements that never nest or whose end tag HTML lets authors omit: not counted as depth.
_FLAT = frozenset(
    b"area base br col embed hr img input link meta source track wbr p li td th tr dt dd option "
    b"tbody thead tfoot colgroup rt rp".split()
)


def check_html_depth(path: Path, data: bytes, max_depth: int) -> None:
    """Refuse HTML nested deeper than ``max_depth``: the parser's time grows with depth squared
    (100,000 nested ``<div>`` in 1 MB took minutes) and the block walker recurses per level."""
    depth = 0
    for match in _TAG.finditer(data):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > max_depth:
            raise FileTooLargeError(
                f"HTML 元素嵌套超过 {max_depth} 层，结构过于复杂，已拒绝（ingest.max_html_depth）",
                f"HTML elements nested deeper than {max_depth} levels, too complex, refused "
                "(ingest.max_html_depth)",
                path=str(path),
            )


def _bomb(path: Path, zh: str, en: str, **fields: object) -> ArchiveBombError:
    return ArchiveBombError(
        f"文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝：{zh}",
        f"the file inflates too much (a decompression bomb?), refused: {en}",
        path=str(path),
        **fields,
    )


def check_zip(path: Path, data: bytes, limits: ArchiveLimits) -> None:
    """Refuse a ZIP whose declared or actual inflated size, ratio or member count is over the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CorruptFileError(
            f"ZIP 容器已损坏：{exc}", f"the ZIP container is corrupt: {exc}", path=str(path)
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise _bomb(
                path,
                f"{len(members)} 个成员，上限 {limits.max_members}",
                f"{len(members)} members, limit {limits.max_members}",
            )
        declared = 0
        for info in members:
            declared += info.file_size
            _check_declared(path, info, declared, limits)
        total = 0
        for info in members:
            total = _inflate_member(path, archive, info, total, limits)


def _check_declared(path: Path, info: zipfile.ZipInfo, declared: int, limits: ArchiveLimits) -> None:
    cap_mb = limits.max_unzipped_bytes / _MB
    if declared > limits.max_unzipped_bytes:
        raise _bomb(
            path,
            f"声明的解压总大小 {declared / _MB:.0f} MB 超过 {cap_mb:g} MB（ingest.max_unzipped_mb）",
            f"declared inflated size {declared / _MB:.0f} MB is over {cap_mb:g} MB (ingest.max_unzipped_mb)",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _SMALL and ratio > limits.max_ratio:
        raise _bomb(
            path,
            f"成员 {info.filename} 的压缩比 {ratio:.0f}:1 超过 {limits.max_ratio:g}:1（ingest.max_zip_ratio）",
            f"member {info.filename} has a {ratio:.0f}:1 ratio, over {limits.max_ratio:g}:1 (ingest.max_zip_ratio)",
        )


def _inflate_member(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, limits: ArchiveLimits
) -> int:
    """Inflate one member piece by piece, counting; return the running total."""
    produced = 0
    try:
        with archive.open(info) as member:
            while piece := member.read(_OUT):
                produced += len(piece)
                total += len(piece)
                if total > limits.max_unzipped_bytes:
                    raise _bomb(
                        path,
                        f"实际解压超过 {limits.max_unzipped_bytes / _MB:g} MB",
                        f"inflates past {limits.max_unzipped_bytes / _MB:g} MB",
                    )
                if produced > _SMALL and produced / max(info.compress_size, 1) > limits.max_ratio:
                    raise _bomb(
                        path,
                        f"成员 {info.filename} 的实际压缩比超过 {limits.max_ratio:g}:1",
                        f"member {info.filename} inflates past a {limits.max_ratio:g}:1 ratio",
                    )
    except ArchiveBombError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
        raise CorruptFileError(
            f"ZIP 成员 {info.filename} 无法解压：{exc}",
            f"cannot inflate ZIP member {info.filename}: {exc}",
            path=str(path),
        ) from exc
    return total


def check_pdf(path: Path, data: bytes, limits: ArchiveLimits) -> None:
    """Refuse a PDF with too many pages or a Flate stream (or all of them) inflating past the limits."""
    pages = len(_PAGE.findall(data))
    if pages > limits.max_pdf_pages:
        raise _bomb(
            path,
            f"{pages} 页，上限 {limits.max_pdf_pages}（ingest.max_pdf_pages）",
            f"{pages} pages, limit {limits.max_pdf_pages} (ingest.max_pdf_pages)",
        )
    total = 0
    for match in _STREAM.finditer(data):
        if data[max(0, match.start() - 3) : match.start()] == b"end":
            continue
        start = match.end()
        dictionary = data[max(0, match.start() - 512) : match.start()]
        if not _FLATE.search(dictionary[dictionary.rfind(b"<<") :] if b"<<" in dictionary else dictionary):
            continue
        total += _inflate_stream(path, data, start, total, limits)


def _inflate_stream(path: Path, data: bytes, start: int, total: int, limits: ArchiveLimits) -> int:
    """Inflate one Flate stream from ``start`` until it ends; return how many bytes it produced."""
    decoder = zlib.decompressobj()
    produced = 0
    position = start
    end = len(data)
    try:
        while position < end and not decoder.eof:
            chunk = data[position : position + _PIECE]
            position += len(chunk)
            out = decoder.decompress(chunk, _OUT)
            produced += len(out)
            while decoder.unconsumed_tail and produced <= limits.max_pdf_stream_bytes:
                out = decoder.decompress(decoder.unconsumed_tail, _OUT)
                produced += len(out)
                if not out or total + produced > limits.max_pdf_inflated_bytes:
                    break  # no progress (zlib keeps an unusable tail after some damage): stop
            _check_stream(path, produced, total, limits)
    except zlib.error:
        return produced  # not really Flate, or damaged: pdfium decides what to make of it
    return produced


def _check_stream(path: Path, produced: int, total: int, limits: ArchiveLimits) -> None:
    if produced > limits.max_pdf_stream_bytes:
        cap = limits.max_pdf_stream_bytes / _MB
        raise _bomb(
            path,
            f"一个 PDF 数据流解压超过 {cap:g} MB（ingest.max_pdf_stream_mb）",
            f"a PDF stream inflates past {cap:g} MB (ingest.max_pdf_stream_mb)",
        )
    if total + produced > limits.max_pdf_inflated_bytes:
        cap = limits.max_pdf_inflated_bytes / _MB
        raise _bomb(
            path,
            f"PDF 数据流解压总量超过 {cap:g} MB（ingest.max_pdf_inflated_mb）",
            f"the PDF's streams inflate past {cap:g} MB in all (ingest.max_pdf_inflated_mb)",
        )
