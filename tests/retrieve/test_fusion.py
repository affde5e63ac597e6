from __future__ import annotations

import pytest

from zhiku.errors import ConfigError
from zhiku.retrieve.fusion import WeightedRRF

pytestmark = pytest.mark.unit


def test_weights_let_the_strong_retriever_keep_top1() -> None:
    bm25 = [("a", 9.0), ("b", 5.0)]
    dense = [("b", 0.9), ("x", 0.8), ("y", 0.7), ("a", 0.1)]
    equal = WeightedRRF(60).run({"bm25": bm25, "dense": dense}, {"bm25": 1, "dense": 1}, 3)
    weighted = WeightedRRF(60).run({"bm25": bm25, "dense": dense}, {"bm25": 1, "dense": 0.3}, 3)
    assert equal[0].chunk_id == "b"  # plain RRF promotes the compromise
    assert weighted[0].chunk_id == "a"
    assert weighted[0].scores == {"bm25": 9.0, "dense": 0.1}
    assert weighted[0].ranks == {"bm25": 1, "dense": 4}


def test_bad_k_rejected() -> None:
    with pytest.raises(ConfigError):
        WeightedRRF(0)
