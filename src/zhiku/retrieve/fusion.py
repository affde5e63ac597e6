"""Weighted reciprocal rank fusion: robust to retrievers whose scores are not comparable.

Plain RRF gives a weak retriever the same vote as a strong one, which is why naive hybrid
search can lose top-1 to BM25 alone on Chinese text with a multilingual sentence encoder.
Weights (``retrieval.bm25_weight`` / ``dense_weight``) are calibrated on development sets
by ``bench/qa_bench.py --calibrate`` and shipped as defaults.

>>> WeightedRRF(k=60).run({"bm25": [("a", 9.1), ("b", 3.0)], "dense": [("b", 0.8)]},
...                       {"bm25": 1.0, "dense": 0.3}, top_k=2)
[('a', ...), ('b', ...)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from zhiku.errors import ConfigError


@dataclass
class Fused:
    chunk_id: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)


class WeightedRRF:
    def __init__(self, k: int = 60) -> None:
        if k <= 0:
            raise ConfigError(f"RRF 的 k 必须大于 0，当前为 {k}", f"RRF k must be > 0, got {k}")
        self.k = k

    def run(
        self,
        ranked: Mapping[str, Sequence[tuple[str, float]]],
        weights: Mapping[str, float],
        top_k: int,
    ) -> list[Fused]:
        fused: dict[str, Fused] = {}
        totals: dict[str, float] = defaultdict(float)
        for name, hits in ranked.items():
            weight = weights.get(name, 1.0)
            for rank, (chunk_id, score) in enumerate(hits, start=1):
                entry = fused.setdefault(chunk_id, Fused(chunk_id, 0.0))
                entry.scores[name] = score
                entry.ranks[name] = rank
                totals[chunk_id] += weight / (self.k + rank)
        best = sorted(fused, key=lambda c: (-totals[c], c))[:top_k]
        out = []
        for chunk_id in best:
            entry = fused[chunk_id]
            entry.score = totals[chunk_id]
            out.append(entry)
        return out
