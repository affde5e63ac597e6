"""The cascade policy with scripted models: when it escalates, to whom, and what never leaks."""

from __future__ import annotations

import pytest
from helpers_llm import TEXTS, hit, small_answer

from zhiku.answer.cascade import Cascade, retrieval_relevance
from zhiku.config import LLMSettings
from zhiku.errors import ConfigError, ModelError
from zhiku.models.gate import LABELS, GateResult
from zhiku.models.registry import ModelRegistry
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import AskRequest, Trace

pytestmark = pytest.mark.unit

Q = "2023年中国人工智能产业规模是多少？"
GOOD = "2023年中国人工智能产业规模为2137亿元[1]。"


def gate(label: str, p: float = 0.9) -> GateResult:
    rest = (1 - p) / (len(LABELS) - 1)
    return GateResult(label, {c: (p if c == label else rest) for c in LABELS})


def setup(
    policy: str = "cascade",
    *,
    large: object = GOOD,
    small: object | None = None,
    local_docs: tuple[str, ...] = (),
) -> tuple[Cascade, ScriptedLLM, ScriptedLLM | None]:
    registry = ModelRegistry()
    big = ScriptedLLM([large], name="large", remote=True)  # type: ignore[list-item]
    registry.register("large", big, price_prompt_per_1k=0.01, price_completion_per_1k=0.03)
    device = None
    if small is not None:
        device = ScriptedLLM([small], name="small", remote=False)  # type: ignore[list-item]
        registry.register("small", device)
    cascade = Cascade(LLMSettings(policy=policy), registry, is_local_only=lambda d: d in local_docs)  # type: ignore[arg-type]
    return cascade, big, device


def decide(
    cascade: Cascade, *, found: bool = True, confidence: float = 0.9, label: str = "numeric", q: str = Q
):  # type: ignore[no-untyped-def]
    hits = [hit("c1"), hit("c2")]
    return cascade.plan(
        AskRequest(q), hits, small_answer(q, found=found, confidence=confidence), gate(label), Trace()
    )


def test_confident_small_answer_is_kept() -> None:
    plan = decide(setup()[0])
    assert not plan.escalate and "kept" in plan.reason


def test_escalates_on_low_confidence() -> None:
    plan = decide(setup()[0], confidence=0.1)
    assert plan.escalate and plan.reason.startswith("low confidence") and plan.targets[0].name == "large"


def test_escalates_when_the_gate_says_synthesis() -> None:
    plan = decide(setup()[0], label="synthesis")
    assert plan.escalate and plan.reason.startswith("gate: synthesis")


def test_escalates_when_nothing_found_but_retrieval_is_relevant() -> None:
    plan = decide(setup()[0], found=False, q="2023年中国人工智能产业规模")
    assert plan.escalate and "relevant retrieval" in plan.reason
    unrelated = decide(setup()[0], found=False, q="量子计算机的退相干时间")
    assert not unrelated.escalate
    assert retrieval_relevance("量子计算机的退相干时间", [hit("c1")]) < 0.5


def test_chitchat_and_out_of_scope_without_relevant_evidence_never_escalate() -> None:
    assert not decide(setup()[0], found=False, label="chitchat", q="你好呀").escalate
    assert not decide(setup()[0], confidence=0.1, label="out_of_scope", q="帮我写一首关于大海的诗").escalate


def test_small_only_never_calls_a_model_and_large_only_always_does() -> None:
    assert not decide(setup("small_only")[0], confidence=0.0, label="synthesis").escalate
    plan = decide(setup("large_only")[0], confidence=1.0)
    assert plan.escalate and plan.reason == "policy large_only"


def test_no_configured_model_keeps_the_small_path_and_says_so() -> None:
    cascade = Cascade(LLMSettings(), ModelRegistry())
    plan = cascade.plan(AskRequest(Q), [hit("c1")], small_answer(Q, confidence=0.1), gate("kb_qa"), Trace())
    assert not plan.escalate and "no LLM configured" in plan.reason


def test_request_policy_overrides_and_bad_policy_lists_choices() -> None:
    cascade = setup("cascade")[0]
    assert cascade.policy_of(AskRequest(Q, policy="small_only")) == "small_only"
    with pytest.raises(ConfigError) as info:
        cascade.policy_of(AskRequest(Q, policy="cheap"))
    assert "local_first" in info.value.en


