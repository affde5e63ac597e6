"""Markdown: ATX/setext headings, pipe tables → table blocks, fenced code, lists, paragraphs.

Why our own small parser: we need blocks (not HTML) with table rows kept as cells, and the
subset of Markdown that reports and notes use is small.  Inline markup is reduced to its text
(``**粗体**`` → 粗体, ``[文字](url)`` → 文字).
"""

from __future__ import annotations

import re
from pathlib import Path

from zhiku.config import IngestSettings
from zhiku.ingest.loaders.base import decode_text, join_lines, table_text, tidy, title_from
from zhiku.types import Block, Document

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_FRONT_MATTER_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.MULTILINE)


def load(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    text = decode_text(path, data, "Markdown").text.replace("\r\n", "\n").lstrip("\ufeff")
    meta_title = None
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            match = _FRONT_MATTER_TITLE.search(text[4:end])
            meta_title = match.group(1) if match else None
            text = text[end + 4 :]
    blocks = parse_markdown(text)
    return [
        Document(
            source=str(path), title=title_from(blocks, path, meta_title), format="md", blocks=tuple(blocks)
        )
    ]


def parse_markdown(text: str) -> list[Block]:
    """Markdown text → blocks (see the module docstring)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _FENCE.match(line.strip()):
            _flush(para, blocks)
            i = _code(lines, i, blocks)
            continue
        atx = _ATX.match(line)
        if atx:
            _flush(para, blocks)
            blocks.append(Block(kind="heading", text=inline(atx.group(2)), level=len(atx.group(1))))
        elif line.strip() and _SETEXT.match(nxt) and not para and not _LIST.match(line):
            blocks.append(Block(kind="heading", text=inline(line), level=1 if nxt.strip()[0] == "=" else 2))
            i += 1
        elif "|" in line and _TABLE_SEP.match(nxt):
            _flush(para, blocks)
            i = _table(lines, i, blocks)
            continue
        elif _LIST.match(line):
            _flush(para, blocks)
            blocks.append(Block(kind="list", text=inline(_LIST.sub("", line, count=1))))
        elif not line.strip() or re.match(r"^\s*(\*{3,}|-{3,}|_{3,})\s*$", line):
            _flush(para, blocks)
        else:
            para.append(line.lstrip(">").strip())
        i += 1
    _flush(para, blocks)
    return blocks


def inline(text: str) -> str:
    """Markdown inline markup → plain text."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    for _ in range(2):
        text = _EMPHASIS.sub(r"\2", text)
    return tidy(text)


def _flush(para: list[str], blocks: list[Block]) -> None:
    if para:
        text = inline(join_lines(para))
        if text:
            blocks.append(Block(kind="paragraph", text=text))
        para.clear()


def _code(lines: list[str], start: int, blocks: list[Block]) -> int:
    fence = lines[start].strip()[:3]
    body: list[str] = []
    i = start + 1
    while i < len(lines) and not lines[i].strip().startswith(fence):
        body.append(lines[i])
        i += 1
    code = "\n".join(body).strip("\n")
    if code.strip():
        blocks.append(Block(kind="code", text=code))
    return i + 1


def _table(lines: list[str], start: int, blocks: list[Block]) -> int:
    rows = [_cells(lines[start])]
    i = start + 2
    while i < len(lines) and "|" in lines[i] and lines[i].strip():
        rows.append(_cells(lines[i]))
        i += 1
    blocks.append(Block(kind="table", text=table_text(rows), rows=tuple(rows), meta={"header": True}))
    return i


def _cells(line: str) -> tuple[str, ...]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return tuple(inline(cell.strip()) for cell in re.split(r"(?<!\\)\|", stripped))
