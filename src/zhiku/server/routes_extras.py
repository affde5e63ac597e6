"""Endpoints of the optional derived stores: numeric facts and tables (BI), the knowledge graph.

Each is read-only and goes through the same grant check as every KB route; a feature that is
not installed, or a KB that has no such store yet, answers 404 with a message saying so.
"""

from __future__ import annotations

import importlib.util
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query

from zhiku.config import Settings
from zhiku.errors import NotFoundError
from zhiku.server.hub import KBEntry
from zhiku.server.state import PrincipalDep, StateDep

router = APIRouter(prefix="/api/kb/{kb}", tags=["facts and graph"])


def features(settings: Settings) -> dict[str, bool]:
    """Which optional stores this installation has and enables (the UI hides the rest)."""
    bi = getattr(settings, "bi", None)
    graph = getattr(settings, "graph", None)
    return {
        "facts": bool(getattr(bi, "enabled", False))
        and importlib.util.find_spec("zhiku.bi.hook") is not None,
        "graph": bool(getattr(graph, "enabled", False))
        and importlib.util.find_spec("zhiku.graph.service") is not None,
    }


@router.get("/facts")
async def facts(
    kb: str,
    state: StateDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200, description="text in the label or sentence")] = None,
    period: Annotated[str | None, Query(max_length=20, examples=["2023"])] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Numeric facts extracted at ingestion (value in base units, the sentence, the chunk)."""
    state.require(principal, kb, "read")
    if not features(state.settings)["facts"]:
        raise NotFoundError("未安装数值事实功能", "the facts feature is not installed")

    def read(entry: KBEntry) -> list[dict[str, Any]]:
        from zhiku.bi.hook import store_for

        return [asdict(f) for f in store_for(entry.kb).facts(period=period, text=q, limit=limit)]

    return {"facts": await state.hub.read(kb, read)}


@router.get("/tables")
async def tables(kb: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    """Tables loaded from spreadsheets and documents, queryable by the BI expert."""
    state.require(principal, kb, "read")
    if not features(state.settings)["facts"]:
        raise NotFoundError("未安装数值事实功能", "the facts feature is not installed")

    def read(entry: KBEntry) -> list[dict[str, Any]]:
        from zhiku.bi.hook import store_for

        rows = []
        for t in store_for(entry.kb).tables():
            rows.append(asdict(t) | {"source": Path(t.source).name})
        return rows

    return {"tables": await state.hub.read(kb, read)}


@router.get("/graph")
async def graph_summary(
    kb: str, state: StateDep, principal: PrincipalDep, top: Annotated[int, Query(ge=1, le=200)] = 30
) -> dict[str, Any]:
    """Graph size and the most mentioned entities (the UI offers them as starting points)."""
    state.require(principal, kb, "read")
    if not features(state.settings)["graph"]:
        raise NotFoundError("未安装知识图谱功能", "the knowledge graph feature is not installed")

    def read(entry: KBEntry) -> dict[str, Any]:
        from zhiku.graph.service import graph_for

        store = graph_for(entry.kb).store
        counts = sorted(store.mention_counts().items(), key=lambda kv: -kv[1])[:top]
        entities = []
        for eid, mentions in counts:
            ent = store.entity(eid)
            if ent is not None:
                entities.append({"id": eid, "name": ent.name, "type": ent.type, "mentions": mentions})
        return {"stats": asdict(store.stats()), "entities": entities}

    result: dict[str, Any] = await state.hub.read(kb, read)
    return result


@router.get("/graph/entity")
async def graph_entity(
    kb: str,
    state: StateDep,
    principal: PrincipalDep,
    name: Annotated[str, Query(min_length=1, max_length=100)],
    hops: Annotated[int, Query(ge=1, le=2)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 40,
) -> dict[str, Any]:
    """An entity's neighbourhood: ``center``, ``nodes`` and ``edges`` (with their evidence)."""
    state.require(principal, kb, "read")
    if not features(state.settings)["graph"]:
        raise NotFoundError("未安装知识图谱功能", "the knowledge graph feature is not installed")
    result: dict[str, Any] = await state.hub.read(kb, lambda entry: _neighbourhood(entry, name, hops, limit))
    return result


def _neighbourhood(entry: KBEntry, name: str, hops: int, limit: int) -> dict[str, Any]:
    from zhiku.graph.model import RELATION_LABELS
    from zhiku.graph.service import graph_for

    graph = graph_for(entry.kb)
    store = graph.store
    entity_id = store.names().get(name)
    if entity_id is None:
        found = graph.find_entities(name)
        entity_id = found[0][1] if found else None
    center = store.entity(entity_id) if entity_id else None
    if center is None:
        raise NotFoundError("图谱中没有该实体", "no such entity in the graph", entity=name)
    near = sorted(store.neighbours(center.entity_id, hops=hops).items(), key=lambda kv: kv[1])[:limit]
    keep = {center.entity_id, *(eid for eid, _ in near)}
    nodes = [{"id": center.entity_id, "name": center.name, "type": center.type, "hops": 0}]
    for eid, dist in near:
        ent = store.entity(eid)
        if ent is not None:
            nodes.append({"id": eid, "name": ent.name, "type": ent.type, "hops": dist})
    edges = {}
    for eid in keep:
        for e in store.edges_of(eid):
            if e.src in keep and e.dst in keep:
                edges[(e.src, e.dst, e.type, e.label)] = {
                    "src": e.src, "dst": e.dst, "type": e.type, "label": e.label, "weight": e.weight,
                    "evidence": [asdict(v) for v in e.evidence[:3]],
                    "type_zh": RELATION_LABELS.get(e.type, (e.type, e.type))[0],
                    "type_en": RELATION_LABELS.get(e.type, (e.type, e.type))[1],
                }  # fmt: skip
    from zhiku.bi.hook import store_for
    from zhiku.graph.attributes import entity_attributes

    attributes = [asdict(a) for a in entity_attributes(store_for(entry.kb), center)]
    return {"center": nodes[0], "nodes": nodes, "edges": list(edges.values()), "attributes": attributes}
