from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from zhiku.graph.extract_llm import LLMExtractor, parse_reply
from zhiku.graph.service import KnowledgeGraph
from zhiku.models.llm import ChatMessage
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import Chunk

pytestmark = pytest.mark.unit

TEXT = "据报道，星海科技在发布会上介绍了旗下产品天枢，并宣布与云帆智能达成合作。"


def reply(messages: Sequence[ChatMessage]) -> str:
    return json.dumps(
        {
            "entities": [{"name": "星海科技", "type": "org"}, {"name": "火星公司", "type": "org"}],
            "relations": [
                {"source": "星海科技", "target": "天枢", "type": "released", "label": ""},
                {"source": "星海科技", "target": "云帆智能", "type": "partnered_with", "label": "合作"},
                {"source": "火星公司", "target": "天枢", "type": "acquired", "label": ""},
            ],
        },
        ensure_ascii=False,
    )


def test_reply_is_validated_and_grounded() -> None:
    llm = ScriptedLLM(reply)
    out = LLMExtractor(llm).extract_chunk(Chunk("c1", "d1", 0, TEXT), ["星海科技"])
    triples = {(r.src, r.type, r.dst) for r in out.relations}
    assert ("星海科技", "released", "天枢") in triples
    assert not any("火星公司" in (r.src, r.dst) for r in out.relations)  # not in the text: dropped
    assert "星海科技" in llm.calls[0][1].content  # the small path's hints are sent


@pytest.mark.parametrize("text", ["no json here", '{"entities": "x"}', '{"relations": [{"source": "a"}]}'])
def test_invalid_replies_are_rejected(text: str) -> None:
    assert parse_reply(text) is None


def test_incremental_run_and_cost_estimate(tmp_path: Path) -> None:
    graph = KnowledgeGraph(tmp_path)
    chunks = [Chunk("d1:0", "d1", 0, TEXT), Chunk("d1:1", "d1", 1, "天枢支持中文写作。")]
    docs = [("d1", chunks)]
    llm = ScriptedLLM(reply)
    extractor = LLMExtractor(llm, price_prompt_per_1k=0.01, price_completion_per_1k=0.02)
    estimate = extractor.estimate(chunks, graph.hints(chunks))
    assert estimate.chunks == 2 and estimate.prompt_tokens > 0 and estimate.cost > 0
    assert graph.run_llm(docs, extractor) == 2
    assert any(e.type == "partnered_with" for e in graph.store.edges_of("e:星海"))
    assert graph.run_llm(docs, extractor) == 0  # nothing changed: no new calls
    assert len(llm.calls) == 2
    changed = [("d1", [chunks[0], Chunk("d1:1", "d1", 1, "天枢升级到第二代。")])]
    assert graph.run_llm(changed, extractor) == 1
    # re-indexing by the small path keeps the cached LLM edges of unchanged chunks
    graph.index_document("d1", changed[0][1])
    assert any(e.type == "partnered_with" for e in graph.store.edges_of("e:星海"))
