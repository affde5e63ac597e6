"""A JSONL corpus of invented company records, for ingest tests that need many small documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def write_corpus(tmp_path: Path, rows: int, text: Callable[[int], str]) -> Path:
    """``rows`` records ``r000``, ``r001`` … whose text is ``text(i)``, one JSON object a line."""
    path = tmp_path / "corpus.jsonl"
    lines = [json.dumps({"id": f"r{i:03d}", "text": text(i)}, ensure_ascii=False) for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
