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


def test_near_duplicates_make_room_for_other_evidence() -> None:
    from zhiku.retrieve.fusion import Fused
    from zhiku.retrieve.hybrid import drop_near_duplicates
    from zhiku.types import ChunkView

    texts = {
        "a": "2022年6月1日，四川芦山发生6.1级地震，震源深度17公里。",
        "b": "2022年6月1日，四川芦山发生6.1级地震，震源深度17公里！",
        "c": "地震造成4人死亡，42人受伤，救援工作随即展开。",
    }
    views = {k: ChunkView("d", t, "", "", None, (), "paragraph", "txt") for k, t in texts.items()}
    fused = [Fused("a", 3.0), Fused("b", 2.0), Fused("c", 1.0)]
    assert [f.chunk_id for f in drop_near_duplicates(fused, views, 2, 0.5)] == ["a", "c", "b"]
    assert [f.chunk_id for f in drop_near_duplicates(fused, views, 2, 1.0)] == ["a", "b", "c"]
