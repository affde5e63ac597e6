"""Text-to-SQL large path with the shipped ScriptedLLM: validated before it runs, private data stays local."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zhiku.bi.hook import store_for
from zhiku.bi.text_sql import SqlExpert, extract_sql
from zhiku.config import Settings
from zhiku.kb import KnowledgeBase
from zhiku.models.registry import ModelRegistry
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import AskRequest, Trace
from zhiku.wiring import open_or_create_kb

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.unit
def test_extract_sql_from_fence() -> None:
    assert extract_sql("好的：\n```sql\nSELECT 1;\n```") == "SELECT 1"
    assert extract_sql("SELECT 2") == "SELECT 2"


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    target = tmp_path / "ai_market.xlsx"
    shutil.copy(REPO / "examples" / "ai_market.xlsx", target)
    base = open_or_create_kb(settings, "sqlkb")
    base.ingest([target])
    return base


def _expert(kb: KnowledgeBase, reply: str, remote: bool = False) -> tuple[SqlExpert, ScriptedLLM]:
    llm = ScriptedLLM([reply], remote=remote)
    registry = ModelRegistry()
    registry.register("large", llm)
    return SqlExpert(kb, registry, "large"), llm


@pytest.mark.integration
def test_llm_sql_is_validated_and_answered_with_citation(kb: KnowledgeBase) -> None:
    table = next(t.table_name for t in store_for(kb).tables() if t.sheet == "regions")
    sql = f'```sql\nSELECT "地区", "产业规模（亿元）" FROM {table} ORDER BY 2 DESC LIMIT 1\n```'
    expert, llm = _expert(kb, sql)
    trace = Trace()
    answer = expert.try_answer(AskRequest("2023年哪个地区人工智能产业规模最大，是多少？"), [], trace)
    assert answer is not None and answer.route == "sql"
    assert "北京" in answer.answer and "2150" in answer.answer
    assert answer.citations and answer.extra["computation"]["operation"] == "sql"
    assert table in llm.calls[0][1].content
    assert trace.calls and trace.calls[0].role == "text_to_sql"
    kb.close()


@pytest.mark.integration
def test_injected_write_is_refused(kb: KnowledgeBase) -> None:
    expert, _ = _expert(kb, "```sql\nDROP TABLE facts\n```")
    trace = Trace()
    assert expert.try_answer(AskRequest("2023年各地区产业规模合计是多少？"), [], trace) is None
    assert any("refused" in n for n in trace.notes)
    assert store_for(kb).facts()  # still there
    kb.close()


@pytest.mark.integration
def test_remote_model_never_sees_local_only_kb(kb: KnowledgeBase) -> None:
    kb.set_local_only(True)
    expert, llm = _expert(kb, "```sql\nSELECT 1 FROM facts\n```", remote=True)
    assert expert.try_answer(AskRequest("2023年各地区产业规模合计是多少？"), [], Trace()) is None
    assert llm.calls == []
    kb.close()
