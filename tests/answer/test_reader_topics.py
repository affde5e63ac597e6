"""The reader refuses questions about things the evidence never mentions (no guessing nearby)."""

from __future__ import annotations

import pytest

from zhiku.answer.reader import ExtractiveReader
from zhiku.config import ReaderSettings
from zhiku.types import AskRequest, Hit, Trace

pytestmark = pytest.mark.unit


def _hits(*texts: str) -> list[Hit]:
    return [
        Hit(chunk_id=f"d:{i}", doc_id="d", text=t, score=1.0, title="算力报告") for i, t in enumerate(texts)
    ]


EVIDENCE = _hits(
    "到2025年我国算力规模超过300 EFLOPS，智能算力占比达到35%。",
    "2023年中国智能算力市场规模为5097亿元。",
)


def _ask(question: str, hits: list[Hit]) -> bool:
    return ExtractiveReader(ReaderSettings()).read(AskRequest(question), hits, Trace()).found


def test_unmentioned_topic_is_refused() -> None:
    assert not _ask("2025年中国量子计算市场规模是多少？", EVIDENCE)
    assert _ask("2023年中国智能算力市场规模是多少？", EVIDENCE)


def test_answer_type_nouns_do_not_trigger_refusal() -> None:
    hits = _hits("国家数据局于2023年10月25日正式挂牌成立。")
    assert _ask("国家数据局是什么时候挂牌成立的？", hits)
    assert _ask("国家数据局挂牌成立的日期", hits)  # search-style query ending in what is asked


def test_table_rows_are_read_one_row_at_a_time() -> None:
    table = Hit(
        chunk_id="t:0",
        doc_id="t",
        title="政策时间线",
        kind="table",
        score=1.0,
        text="日期 | 事件 | 部门\n2023-10-25 | 国家数据局正式揭牌 | 国家数据局\n2023-11-17 | 开展智能网联汽车试点 | 工信部",
    )
    answer = ExtractiveReader(ReaderSettings(short_threshold=0.0)).read(  # the best span, asserted
        AskRequest("国家数据局是哪天正式揭牌的？"), [table], Trace()
    )
    assert answer.found and "2023-10-25" in answer.short_answer
    assert "2023-11-17" not in answer.short_answer
