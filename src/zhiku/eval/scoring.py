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
    rejected: tuple[str, ...] = ()  # answers a user marked wrong (feedback export)
    origin: str = ""  # "generated", "llm", "feedback" or "" (hand-written)
    source_chunk: str = ""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> QAItem:
        if row.get("answer_parts"):
            parts = tuple(tuple(p) for p in row["answer_parts"])
        elif row.get("all_of"):
            parts = tuple((a,) for a in row["all_of"])
        else:
            parts = (tuple(row.get("answers") or ()),) if row.get("answers") else ()
        unanswerable = bool(row.get("unanswerable")) or row.get("answerable") is False
        return cls(
            id=str(row["id"]),
            question=row["question"],
            parts=parts,
            unanswerable=unanswerable,
            type=str(row.get("type") or row.get("kind") or row.get("subset") or ""),
            positive_ids=tuple(row.get("positive_ids") or ()),
            rejected=tuple(str(a) for a in row.get("rejected_answers") or ()),
            origin=str(row.get("origin") or ""),
            source_chunk=str(row.get("source_chunk") or ""),
        )

    def rejects(self, text: str) -> bool:
        """Does ``text`` repeat an answer a user marked wrong?"""
        haystack = norm(text)
        return any(norm(r) and norm(r) in haystack for r in self.rejected)

    def matches(self, text: str) -> bool:
        if self.unanswerable or not self.parts:
            return False
        haystack = norm(text)
        return all(any(norm(alt) and norm(alt) in haystack for alt in part) for part in self.parts)


def answer_matches(item: QAItem, answer: Any) -> bool:
    """Is the answer right?  Graded on its short answer when the reader named one.

    Grading the whole reply would credit a wrong headline answer whose quoted evidence happens
    to contain the gold string.  A short answer is right when it contains an acceptable answer
    (every part of a list), or — for a single answer — when it is the core of one: inside it and
    at least half its length ("31公分" for "体长约有31公分", not "林远" for "林远与周晴").
    Descriptive answers have no short form, so the reply itself is graded.
    """
    if not getattr(answer, "found", True):
        return False
    short = str(getattr(answer, "short_answer", "") or "")
    if not short:
        return item.matches(str(getattr(answer, "answer", "")))
    if item.matches(short):
        return True
    if len(item.parts) != 1 or item.unanswerable:
        return False
    core = norm(short)
    return any(core and core in norm(alt) and 2 * len(core) >= len(norm(alt)) for alt in item.parts[0])


def load_qa(path: Path) -> list[QAItem]:
    """Read a QA file (JSON Lines): hand-written, generated, dev-set or feedback-export rows.

    A row needs ``question``; ``id`` defaults to the line number.  A bad line fails with its
    line number rather than being skipped, so a typo never silently shrinks a test set.
    """
    from zhiku.errors import QueryError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"无法读取问答文件：{path}：{exc}", f"cannot read QA file {path}: {exc}") from exc
    items: list[QAItem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not str(row.get("question") or "").strip():
                raise ValueError("no question")
            row.setdefault("id", f"L{number}")
            items.append(QAItem.from_row(row))
        except (ValueError, TypeError) as exc:
            raise QueryError(
                f"问答文件第 {number} 行无效（需要 question 字段的 JSON 对象）：{exc}",
                f"QA file line {number} is invalid (a JSON object with a question is needed): {exc}",
                path=str(path),
            ) from exc
    return items


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
