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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from zhiku.config import GraphSettings
from zhiku.graph import lexicon as lx
from zhiku.graph.model import Edge
from zhiku.graph.names import HAS_CJK
from zhiku.graph.service import KnowledgeGraph, graph_for
from zhiku.types import Answer, AskRequest, Chunk, Citation, Hit, Language, Trace
from zhiku.understand import question_of
from zhiku.understand.lang import detect_language, glossary_terms

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
        re.compile(
            r"(?:由|被)?(?:哪家|哪个|哪一家|哪些|什么)(?:公司|企业|厂商|机构)(?:推出|发布|开发|研发|开源)"
        ),
        RelationAsk("released", "in"),
    ),
    (re.compile(r"(?:是)?谁(?:推出|发布|开发|研发|开源)的"), RelationAsk("released", "in")),
    (re.compile(r"谁(?:推出|发布|开发|研发|开源|打造)了"), RelationAsk("released", "in")),
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
        re.compile(r"(?:的|旗下)(?:大模型|模型|产品){1,2}(?:是|叫|有)(?:什么|哪些|哪个)"),
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
            r"\b(?:which|what) (?:company|companies|firms?|vendors?|organi[sz]ations?)\b.*\b(?:released?|launch(?:ed)?|develop(?:ed|s)?|built|made|behind|owns?|created?|announced?|unveiled?|introduced?)\b",
            re.I,
        ),
        RelationAsk("released", "in"),
    ),
    (
        re.compile(
            r"\bwho (?:released|launched|developed|built|made|created|owns|announced|unveiled)\b", re.I
        ),
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
            r"\bwhat (?:did|has|have|does) \S.*\b(?:release|launch|unveil|announce|introduce|develop|open-source)(?:d|ed)?\b",
            re.I,
        ),
        RelationAsk("released", "out"),
    ),
    (
        re.compile(
            r"\b(?:what|which) (?:models?|products?|services?)\b.*\b(?:did|does|has|have)\b.*\b(?:release|launch|offer|provide|develop|build|make)",
            re.I,
        ),
        RelationAsk("released", "out"),
    ),
)


def parse_relation_question(question: str, language: Language | None = None) -> RelationAsk | None:
    rules = _ZH_RULES if (language or detect_language(question)) == "zh" else _EN_RULES
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
        self._chunk_cache: dict[str, list[Chunk]] = {}

    @property
    def graph(self) -> KnowledgeGraph:
        return graph_for(self.kb)

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None:
        if not self.settings.enabled or not self.settings.answer:
            return None
        lang = question_of(request).language
        ask = parse_relation_question(request.question, lang)
        if ask is None:
            return None
        found = [
            (name, edges)
            for name, eid in self.graph.find_entities(request.question)
            if (edges := self._edges(eid, ask, name))
        ]
        if found:
            group = _coordinated(request.question, found) if ask.direction == "out" else found[:1]
            name = ("、" if lang == "zh" else " and ").join(n for n, _ in group)
            edges = [e for _, es in group for e in es]
            trace.notes.append(f"graph expert: {name} {ask.rtype}/{ask.direction} → {len(edges)} edge(s)")
            return self._answer(request, name, ask, edges)
        if ask == RelationAsk("released", "in") and _LIST_OF_SOURCES.search(request.question):
            self._chunk_cache.clear()  # documents may have changed since the last question
            return self._sources_in_context(request, ask, trace)
        return None

    def _sources_in_context(self, request: AskRequest, ask: RelationAsk, trace: Trace) -> Answer | None:
        """ "Which companies released models in the first batch of filings?" names no entity: answer
        with the makers of released edges read in a passage that contains every remaining term of
        the question (first batch → 第一批, filings → 备案).  A listing's passage includes the prose
        that introduces it.  Conservative: all terms must match, some term must be more than a
        number, and at most two passages may match."""
        terms = question_terms(request.question, self.graph.extractor.cut)
        if not terms or all(_NUMBER.fullmatch(t[0]) for t in terms):
            return None
        contexts: dict[str, tuple[str, str]] = {}
        matched: list[Edge] = []
        anchors: set[str] = set()
        for edge in self.graph.store.all_edges(("released", "provides")):
            if edge.src == edge.dst:
                continue
            for ev in edge.evidence:
                if ev.chunk_id not in contexts:
                    contexts[ev.chunk_id] = self._context(ev.chunk_id, ev.doc_id)
                anchor, text = contexts[ev.chunk_id]
                if text and all(any(alt.casefold() in text for alt in term) for term in terms):
                    matched.append(edge)
                    anchors.add(anchor)
                    break
        if not matched or len(anchors) > 2:
            return None
        label = ("、" if question_of(request).language == "zh" else ", ").join(t[0] for t in terms)
        trace.notes.append(f"graph expert: makers in passages on {label} → {len(matched)} edge(s)")
        return self._answer(request, label, ask, matched[:20], listing=True)

    def _context(self, chunk_id: str, doc_id: str) -> tuple[str, str]:
        """A chunk's text (casefolded) and the id of the passage it belongs to: a table or chart
        chunk reaches back to the prose chunk just before it ("第一批…获批" above "公司 模型")."""
        chunks = self._doc_chunks(doc_id)
        pos = next((i for i, c in enumerate(chunks) if c.chunk_id == chunk_id), -1)
        if pos < 0:
            return chunk_id, ""
        parts = [chunks[pos].text]
        anchor = chunk_id
        i = pos
        while chunks[i].kind != "paragraph" and i > 0 and pos - i < 3:
            i -= 1
            parts.insert(0, chunks[i].text)
            anchor = chunks[i].chunk_id
        return anchor, "\n".join(parts).casefold()

    def _doc_chunks(self, doc_id: str) -> list[Chunk]:
        if doc_id not in self._chunk_cache:
            try:
                self._chunk_cache[doc_id] = sorted(self.kb.catalog.chunks(doc_id), key=lambda c: c.ordinal)
            except Exception:  # a document removed meanwhile matches nothing
                self._chunk_cache[doc_id] = []
        return self._chunk_cache[doc_id]

    def _edges(self, eid: str, ask: RelationAsk, name: str = "") -> list[Edge]:
        types = ("released", "provides") if ask.rtype == "released" else (ask.rtype,)
        ids = {eid}
        if ask.direction == "out" and ask.rtype == "released":
            ids |= set(self._org_family(eid, name))  # "阿里推出了什么" covers 阿里云's releases too
        edges = [
            e
            for member in sorted(ids)
            for e in self.graph.store.edges_of(member, types)
            if (e.dst in ids if ask.direction == "in" else e.src == member) and e.src != e.dst
        ]
        edges.sort(key=lambda e: (-e.weight, e.dst_name if ask.direction == "out" else e.src_name))
        return edges[:20]

    def _org_family(self, eid: str, name: str) -> list[str]:
        """Organisations named the asked organisation plus a unit suffix ("阿里" → "阿里云",
        "华为" → "华为云"): what they released, the organisation released.  Only organisations
        count, so a product named after its maker ("百度地图") is not taken for a unit."""
        store = self.graph.store
        entity = store.entity(eid)
        if entity is None or entity.type != "org":
            return []
        bases = {n for n in (name, *entity.aliases) if len(n) >= 2}
        family: list[str] = []
        for other_name, other in store.names().items():
            if other == eid or other in family:
                continue
            if any(other_name[len(b) :] in lx.ORG_UNIT_SUFFIXES for b in bases if other_name.startswith(b)):
                unit = store.entity(other)
                if unit is not None and unit.type == "org":
                    family.append(other)
        return family

    def _answer(
        self, request: AskRequest, name: str, ask: RelationAsk, edges: list[Edge], listing: bool = False
    ) -> Answer:
        lang: Language = question_of(request).language
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
        if listing:  # the makers with what each released, from the matched passage
            pairs = [f"{self._label(e.src, lang)} → {self._label(e.dst, lang)}" for e in edges]
            text = (
                f"根据知识图谱，关于“{name}”的段落列出：{'；'.join(pairs)}。"
                if lang == "zh"
                else f"According to the knowledge graph, the passage on “{name}” lists: {'; '.join(pairs)}."
            )
        else:
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
        zh = [n for n in names if HAS_CJK.search(n)]
        en = [n for n in names if not HAS_CJK.search(n)]
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


