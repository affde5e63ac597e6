"""Several questions in one message: split them, complete the later ones, answer each, combine.

"2023年某国储能电池出货量是多少？2028年预计多少？" holds two questions; retrieval and the
readers work on one at a time, so each part is answered alone and the answers are joined with
their citations renumbered.  The later parts get the subject of the earlier ones by the same
follow-up rules as a conversation ("2028年预计多少？" → "2028年某国储能电池出货量是多少？").
A part that refers to the previous *answer* ("比2023年增长几倍？", "how many times …") is a
comparison, not a second question: the message is then left whole for the numeric expert.

>>> split_questions("2023年某国储能电池出货量是多少？2028年预计多少？")
['2023年某国储能电池出货量是多少？', '2028年某国储能电池出货量是多少？']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from zhiku.answer.followup import rewrite_follow_up
from zhiku.types import Answer, AskRequest, Citation, Trace

_PART = re.compile(r"[^？?]+[？?]")
_MIN_PART = 4  # characters of a part besides its question mark
_MAX_PARTS = 4
# A later part that compares with, or computes from, the earlier one belongs with it.
_DEPENDENT = re.compile(
    r"^\s*(?:那么?|并且|而且|同时|另外)?\s*(?:比|较|相比|相较|与之相比|对比|和.{0,8}相比|增长了?几倍|是.{0,12}几倍|差距|"
    r"how\s+many\s+times|compared|than|what\s+is\s+the\s+(?:difference|ratio|growth))",
    re.I,
)
_CITE = re.compile(r"\[(\d{1,3})\]")


def split_questions(text: str) -> list[str]:
    """The questions of a message, later ones made stand-alone; ``[text]`` when it holds one."""
    stripped = text.strip()
    parts = [p.strip() for p in _PART.findall(stripped)]
    rest = _PART.sub("", stripped).strip()
    if len(parts) < 2 or len(parts) > _MAX_PARTS or rest:
        return [stripped]
    if any(len(p.rstrip("？? ")) < _MIN_PART for p in parts):
        return [stripped]
    if any(_DEPENDENT.match(p) for p in parts[1:]):
        return [stripped]
    out = [parts[0]]
    for part in parts[1:]:
        out.append(rewrite_follow_up(part, out[-1]))
    return out


def _renumber(answer: Answer, citations: list[Citation]) -> str:
    """Give this part's citations the next free numbers (the same chunk keeps its number)."""
    mapping: dict[int, int] = {}
    for c in answer.citations:
        same = next((k for k in citations if k.chunk_id == c.chunk_id and k.text == c.text), None)
        if same is None:
            same = replace(c, index=len(citations) + 1)
            citations.append(same)
        mapping[c.index] = same.index
    return _CITE.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", answer.answer)


def _route(answers: list[Answer]) -> str:
    """The route that decides how the whole is labelled: a generated part makes it generated.

    The parts' own routes are kept in ``extra["parts"]`` and in the trace's ``route_reason``.
    """
    routes = [a.route for a in answers]
    generated = [r for r in routes if r.startswith("llm")]
    if generated:
        return generated[0]
    # parts answered on the small path (extractive, numeric, graph) are all extracted text
    return routes[0] if len(set(routes)) == 1 else "extractive"


def combine(request: AskRequest, questions: list[str], answers: list[Answer]) -> Answer:
    """One answer of numbered parts; the trace keeps every part's stages, calls and notes."""
    citations: list[Citation] = []
    trace = Trace()
    blocks, shorts = [], []
    zh = request.language == "zh"
    for i, (question, answer) in enumerate(zip(questions, answers, strict=True), start=1):
        text = _renumber(answer, citations)
        label = f"**问题{i}：{question}**" if zh else f"**Question {i}: {question}**"
        blocks.append(f"{label}\n\n{text.strip()}")
        if answer.short_answer:
            shorts.append(answer.short_answer)
        trace.stages += [replace(s, stage=f"part{i}:{s.stage}") for s in answer.trace.stages]
        trace.calls += answer.trace.calls
        trace.notes += answer.trace.notes
        trace.gate = trace.gate or answer.trace.gate
    trace.notes.insert(0, f"split into {len(questions)} questions: " + " | ".join(questions))
    trace.route_reason = "; ".join(f"part{i}: {a.route}" for i, a in enumerate(answers, start=1))
    first = answers[0]
    extra = {k: v for k, v in first.extra.items() if k not in ("rewritten_question", "original_question")}
    extra["parts"] = [
        {
            "question": q,
            "answer": a.answer,
            "route": a.route,
            "short_answer": a.short_answer,
            "found": a.found,
        }
        for q, a in zip(questions, answers, strict=True)
    ]
    return Answer(
        question=request.question,
        answer="\n\n".join(blocks),
        found=any(a.found for a in answers),
        citations=citations,
        route=_route(answers),
        latency_ms=sum(a.latency_ms for a in answers),
        language=request.language,
        short_answer="; ".join(shorts),
        confidence=min(a.confidence for a in answers),
        trace=trace,
        extra=extra,
    )


def ask_parts(request: AskRequest, ask_one: Callable[[AskRequest], Answer]) -> Answer | None:
    """The combined answer when the question holds several, else ``None`` (ask it as one)."""
    questions = split_questions(request.question)
    if len(questions) < 2:
        return None
    answers = [ask_one(replace(request, question=q)) for q in questions]
    return combine(request, questions, answers)


__all__ = ["ask_parts", "combine", "split_questions"]
