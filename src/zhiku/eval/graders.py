"""Graders: is one answer right, by the rules the product and the benchmarks share.

Three verdicts per answer, because they answer different questions a buyer asks:

* **strict** — the short answer (or, when there is none, the reply) states the gold answer
  (``answer_matches``); an unanswerable question is right only when refused;
* **quote-or-short** — the reply states the gold answer anywhere, quoted evidence included;
* **refusal** — a correct refusal on an unanswerable question, a wrong one on an answerable one.

A feedback row carries ``rejected_answers``: an answer repeating one of them is wrong whatever
else it says, and a row with no gold answer is right when answered without repeating them.

>>> grade(QAItem.from_row({"id": "q", "question": "…", "answers": ["42"]}), answer).strict
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhiku.eval.metrics import citation_contains_answer, unsupported_numbers
from zhiku.eval.scoring import QAItem, answer_matches


@dataclass(frozen=True)
class Grade:
    """The verdicts on one answer; ``None`` where a verdict does not apply to the item."""

    strict: bool
    quote_or_short: bool
    refused: bool
    correct_refusal: bool | None  # unanswerable items only
    wrong_refusal: bool | None  # answerable items only
    rejected: bool  # repeats an answer a user marked wrong
    citation_ok: bool | None  # answered, answerable, with gold and citations
    unsupported: tuple[str, ...] = ()


def strict_correct(item: QAItem, answer: Any) -> bool:
    """Short-answer accuracy; an unanswerable question is right only when refused."""
    found = bool(getattr(answer, "found", True))
    if item.unanswerable:
        return not found
    if not found or _rejected(item, answer):
        return False
    if not item.parts:  # feedback row without a gold answer: judged by rejection alone
        return bool(item.rejected)
    return answer_matches(item, answer)


def quote_or_short_correct(item: QAItem, answer: Any) -> bool:
    """The gold answer appears in the short answer or in the reply (quoted evidence included)."""
    found = bool(getattr(answer, "found", True))
    if item.unanswerable:
        return not found
    if not found or _rejected(item, answer):
        return False
    if not item.parts:
        return bool(item.rejected)
    text = f"{getattr(answer, 'short_answer', '') or ''}\n{getattr(answer, 'answer', '') or ''}"
    return item.matches(text)


def grade(item: QAItem, answer: Any, question_numbers: bool = True) -> Grade:
    """All verdicts on one answer (see the module docstring)."""
    found = bool(getattr(answer, "found", True))
    citation_ok = None
    if found and not item.unanswerable and item.parts and getattr(answer, "citations", None):
        citation_ok = citation_contains_answer(item, answer)
    return Grade(
        strict=strict_correct(item, answer),
        quote_or_short=quote_or_short_correct(item, answer),
        refused=not found,
        correct_refusal=(not found) if item.unanswerable else None,
        wrong_refusal=None if item.unanswerable else (not found),
        rejected=found and _rejected(item, answer),
        citation_ok=citation_ok,
        unsupported=tuple(unsupported_numbers(answer, item.question if question_numbers else "")),
    )


def _rejected(item: QAItem, answer: Any) -> bool:
    if not item.rejected:
        return False
    short = str(getattr(answer, "short_answer", "") or "")
    return item.rejects(short or str(getattr(answer, "answer", "") or ""))
