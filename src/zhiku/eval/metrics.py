"""Per-answer metrics: does the citation hold the answer, are its numbers grounded.

*Numeric faithfulness* (DESIGN.md §3.2, numbers are computed, never generated): every number
in an answer must appear in a cited passage or among the results the code computed (and shown);
the count of the others must be 0.  Citation markers ``[1]`` are not numbers of the answer, and
``1``/``100`` are spared because they come from wording (一, 百分之百) more often than from facts.

>>> unsupported_numbers(answer)          # [] when every number is grounded
[]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from zhiku.eval.scoring import QAItem, percentile

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MARKER = re.compile(r"\[\d+\]")
_HARMLESS = frozenset({"1", "100"})


def _num_norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s,]", "", text)


def unsupported_numbers(answer: Any, question: str = "") -> list[str]:
    """Numbers in the answer that are in no cited passage, no computed result (nor the question).

    A number the question itself states (its year, say) is echoed, not invented, so it is
    allowed when ``question`` is given.
    """
    text = _MARKER.sub("", str(getattr(answer, "answer", "") or ""))
    allowed = " ".join(str(getattr(c, "text", "")) for c in getattr(answer, "citations", []) or [])
    extra = getattr(answer, "extra", {}) or {}
    computation = extra.get("computation") or {}
    allowed += " " + " ".join(str(x) for x in computation.get("computed_numbers", []))
    allowed += " " + question
    allowed_norm = _num_norm(allowed)
    missing = []
    for number in _NUMBER.findall(text):
        n = _num_norm(number)
        if n not in allowed_norm and n not in _HARMLESS:
            missing.append(number)
    return missing


def citation_contains_answer(item: QAItem, answer: Any) -> bool:
    """Do the cited passages, together, state the gold answer (every part of a list)?"""
    cited = "\n".join(str(getattr(c, "text", "")) for c in getattr(answer, "citations", []) or [])
    return item.matches(cited)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95 in milliseconds (nearest rank, as the benchmarks report them)."""
    return {"p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1)}


def answered_locally(answer: Any) -> bool:
    """No prompt left the machine: no call to a model marked remote."""
    trace = getattr(answer, "trace", None)
    return not any(getattr(c, "remote", False) for c in getattr(trace, "calls", []) or [])
