"""Graph-augmented retrieval: entities in the question → their edges → the chunks behind them.

Hybrid search finds chunks that *look like* the question; a relation question ("言犀是哪家公司的
大模型？") is often answered by a chunk that looks nothing like it (a flattened "公司 模型"
listing row).  The expander finds the question's entities in the graph, walks typed edges up
to ``hops`` away, ranks the evidence chunks of those edges, and fuses them with the hybrid
hits by weighted reciprocal rank.  No entity found → the hits come back unchanged, so the
expander is harmless on questions that are not about entities.

>>> expander = GraphExpander(kb, settings.graph)
>>> expander.expand(AskRequest("言犀是哪家公司的大模型？"), hits, Trace())[0].scores["graph"]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from zhiku.config import GraphSettings
from zhiku.graph.service import KnowledgeGraph, graph_for
from zhiku.types import AskRequest, Hit, Trace

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase

RELATION_CUE = re.compile(
    r"哪家|哪些|哪个公司|哪个企业|哪一家|什么公司|什么企业|谁|发布|推出|开源|研发|收购|并购|投资|合作|旗下|属于|产品|模型|厂商"
    r"|\b(?:which|who|whom|released?|launch(?:ed)?|develop(?:ed)?|acquir(?:e|ed)|invest(?:ed)?|products?|models?"
    r"|compan(?:y|ies)|vendors?|made|built)\b",
    re.I,
)
TYPED = ("released", "acquired", "invested_in", "partnered_with", "provides", "attribute")


class GraphExpander:
    """RetrievalExpander named ``graph`` (see module docstring)."""

    name = "graph"

    def __init__(self, kb: KnowledgeBase, settings: GraphSettings | None = None, rrf_k: int = 60) -> None:
        self.kb = kb
        self.settings = settings or GraphSettings()
        self.rrf_k = rrf_k

    @property
    def graph(self) -> KnowledgeGraph:
        return graph_for(self.kb)

    def expand(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> list[Hit]:
        if not self.settings.enabled or self.settings.max_expand == 0:
            return list(hits)
        entities = self.question_entities(request.question)
        if not entities:
            return list(hits)
        relation = bool(RELATION_CUE.search(request.question))
        ranked = self._rank_chunks([eid for _, eid in entities], relation)
        if not ranked:
            return list(hits)
        graph_hits = self._hits(ranked[: self.settings.max_expand * 2], ranked)
        trace.notes.append(
            "graph: " + ", ".join(name for name, _ in entities) + (" (relation)" if relation else "")
        )
        weight = 1.0 if relation else 0.4
        size = max(len(hits), request.top_k or 0, self.kb.settings.retrieval.top_k)
        return self._fuse(hits, graph_hits[: self.settings.max_expand], weight, size)

    def question_entities(self, question: str) -> list[tuple[str, str]]:
        """Entities named in the question, minus those too common to be informative."""
        found = self.graph.find_entities(question)
        if not found:
            return []
        counts, total = self.graph.mention_stats()
        limit = max(3.0, self.settings.max_entity_share * total)
        return [(name, eid) for name, eid in found if counts.get(eid, 0) <= limit and len(name) >= 2]

    def _rank_chunks(self, ids: list[str], relation: bool) -> list[tuple[str, float]]:
        store = self.graph.store
        score: dict[str, float] = defaultdict(float)
        wanted = set(ids)
        for eid in ids:
            for edge in store.edges_of(eid):
                typed = edge.type in TYPED
                both = edge.src in wanted and edge.dst in wanted
                gain = (3.0 if both else 0.0) + (2.0 if typed else 0.3 * min(edge.weight, 3.0))
                for ev in edge.evidence[:5]:
                    score[ev.chunk_id] += gain / (1 + 0.1 * len(edge.evidence))
            if relation and self.settings.hops >= 2:
                self._second_hop(eid, score)
        return sorted(score.items(), key=lambda kv: -kv[1])

    def _second_hop(self, eid: str, score: dict[str, float]) -> None:
        store = self.graph.store
        for other, dist in store.neighbours(eid, hops=2, types=TYPED).items():
            if dist != 2:
                continue
            for edge in store.edges_of(other, TYPED)[:5]:
                for ev in edge.evidence[:2]:
                    score[ev.chunk_id] += 0.3

    def _hits(self, ranked: list[tuple[str, float]], all_ranked: list[tuple[str, float]]) -> list[Hit]:
        ids = [cid for cid, _ in ranked]
        chunks = self.kb.catalog.chunks_by_id(ids)
        titles: dict[str, tuple[str, str]] = {}
        for doc_id in {c.doc_id for c in chunks.values()}:
            record = self.kb.catalog.document(doc_id)
            titles[doc_id] = (record.title, record.source) if record else ("", "")
        out = []
        for cid, s in ranked:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            title, source = titles.get(chunk.doc_id, ("", ""))
            out.append(
                Hit(
                    cid,
                    chunk.doc_id,
                    chunk.text,
                    s,
                    {"graph": round(s, 4)},
                    {},
                    title,
                    source,
                    chunk.page,
                    chunk.heading_path,
                    chunk.kind,
                )
            )
        return out

    def _fuse(self, hits: Sequence[Hit], graph_hits: Sequence[Hit], weight: float, size: int) -> list[Hit]:
        fused: dict[str, float] = defaultdict(float)
        first: dict[str, Hit] = {}
        for rank, hit in enumerate(hits, start=1):
            fused[hit.chunk_id] += 1.0 / (self.rrf_k + rank)
            first.setdefault(hit.chunk_id, hit)
        graph_rank: dict[str, int] = {}
        graph_score: dict[str, float] = {}
        for rank, hit in enumerate(graph_hits, start=1):
            fused[hit.chunk_id] += weight / (self.rrf_k + rank)
            first.setdefault(hit.chunk_id, hit)
            graph_rank[hit.chunk_id] = rank
            graph_score[hit.chunk_id] = hit.score
        best = sorted(fused, key=lambda c: -fused[c])[: max(size, len(hits))]
        out = []
        for cid in best:
            hit = first[cid]
            if cid in graph_rank:
                scores = {**hit.scores, "graph": round(graph_score[cid], 4)}
                ranks = {**hit.ranks, "graph": graph_rank[cid]}
                hit = replace(hit, scores=scores, ranks=ranks)
            out.append(replace(hit, score=fused[cid]))
        return out