def test_run_records_cost_and_route() -> None:
    cascade, big, _ = setup("large_only")
    trace = Trace()
    plan = cascade.plan(AskRequest(Q), [hit("c1")], None, gate("numeric"), trace)
    answer = cascade.run(AskRequest(Q), [hit("c1")], plan, trace, lambda: small_answer(Q))
    assert answer.route == "llm:large" and answer.found
    assert trace.cost > 0 and trace.calls[0].remote and len(big.calls) == 1


def test_local_only_document_never_reaches_the_remote_model() -> None:
    cascade, big, _ = setup("large_only", local_docs=("d3",))
    trace = Trace()
    hits = [hit("c3"), hit("c1")]
    plan = cascade.plan(AskRequest(Q), hits, None, gate("numeric"), trace)
    cascade.run(AskRequest(Q), hits, plan, trace, lambda: small_answer(Q))
    sent = "\n".join(big.prompts)
    assert TEXTS["c3"][1] not in sent and "9.5" not in sent and TEXTS["c1"][1] in sent
    assert any("withheld" in n for n in trace.notes)


def test_only_local_only_evidence_means_no_remote_call_at_all() -> None:
    cascade, big, _ = setup("large_only", local_docs=("d3",))
    trace = Trace()
    plan = cascade.plan(AskRequest(Q), [hit("c3")], None, gate("numeric"), trace)
    answer = cascade.run(AskRequest(Q), [hit("c3")], plan, trace, lambda: small_answer(Q))
    assert big.calls == [] and answer.route == "extractive" and answer.extra["llm_skipped"]


def test_local_only_kb_sends_nothing_remote_but_uses_the_device_model() -> None:
    registry = ModelRegistry()
    big = ScriptedLLM([GOOD], name="large", remote=True)
    device = ScriptedLLM(["内部资料显示公司2024年研发预算为9.5亿元[1]。"], name="small", remote=False)
    registry.register("large", big)
    registry.register("small", device)
    cascade = Cascade(LLMSettings(policy="local_first"), registry, kb_local_only=True)
    trace = Trace()
    q = "公司2024年研发预算是多少？"
    plan = cascade.plan(AskRequest(q), [hit("c3")], small_answer(q, confidence=0.1), gate("numeric"), trace)
    answer = cascade.run(AskRequest(q), [hit("c3")], plan, trace, lambda: small_answer(q))
    assert answer.route == "llm:small" and big.calls == [] and len(device.calls) == 1


def test_local_first_tries_the_device_model_then_the_remote_one() -> None:
    cascade, big, device = setup("local_first", small="规模是9999亿元[1]。")
    assert device is not None
    trace = Trace()
    plan = cascade.plan(AskRequest(Q), [hit("c1")], small_answer(Q, confidence=0.1), gate("numeric"), trace)
    assert [m.name for m in plan.targets] == ["small", "large"]
    answer = cascade.run(AskRequest(Q), [hit("c1")], plan, trace, lambda: small_answer(Q))
    assert answer.route == "llm:large" and len(device.calls) == 2 and len(big.calls) == 1
    assert [c.remote for c in trace.calls] == [False, False, True]


def test_model_error_falls_through_to_the_small_answer() -> None:
    cascade, _, _ = setup("large_only", large=ModelError("超时", "timeout"))
    trace = Trace()
    plan = cascade.plan(AskRequest(Q), [hit("c1")], None, gate("numeric"), trace)
    answer = cascade.run(AskRequest(Q), [hit("c1")], plan, trace, lambda: small_answer(Q))
    assert answer.route == "extractive" and any("large failed" in n for n in trace.notes)


def test_stream_streams_the_first_model_and_ends_with_an_answer() -> None:
    cascade, _, _ = setup("large_only")
    trace = Trace()
    plan = cascade.plan(AskRequest(Q), [hit("c1")], None, gate("numeric"), trace)
    items = list(cascade.stream(AskRequest(Q), [hit("c1")], plan, trace, lambda: small_answer(Q)))
    assert items[-1].route == "llm:large"  # type: ignore[union-attr]
    assert len(items) > 2


def test_relevant_evidence_overrules_a_chitchat_gate() -> None:
    plan = decide(setup()[0], found=False, label="chitchat", q="2023年中国人工智能产业规模")
    assert plan.escalate and "relevant retrieval" in plan.reason
