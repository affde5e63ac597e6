"""Hybrid retrieval: BM25 + dense, fused by weighted RRF, then an optional lexical rerank.

Each ``Hit`` keeps every retriever's score and rank so answers can explain themselves and
benchmarks can compare retrievers on the same run.

>>> retriever = HybridRetriever(fulltext, vectors, embedder, lookup, settings.retrieval)
>>> retriever.run("2023年中国人工智能产业规模", top_k=5)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zhiku.config import RetrievalSettings
from zhiku.models.embedders import Embedder
from zhiku.retrieve.agreement import AnswerAgreement, AnswerVoter
from zhiku.retrieve.fusion import Fused, WeightedRRF
from zhiku.retrieve.rerank import LexicalReranker
from zhiku.store.fulltext import FullTextIndex
from zhiku.store.vectors import MilvusVectorStore
from zhiku.types import ChunkView, Hit, Question, SearchFilters
from zhiku.understand import analyse

Lookup = Callable[[Sequence[str]], dict[str, ChunkView]]
AllowedFn = Callable[[SearchFilters], set[str] | None]


def _shingles(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def drop_near_duplicates(
    fused: Sequence[Fused], views: dict[str, ChunkView], k: int, threshold: float
) -> list[Fused]:
    """Keep the best of each group of near-identical passages among the first ``k`` results.

    Syndicated news and re-published pages put the same paragraph in many documents; three
    copies in the top five crowd out the passage that actually answers.  Similarity is the
    Jaccard overlap of character bigrams; a skipped copy keeps its place after the first ``k``.
    """
    kept: list[Fused] = []
    later: list[Fused] = []
    seen: list[set[str]] = []
    for f in fused:
        if len(kept) >= k:
            later.append(f)
            continue
        grams = _shingles(views[f.chunk_id].text)
        if any(len(grams & s) / max(1, len(grams | s)) >= threshold for s in seen):
            later.append(f)
            continue
        kept.append(f)
        seen.append(grams)
    return kept + later


def interleave(
    rankings: Sequence[Sequence[Hit]], k: int, rrf_k: int = 2, weights: Sequence[float] = ()
) -> list[Hit]:
    """Merge per-item rankings (weight 1 each unless ``weights`` says otherwise).

    The first place goes to the passage with the highest summed reciprocal rank: one that ranks
    high for every item states both answers.  After it the items take turns: each passage is
    scored by its best reciprocal rank in any one ranking, plus a quarter of the others, so a
    passage that mentions every item in passing cannot crowd out an item's own best passages.
    """
    parts: dict[str, list[float]] = {}
    first: dict[str, Hit] = {}
    for n, ranking in enumerate(rankings):
        w = weights[n] if n < len(weights) else 1.0
        for rank, hit in enumerate(ranking, start=1):
            parts.setdefault(hit.chunk_id, []).append(w / (rrf_k + rank))
            first.setdefault(hit.chunk_id, hit)
    if not parts:
        return []
    lead = max(parts, key=lambda cid: sum(parts[cid]))

    def turns(cid: str) -> float:
        best = max(parts[cid])
        return best + 0.25 * (sum(parts[cid]) - best)

    rest = sorted((cid for cid in parts if cid != lead), key=lambda cid: -turns(cid))
    return [first[cid] for cid in [lead, *rest][:k]]


class HybridRetriever:
    def __init__(
        self,
        fulltext: FullTextIndex,
        vectors: Callable[[], MilvusVectorStore | None],
        embedder: Callable[[], Embedder | None],
        lookup: Lookup,
        settings: RetrievalSettings,
        allowed: AllowedFn,
        reranker: LexicalReranker | None = None,
        voter: AnswerVoter | None = None,
    ) -> None:
        self.fulltext = fulltext
        self.vectors = vectors
        self.embedder = embedder
        self.lookup = lookup
        self.settings = settings
        self.allowed = allowed
        self.fusion = WeightedRRF(settings.rrf_k)
        self.reranker = reranker
        # the answer-agreement pass needs a reader; without one injected it is skipped
        self.agreement = AnswerAgreement(settings, voter) if voter is not None else None

    def ranked_lists(
        self, query: Question | str, candidates: int, filters: SearchFilters
    ) -> dict[str, list[tuple[str, float]]]:
        """Each retriever's own ranking (the benchmark scores these separately too)."""
        question = query if isinstance(query, Question) else analyse(query, split=False)
        allowed = self.allowed(filters)
        # English questions over Chinese documents: BM25 searches the Chinese words of known terms
        # too (``Question.lexical``); the multilingual dense encoder handles the rest.
        lists: dict[str, list[tuple[str, float]]] = {
            "bm25": self.fulltext.search(question.lexical, candidates, allowed)
        }
        store, embedder = self.vectors(), self.embedder()
        if store is not None and embedder is not None and self.settings.dense_weight > 0:
            vector = embedder.embed([question.text])[0]
            lists["dense"] = store.search(
                vector, candidates, doc_ids=filters.doc_ids, formats=filters.formats
            )
        return lists

    def run(
        self, query: Question | str, top_k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The top ``k`` hits; a question about two coordinated items gets hits for each item.

        "广州和深圳2022年的GDP分别是多少？" is answered by two passages that each name one city;
        one search for both ranks first whatever mentions both cities in passing.  Each item's
        question is searched on its own and the rankings are merged so that both lead.
        """
        question = query if isinstance(query, Question) else analyse(query)
        k = top_k or self.settings.top_k
        filters = filters or SearchFilters()
        parts = question.parts if self.settings.split_coordinated else ()
        if not parts:
            return self._run_one(question, k, filters)
        depth = max(k, self.settings.agreement_depth)  # the top k must not depend on k
        rankings = [self._run_one(part, depth, filters) for part in [*parts, question]]
        # the whole question's own ranking counts half: a passage stating both answers ranks well
        # there, while the items' rankings make sure each item gets a passage of its own
        return interleave(rankings, k, weights=[1.0] * len(parts) + [0.5])

    def _run_one(self, query: Question, k: int, filters: SearchFilters) -> list[Hit]:
        lists = self.ranked_lists(query, max(self.settings.candidates, k), filters)
        weights = {"bm25": self.settings.bm25_weight, "dense": self.settings.dense_weight}
        fused = self.fusion.run(lists, weights, max(self.settings.candidates, k))
        views = self.lookup([f.chunk_id for f in fused])
        fused = [f for f in fused if f.chunk_id in views]
        if self.reranker is not None and self.settings.rerank:
            fused = self.reranker.run(query, fused, views)
        agreement = self.agreement if self.settings.agreement else None
        depth = max(k, self.settings.agreement_depth) if agreement is not None else k
        if self.settings.dedupe < 1.0:
            fused = drop_near_duplicates(fused, views, depth, self.settings.dedupe)
        hits = [self._hit(f, views[f.chunk_id]) for f in fused[:depth]]
        if agreement is not None:
            hits = agreement.run(query, hits)
        return hits[:k]

    @staticmethod
    def _hit(fused: Fused, view: ChunkView) -> Hit:
        return Hit(
            chunk_id=fused.chunk_id,
            doc_id=view.doc_id,
            text=view.text,
            score=fused.score,
            scores=dict(fused.scores),
            ranks=dict(fused.ranks),
            title=view.title,
            source=view.source,
            page=view.page,
            heading_path=view.heading_path,
            kind=view.kind,  # type: ignore[arg-type]
        )
