"""Training questions with the passages the reader is shown, and the grader's rule for a label.

Why a module of its own: the training pipeline, the claim-check trainer and the benchmarks all
read the training files the same way; keeping the reading (and the strict grader's label rule)
apart from the fitting keeps both small.

>>> examples = load_examples([Path("mrc_train_zh.jsonl")], seed=13, distractors=3)
>>> len(examples[0].hits)  # its paragraph and three others of the same article
4
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhiku.answer.reading.forms import keyword_form
from zhiku.errors import ConfigError
from zhiku.eval.scoring import norm
from zhiku.types import Hit


@dataclass(frozen=True)
class Example:
    """One training question with the passages a retriever would hand the reader."""

    qid: str
    group: str
    question: str
    answers: tuple[str, ...]
    hits: tuple[Hit, ...]


def short_correct(candidate: str, answers: Sequence[str]) -> bool:
    """The strict grader's rule for one short answer: it holds an acceptable answer, or is the
    core of one (inside it and at least half its length)."""
    core = norm(candidate)
    if not core:
        return False
    for gold in answers:
        g = norm(gold)
        if g and (g in core or (core in g and 2 * len(core) >= len(g))):
            return True
    return False


def is_label(candidate: str, answers: Sequence[str]) -> bool:
    """A training positive: the grader accepts it and it is not much longer than the gold
    (a clause that merely contains the answer is no short answer to learn from)."""
    core = norm(candidate)
    return short_correct(candidate, answers) and any(
        len(core) <= max(len(norm(g)) + 4, int(1.5 * len(norm(g)))) for g in answers
    )


def load_examples(
    paths: Sequence[Path], seed: int, distractors: int, limit: int | None = None, answerless: float = 0.0
) -> list[Example]:
    """Questions of the training files, each with its paragraph among same-article paragraphs.

    A share ``answerless`` of the questions is shown the other paragraphs only, as when retrieval
    misses: the verifier must learn that a well-matching sentence without the answer is no answer.
    """
    rows = read_rows(paths)
    rng = random.Random(seed)
    pool: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        pool.setdefault((row.get("lang", ""), row.get("title", "")), []).append(i)
    out: list[Example] = []
    for i, row in enumerate(rows):
        mates = [j for j in pool[(row.get("lang", ""), row.get("title", ""))] if j != i]
        others = rng.sample(mates, min(distractors, len(mates)))
        for qa in row.get("qas", []):
            answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text"))
            if not answers:
                continue
            order = [rows[j] for j in others]
            at = 0 if rng.random() < 0.7 else rng.randint(0, len(order))
            if not (answerless > 0 and order and rng.random() < answerless):
                order.insert(at, row)
            hits = tuple(
                Hit(
                    chunk_id=f"{r['id']}",
                    doc_id=f"{r['id']}",
                    text=r["context"],
                    score=1.0 / (1 + rank),
                    title=r.get("title", ""),
                )
                for rank, r in enumerate(order)
            )
            out.append(Example(qa["id"], row.get("group", row["id"]), qa["question"], answers, hits))
    if limit is not None and len(out) > limit:
        out = rng.sample(out, limit)
    return out


def read_rows(paths: Sequence[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        if not path.is_file():
            raise ConfigError(f"找不到训练文件：{path}", f"training file not found: {path}")
        rows.extend(
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        )
    return rows


def load_retrieved_examples(
    paths: Sequence[Path],
    seed: int,
    home: Path,
    limit: int | None = None,
    keyword_share: float = 0.0,
    log: Callable[[str], None] = lambda _: None,
) -> list[Example]:
    """Questions of the training files, each with the hits retrieval gives it (``retrieved``).

    A share ``keyword_share`` of the Chinese questions is asked (and searched) as the keyword
    query a user might type instead (``forms.keyword_form``).
    """
    from zhiku.answer.reading.retrieved import retrieved_hits

    rng = random.Random(seed)
    asked: list[tuple[str, str, str, tuple[str, ...]]] = []
    for row in read_rows(paths):
        for qa in row.get("qas", []):
            answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text"))
            if not answers:
                continue
            question = qa["question"]
            if keyword_share > 0 and row.get("lang") == "zh" and rng.random() < keyword_share:
                question = keyword_form(question) or question
            asked.append((qa["id"], row.get("group", row["id"]), question, answers))
    if limit is not None and len(asked) > limit:
        asked = rng.sample(asked, limit)
    hits = retrieved_hits(paths, [q for _, _, q, _ in asked], home, log=log)
    return [Example(qid, group, q, answers, tuple(hits[q])) for qid, group, q, answers in asked]


def answer_in(ex: Example, read: int = 8) -> bool:
    """An answer of ``ex`` is in the hits the reader reads (the first ``read``)."""
    return any(a in h.text for h in ex.hits[:read] for a in ex.answers)
