"""JSON Lines corpora: one ``{"id", "title", "text"}`` object per line = one document.

Why one document per row: imported corpora (RGB, CMRC, a company FAQ export) are collections of
short independent passages; each must be retrievable and citable on its own with its own id.

Bad lines (not JSON, not an object, no text) do not fail the file: they are counted in the first
document's ``meta["bad_lines"]`` (line numbers) and ``meta["warnings"]``.  Only a file in which no
line is usable raises ``CorruptFileError``.  Speed matters (thousands of rows): no cleaning, no
sentence splitting here, just paragraphs at newlines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zhiku.config import IngestSettings
from zhiku.ingest.loaders.base import corrupt, decode_text
from zhiku.types import Block, Document

_TEXT_KEYS = ("text", "content", "contents", "context", "body", "passage")
_ID_KEYS = ("id", "_id", "doc_id", "docid")
_MAX_REPORTED = 20


def load(path: Path, data: bytes, settings: IngestSettings) -> list[Document]:
    text = decode_text(path, data, "JSONL").text.lstrip("\ufeff")
    docs: list[Document] = []
    bad: list[int] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        doc = _row(path, line, number, seen)
        if doc is None:
            bad.append(number)
        else:
            docs.append(doc)
    if not docs:
        raise corrupt(
            path,
            "JSONL",
            "没有可用的行（每行应为含 text 字段的 JSON 对象）/ no usable line "
            "(each line must be a JSON object with a text field)",
        )
    if bad:
        shown = ", ".join(str(n) for n in bad[:_MAX_REPORTED]) + (" …" if len(bad) > _MAX_REPORTED else "")
        warning = f"跳过 {len(bad)} 行无效数据 / skipped {len(bad)} bad line(s): {shown}"
        first = docs[0]
        first.meta.setdefault("warnings", []).append(warning)
        first.meta["bad_lines"] = bad
    return docs


def _row(path: Path, line: str, number: int, seen: set[str]) -> Document | None:
    try:
        obj: Any = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    body = next((obj[k] for k in _TEXT_KEYS if isinstance(obj.get(k), str) and obj[k].strip()), None)
    if body is None:
        return None
    raw_id = next((obj[k] for k in _ID_KEYS if obj.get(k) not in (None, "")), None)
    row_id = str(raw_id) if raw_id is not None else f"line{number}"
    if row_id in seen:
        row_id = f"{row_id}~line{number}"
    seen.add(row_id)
    title = obj.get("title")
    blocks = tuple(
        Block(kind="paragraph", text=part.strip(), page=1) for part in body.split("\n") if part.strip()
    )
    return Document(
        source=f"{path}#{row_id}",
        title=str(title).strip() if isinstance(title, str) and title.strip() else row_id,
        format="jsonl",
        blocks=blocks,
        pages=1,
        external_id=row_id,
        meta={"line": number},
    )
