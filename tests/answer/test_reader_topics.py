"""The reader refuses questions about things the evidence never mentions (no guessing nearby)."""

from __future__ import annotations

import pytest

from zhiku.answer.reader import ExtractiveReader
from zhiku.config import ReaderSettings
from zhiku.types import AskRequest, Hit, Trace

pytestmark = pytest.mark.unit


def _hits(*texts: str) -> list[Hit]:
    return [
        Hit(chunk_id=f"d:{i}", doc_id="d", text=t, score=1.0, title="算力报告（示例）")
        for i, t in enumerate(texts)
    ]


EVIDENCE = _hits(
    "到2027年青川省算力规模超过80 EFLOPS，智能算力占比达到41%。",
    "2022年青川省智能算力市场规模为812亿元。",
)


def _ask(question: str, hits: list[Hit]) -> bool:
    return ExtractiveReader(ReaderSettings()).read(AskRequest(question), hits, Trace()).found


def test_unmentioned_topic_is_refused() -> None:
    assert not _ask("2027年青川省量子计算市场规模是多少？", EVIDENCE)
    assert _ask("2022年青川省智能算力市场规模是多少？", EVIDENCE)


def test_unmentioned_year_is_refused_in_english() -> None:
    hits = _hits("In 2022 the Riverton data centre processed 4.2 million requests per day.")
    assert not _ask("How many requests per day did the Riverton data centre process in 2019?", hits)
    assert _ask("How many requests per day did the Riverton data centre process in 2022?", hits)


def test_answer_type_nouns_do_not_trigger_refusal() -> None:
    hits = _hits("溪桥市数据服务中心于2021年4月12日正式挂牌成立。")
    assert _ask("溪桥市数据服务中心是什么时候挂牌成立的？", hits)
    assert _ask("溪桥市数据服务中心挂牌成立的日期", hits)  # search-style query ending in what is asked


def test_table_rows_are_read_one_row_at_a_time() -> None:
    table = Hit(
        chunk_id="t:0",
        doc_id="t",
        title="政策时间线",
        kind="table",
        score=1.0,
        text="日期 | 事件 | 部门\n2021-04-12 | 溪桥市数据服务中心正式揭牌 | 溪桥市政府\n2021-06-03 | 开展无人配送车试点 | 溪桥市交通局",
    )
    answer = ExtractiveReader(ReaderSettings(short_threshold=0.0)).read(  # the best span, asserted
        AskRequest("溪桥市数据服务中心是哪天正式揭牌的？"), [table], Trace()
    )
    assert answer.found and "2021-04-12" in answer.short_answer
    assert "2021-06-03" not in answer.short_answer
