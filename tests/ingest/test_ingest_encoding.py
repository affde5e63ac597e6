"""Text files in the encodings Chinese users have: GBK/GB18030, Big5, UTF-16, UTF-8 with BOM."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import IngestSettings
from zhiku.ingest.encoding import BinaryContentError, decode_bytes
from zhiku.ingest.loaders import load_path

pytestmark = pytest.mark.unit

SIMPLIFIED = "国家数据局于2023年10月25日正式挂牌。生成式人工智能服务管理暂行办法自2023年8月15日起施行。"
TRADITIONAL = "國家數據局於2023年10月25日正式掛牌。生成式人工智慧服務管理暫行辦法自2023年8月15日起施行。"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
        (SIMPLIFIED, "utf-16", "utf-16"),
        (SIMPLIFIED, "utf-16-le", "utf-16-le"),
        (SIMPLIFIED, "utf-16-be", "utf-16-be"),
    ],
)
def test_decode_chinese(text: str, encoding: str, expected: str) -> None:
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text.lstrip("\ufeff") == text
    assert decoded.encoding.replace("_", "-") == expected


def test_short_gbk_is_not_mistaken_for_big5() -> None:
    for word in ("中文", "人工智能", "算力", "大模型备案"):
        assert decode_bytes(word.encode("gbk")).text == word


def test_latin_text_falls_back() -> None:
    decoded = decode_bytes("Zhiku résumé – naïve café".encode("cp1252"))
    assert decoded.text.startswith("Zhiku r")
    assert "caf" in decoded.text


def test_binary_is_rejected() -> None:
    with pytest.raises(BinaryContentError):
        decode_bytes(b"\x00\x01\x02\x03" * 100 + b"\xff\xfe\xfd")


@pytest.mark.parametrize("encoding", ["gbk", "big5", "utf-16", "utf-8-sig"])
def test_txt_loader_decodes(tmp_path: Path, encoding: str) -> None:
    text = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    path = tmp_path / f"note-{encoding}.txt"
    path.write_bytes(
        f"政策\n\n{text}\n".encode(encoding) if encoding != "big5" else f"政策\n\n{text}\n".encode("big5")
    )
    doc = load_path(path, IngestSettings())[0]
    assert text in doc.text
    assert doc.meta["encoding"]


def test_utf8_with_a_cut_off_tail_stays_utf8() -> None:
    raw = (SIMPLIFIED * 5).encode("utf-8")[:-1]
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith(SIMPLIFIED)
