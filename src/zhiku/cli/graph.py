"""``zhiku graph build|stats|show|path|export`` — the knowledge graph from the command line."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhiku.bi.hook import store_for
from zhiku.cli.core import JsonOpt, KbOpt, open_kb
from zhiku.errors import ConfigError, NotFoundError
from zhiku.graph.attributes import entity_attributes
from zhiku.graph.extract_llm import LLMExtractor
from zhiku.graph.model import RELATION_LABELS, Entity
from zhiku.graph.service import KnowledgeGraph, graph_for, kb_documents
from zhiku.kb import KnowledgeBase
from zhiku.types import Chunk

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    graph_app = typer.Typer(help="知识图谱 / knowledge graph", no_args_is_help=True)
    graph_app.command("build")(build)
    graph_app.command("stats")(stats)
    graph_app.command("show")(show)
    graph_app.command("path")(path)
    graph_app.command("export")(export)
    app.add_typer(graph_app, name="graph")


def build(
    kb: KbOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只估算大模型费用 / only estimate LLM cost")
    ] = False,
    llm: Annotated[
        bool | None, typer.Option("--llm/--no-llm", help="用大模型抽取 / extract with the LLM")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """重建图谱（小模型路径），可选大模型增量抽取 / rebuild the graph; optional incremental LLM pass."""
    with open_kb(kb) as base:
        graph = graph_for(base)
        docs = kb_documents(base)
        use_llm = llm if llm is not None else base.settings.graph.extractor in ("llm", "both")
        extractor = _llm_extractor(base) if (use_llm or dry_run) else None
        if dry_run:
            _dry_run(graph, docs, extractor, as_json)
            return
        report = graph.rebuild(docs)
        done = graph.run_llm(docs, extractor) if isinstance(extractor, LLMExtractor) else 0
        stats_ = graph.store.stats()
        out = {**asdict(report), "llm_chunks": done, "entities": stats_.entities, "edges": stats_.edges}
        if as_json:
            print(json.dumps(out, ensure_ascii=False))
            return
        console.print(
            f"图谱已重建 / graph rebuilt: {report.documents} docs, {report.chunks} chunks, "
            f"{stats_.entities} entities, {stats_.edges} edges, {report.seconds:.2f}s"
            + (f", LLM chunks {done}" if extractor is not None else "")
        )


def _dry_run(
    graph: KnowledgeGraph, docs: list[tuple[str, list[Chunk]]], extractor: object, as_json: bool
) -> None:
    if not isinstance(extractor, LLMExtractor):
        raise ConfigError("未配置用于抽取的大模型", "no LLM configured for graph extraction")
    pending = graph.llm_pending(docs, extractor.key)
    estimate = extractor.estimate(pending, graph.hints(pending))
    if as_json:
        print(json.dumps(asdict(estimate), ensure_ascii=False))
    else:
        console.print("预计 / estimate: " + estimate.describe())


def _llm_extractor(base: KnowledgeBase) -> LLMExtractor:
    from zhiku.models.registry import ModelRegistry

    settings = base.settings
    name = settings.graph.llm_model or settings.llm.large
    model = ModelRegistry.from_settings(settings.llm).get(name)
    if model is None:
        raise ConfigError(
            f"未配置模型 {name}（llm.models.{name}）",
            f"model {name} is not configured (llm.models.{name})",
            model=name,
        )
    return LLMExtractor(
        model.llm,
        price_prompt_per_1k=model.price_prompt_per_1k,
        price_completion_per_1k=model.price_completion_per_1k,
    )


def stats(kb: KbOpt = None, as_json: JsonOpt = False) -> None:
    """图谱规模 / graph size by type."""
    with open_kb(kb) as base:
        s = graph_for(base).store.stats()
    if as_json:
        print(json.dumps(asdict(s), ensure_ascii=False))
        return
    console.print(
        f"实体 / entities: {s.entities}  边 / edges: {s.edges}  片段 / chunks: {s.chunks_processed}"
    )
    table = Table("relation", "edges")
    for rel, n in sorted(s.by_relation.items(), key=lambda kv: -kv[1]):
        table.add_row(rel, str(n))
    console.print(table)


def _entity(graph: KnowledgeGraph, name: str) -> Entity:
    from zhiku.graph.normalize import Normalizer

    entity = graph.store.entity(Normalizer().entity_id(name))
    if entity is None:
        found = graph.find_entities(name)
        entity = graph.store.entity(found[0][1]) if found else None
    if entity is None:
        raise NotFoundError(f"图谱中没有实体：{name}", f"entity not in the graph: {name}", entity=name)
    return entity


def show(
    entity: Annotated[str, typer.Argument(help="实体名 / entity name")],
    kb: KbOpt = None,
    all_edges: Annotated[bool, typer.Option("--all", help="包括共现边 / include co-occurrence")] = False,
    as_json: JsonOpt = False,
) -> None:
    """实体及其关系（带证据）/ an entity, its relations and their evidence."""
    with open_kb(kb) as base:
        graph = graph_for(base)
        ent = _entity(graph, entity)
        edges = [e for e in graph.store.edges_of(ent.entity_id) if all_edges or e.type != "mentions_with"]
        attributes = entity_attributes(store_for(base), ent)
    if as_json:
        data = {
            "entity": asdict(ent),
            "edges": [asdict(e) for e in edges],
            "attributes": [asdict(a) for a in attributes],
        }
        print(json.dumps(data, ensure_ascii=False))
        return
    console.print(f"[bold]{ent.name}[/bold] ({ent.type}) {ent.entity_id}  aliases: {', '.join(ent.aliases)}")
    table = Table("source", "relation", "target", "weight", "evidence")
    for e in edges:
        label = e.label or RELATION_LABELS.get(e.type, (e.type, e.type))[0]
        table.add_row(
            e.src_name, label, e.dst_name, f"{e.weight:g}", e.evidence[0].sentence[:60] if e.evidence else ""
        )
    console.print(table)
    if attributes:
        facts = Table("属性 / attribute", "时期 / period", "值 / value", "来源 / source", "证据 / evidence")
        for a in attributes:
            period = a.period + ("（预计）" if a.estimate and "E" not in a.period else "")
            facts.add_row(a.name, period, a.value, a.source, a.sentence[:60])
        console.print(facts)


def path(
    a: Annotated[str, typer.Argument(help="起点实体 / first entity")],
    b: Annotated[str, typer.Argument(help="终点实体 / second entity")],
    kb: KbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """两个实体之间的最短路径 / the shortest path between two entities."""
    with open_kb(kb) as base:
        graph = graph_for(base)
        ids = graph.store.shortest_path(_entity(graph, a).entity_id, _entity(graph, b).entity_id)
        names = [(e.name if (e := graph.store.entity(i)) else i) for i in ids]
    if as_json:
        print(json.dumps({"path": names, "ids": ids}, ensure_ascii=False))
    elif names:
        console.print(" → ".join(names))
    else:
        console.print("没有路径 / no path")


def export(
    kb: KbOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="graphml | json")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 / output file")] = None,
) -> None:
    """导出图谱 / export the graph (GraphML or JSON)."""
    from zhiku.graph.export import export as do_export

    with open_kb(kb) as base:
        text = do_export(graph_for(base).store, fmt)
    if output is None:
        print(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"已写入 / written: {output}")
