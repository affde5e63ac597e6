"""``zhiku eval generate``: a QA set for a knowledge base that has none.

Questions come from four families — numeric facts (lookup and computed), graph edges, sentences
(rule-based), and, when a model is given, an LLM — plus unanswerable ones made by moving an
answerable question to a year, or a name, the KB never mentions.  Every item is checked
against its source chunk (the answer, or for computed ones the operands, must be in it) and
duplicates are dropped, so a wrong gold answer is the generator's bug, never the data's.

>>> items = QAGenerator(kb, seed=7).run(200)
>>> items[0].to_dict()["origin"]
'generated'
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zhiku.eval.gen_facts import fact_questions
from zhiku.eval.gen_text import edge_candidates, sentence_candidates
from zhiku.eval.gen_types import Candidate, GeneratedItem
from zhiku.eval.scoring import norm
from zhiku.types import Chunk

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase
    from zhiku.models.llm import LLM

UNANSWERABLE_SHARE = 0.15
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_TOKENS = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{4,}")
_RELATIONS = ("released", "acquired", "invested_in", "partnered_with", "provides")
_LLM_PROMPT = (
    "Read the passage and write ONE question that it answers, with the shortest exact answer copied "
    "from the passage. Use the passage's language. Reply with JSON only: "
    '{{"question": "...", "answer": "..."}}\n\n根据下面的段落出一道题，答案必须逐字摘自段落，只回复 JSON。\n\n{text}'
)


class QAGenerator:
    """Builds a checked, deduplicated QA set from one KB (reads it; never writes)."""

    def __init__(
        self, kb: KnowledgeBase, *, seed: int = 0, llm: LLM | None = None, llm_items: int = 20
    ) -> None:
        self.kb = kb
        self.seed = seed
        self.llm = llm
        self.llm_items = llm_items
        self._chunks: dict[str, Chunk] = {c.chunk_id: c for c in kb.catalog.chunks()}
        self._names: dict[str, list[tuple[str, str, str]]] = {}

    # -- the families --------------------------------------------------------------
    def _facts(self, rng: random.Random) -> list[Candidate]:
        if not self.kb.settings.bi.enabled:
            return []
        from zhiku.bi.hook import store_for

        return fact_questions(store_for(self.kb).facts(), rng)

    def _edges(self) -> list[Candidate]:
        if not self.kb.settings.graph.enabled:
            return []
        from zhiku.graph.service import graph_for

        return edge_candidates(graph_for(self.kb).store.all_edges(_RELATIONS))

    def _sentences(self, rng: random.Random) -> list[Candidate]:
        from zhiku.graph.extract_small import SmallExtractor

        extractor = SmallExtractor()
        out = []
        for chunk in self._chunks.values():
            if chunk.kind not in ("paragraph", "list"):
                continue
            found = extractor.extract_chunk(chunk).mentions
            names = [(m.name, str(m.type), m.evidence.sentence) for m in found]
            self._names[chunk.chunk_id] = names
            out.extend(sentence_candidates(chunk, names, rng))
        return out

    def _llm(self, rng: random.Random) -> list[Candidate]:
        if self.llm is None:
            return []
        from zhiku.models.llm import ChatMessage

        chunks = [c for c in self._chunks.values() if len(c.text) >= 40]
        rng.shuffle(chunks)
        out = []
        for chunk in chunks[: self.llm_items]:
            reply = self.llm.chat([ChatMessage("user", _LLM_PROMPT.format(text=chunk.text[:1500]))]).text
            match = re.search(r"\{.*\}", reply, re.S)
            try:
                row = json.loads(match.group(0)) if match else {}
            except json.JSONDecodeError:
                continue
            question, answer = str(row.get("question", "")).strip(), str(row.get("answer", "")).strip()
            if question and answer:
                out.append(
                    Candidate(question, [answer], "llm", chunk.chunk_id, chunk.doc_id, [answer], origin="llm")
                )
        return out

    # -- checks, unanswerable, sampling ---------------------------------------------
    def supported(self, c: Candidate) -> bool:
        """Every support string is in the source chunk(s); an answerable item has an answer."""
        chunks = [self._chunks.get(i) for i in (c.chunk_id, *c.extra_chunks)]
        if any(x is None for x in chunks) or (c.answerable and not c.answers):
            return False
        text = norm("\n".join(x.text for x in chunks if x is not None))
        return all(norm(s) and norm(s) in text for s in c.support)

    def _unanswerable(self, pool: Sequence[Candidate], rng: random.Random, n: int) -> list[Candidate]:
        corpus = [norm(c.text) for c in self._chunks.values()]
        years = {int(y) for text in corpus for y in _YEAR.findall(text)}
        top = max(years) if years else 2030
        free = [y for y in range(top + 2, top + 60) if y not in years]
        pool_names = sorted(
            {
                (n_, t)
                for names in self._names.values()
                for n_, t, _ in names
                if t in ("person", "place", "org")
            }
        )
        out: list[Candidate] = []
        for c in pool:
            if len(out) >= n:
                break
            made = self._move_year(c, free, rng) or self._move_name(c, pool_names, corpus, rng)
            if made is not None:
                out.append(made)
        return out

    @staticmethod
    def _unanswerable_of(c: Candidate, question: str) -> Candidate:
        return Candidate(question, [], "unanswerable", c.chunk_id, c.doc_id, [], answerable=False)

    def _move_year(self, c: Candidate, free: list[int], rng: random.Random) -> Candidate | None:
        found = set(_YEAR.findall(c.question))
        if len(found) != 1 or not free:  # with two years, moving one leaves a question about the other
            return None
        return self._unanswerable_of(c, c.question.replace(found.pop(), str(rng.choice(free))))

    def _move_name(
        self, c: Candidate, names: list[tuple[str, str]], corpus: list[str], rng: random.Random
    ) -> Candidate | None:
        if c.kind == "relation":
            return None  # "What did X release?" has too little context to prove Y never did
        chunk_names = [n for n, _, _ in self._names.get(c.chunk_id, [])]
        mine = [
            (n, t)
            for n, t, _ in self._names.get(c.chunk_id, [])
            if c.question.count(n) == 1 and t in ("person", "place")
            and not any(n != m and n in m and m in c.question for m in chunk_names)  # 建设部 in 住房和城乡建设部
        ]  # fmt: skip
        if not mine:
            return None
        name, etype = mine[0]
        context = [norm(t) for t in _TOKENS.findall(c.question.replace(name, " ")) if len(t) >= 2]
        if len(context) < 3:
            return None
        latin = name.isascii()
        options = [
            n for n, t in names if t == etype and n != name and n not in c.question and n.isascii() == latin
        ]
        rng.shuffle(options)
        for other in options[:20]:
            key = norm(other)
            # the new name must never appear with most of the question's other words
            if not any(key in text and sum(w in text for w in context) * 2 > len(context) for text in corpus):
                return self._unanswerable_of(c, c.question.replace(name, other))
        return None

    def run(self, n: int) -> list[GeneratedItem]:
        rng = random.Random(self.seed)
        families = [self._facts(rng), self._edges(), self._sentences(rng), self._llm(rng)]
        seen: set[str] = set()
        pools: list[list[Candidate]] = []
        for family in families:
            kept = []
            for c in family:
                key = norm(c.question)
                if key not in seen and self.supported(c):
                    seen.add(key)
                    kept.append(c)
            rng.shuffle(kept)
            pools.append(kept)
        n_unans = round(n * UNANSWERABLE_SHARE)
        chosen = _round_robin(pools, n - n_unans)
        rest = [c for pool in pools for c in pool if c not in chosen]
        # keep the share of unanswerable items when the KB yields fewer answerable ones than asked
        limit = min(n - len(chosen), round(len(chosen) * UNANSWERABLE_SHARE / (1 - UNANSWERABLE_SHARE)))
        unans = [
            u for u in self._unanswerable([*chosen, *rest], rng, limit * 2) if norm(u.question) not in seen
        ]
        unans = list({norm(u.question): u for u in unans}.values())[: max(0, limit)]
        items = [*chosen, *unans]
        rng.shuffle(items)
        return [
            GeneratedItem(
                f"g{i:04d}", c.question, c.answers, c.kind, c.answerable, c.chunk_id, self._doc(c), c.origin
            )
            for i, c in enumerate(items, start=1)
        ]

    def _doc(self, c: Candidate) -> str:
        try:
            return self.kb.document(c.doc_id).title or c.doc_id
        except Exception:
            return c.doc_id


def _round_robin(pools: list[list[Candidate]], n: int) -> list[Candidate]:
    """Take one from each non-empty family in turn, so no family crowds out the others."""
    out: list[Candidate] = []
    index = 0
    while len(out) < n and any(index < len(p) for p in pools):
        for pool in pools:
            if index < len(pool) and len(out) < n:
                out.append(pool[index])
        index += 1
    return out
