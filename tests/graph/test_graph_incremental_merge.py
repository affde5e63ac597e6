"""Entities shown to be one by documents ingested at different times are merged without a rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import Settings
from zhiku.graph.model import Evidence
from zhiku.graph.service import graph_for
from zhiku.graph.store import GraphDelta, SqliteGraphStore
from zhiku.wiring import open_or_create_kb

pytestmark = pytest.mark.integration

EN = "# Vendors\n\nLumina Robotics developed the Orbit model for warehouse planning.\n"
ZH = "# 厂商\n\n星光机器人发布了Orbit大模型，面向仓储规划。\n"


def test_one_maker_named_in_two_scripts_is_merged_on_ingest(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "en.md").write_text(EN, encoding="utf-8")
    (tmp_path / "zh.md").write_text(ZH, encoding="utf-8")
    with open_or_create_kb(settings, "merge") as kb:
        kb.ingest([tmp_path / "en.md"])  # two separate runs: the hook sees one document each time
        kb.ingest([tmp_path / "zh.md"])
        graph = graph_for(kb)
        [(_, en_id)] = graph.find_entities("Lumina Robotics")
        [(_, zh_id)] = graph.find_entities("星光机器人")
        assert en_id == zh_id
        released = [e for e in graph.store.edges_of(zh_id, ("released",)) if e.src == zh_id]
        assert len(released) == 1 and {ev.doc_id for ev in released[0].evidence} == {
            d.doc_id for d in kb.documents()
        }


def test_merge_moves_names_edges_and_evidence(tmp_path: Path) -> None:
    store = SqliteGraphStore(tmp_path / "g.sqlite")
    delta = GraphDelta()
    delta.names[("e:a", "A公司", "org")] += 1
    delta.names[("e:b", "A Corp", "org")] += 1
    delta.mentions.update({("e:a", "c1"), ("e:b", "c2")})
    ev = Evidence("c1", "d1", "A公司发布X。")
    delta.edges += [
        ("e:a", "e:x", "released", "", ev, "pattern"),
        ("e:b", "e:x", "released", "", Evidence("c2", "d1", "A Corp released X."), "pattern"),
        ("e:a", "e:b", "mentions_with", "", ev, "cooccur"),
    ]
    store.add_document("d1", delta)
    store.merge_entities({"e:b": "e:a"}, {"acorp": "a"})
    assert store.entity("e:b") is None
    merged = store.entity("e:a")
    assert merged is not None and set(merged.aliases) | {merged.name} >= {"A公司", "A Corp"}
    edges = store.edges_of("e:a")
    assert [(e.src, e.dst, e.type) for e in edges] == [("e:a", "e:x", "released")]  # no self-loop left
    assert {ev.sentence for ev in edges[0].evidence} == {"A公司发布X。", "A Corp released X."}
    assert store.aliases()["acorp"] == "a"
    store.close()
