"""answer_kind through the real Assistant on a tiny knowledge base: short, quote and none."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.answer.assistant import Assistant
from zhiku.answer.reader import QUOTE_LEAD, ExtractiveReader, split_parts
from zhiku.config import Settings
from zhiku.types import AskRequest, Hit, Trace
from zhiku.understand import analyse
from zhiku.wiring import open_or_create_kb


@pytest.fixture
def assistant(settings: Settings, tmp_path: Path) -> Assistant:
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "town.md").write_text(
        "# 青岚镇概况\n\n2031年青岚镇共有37家书店，书店年营业额达到5.2亿元。\n\n"
        "青岚镇的茶园沿溪而建，春季采茶时游客很多，镇上的茶馆也随之热闹起来。\n\n"
        "# Blue Heron Trust\n\nThe Blue Heron Trust was founded by Marta Quill in 2019 in a river town.\n",
        encoding="utf-8",
    )
    kb = open_or_create_kb(settings, "town", hooks=[])
    kb.ingest([folder])
    s = settings.model_copy(update={"llm": settings.llm.model_copy(update={"policy": "small_only"})})
    return Assistant(kb, s)


@pytest.mark.integration
def test_short_answer_carries_kind_and_probability(assistant: Assistant) -> None:
    answer = assistant.ask(AskRequest("2031年青岚镇有多少家书店？"))
    data = answer.to_dict()
    assert data["answer_kind"] in ("short", "quote")
    assert 0.0 <= data["probability"] <= 1.0
    if answer.answer_kind == "short":
        assert answer.short_answer == "37家" and answer.answer.startswith("37家")
    else:
        assert data["short_answer"] is None and "37家" in answer.answer


@pytest.mark.integration
def test_quote_when_no_span_is_sure(assistant: Assistant, settings: Settings) -> None:
    strict = settings.reader.model_copy(update={"short_threshold": 1.0})  # nothing is sure enough
    reader = ExtractiveReader(strict)
    hits = assistant.kb.search("青岚镇的茶园有什么特点？", top_k=5)
    answer = reader.read(AskRequest("青岚镇的茶园有什么特点？"), hits, Trace())
    assert answer.answer_kind == "quote" and answer.found
    assert answer.answer.startswith(QUOTE_LEAD["zh"])
    assert answer.to_dict()["short_answer"] is None
    assert any("茶园" in c.text for c in answer.citations)
    english = reader.read(AskRequest("Who founded the Blue Heron Trust?"), hits[:0] or _en_hits(), Trace())
    assert english.answer_kind == "quote" and english.answer.startswith(QUOTE_LEAD["en"])


def _en_hits() -> list[Hit]:
    return [
        Hit(
            chunk_id="e",
            doc_id="d",
            text="The Blue Heron Trust was founded by Marta Quill in 2019.",
            score=1.0,
        )
    ]


@pytest.mark.integration
def test_refusal_is_none(assistant: Assistant) -> None:
    answer = assistant.ask(AskRequest("2040年青岚镇有多少家书店？"))  # a year no passage names
    assert not answer.found
    assert answer.to_dict()["answer_kind"] in ("none", "")


@pytest.mark.unit
def test_question_in_parts_borrows_its_subject() -> None:
    parts = [p.text for p in split_parts(analyse("青岚镇核心技术人才有多少人？占全镇的比例是多少？"))]
    assert parts == ["青岚镇核心技术人才有多少人？", "青岚镇核心技术人才占全镇的比例是多少？"]
    assert split_parts(analyse("What is the size? Who leads it?"))[0].text == "What is the size?"


@pytest.mark.unit
def test_every_part_is_answered_or_named_missing() -> None:
    hits = [
        Hit(
            chunk_id="a",
            doc_id="d",
            text="青岚镇核心技术人才有1200人，占全镇的比例为6%。",
            score=1.0,
            title="镇志",
        ),
    ]
    reader = ExtractiveReader(Settings().reader)
    answer = reader.read(AskRequest("青岚镇核心技术人才有多少人？占全镇的比例是多少？"), hits, Trace())
    assert answer.found
    assert "1200人" in answer.answer and "6%" in answer.answer
    missing = reader.read(AskRequest("青岚镇核心技术人才有多少人？2040年白鹭市的人口是多少？"), hits, Trace())
    assert "2040年白鹭市的人口是多少" in missing.answer  # the part without evidence is named


@pytest.mark.unit
def test_cascade_escalates_a_quote_and_an_unsure_short_answer() -> None:
    from dataclasses import replace as swap

    from zhiku.answer.cascade import Cascade
    from zhiku.config import LLMSettings
    from zhiku.models.gate import GateResult
    from zhiku.models.registry import ModelRegistry
    from zhiku.models.scripted import ScriptedLLM
    from zhiku.types import Answer

    registry = ModelRegistry()
    registry.register("large", ScriptedLLM("好[1]。", name="large"))
    cascade = Cascade(LLMSettings(policy="cascade", escalate_below=0.5), registry)
    hits = [Hit(chunk_id="c", doc_id="d", text="2031年青岚镇共有37家书店。", score=1.0)]
    gate = GateResult("kb_qa", {"kb_qa": 0.9, "synthesis": 0.1})
    q = "2031年青岚镇有多少家书店？"
    sure = Answer(q, "37家。", True, answer_kind="short", probability=0.9, confidence=0.9)
    plan = cascade.plan(AskRequest(q), hits, sure, gate, Trace())
    assert not plan.escalate
    quote = swap(sure, answer_kind="quote", probability=0.3, short_answer="")
    assert cascade.plan(AskRequest(q), hits, quote, gate, Trace()).reason.startswith("no sure short answer")
    unsure = swap(sure, probability=0.2)
    assert cascade.plan(AskRequest(q), hits, unsure, gate, Trace()).reason.startswith("low probability")
