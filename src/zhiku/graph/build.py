"""From extractions to stored graph: normalise names, link mentions, count co-occurrence.

The builder is the one place that turns surface names into canonical ids (``Normalizer``), so
the small and the LLM extractors share the same node space.  Beyond what the extractors found,
it links every known name wherever it occurs in the document's chunks (an Aho-Corasick scan,
longest match wins), which gives entities their chunk evidence and the sentences for typed,
weighted ``mentions_with`` edges.

>>> builder = GraphBuilder(store)
>>> builder.add_document("d1", chunks, SmallExtractor().extract(chunks))
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

from zhiku.graph.extract_small import split_sentences
from zhiku.graph.lexicon import GENERIC
from zhiku.graph.model import EntityMention, Evidence, Extraction, RawRelation
from zhiku.graph.normalize import Normalizer, cross_script_aliases, prefix_aliases, strip_suffixes
from zhiku.graph.store import GraphDelta, SqliteGraphStore
from zhiku.types import Chunk

_UNLINKED = frozenset({"weak", "pos"})
_ASCII = re.compile(r"^[\x00-\x7f]+$")
_WORDCH = re.compile(r"[A-Za-z0-9]")
_CONTAINER = ""  # key, in a sentence's found names, of names that only contain others


class GraphBuilder:
    """Writes one document's extraction into a store (replacing what that document had).

    ``max_per_sentence`` caps co-occurrence pairs in listing-like sentences, where every pair
    would otherwise become an edge.
    """

    def __init__(
        self,
        store: SqliteGraphStore,
        max_per_sentence: int = 8,
        cut: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.store = store
        self._cut = cut
        self.max_per_sentence = max_per_sentence
        self.norm = Normalizer()
        self.norm.load_aliases(store.aliases())
        self._global: tuple[int, Any] | None = None  # (names count, automaton) of stored names
        # An upper bound of the store's distinct names, valid while the store's version is the
        # one noted: counting them is a scan of the whole table, once per document it was a
        # third of a large ingest (quadratic), and the bound answers most checks without it.
        self._bound: tuple[int, int] | None = None  # (store version, names at most)
        self._inferred: dict[str, str] = {}  # aliases ``prepare`` inferred, not yet saved

    def prepare(
        self,
        mentions: Sequence[EntityMention],
        aliases: Sequence[tuple[str, str]],
        relations: Sequence[RawRelation] = (),
    ) -> None:
        """Before a full rebuild: learn every alias and name first, so linking sees them all.

        Besides the aliases the text states, two kinds need the whole knowledge base: one maker
        named in English and in Chinese (``cross_script_aliases``) and an organisation's
        abbreviation (``prefix_aliases``).  They are saved with the first document written."""
        for alias, full in aliases:
            self.norm.add_alias(alias, full)
        made = [(r.src, r.dst) for r in relations if r.type == "released"]
        orgs = {m.name for m in mentions if m.type == "org"} | {
            r.src for r in relations if r.src_type == "org"
        }
        cut = self._cut or (lambda text: [text])
        for alias, full in [*cross_script_aliases(self.norm, made), *prefix_aliases(self.norm, orgs, cut)]:
            if self.norm.add_alias(alias, full):
                self._inferred[strip_suffixes(self.norm.fold(alias))] = self.norm.key(full)
        names = {
            m.name: self.norm.entity_id(m.name)
            for m in mentions
            if m.name not in GENERIC and m.source not in _UNLINKED
        }
        self._global = (10**9, make_automaton(names))

    def add_document(self, doc_id: str, chunks: Sequence[Chunk], extraction: Extraction) -> GraphDelta:
        delta = GraphDelta()
        delta.aliases.update(self._inferred)
        self._inferred.clear()
        for alias, full in extraction.aliases:
            if self.norm.add_alias(alias, full):
                delta.aliases[strip_suffixes(self.norm.fold(alias))] = self.norm.key(full)
        by_sentence: dict[tuple[str, str], dict[str, set[str]]] = {}
        for m in extraction.mentions:
            self._mention(delta, m, by_sentence)
        delta.weak -= {m.name for m in extraction.mentions if m.source not in _UNLINKED}
        for rel in extraction.relations:
            src, dst = self.norm.entity_id(rel.src), self.norm.entity_id(rel.dst)
            if src == dst or src == "e:" or dst == "e:":
                continue
            delta.edges.append((src, dst, rel.type, rel.label, rel.evidence, rel.source))
        self._link_known(delta, chunks, by_sentence)
        self._cooccur(delta, doc_id, by_sentence)
        fresh = self._bound is not None and self._bound[0] == self.store.version()
        self.store.add_document(doc_id, delta, replace=True)
        if fresh and self._bound is not None:  # replacing only removes names: the bound grows by the new ones
            self._bound = (self.store.version(), self._bound[1] + len({name for _, name, _ in delta.names}))
        return delta

    def _mention(
        self, delta: GraphDelta, m: EntityMention, by_sentence: dict[tuple[str, str], dict[str, set[str]]]
    ) -> None:
        eid = self.norm.entity_id(m.name)
        if eid == "e:" or m.name in GENERIC:
            return
        delta.names[(eid, m.name, m.type)] += 1
        delta.mentions.add((eid, m.evidence.chunk_id))
        if m.source in _UNLINKED:
            delta.weak.add(m.name)  # found by POS or only as a bare subject: not searched for elsewhere
        found = by_sentence.setdefault((m.evidence.chunk_id, m.evidence.sentence), {})
        if m.source == "weak":
            found.setdefault(_CONTAINER, set()).add(m.name)  # may still hold a shorter name inside it
            return
        found.setdefault(eid, set()).add(m.name)

    def _link_known(
        self,
        delta: GraphDelta,
        chunks: Sequence[Chunk],
        by_sentence: dict[tuple[str, str], dict[str, set[str]]],
    ) -> None:
        local = make_automaton(
            {name: eid for (eid, name, _), _n in delta.names.items() if name not in delta.weak}
        )
        automata = [a for a in (self._stored_names(), local) if a is not None]
        for chunk in chunks:
            for sentence in split_sentences(chunk.text, join_lines=chunk.kind == "paragraph"):
                bounds = self._bounds(sentence)
                for automaton in automata:
                    for name, eid in longest_matches(automaton, sentence, bounds):
                        delta.mentions.add((eid, chunk.chunk_id))
                        found = by_sentence.setdefault((chunk.chunk_id, sentence), {})
                        found.setdefault(eid, set()).add(name)
                        delta.names[(eid, name, "other")] += 0

    def _bounds(self, sentence: str) -> set[int] | None:
        """Word boundaries, so "国羽" is not found inside "中国羽毛球" (None: no tokenizer given)."""
        if self._cut is None:
            return None
        bounds = {0}
        pos = 0
        for token in self._cut(sentence):
            pos += len(token)
            bounds.add(pos)
        return bounds

    def _stored_names(self) -> Any:
        """Automaton of names already in the store; rebuilt when the store grew by a quarter."""
        if self._global is not None and self._global[0] >= 10**9:
            return self._global[1]
        if self._global is not None:
            bound, threshold = self._bound, self._global[0] * 1.25 + 50
            if bound is not None and bound[0] == self.store.version() and bound[1] <= threshold:
                return self._global[1]  # at most ``threshold`` names: no rebuild, no count needed
        count = self.store.name_count()
        self._bound = (self.store.version(), count)
        if self._global is None or count > self._global[0] * 1.25 + 50:
            self._global = (count, make_automaton(self.store.names(linkable_only=True)))
        return self._global[1]

    def _cooccur(
        self, delta: GraphDelta, doc_id: str, by_sentence: dict[tuple[str, str], dict[str, set[str]]]
    ) -> None:
        for (chunk_id, sentence), found in by_sentence.items():
            ids = standalone(sentence, found)
            if len(ids) < 2 or len(ids) > self.max_per_sentence:
                continue
            ev = Evidence(chunk_id, doc_id, sentence)
            for a, b in combinations(sorted(ids), 2):
                if a[2:] in b or b[2:] in a:
                    continue  # "日日新SenseNova" and "SenseNova": one name inside the other, not two things
                delta.edges.append((a, b, "mentions_with", "", ev, "cooccur"))


def standalone(sentence: str, found: dict[str, set[str]]) -> set[str]:
    """The ids a sentence mentions on their own: not those whose every occurrence lies inside a
    longer name found in the same sentence ("中关村" inside "中关村科金", "云极" inside "九章云极",
    "陈昀" inside "陈昀彰") — such a name is part of another, and would give co-occurrence edges
    the sentence does not state.  ``found`` maps each id to the surface names it was found by
    (the ``_CONTAINER`` key holds names that may contain others but make no edges)."""
    spans: list[tuple[int, int, str]] = []
    for eid, names in found.items():
        for name in names:
            spans.extend((m.start(), m.start() + len(name), eid) for m in _occurrences(sentence, name))
    out: set[str] = set()
    for eid in found:
        if eid == _CONTAINER:
            continue
        mine = [(a, b) for a, b, e in spans if e == eid]
        inside = all(
            any(a2 <= a and b <= b2 and b2 - a2 > b - a and e2 != eid for a2, b2, e2 in spans)
            for a, b in mine
        )
        if not mine or not inside:
            out.add(eid)  # a name not written literally (folded, traditional) is kept
    return out


def _occurrences(sentence: str, name: str) -> list[re.Match[str]]:
    return list(_literal(name).finditer(sentence)) if name else []


@functools.lru_cache(maxsize=16_384)
def _literal(name: str) -> re.Pattern[str]:
    """A name's compiled pattern, kept: a corpus looks up thousands of distinct names, more than
    ``re``'s own cache holds, and recompiling them was a tenth of the graph hook's time."""
    return re.compile(re.escape(name))


_SURFACE_SUFFIX = re.compile(r"(?:股份有限公司|有限公司|集团|公司|科技|大模型|模型|系列)$")


def _short_form(name: str) -> str:
    """Short surface form with the same canonical id: "天枢大模型" → "天枢", "星海科技" → "星海"."""
    short = _SURFACE_SUFFIX.sub("", name).strip()
    return short if len(short) >= 2 else name


def make_automaton(names: dict[str, str]) -> Any:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    added = 0
    for name, eid in names.items():
        for form in {name, _short_form(name)}:
            if len(form) < 2 or form in GENERIC or (len(form) < 3 and _ASCII.match(form) and form.islower()):
                continue
            automaton.add_word(form, (form, eid))
            added += 1
    if not added:
        return None
    automaton.make_automaton()
    return automaton


def longest_matches(automaton: Any, text: str, bounds: set[int] | None = None) -> list[tuple[str, str]]:
    """Non-overlapping matches, longest first; ASCII names only on word boundaries."""
    spans: list[tuple[int, int, str, str]] = []
    for end, (name, eid) in automaton.iter(text):
        start = end - len(name) + 1
        if _ASCII.match(name) and (
            (start > 0 and _WORDCH.match(text[start - 1]))
            or (end + 1 < len(text) and _WORDCH.match(text[end + 1]))
        ):
            continue
        if bounds is not None and not _ASCII.match(name) and (start not in bounds or end + 1 not in bounds):
            continue
        spans.append((start, end, name, eid))
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int]] = []
    out: list[tuple[str, str]] = []
    for start, end, name, eid in spans:
        if any(start <= e and end >= s for s, e in taken):
            continue
        taken.append((start, end))
        out.append((name, eid))
    return out
