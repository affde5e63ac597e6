"""The answer orchestrator: question → retrieve → expert(s) → ``Answer`` with a trace.

The CLI and the server only talk to this class (through ``zhiku.wiring.build_assistant``), so
the gate, the cascade and the safety wrapper can change behind it.

>>> assistant = Assistant(kb, settings)
>>> assistant.ask(AskRequest("2023年中国人工智能产业规模是多少？")).answer
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from zhiku.answer.base import AskRequest, Expert, RetrievalExpander
from zhiku.config import Settings
from zhiku.types import Answer, Trace

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase


@dataclass(frozen=True)
class AnswerEvent:
    """One streaming event: ``delta`` carries text, ``answer`` closes the stream with the full answer."""

    type: Literal["delta", "answer"]
    text: str = ""
    answer: Answer | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.type == "delta":
            return {"type": "delta", "text": self.text}
        return {"type": "answer", "answer": self.answer.to_dict() if self.answer else None}


class Assistant:
    """Retrieve, let the experts try in order, fall back to the extractive reader."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: Settings,
        *,
        experts: Sequence[Expert] = (),
        expanders: Sequence[RetrievalExpander] = (),
    ) -> None:
        from zhiku.answer.reader import ExtractiveReader

        self.kb = kb
        self.settings = settings
        self.experts = list(experts)
        self.expanders = list(expanders)
        self.reader = ExtractiveReader(settings.reader)

    def ask(self, request: AskRequest) -> Answer:
        start = time.perf_counter()
        trace = Trace()
        t0 = time.perf_counter()
        hits = self.kb.search(request.question, top_k=request.top_k, filters=request.filters)
        trace.add_stage("retrieve", (time.perf_counter() - t0) * 1000)
        for expander in self.expanders:
            t0 = time.perf_counter()
            hits = expander.expand(request, hits, trace)
            trace.add_stage(f"expand:{expander.name}", (time.perf_counter() - t0) * 1000)
        answer: Answer | None = None
        for expert in self.experts:
            t0 = time.perf_counter()
            answer = expert.try_answer(request, hits, trace)
            trace.add_stage(f"expert:{expert.name}", (time.perf_counter() - t0) * 1000)
            if answer is not None:
                break
        if answer is None:
            t0 = time.perf_counter()
            answer = self.reader.read(request, hits, trace)
            trace.add_stage("read", (time.perf_counter() - t0) * 1000)
        answer.trace = trace
        answer.latency_ms = (time.perf_counter() - start) * 1000
        return answer

    def stream(self, request: AskRequest) -> Iterator[AnswerEvent]:
        """Small path has nothing to stream token by token: one delta, then the answer."""
        answer = self.ask(request)
        yield AnswerEvent("delta", text=answer.answer)
        yield AnswerEvent("answer", answer=answer)
