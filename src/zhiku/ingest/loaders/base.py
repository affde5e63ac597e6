"""Helpers shared by the loaders: the loader signature, errors with reasons, text to blocks.

Every loader is a function ``load(path, data, settings) -> list[Document]`` that receives the
file's bytes (already size-checked and non-empty) so that it never touches the file system
itself and tests can feed it bytes directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from zhiku.config import IngestSettings
from zhiku.errors import CorruptFileError
from zhiku.ingest.encoding import BinaryContentError, Decoded, decode_bytes
from zhiku.types import Block, Document

LoaderFn = Callable[[Path, bytes, IngestSettings], list[Document]]

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u00a0]+")


def corrupt(path: Path, fmt: str, detail: str) -> CorruptFileError:
    """A ``CorruptFileError`` that says which file, which format and why."""
    return CorruptFileError(
        f"文件已损坏、已加密或不是有效的 {fmt} 文件：{detail}",
        f"the file is corrupt, encrypted or not a valid {fmt} file: {detail}",
        path=str(path),
    )


def decode_text(path: Path, data: bytes, fmt: str) -> Decoded:
    """Decode a text file or raise ``CorruptFileError`` for binary content."""
    try:
        return decode_bytes(data)
    except BinaryContentError as exc:
        raise corrupt(path, fmt, f"内容是二进制数据而非文本 / binary content, not text ({exc})") from exc


def is_cjk(ch: str) -> bool:
    return (
        "\u4e00" <= ch <= "\u9fff"
        or "\u3400" <= ch <= "\u4dbf"
        or "\u3000" <= ch <= "\u303f"
        or ("\uff00" <= ch <= "\uffef")
    )


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space between Latin words."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif is_cjk(out[-1]) or is_cjk(line[0]) or out.endswith("-"):
            out += line
        else:
            out += " " + line
    return out


def tidy(text: str) -> str:
    """Collapse runs of spaces and drop spaces between two CJK characters (PDF letter spacing)."""
    return _CJK_SPACE.sub("", _SPACES.sub(" ", text)).strip()


def paragraphs(text: str, page: int | None = None) -> list[Block]:
    """Plain text → paragraph blocks, split at blank lines, wrapped lines re-joined."""
    blocks: list[Block] = []
    for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        joined = tidy(join_lines(part.split("\n")))
        if joined:
            blocks.append(Block(kind="paragraph", text=joined, page=page))
    return blocks


def title_from(blocks: list[Block] | tuple[Block, ...], path: Path, meta_title: str | None = None) -> str:
    """The metadata title, else the first heading, else the file name without extension."""
    if meta_title and meta_title.strip():
        return meta_title.strip()
    for block in blocks:
        if block.kind == "heading" and block.text.strip():
            return block.text.strip()[:200]
    return path.stem


def table_text(rows: list[tuple[str, ...]] | tuple[tuple[str, ...], ...]) -> str:
    """A readable rendering of table rows: cells joined with `` | ``, one row per line."""
    return "\n".join(" | ".join(cell for cell in row) for row in rows if any(c.strip() for c in row))


def clean_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return _SPACES.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()
