from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from zhiku.retrieve.fusion import Fused
from zhiku.retrieve.rerank import (
    FEATURES,
    WEIGHTS_FORMAT,
    LexicalReranker,
    RerankWeights,
    default_weights_path,
    load_weights,
    save_weights,
)
from zhiku.tokenize import Tokenizer
from zhiku.types import ChunkView
from zhiku.understand import analyse

pytestmark = pytest.mark.unit


def _view(text: str, title: str = "") -> ChunkView:
    return ChunkView(
        doc_id="d",
        text=text,
        title=title,
        source="s",
        page=None,
        heading_path=(),
        kind="paragraph",
        format="txt",
    )


def test_missing_file_falls_back_to_hand_set(tmp_path: Path) -> None:
    assert load_weights(tmp_path / "absent.json") == RerankWeights()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": "other", "weights": {"fused": 2.0}}),
        json.dumps({"format": WEIGHTS_FORMAT, "weights": {"fused": "x"}}),
        json.dumps({"format": WEIGHTS_FORMAT, "weights": {}}),
        json.dumps({"format": WEIGHTS_FORMAT, "weights": {"fused": math.inf}}),
        json.dumps([1, 2]),
    ],
)
def test_malformed_file_falls_back(tmp_path: Path, content: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(content, encoding="utf-8")
    assert load_weights(path) == RerankWeights()


def test_valid_file_is_loaded_and_missing_features_are_off(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"format": WEIGHTS_FORMAT, "weights": {"fused": 2.0, "window": 1.5}}))
    weights = load_weights(path)
    assert weights.fused == 2.0 and weights.window == 1.5
    assert weights.coverage == 0.0 and weights.bm25 == 0.0


def test_shipped_weights_file_schema() -> None:
    path = default_weights_path()
    if not path.exists():
        pytest.skip("no learned weights shipped; hand-set defaults apply")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == WEIGHTS_FORMAT
    assert set(data["weights"]) <= set(FEATURES)
    assert all(math.isfinite(float(v)) for v in data["weights"].values())
    assert load_weights(path) != RerankWeights() or data["weights"] == {}


def test_rerank_prefers_the_chunk_holding_all_terms_together() -> None:
    views = {
        "a": _view("人工智能是一个热门话题。很多公司都在讨论市场。"),
        "b": _view("2028年中国AI芯片市场规模预计达到2500亿元。"),
        "c": _view("芯片行业新闻汇总。"),
    }
    fused = [Fused("a", 0.03, {"bm25": 9.0}, {"bm25": 1}), Fused("c", 0.02, {"bm25": 5.0}, {"bm25": 2})]
    fused.append(Fused("b", 0.015, {"bm25": 4.0}, {"bm25": 3}))
    reranker = LexicalReranker(Tokenizer(), RerankWeights())
    out = reranker.run(analyse("2028年AI芯片市场规模是多少亿元？"), fused, views)
    assert out[0].chunk_id == "b"
    assert all("rerank" in f.scores for f in out)


def test_features_have_one_value_per_weight() -> None:
    views = {"a": _view("北京是中国的首都。", title="北京"), "b": _view("上海是一座城市。")}
    fused = [Fused("a", 0.02, {"bm25": 3.0}, {"bm25": 1}), Fused("b", 0.01, {"bm25": 1.0}, {"bm25": 2})]
    rows = LexicalReranker(Tokenizer(), RerankWeights()).features(
        analyse("北京是哪个国家的首都"), fused, views
    )
    assert rows is not None and all(len(row) == len(FEATURES) for row in rows)
    assert rows[0][FEATURES.index("title")] > 0 and rows[1][FEATURES.index("title")] == 0.0
    assert rows[0][FEATURES.index("bm25_rr")] == 1.0 and rows[1][FEATURES.index("bm25_rr")] == 0.5


def test_saved_weights_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "w.json"
    learned = RerankWeights(fused=0.9, coverage=0.6, window=0.7, years=0.3, answer_shape=0.2, title=0.05)
    save_weights(path, learned, {"trained_on": "test"})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == WEIGHTS_FORMAT and set(data["weights"]) == set(FEATURES)
    assert load_weights(path) == learned
    assert LexicalReranker(Tokenizer(), load_weights(path)).weights == learned
