"""Graph export: GraphML (Gephi, yEd, networkx) or JSON (nodes, edges, evidence).

>>> export_json(store)["nodes"][0]["name"]
"""

from __future__ import annotations

import io
from typing import Any

from zhiku.errors import QueryError
from zhiku.graph.store import SqliteGraphStore

FORMATS = ("graphml", "json")


def export_json(store: SqliteGraphStore) -> dict[str, Any]:
    nodes = [
        {
            "id": e.entity_id,
            "name": e.name,
            "type": e.type,
            "aliases": list(e.aliases),
            "chunks": list(e.chunks),
        }
        for e in store.entities()
    ]
    edges = [
        {
            "source": e.src,
            "target": e.dst,
            "type": e.type,
            "label": e.label,
            "weight": e.weight,
            "evidence": [
                {"chunk_id": v.chunk_id, "doc_id": v.doc_id, "sentence": v.sentence} for v in e.evidence
            ],
        }
        for e in store.all_edges()
    ]
    return {"nodes": nodes, "edges": edges}


def export_graphml(store: SqliteGraphStore) -> str:
    import networkx as nx

    g = nx.MultiDiGraph()
    for e in store.entities():
        g.add_node(e.entity_id, name=e.name, type=e.type, chunks=len(e.chunks))
    for edge in store.all_edges():
        g.add_edge(
            edge.src,
            edge.dst,
            type=edge.type,
            label=edge.label,
            weight=edge.weight,
            evidence=";".join(v.chunk_id for v in edge.evidence),
        )
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def export(store: SqliteGraphStore, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(export_json(store), ensure_ascii=False, indent=1)
    if fmt == "graphml":
        return export_graphml(store)
    raise QueryError(
        f"不支持的导出格式：{fmt}（可选：{', '.join(FORMATS)}）",
        f"unsupported export format: {fmt} (valid: {', '.join(FORMATS)})",
    )
