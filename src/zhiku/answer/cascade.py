"""The cascade policy: small path first, a large model only when it adds something.

Policies (``settings.llm.policy`` or ``AskRequest.policy``):

* ``small_only`` — experts and the extractive reader; never a large model.
* ``large_only`` — grounded generation by the large model; the small answer is the fallback.
* ``cascade``    — small path first; escalate to the large model when the gate says
  ``synthesis``, when the small reader gave a ``quote`` (evidence but no sure short answer) or a
  short answer whose calibrated probability is below ``escalate_below``, when another small
  expert's confidence is below it, or when it found nothing although retrieval looks relevant.
* ``local_first`` — like ``cascade``, but the local (device) model is tried before the remote one.

Privacy (端云协同): a knowledge base or a document marked local-only never has its chunks sent to
a model whose ``remote`` flag is set; those hits are dropped from the remote prompt, and when
nothing is left the remote model is not called at all.  Every decision — gate probabilities,
route, reason, tokens and cost — is written to the ``Trace``.

>>> cascade = Cascade(settings.llm, registry, is_local_only=lambda doc_id: False)
>>> plan = cascade.plan(request, hits, small_answer, gate_result, trace)
>>> plan.escalate, plan.reason
(True, 'gate: synthesis (0.81)')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from zhiku.answer.generate import CrossCheck, GroundedGenerator
from zhiku.answer.verify import support_score
from zhiku.config import LLMSettings
from zhiku.errors import ModelError, parse_choice
from zhiku.models.gate import GateResult
from zhiku.models.llm import StreamEvent
from zhiku.models.registry import ModelRegistry, NamedModel
from zhiku.types import Answer, AskRequest, Hit, Trace

POLICIES: tuple[str, ...] = ("small_only", "large_only", "cascade", "local_first")


@dataclass
class Plan:
    """What the cascade decided for one question: escalate or not, why, and to which models."""

    policy: str
    escalate: bool
    reason: str
    targets: list[NamedModel] = field(default_factory=list)


def retrieval_relevance(question: str, hits: Sequence[Hit]) -> float:
    """Share of the question's bigrams/words found in the best of the top three hits (0..1)."""
    return max((support_score(question, h.text) for h in hits[:3]), default=0.0)


def is_off_topic(gate: GateResult | None, min_prob: float) -> bool:
    """The gate is confident the question is chit-chat or outside any knowledge base."""
    return gate is not None and gate.label in ("chitchat", "out_of_scope") and gate.confidence >= min_prob


