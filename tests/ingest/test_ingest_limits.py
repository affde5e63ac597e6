"""Decompression bombs: ZIP containers and PDFs are refused before a parser inflates them.

The bombs are built here, in a few hundred kilobytes, the way an attacker would: a DOCX or
XLSX with an extra member of zeros, a header that lies about the size, a PDF whose content
stream inflates to hundreds of megabytes.
"""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from zhiku.config import IngestSettings, Settings
from zhiku.errors import ArchiveBombError, FileTooLargeError, IngestError
from zhiku.ingest.loaders import load_path
from zhiku.kb import KnowledgeBase

pytestmark = pytest.mark.unit
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MB = 1024 * 1024


def _with_zero_member(source: Path, dest: Path, megabytes: int, name: str = "word/media/pad.bin") -> Path:
    """Copy a real DOCX/XLSX and add one member of ``megabytes`` MB of zeros (streamed, deflated)."""
    dest.write_bytes(source.read_bytes())
    with (
        zipfile.ZipFile(dest, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        piece = bytes(MB)
        for _ in range(megabytes):
            member.write(piece)
    return dest


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_docx_bomb_is_refused_before_parsing_with_default_limits(tmp_path: Path) -> None:
    bomb = _with_zero_member(EXAMPLES / "model_landscape.docx", tmp_path / "bomb.docx", 300)
    assert bomb.stat().st_size < 2 * MB  # 300 MB of zeros deflate to ~300 KB
    before = _peak_rss_mb()
    started = time.perf_counter()
    with pytest.raises(ArchiveBombError) as info:
        load_path(bomb, IngestSettings())
    assert time.perf_counter() - started < 10
    assert _peak_rss_mb() - before < 100  # never inflated into memory
    err = info.value
    assert isinstance(err, FileTooLargeError) and err.http_status == 413
    assert "压缩炸弹" in err.zh and "decompression bomb" in err.en


def test_xlsx_member_with_a_high_ratio_is_refused(tmp_path: Path) -> None:
    bomb = _with_zero_member(EXAMPLES / "ai_market.xlsx", tmp_path / "bomb.xlsx", 4, "xl/media/pad.bin")
    with pytest.raises(ArchiveBombError) as info:
        load_path(bomb, IngestSettings())
    assert "ratio" in info.value.en and "压缩比" in info.value.zh


def test_total_and_member_count_limits(tmp_path: Path) -> None:
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(30):
            archive.writestr(f"word/part{i}.xml", "<x/>")
    with pytest.raises(ArchiveBombError, match="members"):
        load_path(path, IngestSettings(max_zip_members=10))
    stored = tmp_path / "stored.docx"  # stored (ratio 1) but larger than the total allowed
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", b"<a/>" * (MB // 2))
    with pytest.raises(ArchiveBombError, match=r"ingest\.max_unzipped_mb"):
        load_path(stored, IngestSettings(max_unzipped_mb=1))


def _lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """Rewrite one member's uncompressed size in the local header and the central directory."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, declared)
    central = out.find(b"PK\x01\x02" + bytes(out[info.header_offset + 4 : info.header_offset + 6]))
    while central != -1:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_len]) == name.encode():
            struct.pack_into("<I", out, central + 24, declared)
            break
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_header_that_lies_about_the_size_is_caught_while_inflating(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", bytes(64 * MB))
    path = tmp_path / "liar.docx"
    path.write_bytes(_lie_about_size(buffer.getvalue(), "word/document.xml", 1000))
    with pytest.raises(IngestError):  # never parsed: refused as a bomb or a corrupt member
        load_path(path, IngestSettings())


def _pdf_with_content(content_stream: bytes, pages: int = 1) -> bytes:
    """A minimal PDF whose first page draws ``content_stream`` (Flate-compressed already)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    content_id = 3 + pages
    for _ in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents {content_id} 0 R >>".encode()
        )
    objects.append(
        f"<< /Length {len(content_stream)} /Filter /FlateDecode >>\nstream\n".encode()
        + content_stream
        + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _deflate_zeros(megabytes: int) -> bytes:
    encoder = zlib.compressobj(9)
    piece = b" " * MB
    return b"".join(encoder.compress(piece) for _ in range(megabytes)) + encoder.flush()


def test_pdf_stream_bomb_and_page_count(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_pdf_with_content(_deflate_zeros(200)))
    assert bomb.stat().st_size < MB
    with pytest.raises(ArchiveBombError, match="max_pdf_stream_mb"):
        load_path(bomb, IngestSettings())
    fine = tmp_path / "fine.pdf"
    fine.write_bytes(_pdf_with_content(zlib.compress(b"BT /F1 12 Tf 10 10 Td (hello) Tj ET"), pages=6))
    with pytest.raises(ArchiveBombError, match="max_pdf_pages"):
        load_path(fine, IngestSettings(max_pdf_pages=5))


def test_real_files_pass_the_guard() -> None:
    for name in ("model_landscape.docx", "ai_market.xlsx", "ai_market_compute.pdf"):
        docs = load_path(EXAMPLES / name, IngestSettings())
        assert docs and docs[0].blocks


def test_spreadsheet_cell_budget() -> None:
    with pytest.raises(FileTooLargeError, match="max_cells"):
        load_path(EXAMPLES / "ai_market.xlsx", IngestSettings(max_cells=5))


def test_a_bomb_leaves_the_knowledge_base_untouched(settings: Settings, tmp_path: Path) -> None:
    bomb = _with_zero_member(EXAMPLES / "model_landscape.docx", tmp_path / "bomb.docx", 300)
    with KnowledgeBase.create(settings, "t") as kb:
        report = kb.ingest([bomb])
        assert [f.status for f in report.files] == ["failed"]
        assert "decompression bomb" in (report.files[0].error or "")
        assert kb.documents() == [] and kb.catalog.count_chunks() == 0 and len(kb.fulltext) == 0


def test_deeply_nested_html_is_refused_fast(tmp_path: Path) -> None:
    """100,000 nested <div> took the HTML parser minutes (its time grows with depth squared)."""
    deep = tmp_path / "deep.html"
    deep.write_bytes(b"<div>" * 100_000 + b"x" + b"</div>" * 100_000)
    started = time.perf_counter()
    with pytest.raises(FileTooLargeError, match=r"max_html_depth") as info:
        load_path(deep, IngestSettings())
    assert time.perf_counter() - started < 2 and "嵌套" in info.value.zh
    sloppy = tmp_path / "sloppy.html"  # thousands of unclosed <p>/<li> are flat, not deep
    sloppy.write_bytes(b"<html><body><ul>" + b"<li><p>item text" * 3000 + b"</ul></body></html>")
    assert load_path(sloppy, IngestSettings())[0].blocks


def test_one_very_long_line_is_chunked_in_linear_time(tmp_path: Path) -> None:
    """Cutting an over-long sentence searched the whole rest of the text for every chunk."""
    from zhiku.ingest.chunk import Chunker

    settings = IngestSettings()
    times = []
    for words in (20_000, 80_000):
        path = tmp_path / f"line{words}.md"
        path.write_bytes(b"word " * words)
        document = load_path(path, settings)[0]
        started = time.perf_counter()
        chunks = Chunker(settings).split(document, "d")
        times.append(time.perf_counter() - started)
        assert chunks and all(len(c.text) < 20 * settings.chunk_chars for c in chunks)
    assert times[1] < 8 * times[0] + 0.5  # 4x the input: about 4x the time, not 16x
