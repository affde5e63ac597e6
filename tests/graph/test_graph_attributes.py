"""Entity attributes from the fact store: the graph's entities × the BI facts about them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graph_helpers import kb_from_files

from zhiku.bi.hook import store_for
from zhiku.config import Settings
from zhiku.graph.attributes import entity_attributes
from zhiku.graph.service import graph_for
from zhiku.kb import KnowledgeBase

pytestmark = pytest.mark.integration

PROSE = "# 区域\n\n上海和浙江是人工智能企业的集聚地，星河科技发布了天枢大模型。\n\n2023年，上海人工智能核心企业数量达到760家。\n"
TABLE = "地区,年份,核心企业数量（家）,产业规模（亿元）\n上海,2023,760,4200\n浙江,2023,310,2100\n"
EN = (
    "# Vendors\n\nNordhaven Robotics released the Atlas-7 model, and Valmora Labs released Kite.\n\n"
    "Nordhaven Robotics's revenue reached 80 billion yuan.\n"
)


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    files = {"regions.md": PROSE, "regions.csv": TABLE, "regions_en.md": EN}
    return kb_from_files(settings, tmp_path / "attrdocs", "attrs", files)


def _attributes(kb: KnowledgeBase, name: str) -> list[tuple[str, str, str, str]]:
    graph = graph_for(kb)
    found = graph.find_entities(name)
    assert found, name
    entity = graph.store.entity(found[0][1])
    assert entity is not None
    return [(a.name, a.period, a.value, a.source) for a in entity_attributes(store_for(kb), entity)]


def test_an_entity_gets_the_facts_it_is_the_subject_of(kb: KnowledgeBase) -> None:
    shanghai = _attributes(kb, "上海")
    assert ("核心企业数量", "2023", "760家", "table") in shanghai
    assert ("产业规模", "2023", "4200亿元", "table") in shanghai
    assert ("人工智能核心企业数量", "2023", "760家", "prose") in shanghai
    assert all(value != "310家" for _, _, value, _ in shanghai)  # 浙江's row is not 上海's
    assert _attributes(kb, "星河科技") == []  # named in a sentence with facts, but not their subject
    assert ("revenue", "", "80 billion yuan", "prose") in _attributes(kb, "Nordhaven Robotics")
    assert _attributes(kb, "Valmora Labs") == []
    kb.close()


def test_attributes_follow_the_documents(kb: KnowledgeBase) -> None:
    csv = next(d for d in kb.documents() if d.source.endswith(".csv"))
    kb.remove(csv.doc_id)
    assert {source for *_, source in _attributes(kb, "上海")} == {"prose"}
    kb.close()


def test_cli_show_lists_attributes(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from typer.testing import CliRunner

    from zhiku.cli.graph import register

    kb.close()
    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "hashing")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["graph", "show", "浙江", "--kb", "attrs", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {(a["name"], a["value"]) for a in data["attributes"]} >= {("核心企业数量", "310家")}
