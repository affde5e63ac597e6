"""Bad input: every broken file becomes an IngestError subclass with a bilingual reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhiku.config import IngestSettings
from zhiku.errors import CorruptFileError, FileTooLargeError, IngestError, UnsupportedFormatError
from zhiku.ingest.loaders import load_path

pytestmark = pytest.mark.unit

GARBAGE = bytes(range(256)) * 40


@pytest.fixture
def ingest() -> IngestSettings:
    return IngestSettings()


def _assert_bilingual(err: IngestError, path: Path) -> None:
    assert err.zh and err.en and err.zh != err.en
    assert err.fields["path"] == str(path)


def test_empty_file(tmp_path: Path, ingest: IngestSettings) -> None:
    for name in ("empty.txt", "empty.pdf", "empty.docx"):
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(CorruptFileError) as info:
            load_path(path, ingest)
        _assert_bilingual(info.value, path)
        assert "empty" in info.value.en


@pytest.mark.parametrize(
    "name", ["garbage.pdf", "garbage.docx", "garbage.xlsx", "garbage.txt", "garbage.jsonl"]
)
def test_binary_garbage(tmp_path: Path, ingest: IngestSettings, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(GARBAGE)
    with pytest.raises(CorruptFileError) as info:
        load_path(path, ingest)
    _assert_bilingual(info.value, path)


def test_zip_that_is_not_a_docx(tmp_path: Path, ingest: IngestSettings) -> None:
    import zipfile

    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    with pytest.raises(CorruptFileError):
        load_path(path, ingest)


def test_truncated_pdf(tmp_path: Path, ingest: IngestSettings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Some text that will be cut off.")
    whole = bytes(pdf.output())
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(IngestError) as info:
        load_path(path, ingest)
    _assert_bilingual(info.value, path)


def test_encrypted_pdf(tmp_path: Path, ingest: IngestSettings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "secret text")
    pdf.set_encryption(owner_password="owner", user_password="user")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(CorruptFileError) as info:
        load_path(path, ingest)
    assert "encrypted" in info.value.en


def test_pdf_without_text_layer(tmp_path: Path, ingest: IngestSettings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a drawing, no text: like a scanned page
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(IngestError) as info:
        load_path(path, ingest)
    assert "ocr" in info.value.en


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (2 * 1024 * 1024))
    with pytest.raises(FileTooLargeError) as info:
        load_path(path, IngestSettings(max_file_mb=1))
    _assert_bilingual(info.value, path)
    assert info.value.fields["size"] == 2 * 1024 * 1024


def test_missing_path_and_directory(tmp_path: Path, ingest: IngestSettings) -> None:
    with pytest.raises(IngestError) as info:
        load_path(tmp_path / "nope.pdf", ingest)
    _assert_bilingual(info.value, tmp_path / "nope.pdf")
    with pytest.raises(IngestError):
        load_path(tmp_path, ingest)
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "missing-target.txt")
    with pytest.raises(IngestError):
        load_path(link, ingest)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("机密", encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(IngestError) as info:
            load_path(path, ingest)
        assert not isinstance(info.value, CorruptFileError)
    finally:
        path.chmod(0o600)


def test_unsupported_format(tmp_path: Path, ingest: IngestSettings) -> None:
    path = tmp_path / "movie.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + GARBAGE)
    with pytest.raises(UnsupportedFormatError) as info:
        load_path(path, ingest)
    assert ".pdf" in info.value.en and "不支持" in info.value.zh
