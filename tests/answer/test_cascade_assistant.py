"""The assistant end to end on a real knowledge base with scripted large/small models."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.answer.assistant import AnswerEvent, Assistant
from zhiku.config import Settings
from zhiku.kb import KnowledgeBase
from zhiku.models.registry import ModelRegistry
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import AskRequest
from zhiku.wiring import open_or_create_kb

pytestmark = pytest.mark.integration

SECRET = "星河计划的内部预算为4.2亿元，由研发中心负责执行。"


@pytest.fixture
def kb(settings: Settings, zh_docs: Path, tmp_path: Path) -> KnowledgeBase:
    base = open_or_create_kb(settings, "t", hooks=[])
    base.ingest([zh_docs])
    private = tmp_path / "private"
    private.mkdir()
    (private / "plan.md").write_text(f"# 星河计划\n\n{SECRET}\n", encoding="utf-8")
    base.ingest([private], local_only=True)
    return base


def assistant(
    kb: KnowledgeBase, settings: Settings, large: ScriptedLLM, policy: str = "cascade"
) -> Assistant:
    registry = ModelRegistry()
    registry.register("large", large, price_prompt_per_1k=0.01, price_completion_per_1k=0.02)
    s = settings.model_copy(update={"llm": settings.llm.model_copy(update={"policy": policy})})
    return Assistant(kb, s, registry=registry)


def test_confident_lookup_stays_on_the_small_path(kb: KnowledgeBase, settings: Settings) -> None:
    large = ScriptedLLM("不应调用[1]。", name="large", remote=True)
    q = AskRequest("《生成式人工智能服务管理暂行办法》从哪天起施行？")
    small = assistant(kb, settings, large, policy="small_only").ask(q)
    assert small.found and "8月15日" in small.answer and small.confidence > 0
    # the escalation threshold is a setting (chosen from the measured curve); a small answer at or
    # above it stays local, one below it escalates
    at = settings.llm.model_copy(update={"escalate_below": small.confidence})
    answer = assistant(kb, settings.model_copy(update={"llm": at}), large).ask(q)
    assert answer.found and "8月15日" in answer.answer
    assert large.calls == [] and answer.trace.gate and answer.trace.route_reason.startswith("cascade:")
    assert any(s.stage == "gate" for s in answer.trace.stages)


def test_synthesis_question_escalates_with_cost_in_the_trace(kb: KnowledgeBase, settings: Settings) -> None:
    large = ScriptedLLM(
        "产业规模预计从2023年的2137亿元增长到2028年的8110亿元[1]。", name="large", remote=True
    )
    answer = assistant(kb, settings, large).ask(AskRequest("为什么说人工智能产业规模增长很快？请分析原因。"))
    assert answer.trace.route_reason.startswith("cascade: gate: synthesis"), answer.trace.route_reason
    assert answer.route == "llm:large" and len(large.calls) == 1
    assert answer.trace.cost > 0 and answer.to_dict()["trace"]["cost"] > 0


def test_local_only_document_never_leaks_to_the_remote_model(kb: KnowledgeBase, settings: Settings) -> None:
    large = ScriptedLLM("NO_ANSWER", name="large", remote=True)
    answer = assistant(kb, settings, large, policy="large_only").ask(AskRequest("星河计划的内部预算是多少？"))
    sent = "\n".join(large.prompts)
    assert SECRET not in sent and "4.2" not in sent and "研发中心" not in sent
    assert answer.route in ("llm:large", "extractive")


def test_local_only_kb_flag_blocks_remote_calls(kb: KnowledgeBase, settings: Settings) -> None:
    kb.set_local_only(True)
    large = ScriptedLLM("2023年规模为2137亿元[1]。", name="large", remote=True)
    assistant(kb, settings, large, policy="large_only").ask(AskRequest("2023年人工智能产业规模是多少？"))
    assert large.calls == []


def test_unverifiable_llm_output_falls_back_to_extractive(kb: KnowledgeBase, settings: Settings) -> None:
    large = ScriptedLLM("规模为9999亿元[1]。", name="large", remote=True)
    answer = assistant(kb, settings, large, policy="large_only").ask(
        AskRequest("2023年人工智能产业规模是多少？")
    )
    assert answer.extra.get("fallback") == "extractive" and "9999" not in answer.answer
    assert len(large.calls) == 2


def test_chitchat_gets_a_friendly_reply_without_a_model(kb: KnowledgeBase, settings: Settings) -> None:
    large = ScriptedLLM("x[1]", name="large", remote=True)
    answer = assistant(kb, settings, large).ask(AskRequest("你好"))
    assert answer.route == "chitchat" and "智库" in answer.answer and large.calls == []


def test_stream_ends_with_checked_answer_and_citation_block(kb: KnowledgeBase, settings: Settings) -> None:
    large = ScriptedLLM("2023年人工智能产业规模达到2137亿元[1]。", name="large", remote=True)
    events = list(
        assistant(kb, settings, large, policy="large_only").stream(
            AskRequest("2023年人工智能产业规模是多少？")
        )
    )
    assert all(isinstance(e, AnswerEvent) for e in events)
    assert events[-1].type == "answer" and events[-1].answer is not None
    text = "".join(e.text for e in events if e.type == "delta")
    assert text.startswith("2023年人工智能产业规模达到2137亿元[1]。") and "\n\n[1] " in text


class Recorder:
    """A real (tiny) expert/expander that records when it was consulted and declines."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    def try_answer(self, request: AskRequest, hits: object, trace: object) -> None:
        self.log.append(self.name)

    def expand(self, request: AskRequest, hits: list[object], trace: object) -> list[object]:
        self.log.append(f"expand:{self.name}")
        return hits


def test_gate_orders_experts_and_switches_the_graph_expander(kb: KnowledgeBase, settings: Settings) -> None:
    log: list[str] = []
    experts = [Recorder("graph", log), Recorder("numeric", log)]
    expanders = [Recorder("graph", log)]
    bot = Assistant(kb, settings, experts=experts, expanders=expanders)  # type: ignore[list-item]
    bot.ask(AskRequest("2023年人工智能产业规模是多少？"))
    assert log == ["numeric", "graph"]
    log.clear()
    bot.ask(AskRequest("哪些公司发布了大模型？"))
    assert log == ["expand:graph", "graph", "numeric"]


def test_large_path_is_cross_checked_by_the_assistants_own_reader(
    kb: KnowledgeBase, settings: Settings
) -> None:
    from zhiku.answer.reader_check import ReaderCrossCheck

    large = ScriptedLLM("不应调用[1]。", name="large", remote=True)
    built = assistant(kb, settings, large)
    check = built.cascade.cross_check
    assert isinstance(check, ReaderCrossCheck) and check.reader is built.reader
    assert built.cascade.generator(built.registry.get("large")).cross_check is check
