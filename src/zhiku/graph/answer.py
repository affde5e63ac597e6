"""Relation answerer: "言犀是哪家公司的大模型？" answered from an edge, with its evidence cited.

It answers only questions of a few clear shapes — who released/acquired/invested in X, what X
released/provides/acquired — about an entity the graph knows, and only from typed edges;
otherwise it returns ``None`` and the cascade moves on (extractive reader, LLM).

>>> expert = GraphExpert(kb, settings.graph)
>>> expert.try_answer(AskRequest("言犀是哪家公司的大模型？"), hits, Trace()).short_answer
'京东'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from zhiku.answer.base import AskRequest
from zhiku.answer.lang import detect_language
from zhiku.config import GraphSettings
from zhiku.graph.model import Edge
from zhiku.graph.service import KnowledgeGraph, graph_for
from zhiku.types import Answer, Citation, Hit, Language, Trace

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase

Direction = Literal["in", "out"]


@dataclass(frozen=True)
class RelationAsk:
    """What a relation question wants: edges of ``rtype`` into or out of the named entity."""

    rtype: str
    direction: Direction


_ZH_RULES: tuple[tuple[re.Pattern[str], RelationAsk], ...] = (
    (
        re.compile(
            r"(?:是|为)(?:哪家|哪个|哪一家|什么|哪些)(?:公司|企业|厂商|机构)(?:的|推出|发布|开发|研发)"
        ),
        RelationAsk("released", "in"),
    ),
    (
        re.compile(r"(?:由|被)?(?:哪家|哪个|哪一家|什么)(?:公司|企业|厂商|机构)(?:推出|发布|开发|研发|开源)"),
        RelationAsk("released", "in"),
    ),
    (re.compile(r"(?:是)?谁(?:推出|发布|开发|研发|开源)的"), RelationAsk("released", "in")),
    (re.compile(r"属于(?:哪家|哪个|什么)(?:公司|企业)"), RelationAsk("released", "in")),
    (re.compile(r"(?:哪家|哪个|谁)(?:公司|企业)?(?:收购|并购)了"), RelationAsk("acquired", "in")),
    (re.compile(r"(?:收购|并购)了(?:哪些|哪家|什么)"), RelationAsk("acquired", "out")),
    (re.compile(r"投资了(?:哪些|哪家|什么)"), RelationAsk("invested_in", "out")),
    (re.compile(r"(?:哪些|哪家|谁)(?:公司|机构)?投资了"), RelationAsk("invested_in", "in")),
    (
        re.compile(r"(?:发布|推出|开源|研发)(?:了|过)?(?:哪些|什么|哪几款|哪款|哪个)"),
        RelationAsk("released", "out"),
    ),
    (re.compile(r"(?:提供|有)(?:哪些|什么)(?:产品|模型|大模型|服务)"), RelationAsk("released", "out")),
    (
        re.compile(r"(?:的|旗下)(?:大模型|模型|产品)(?:是|叫|有)(?:什么|哪些|哪个)"),
        RelationAsk("released", "out"),
    ),
    (
        re.compile(r"(?:推出|发布|开源)的[^，。？?]{0,12}(?:是|叫|有)(?:什么|哪些|哪个)"),
        RelationAsk("released", "out"),
    ),
)
_EN_RULES: tuple[tuple[re.Pattern[str], RelationAsk], ...] = (
    (
        re.compile(
            r"\b(?:which|what) (?:company|companies|firm|vendor|organi[sz]ation)\b.*\b(?:released?|launch(?:ed)?|develop(?:ed|s)?|built|made|behind|owns?|created?)\b",
            re.I,
        ),
        RelationAsk("released", "in"),
    ),
    (
        re.compile(r"\bwho (?:released|launched|developed|built|made|created|owns)\b", re.I),
        RelationAsk("released", "in"),
    ),
    (
        re.compile(r"\b(?:developed|released|made|built|launched) by (?:which|what|whom)\b", re.I),
        RelationAsk("released", "in"),
    ),
    (
        re.compile(r"\b(?:which|what) (?:company|companies)\b.*\bacquired?\b", re.I),
        RelationAsk("acquired", "in"),
    ),
    (re.compile(r"\bwhat (?:did|has|have) .* acquired?\b", re.I), RelationAsk("acquired", "out")),
    (
        re.compile(
            r"\b(?:what|which) (?:models?|products?|services?)\b.*\b(?:did|does|has|have)\b.*\b(?:release|launch|offer|provide|develop|build|make)",
            re.I,
        ),
        RelationAsk("released", "out"),
    ),
)


def parse_relation_question(question: str) -> RelationAsk | None:
    rules = _ZH_RULES if detect_language(question) == "zh" else _EN_RULES
    for pattern, ask in rules:
        if pattern.search(question):
            return ask
    return None


class GraphExpert:
    """Expert named ``graph`` (see module docstring)."""

    name = "graph"

    def __init__(
        self, kb: KnowledgeBase, settings: GraphSettings | None = None, max_citations: int = 5
    ) -> None:
        self.kb = kb
        self.settings = settings or GraphSettings()
        self.max_citations = max_citations

    @property
    def graph(self) -> KnowledgeGraph:
        return graph_for(self.kb)

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None:
        if not self.settings.enabled or not self.settings.answer:
            return None
        ask = parse_relation_question(request.question)
        if ask is None:
            return None
        for name, eid in self.graph.find_entities(request.question):
            edges = self._edges(eid, ask)
            if edges:
                trace.notes.append(f"graph expert: {name} {ask.rtype}/{ask.direction} → {len(edges)} edge(s)")
                return self._answer(request, name, ask, edges)
        return None

    def _edges(self, eid: str, ask: RelationAsk) -> list[Edge]:
        types = ("released", "provides") if ask.rtype == "released" else (ask.rtype,)
        edges = [
            e
            for e in self.graph.store.edges_of(eid, types)
            if (e.dst == eid if ask.direction == "in" else e.src == eid) and e.src != e.dst
        ]
        edges.sort(key=lambda e: (-e.weight, e.dst_name if ask.direction == "out" else e.src_name))
        return edges[:20]

    def _answer(self, request: AskRequest, name: str, ask: RelationAsk, edges: list[Edge]) -> Answer:
        lang: Language = detect_language(request.question)
        citations: list[Citation] = []
        marks: dict[str, int] = {}
        items: list[str] = []
        for edge in edges:
            other = self._label(edge.src if ask.direction == "in" else edge.dst, lang)
            ev = edge.evidence[0]
            if ev.chunk_id not in marks and len(citations) < self.max_citations:
                marks[ev.chunk_id] = len(citations) + 1
                citations.append(self._citation(len(citations) + 1, ev.chunk_id, ev.doc_id, ev.sentence))
            mark = f"[{marks[ev.chunk_id]}]" if ev.chunk_id in marks else ""
            if other not in [i.split("[")[0] for i in items]:
                items.append(other + mark)
        short = (
            "、".join(i.split("[")[0] for i in items)
            if lang == "zh"
            else ", ".join(i.split("[")[0] for i in items)
        )
        text = _sentence(lang, name, ask, items)
        return Answer(
            question=request.question,
            answer=text,
            found=True,
            citations=citations,
            route="graph",
            language=lang,
            short_answer=short,
            confidence=min(0.95, 0.6 + 0.1 * sum(len(e.evidence) for e in edges)),
            extra={"graph": {"entity": name, "relation": ask.rtype, "direction": ask.direction}},
        )

    def _label(self, entity_id: str, lang: Language) -> str:
        """The entity's name in the question's language, with one name in the other language:
        "言犀（ChatRhino）"."""
        entity = self.graph.store.entity(entity_id)
        if entity is None:
            return entity_id.removeprefix("e:")
        names = [entity.name, *sorted(entity.aliases, key=len)]
        zh = [n for n in names if _CJK.search(n)]
        en = [n for n in names if not _CJK.search(n)]
        first, second = (zh, en) if lang == "zh" else (en, zh)
        main = first[0] if first else entity.name
        other = next((n for n in second if n != main), "")
        return f"{main}（{other}）" if other and lang == "zh" else f"{main} ({other})" if other else main

    def _citation(self, index: int, chunk_id: str, doc_id: str, sentence: str) -> Citation:
        title, source, page = "", "", None
        try:
            record = self.kb.document(doc_id)
            title, source = record.title, record.source
            page = self.kb.chunk(chunk_id).page
        except Exception:  # evidence of a document removed meanwhile: cite what we have
            pass
        return Citation(index, title, doc_id, chunk_id, page, sentence, source)


_CJK = re.compile(r"[\u4e00-\u9fff]")
_VERB_ZH = {"released": "发布", "acquired": "收购", "invested_in": "投资", "provides": "提供"}
_VERB_EN = {
    "released": "released",
    "acquired": "acquired",
    "invested_in": "invested in",
    "provides": "provides",
}


def _sentence(lang: Language, name: str, ask: RelationAsk, items: list[str]) -> str:
    if lang == "zh":
        verb = _VERB_ZH.get(ask.rtype, "关联")
        joined = "、".join(items)
        if ask.direction == "in":
            return f"根据知识图谱，{name}由{joined}{verb}。"
        return f"根据知识图谱，{name}{verb}的有：{joined}。"
    verb = _VERB_EN.get(ask.rtype, "is linked to")
    joined = ", ".join(items)
    if ask.direction == "in":
        return f"According to the knowledge graph, {name} was {verb} by {joined}."
    return f"According to the knowledge graph, {name} {verb}: {joined}."
