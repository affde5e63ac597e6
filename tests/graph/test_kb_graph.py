"""The graph inside a real knowledge base: ingestion hook, removal, answers, expansion."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_helpers import kb_from_files

from zhiku.config import Settings
from zhiku.graph.expand import GraphExpander
from zhiku.graph.normalize import Normalizer
from zhiku.graph.service import graph_for
from zhiku.kb import KnowledgeBase
from zhiku.types import AskRequest, Trace
from zhiku.wiring import build_assistant, open_or_create_kb

pytestmark = pytest.mark.integration

MODELS_MD = """# 国产大模型一览

2023年3月，星海科技发布天枢大模型，面向金融与政务客户。

云帆智能于2023年8月推出云帆GPT，并开源了云帆-7B。

| 公司 | 模型 |
|---|---|
| 北辰数据 | 北辰问答 |
| 南湖智能 | 南湖灵犀 |
"""

EN_MD = """# Model landscape

In 2023, Orbit Labs released Nova Chat. Vega Systems launched Vega Coder in May.
Helix is a multilingual model developed by Quasar AI.
"""

MARKET_MD = "# 市场\n\n2023年全国人工智能产业规模为2137亿元，同比增长18%。\n"


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    files = {"models.md": MODELS_MD, "en.md": EN_MD, "market.md": MARKET_MD}
    return kb_from_files(settings, tmp_path / "graphdocs", "g", files)


def test_ingestion_builds_the_graph_with_evidence(kb: KnowledgeBase) -> None:
    store = graph_for(kb).store
    norm = Normalizer()
    edges = {(e.src_name, e.type, e.dst_name) for e in store.all_edges(("released",))}
    assert ("星海科技", "released", "天枢大模型") in edges
    assert ("北辰数据", "released", "北辰问答") in edges
    assert ("Quasar AI", "released", "Helix") in edges
    edge = next(e for e in store.edges_of(norm.entity_id("云帆智能"), ("released",)))
    chunk = kb.chunk(edge.evidence[0].chunk_id)
    assert "云帆" in chunk.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("天枢大模型是哪家公司推出的？", "星海科技"),
        ("南湖灵犀是哪家公司的大模型？", "南湖智能"),
        ("云帆智能发布了哪些模型？", "云帆GPT"),
        ("Which company developed Helix?", "Quasar AI"),
    ],
)
def test_relation_questions_are_answered_from_edges(kb: KnowledgeBase, question: str, expected: str) -> None:
    answer = build_assistant(kb, kb.settings).ask(AskRequest(question))
    assert answer.route == "graph" and answer.found
    assert expected in answer.answer
    assert answer.citations and answer.citations[0].chunk_id


def test_expander_is_harmless_without_entities(kb: KnowledgeBase) -> None:
    expander = GraphExpander(kb, kb.settings.graph)
    hits = kb.search("产业规模同比增长多少", top_k=3)
    assert expander.expand(AskRequest("产业规模同比增长多少"), hits, Trace()) == hits


def test_expander_brings_edge_evidence(kb: KnowledgeBase) -> None:
    expander = GraphExpander(kb, kb.settings.graph)
    question = "南湖灵犀是谁做的"
    hits = kb.search("市场规模", top_k=3)  # deliberately unrelated hits
    expanded = expander.expand(AskRequest(question), hits, Trace())
    assert any("南湖灵犀" in h.text and "graph" in h.scores for h in expanded)


def test_removal_and_rebuild_follow_the_catalog(kb: KnowledgeBase) -> None:
    store = graph_for(kb).store
    doc = next(d for d in kb.documents() if d.source.endswith("models.md"))
    kb.remove(doc.doc_id)
    assert store.entity(Normalizer().entity_id("天枢")) is None
    assert all("星海" not in e.src_name for e in store.all_edges())
    kb.rebuild()
    assert store.entity(Normalizer().entity_id("Helix")) is not None


def test_seed_report_filing_list(settings: Settings, shared_bench: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_bytes((shared_bench / "seed_report" / "report.txt").read_bytes())
    base = open_or_create_kb(settings, "seed")
    base.ingest([report])
    store = graph_for(base).store
    edges = {(e.src_name, e.dst_name): e for e in store.all_edges(("released",))}
    for company, model in (("京东", "言犀"), ("百度", "文心一言")):
        assert (company, model) in edges, f"{company} —发布→ {model} missing"
        assert edges[(company, model)].evidence
    answer = build_assistant(base, base.settings).ask(AskRequest("言犀是哪家公司的大模型？"))
    assert "京东" in answer.answer and answer.citations