class Cascade:
    """Decide the route and run the large path with privacy filtering and fallbacks."""

    def __init__(
        self,
        settings: LLMSettings,
        registry: ModelRegistry,
        *,
        is_local_only: Callable[[str], bool] = lambda doc_id: False,
        kb_local_only: bool = False,
        cross_check: CrossCheck | None = None,
    ) -> None:
        parse_choice(settings.policy, POLICIES, "llm.policy")
        self.settings = settings
        self.cross_check = cross_check
        self.registry = registry
        self.is_local_only = is_local_only
        self.kb_local_only = kb_local_only or settings.local_only

    def policy_of(self, request: AskRequest) -> str:
        return parse_choice(request.policy or self.settings.policy, POLICIES, "policy")

    def _model(self, name: str, trace: Trace) -> NamedModel | None:
        if name not in self.registry:
            return None
        try:
            return self.registry.get(name)
        except Exception as exc:  # a misconfigured model must not take the small path down
            trace.notes.append(f"model {name} unavailable: {exc}")
            return None

    def targets(self, policy: str, trace: Trace) -> list[NamedModel]:
        names = {
            "small_only": [],
            "large_only": [self.settings.large],
            "cascade": [self.settings.large],
            "local_first": [self.settings.small, self.settings.large],
        }[policy]
        found = [m for m in (self._model(n, trace) for n in names) if m is not None]
        if policy == "local_first":  # local models first, whatever their names
            found.sort(key=lambda m: m.remote)
        return found

    def _escalation(
        self, small: Answer | None, gate: GateResult | None, hits: Sequence[Hit], question: str
    ) -> str:
        """The reason to escalate, or '' to keep the small answer."""
        s = self.settings
        relevance = retrieval_relevance(question, hits)
        # The gate may call a terse query ("二十大开幕时间") chit-chat; relevant evidence overrules it.
        if is_off_topic(gate, s.gate_min_prob) and relevance < s.relevant_score:
            return ""
        if gate is not None and gate.label == "synthesis" and gate.confidence >= s.gate_min_prob:
            return f"gate: synthesis ({gate.confidence:.2f})"
        if small is None:
            return "no small-path answer"
        if small.answer_kind == "quote":
            # the reader found evidence but no short answer it is sure of: the large model may
            return f"no sure short answer (p={small.probability:.2f})"
        if small.answer_kind == "short" and small.probability < s.escalate_below:
            return f"low probability {small.probability:.2f} < {s.escalate_below:.2f}"
        if not small.answer_kind and small.found and small.confidence < s.escalate_below:
            return f"low confidence {small.confidence:.2f} < {s.escalate_below:.2f}"
        if not small.found and relevance >= s.relevant_score:
            return f"no small answer but relevant retrieval ({relevance:.2f})"
        return ""

    def plan(
        self,
        request: AskRequest,
        hits: Sequence[Hit],
        small: Answer | None,
        gate: GateResult | None,
        trace: Trace,
    ) -> Plan:
        policy = self.policy_of(request)
        if policy == "small_only":
            return Plan(policy, False, "policy small_only")
        targets = self.targets(policy, trace)
        if policy == "large_only":
            reason = "policy large_only" if targets else "policy large_only but no large model configured"
            return Plan(policy, bool(targets), reason, targets)
        reason = self._escalation(small, gate, hits, request.question)
        if not reason:
            conf = small.confidence if small is not None else 0.0
            return Plan(policy, False, f"small path kept (confidence {conf:.2f})")
        if not targets:
            return Plan(policy, False, f"{reason}; no LLM configured, small path kept")
        return Plan(policy, True, reason, targets)

    def allowed_hits(self, model: NamedModel, hits: Sequence[Hit], trace: Trace) -> list[Hit]:
        """Hits this model may see: none of a local-only KB/document goes to a remote model."""
        if not model.remote:
            return list(hits)
        if self.kb_local_only:
            trace.notes.append(f"local-only knowledge base: nothing sent to remote model {model.name}")
            return []
        kept = [h for h in hits if not self.is_local_only(h.doc_id)]
        if len(kept) < len(hits):
            trace.notes.append(f"{len(hits) - len(kept)} local-only chunk(s) withheld from {model.name}")
        return kept

    def generator(self, model: NamedModel) -> GroundedGenerator:
        return GroundedGenerator(
            model,
            max_evidence=self.settings.max_evidence,
            evidence_chars=self.settings.evidence_chars,
            cross_check=self.cross_check,
        )

    def run(
        self,
        request: AskRequest,
        hits: Sequence[Hit],
        plan: Plan,
        trace: Trace,
        fallback: Callable[[], Answer],
        computed: Sequence[str] = (),
    ) -> Answer:
        """Try the plan's models in order; the first verified answer (or refusal) wins."""
        for model in plan.targets:
            allowed = self.allowed_hits(model, hits, trace)
            if not allowed:
                continue
            try:
                answer = self.generator(model).answer(
                    request, allowed, trace, fallback=fallback, computed=computed
                )
            except ModelError as exc:
                trace.notes.append(f"{model.name} failed: {exc.message('en')}")
                continue
            if "fallback" not in answer.extra or model is plan.targets[-1]:
                return answer
        answer = fallback()
        answer.extra = {**answer.extra, "llm_skipped": True}
        return answer

    def stream(
        self,
        request: AskRequest,
        hits: Sequence[Hit],
        plan: Plan,
        trace: Trace,
        fallback: Callable[[], Answer],
        computed: Sequence[str] = (),
    ) -> Iterator[StreamEvent | Answer]:
        """Stream the first usable model; later models (after a failure) answer without streaming."""
        for i, model in enumerate(plan.targets):
            allowed = self.allowed_hits(model, hits, trace)
            if not allowed:
                continue
            if i > 0:
                rest = Plan(plan.policy, True, plan.reason, plan.targets[i:])
                yield self.run(request, hits, rest, trace, fallback, computed)
                return
            try:
                final: Answer | None = None
                for item in self.generator(model).stream(
                    request, allowed, trace, fallback=fallback, computed=computed
                ):
                    if isinstance(item, Answer):
                        final = item
                    else:
                        yield item
            except ModelError as exc:
                trace.notes.append(f"{model.name} failed: {exc.message('en')}")
                continue
            if final is not None and ("fallback" not in final.extra or len(plan.targets) == 1):
                yield final
                return
        yield self.run(request, hits, Plan(plan.policy, True, plan.reason, []), trace, fallback, computed)
