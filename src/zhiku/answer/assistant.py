"""The answer orchestrator: question → gate → retrieve → experts → cascade → ``Answer`` with a trace.

The CLI and the server only talk to this class (through ``zhiku.wiring.build_assistant``), so
the gate, the cascade and the safety wrapper can change behind it.  The gate's class orders
the experts (``numeric`` → the expert named "numeric" first) and switches the "graph"
retrieval expander on for ``relation`` questions; the cascade decides whether a large model
is worth calling and never lets a local-only chunk reach a remote one.

>>> assistant = Assistant(kb, settings)
>>> assistant.ask(AskRequest("2023年中国人工智能产业规模是多少？")).answer
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from zhiku.answer.base import Expert, RetrievalExpander
from zhiku.answer.cascade import Cascade, Plan, is_off_topic, retrieval_relevance
from zhiku.config import Settings
from zhiku.models.gate import Gate, GateResult
from zhiku.models.llm import StreamEvent
from zhiku.models.registry import ModelRegistry
from zhiku.types import Answer, AskRequest, Hit, Language, Trace
from zhiku.understand import question_of

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase

EXPERT_FOR_CLASS = {"numeric": "numeric", "relation": "graph"}
EXPANDER_FOR_CLASS = {"relation": "graph"}
_GATED_EXPANDER_MIN_PROB = 0.25

_CANNED: dict[str, dict[Language, str]] = {
    "chitchat": {
        "zh": "你好！我是智库知识库助手：请就知识库中的文档提问，我会给出答案和出处。",
        "en": "Hello! I am the zhiku knowledge-base assistant: ask about the documents and I answer with sources.",
    },
    "out_of_scope": {
        "zh": "这个问题超出了知识库的范围，我只能根据知识库中的文档回答问题。",
        "en": "That is outside the knowledge base; I can only answer from its documents.",
    },
}


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


def citation_block(answer: Answer) -> str:
    """The closing ``[n] title, page`` lines of a streamed answer."""
    lines = []
    for c in answer.citations:
        page = f", p.{c.page}" if c.page is not None else ""
        name = c.source.split("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]  # file name, never the path
        title = c.document or c.doc_id
        lines.append(f"[{c.index}] {title}{' · ' + name if name and name != title else ''}{page}")
    return ("\n\n" + "\n".join(lines)) if lines else ""


class Assistant:
    """Gate, retrieve, let the experts try (gate order), read, then let the cascade decide."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: Settings,
        *,
        experts: Sequence[Expert] = (),
        expanders: Sequence[RetrievalExpander] = (),
        registry: ModelRegistry | None = None,
        gate: Gate | None = None,
    ) -> None:
        from zhiku.answer.reader import ExtractiveReader
        from zhiku.answer.reader_check import ReaderCrossCheck

        self.kb = kb
        self.settings = settings
        self.experts = list(experts)
        self.expanders = list(expanders)
        self.reader = ExtractiveReader(settings.reader)
        self.registry = registry or ModelRegistry.from_settings(settings.llm)
        self.gate = gate or Gate.load(settings.llm.gate_model)
        self.cascade = Cascade(
            settings.llm,
            self.registry,
            is_local_only=self._doc_local_only,
            kb_local_only=bool(getattr(kb, "local_only", False)),
            cross_check=ReaderCrossCheck(self.reader),
        )
        self._local_only_cache: dict[str, bool] = {}

    def _doc_local_only(self, doc_id: str) -> bool:
        if doc_id not in self._local_only_cache:
            try:
                self._local_only_cache[doc_id] = bool(self.kb.document(doc_id).local_only)
            except Exception:  # unknown document: be safe, never send it out
                self._local_only_cache[doc_id] = True
        return self._local_only_cache[doc_id]

    # -- stages -----------------------------------------------------------------------

    def _classify(self, request: AskRequest, trace: Trace) -> GateResult:
        t0 = time.perf_counter()
        result = self.gate.predict(request.question)
        trace.gate = {k: round(v, 4) for k, v in result.probs.items()}
        trace.add_stage("gate", (time.perf_counter() - t0) * 1000)
        return result

    def _retrieve(self, request: AskRequest, gate: GateResult, trace: Trace) -> list[Hit]:
        t0 = time.perf_counter()
        hits = self.kb.search(question_of(request), top_k=request.top_k, filters=request.filters)
        trace.add_stage("retrieve", (time.perf_counter() - t0) * 1000)
        gated = {name: cls for cls, name in EXPANDER_FOR_CLASS.items()}
        for expander in self.expanders:
            cls = gated.get(expander.name)
            if cls is not None and gate.prob(cls) < _GATED_EXPANDER_MIN_PROB and gate.label != cls:
                continue
            t0 = time.perf_counter()
            hits = expander.expand(request, hits, trace)
            trace.add_stage(f"expand:{expander.name}", (time.perf_counter() - t0) * 1000)
        return hits

    def _ordered_experts(self, gate: GateResult) -> list[Expert]:
        """The expert of the gate's class first; the others keep their order (they decline cheaply)."""
        preferred = EXPERT_FOR_CLASS.get(gate.label)
        return sorted(self.experts, key=lambda e: 0 if e.name == preferred else 1)

    def _small(self, request: AskRequest, hits: Sequence[Hit], gate: GateResult, trace: Trace) -> Answer:
        for expert in self._ordered_experts(gate):
            t0 = time.perf_counter()
            answer = expert.try_answer(request, hits, trace)
            trace.add_stage(f"expert:{expert.name}", (time.perf_counter() - t0) * 1000)
            if answer is not None:
                return answer
        t0 = time.perf_counter()
        answer = self.reader.read(request, hits, trace)
        trace.add_stage("read", (time.perf_counter() - t0) * 1000)
        return answer

    def _prepare(
        self, request: AskRequest, trace: Trace
    ) -> tuple[GateResult, list[Hit], Plan, Callable[[], Answer]]:
        self._local_only_cache.clear()  # flags may change between questions (re-ingestion)
        self.cascade.kb_local_only = (
            bool(getattr(self.kb, "local_only", False)) or self.settings.llm.local_only
        )
        gate = self._classify(request, trace)
        hits = self._retrieve(request, gate, trace)
        memo: list[Answer] = []

        def small() -> Answer:
            if not memo:
                memo.append(self._small(request, hits, gate, trace))
            return memo[0]

        eager = self.cascade.policy_of(request) != "large_only"
        plan = self.cascade.plan(request, hits, small() if eager else None, gate, trace)
        trace.route_reason = f"{plan.policy}: {plan.reason}"
        return gate, hits, plan, small

    def _canned(self, request: AskRequest, gate: GateResult, answer: Answer, hits: Sequence[Hit]) -> Answer:
        """Chit-chat and out-of-scope questions with no grounded answer and no relevant evidence
        get a fixed reply (a terse real question the gate mistook keeps the honest refusal)."""
        llm = self.settings.llm
        if answer.found or not is_off_topic(gate, llm.gate_min_prob):
            return answer
        if retrieval_relevance(request.question, hits) >= llm.relevant_score:
            return answer
        answer.answer = _CANNED[gate.label][request.language]
        answer.route = gate.label
        return answer

    @staticmethod
    def _computed(answer: Answer | None) -> list[str]:
        """Results computed in code by an expert (``extra["computation"]``), quotable by the LLM."""
        if answer is None:
            return []
        comp = answer.extra.get("computation")
        if not isinstance(comp, dict):
            return []
        lines = [str(comp.get("formula") or ""), str(comp.get("result_text") or "")]
        lines += [str(n) for n in comp.get("computed_numbers") or []]
        return [line for line in dict.fromkeys(lines) if line]

    # -- public API -------------------------------------------------------------------

    @staticmethod
    def understood(request: AskRequest) -> AskRequest:
        """``request`` carrying its analysed ``Question``: the one analysis every stage reads."""
        question = question_of(request)
        return request if question is request.analysis else replace(request, analysis=question)

    def ask(self, request: AskRequest) -> Answer:
        from zhiku.answer.multipart import ask_parts  # several questions in one message

        return ask_parts(request, self._ask_one) or self._ask_one(request)

    def _ask_one(self, request: AskRequest) -> Answer:
        start = time.perf_counter()
        request = self.understood(request)
        trace = Trace()
        gate, hits, plan, small = self._prepare(request, trace)
        if plan.escalate:
            t0 = time.perf_counter()
            computed = self._computed(small()) if plan.policy != "large_only" else []
            answer = self.cascade.run(request, hits, plan, trace, small, computed)
            trace.add_stage("generate", (time.perf_counter() - t0) * 1000)
        else:
            answer = self._canned(request, gate, small(), hits)
        answer.trace = trace
        answer.latency_ms = (time.perf_counter() - start) * 1000
        return answer

    def stream(self, request: AskRequest) -> Iterator[AnswerEvent]:
        """Deltas as the model writes them, then the post-checked answer and its citation block."""
        from zhiku.answer.multipart import ask_parts

        multi = ask_parts(request, self._ask_one)
        if multi is not None:  # answered part by part: no token stream to forward
            yield AnswerEvent("delta", text=multi.answer + citation_block(multi))
            yield AnswerEvent("answer", answer=multi)
            return
        start = time.perf_counter()
        request = self.understood(request)
        trace = Trace()
        gate, hits, plan, small = self._prepare(request, trace)
        streamed: list[str] = []
        final: Answer | None = None
        if plan.escalate:
            t0 = time.perf_counter()
            computed = self._computed(small()) if plan.policy != "large_only" else []
            for item in self.cascade.stream(request, hits, plan, trace, small, computed):
                if isinstance(item, StreamEvent):
                    streamed.append(item.text)
                    yield AnswerEvent("delta", text=item.text)
                else:
                    final = item
            trace.add_stage("generate", (time.perf_counter() - t0) * 1000)
        if final is None:
            final = self._canned(request, gate, small(), hits)
        if "".join(streamed).strip() != final.answer.strip():
            yield AnswerEvent("delta", text=("\n\n" if streamed else "") + final.answer)
        block = citation_block(final)
        if block:
            yield AnswerEvent("delta", text=block)
        final.trace = trace
        final.latency_ms = (time.perf_counter() - start) * 1000
        yield AnswerEvent("answer", answer=final)
