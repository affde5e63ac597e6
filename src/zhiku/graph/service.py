"""One knowledge base's graph: store + builder + extractors behind one small facade.

The ingest hook, the expander, the relation answerer and the CLI all go through
``KnowledgeGraph``, so they agree on where the graph lives (``<kb>/graph.sqlite``) and how a
document is (re)indexed.

>>> graph = KnowledgeGraph(kb.path, settings.graph)
>>> graph.index_document("d1", chunks)
>>> graph.find_entities("言犀是哪家公司的大模型？")
[('言犀', 'e:言犀')]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhiku.config import GraphSettings
from zhiku.graph.build import GraphBuilder, longest_matches, make_automaton
from zhiku.graph.extract_small import SmallExtractor
from zhiku.graph.model import Extraction
from zhiku.graph.normalize import cross_script_aliases, prefix_aliases, strip_suffixes
from zhiku.graph.store import GraphDelta, SqliteGraphStore
from zhiku.types import Chunk

if TYPE_CHECKING:
    from zhiku.graph.extract_llm import LLMExtractor
    from zhiku.kb import KnowledgeBase

GRAPH_FILE = "graph.sqlite"


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    entities: int
    edges: int


class KnowledgeGraph:
    """The graph of one KB directory (see module docstring)."""

    def __init__(self, kb_path: Path, settings: GraphSettings | None = None) -> None:
        self.settings = settings or GraphSettings()
        self.store = SqliteGraphStore(kb_path / GRAPH_FILE)
        self._extractor: SmallExtractor | None = None
        self._builder: GraphBuilder | None = None
        self._matcher: tuple[int, Any] | None = None
        self._mentions: tuple[int, dict[str, int], int] | None = None

    @property
    def extractor(self) -> SmallExtractor:
        if self._extractor is None:
            self._extractor = SmallExtractor(_read_lexicon(self.settings.lexicon))
        return self._extractor

    @property
    def builder(self) -> GraphBuilder:
        if self._builder is None:
            self._builder = GraphBuilder(self.store, self.settings.max_per_sentence, cut=self.extractor.cut)
        return self._builder

    def index_document(
        self, doc_id: str, chunks: Sequence[Chunk], extra: Extraction | None = None
    ) -> GraphDelta:
        """(Re)index one document: its previous evidence is replaced; cached LLM results reused."""
        extraction = self.extractor.extract(chunks)
        extraction.extend(self.cached_llm(doc_id, chunks))
        if extra is not None:
            extraction.extend(extra)
        delta = self.builder.add_document(doc_id, chunks, extraction)
        self._matcher = None
        return delta

    def merge_inferred(self) -> int:
        """Merge the entities the whole graph shows to be one (after incremental indexing).

        A full rebuild infers these aliases before linking (``GraphBuilder.prepare``); documents
        indexed one by one only see them once both names are stored: one maker named in two
        scripts (``cross_script_aliases``) and an abbreviation of exactly one longer organisation
        name (``prefix_aliases``).  Returns the number of entities merged away.
        """
        norm = self.builder.norm
        made = [(e.src_name, e.dst_name) for e in self.store.all_edges(("released",)) if e.src != e.dst]
        orgs = {name for name, etype in self.store.display_types().values() if etype == "org"}
        pairs = [*cross_script_aliases(norm, made), *prefix_aliases(norm, orgs, self.extractor.cut)]
        mapping: dict[str, str] = {}
        aliases: dict[str, str] = {}
        for alias, full in pairs:
            old = norm.entity_id(alias)
            if norm.add_alias(alias, full):
                aliases[strip_suffixes(norm.fold(alias))] = norm.key(full)
                if old != norm.entity_id(full):
                    mapping[old] = norm.entity_id(full)
        if aliases:
            self.store.merge_entities(mapping, aliases)
            self._matcher = None
        return len(mapping)

    def remove_document(self, doc_id: str) -> None:
        self.store.remove_document(doc_id)
        self._matcher = None

    def rebuild(
        self,
        docs: Sequence[tuple[str, Sequence[Chunk]]],
        extra: Callable[[str, Sequence[Chunk]], Extraction | None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> BuildReport:
        """Rebuild from scratch in two passes, so names found in a later document are also
        linked in earlier ones."""
        start = time.perf_counter()
        self.store.clear()
        self._builder = None
        extractions: list[Extraction] = []
        for doc_id, chunks in docs:
            extraction = self.extractor.extract(chunks)
            more = extra(doc_id, chunks) if extra else None
            if more is not None:
                extraction.extend(more)
            extractions.append(extraction)
        self.builder.prepare(
            [e for ex in extractions for e in ex.mentions],
            [a for ex in extractions for a in ex.aliases],
            [r for ex in extractions for r in ex.relations],
        )
        with self.store.batch():
            for i, ((doc_id, chunks), extraction) in enumerate(zip(docs, extractions, strict=True)):
                self.builder.add_document(doc_id, chunks, extraction)
                if progress:
                    progress(i + 1, len(docs))
        self._matcher = None
        self._builder = None  # later documents link against the stored names again
        stats = self.store.stats()
        return BuildReport(
            len(docs), sum(len(c) for _, c in docs), time.perf_counter() - start, stats.entities, stats.edges
        )

    def cached_llm(self, doc_id: str, chunks: Sequence[Chunk]) -> Extraction:
        """LLM extractions stored for these chunks whose text has not changed since."""
        from zhiku.graph.extract_llm import chunk_digest, extraction_from_json

        out = Extraction()
        cache = self.store.llm_cache(doc_id)
        if not cache:
            return out
        by_chunk = {c.chunk_id: c for c in chunks}
        for (chunk_id, _), (digest, payload) in cache.items():
            chunk = by_chunk.get(chunk_id)
            if chunk is not None and chunk_digest(chunk) == digest:
                out.extend(extraction_from_json(payload, chunk))
        return out

    def llm_pending(self, docs: Sequence[tuple[str, Sequence[Chunk]]], key: str) -> list[Chunk]:
        """Chunks the LLM has not seen in their current form (incremental extraction)."""
        from zhiku.graph.extract_llm import chunk_digest

        cache = self.store.llm_cache()
        return [
            c
            for _, chunks in docs
            for c in chunks
            if c.kind != "chart" and cache.get((c.chunk_id, key), ("",))[0] != chunk_digest(c)
        ]

    def run_llm(
        self,
        docs: Sequence[tuple[str, Sequence[Chunk]]],
        extractor: LLMExtractor,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Extract the pending chunks with the LLM, cache the results, re-index touched documents."""
        from zhiku.graph.extract_llm import chunk_digest, extraction_to_json

        pending = self.llm_pending(docs, extractor.key)
        touched: set[str] = set()
        for i, chunk in enumerate(pending):
            hints = [m.name for m in self.extractor.extract([chunk]).mentions]
            result = extractor.extract_chunk(chunk, hints)
            row = (
                chunk.chunk_id,
                chunk.doc_id,
                extractor.key,
                chunk_digest(chunk),
                extraction_to_json(result),
            )
            self.store.put_llm([row])
            touched.add(chunk.doc_id)
            if progress:
                progress(i + 1, len(pending))
        for doc_id, chunks in docs:
            if doc_id in touched:
                self.index_document(doc_id, chunks)
        return len(pending)

    def hints(self, chunks: Sequence[Chunk]) -> dict[str, list[str]]:
        """Small-path entity names per chunk (the LLM's hints, and the dry-run's prompt size)."""
        out: dict[str, list[str]] = {}
        for chunk in chunks:
            out[chunk.chunk_id] = [m.name for m in self.extractor.extract([chunk]).mentions]
        return out

    def mention_stats(self) -> tuple[dict[str, int], int]:
        """Chunks mentioning each entity, and chunks with any mention (cached per store version)."""
        version = self.store.version()
        if self._mentions is None or self._mentions[0] != version:
            self._mentions = (version, self.store.mention_counts(), max(1, self.store.chunk_count()))
        return self._mentions[1], self._mentions[2]

    def find_entities(self, text: str) -> list[tuple[str, str]]:
        """Known entity names in ``text`` (longest match, non-overlapping) → (name, id)."""
        version = self.store.version()
        if self._matcher is None or self._matcher[0] != version:
            self._matcher = (version, make_automaton(self.store.names()))
        automaton = self._matcher[1]
        if automaton is None:
            return []
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        for name, eid in longest_matches(automaton, text):
            if eid not in seen:
                seen.add(eid)
                out.append((name, eid))
        return out

    def close(self) -> None:
        self.store.close()


def graph_for(kb: KnowledgeBase) -> KnowledgeGraph:
    """The graph of a KB, cached on the KB object so hook, expander and answerer share it."""
    cached = getattr(kb, "_zhiku_graph", None)
    if isinstance(cached, KnowledgeGraph):
        return cached
    graph = KnowledgeGraph(kb.path, kb.settings.graph)
    kb._zhiku_graph = graph  # type: ignore[attr-defined]
    return graph


def kb_documents(kb: KnowledgeBase) -> list[tuple[str, list[Chunk]]]:
    """Every document of the KB with its chunks, in catalog order."""
    chunks = kb.catalog.chunks()
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    return [(doc_id, sorted(cs, key=lambda c: c.ordinal)) for doc_id, cs in by_doc.items()]


def _read_lexicon(path: Path | None) -> list[str]:
    if path is None or not path.is_file():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split()[0] if line.strip() else ""
        if word and not word.startswith("#"):
            words.append(word)
    return words
