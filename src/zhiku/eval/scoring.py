"""QA-set loading and answer matching shared by every benchmark.

Matching follows the data sets' own rule: Unicode NFKC, lower case, drop whitespace and
thousands separators, then an acceptable answer must be a substring of the output; for
list answers every part must match one of its alternatives.

>>> QAItem.from_row({"id": "q1", "question": "…", "answers": ["2137亿"]}).matches("约2137亿元")
True
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", "", _THOUSANDS.sub("", text))


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    parts: tuple[tuple[str, ...], ...]  # every part must match one alternative
    unanswerable: bool = False
    type: str = ""
    positive_ids: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> QAItem:
        if row.get("answer_parts"):
            parts = tuple(tuple(p) for p in row["answer_parts"])
        elif row.get("all_of"):
            parts = tuple((a,) for a in row["all_of"])
        else:
            parts = (tuple(row.get("answers") or ()),) if row.get("answers") else ()
        return cls(
            id=str(row["id"]),
            question=row["question"],
            parts=parts,
            unanswerable=bool(row.get("unanswerable")),
            type=str(row.get("type") or row.get("subset") or ""),
            positive_ids=tuple(row.get("positive_ids") or ()),
        )

    def matches(self, text: str) -> bool:
        if self.unanswerable or not self.parts:
            return False
        haystack = norm(text)
        return all(any(norm(alt) and norm(alt) in haystack for alt in part) for part in self.parts)


def load_qa(path: Path) -> list[QAItem]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [QAItem.from_row(r) for r in rows]


def recall_at(item: QAItem, texts: Sequence[str], k: int) -> bool:
    """An acceptable answer (all parts) appears in the top-k texts."""
    return item.matches("\n".join(texts[:k]))


def first_rank(item: QAItem, texts: Sequence[str]) -> int | None:
    for r in range(1, len(texts) + 1):
        if item.matches("\n".join(texts[:r])):
            return r
    return None


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return float(ordered[index])


def mean(values: Sequence[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0


def redact_quotes(value: Any, keep: int = 16, limit: int = 40) -> Any:
    """A copy of a JSON-able result with long passages shortened to a fingerprint.

    Benchmark data in ../shared carries its own licence (RGB-zh is non-commercial, the seed
    report may not be copied), so committed results keep ids, verdicts and numbers, and
    replace any quoted text longer than ``limit`` characters by its first ``keep`` characters
    plus a sha1 fingerprint that identifies the passage in the original data.
    """
    import hashlib

    if isinstance(value, dict):
        return {k: redact_quotes(v, keep, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_quotes(v, keep, limit) for v in value]
    if isinstance(value, str) and len(value) > limit:
        digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:10]
        return f"{value[:keep]}…[sha1:{digest}, {len(value)} chars]"
    return value