_NUMBER = re.compile(r"[\d.,%年月日\s]+")
# "which companies …" / "哪些公司…": the question wants a list of makers, not one entity's edges.
_LIST_OF_SOURCES = re.compile(
    r"\bwhich (?:companies|firms|vendors|organi[sz]ations)\b|哪些(?:公司|企业|厂商|机构)", re.I
)


_JOINT = re.compile(r"合作|联合|共同|携手|\bjointly\b|\btogether\b", re.I)
_COORDINATOR = re.compile(r"\s*(?:和|与|及|以及|、|,|，|and|&)\s*", re.I)


def _coordinated(question: str, found: list[tuple[str, list[Edge]]]) -> list[tuple[str, list[Edge]]]:
    """The first entity with edges, plus those joined to it by "和/与/、/and" in the question:
    "面壁智能和出门问问分别推出了什么大模型？" asks about both, not only the first."""
    group = found[:1]
    if _JOINT.search(question):
        return group  # "百度和京东合作推出了什么" asks for a joint release, not for each one's
    end = question.find(found[0][0]) + len(found[0][0])
    for name, edges in found[1:]:
        start = question.find(name, end)
        if start < 0 or not _COORDINATOR.fullmatch(question[end:start]):
            break
        group.append((name, edges))
        end = start + len(name)
    return group


def question_terms(question: str, cut: Callable[[str], list[str]]) -> list[tuple[str, ...]]:
    """The content terms of a relation question, each with the words that may stand for it in a
    source: "Which companies released models in the first batch of filings?" →
    [("first batch", "第一批", "首批"), ("filings", "备案")]; "第一批备案中有哪些公司…" → [("第一批",), ("备案",)]."""
    text = question.casefold()
    terms: list[tuple[str, ...]] = []
    for phrase, words in sorted(glossary_terms(text).items(), key=lambda kv: -len(kv[0])):
        if phrase not in lx.QUESTION_FRAME and re.search(rf"\b{re.escape(phrase)}\b", text):
            terms.append((phrase, *words))
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    for token in cut(text):
        token = token.strip()
        if token in lx.QUESTION_FRAME or not re.search(r"\w", token):
            continue
        if len(token) < 2 and not token.isdigit():
            continue
        if re.fullmatch(r"[a-z][a-z\-]*s", token) and len(token) > 3:
            token = token[:-1]  # "startups" matches "startup" too
        terms.append((token,))
    return terms


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
