"""The shipped scorer, its calibration, and `zhiku reader train` end to end on invented data."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from zhiku.answer.reading.examples import is_label, short_correct
from zhiku.answer.reading.features import NAMES
from zhiku.answer.reading.pipeline import prepare
from zhiku.answer.reading.scorer import ReaderModel, fit_isotonic
from zhiku.answer.reading.train import choose_threshold, group_folds
from zhiku.cli import build_app
from zhiku.errors import ConfigError
from zhiku.types import Hit
from zhiku.understand import analyse
from zhiku.understand.sentences import split_sentences


@pytest.mark.unit
def test_shipped_model_loads_and_gives_probabilities() -> None:
    model = ReaderModel.load()
    assert tuple(model.record["features"]) == NAMES
    assert 0.0 < model.threshold <= 1.0
    hits = [Hit(chunk_id="c", doc_id="d", text="2031年青岚镇共有37家书店，年营业额5.2亿元。", score=1.0)]
    reading = prepare(analyse("2031年青岚镇有多少家书店？"), hits, split_sentences)
    raw = model.raw(reading.matrix)
    assert raw.shape == (len(reading.candidates),)
    probs = [model.probability(float(r)) for r in raw]
    assert all(0.0 <= p <= 1.0 for p in probs)


@pytest.mark.unit
def test_calibration_is_monotone() -> None:
    model = ReaderModel.load()
    grid = np.linspace(0, 1, 101)
    probs = [model.probability(float(x)) for x in grid]
    assert all(b >= a for a, b in itertools.pairwise(probs))
    xs, ys = fit_isotonic([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 1, 0, 1, 1, 1])
    assert ys == sorted(ys) and xs == sorted(xs)


@pytest.mark.unit
def test_model_with_other_features_fails_at_load(tmp_path: Path) -> None:
    (tmp_path / "model.txt").write_text("tree\n", encoding="utf-8")
    (tmp_path / "verifier.txt").write_text("tree\n", encoding="utf-8")
    (tmp_path / "model.json").write_text(json.dumps({"features": ["x"], "calibration": {}}), encoding="utf-8")
    with pytest.raises(ConfigError):
        ReaderModel.load(tmp_path)
    with pytest.raises(ConfigError):
        ReaderModel.load(tmp_path / "missing")


@pytest.mark.unit
def test_labels_follow_the_strict_grader() -> None:
    assert short_correct("37家", ["37家"]) and short_correct("约37家", ["37家"])
    assert not short_correct("书店", ["37家"])
    assert is_label("37家", ["37家"])
    assert not is_label("2031年青岚镇共有37家书店年营业额", ["37家"])  # contains it, but no short answer
    assert choose_threshold(np.array([0.9, 0.8, 0.3]), np.array([1.0, 1.0, 0.0])) == pytest.approx(0.8)


@pytest.mark.unit
def test_folds_keep_a_group_together() -> None:
    groups = ["a", "a", "b", "c", "c", "d"] * 3
    folds = group_folds(groups, 3, seed=1)
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups, strict=True) if h == g}) == 1


def _training_file(path: Path) -> Path:
    towns = ["青岚", "白鹭", "松溪", "云岭", "石桥", "柳塘", "桃源", "雁湖", "枫林", "竹坞", "梅岗", "杏村"]
    rows = []
    for i, town in enumerate(towns):
        shops, year = 10 + 7 * i, 2020 + i % 5
        context = (
            f"{town}镇位于东部丘陵，{year}年共有{shops}家书店。{town}镇的镇花是紫云英，"
            f"镇长是{town[0]}明远。当地茶园面积约{3 + i}千亩。"
        )
        qas = [
            {
                "id": f"q{i}a",
                "question": f"{town}镇有多少家书店？",
                "answers": [{"text": f"{shops}家", "start": 0}],
            },
            {
                "id": f"q{i}b",
                "question": f"{town}镇的镇长是谁？",
                "answers": [{"text": f"{town[0]}明远", "start": 0}],
            },
            {
                "id": f"q{i}c",
                "question": f"{town}镇的镇花是什么？",
                "answers": [{"text": "紫云英", "start": 0}],
            },
        ]
        rows.append(
            {
                "id": f"p{i}",
                "lang": "zh",
                "group": f"g{i // 2}",
                "title": "虚构地方志",
                "context": context,
                "qas": qas,
            }
        )
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.mark.integration
def test_reader_train_cli_writes_a_loadable_model(tmp_path: Path) -> None:
    data = _training_file(tmp_path / "train.jsonl")
    out = tmp_path / "model"
    args = [
        "reader",
        "train",
        "--data",
        str(data),
        "--out",
        str(out),
        "--folds",
        "3",
        "--rounds",
        "20",
        "--json",
    ]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["data"]["questions"] == 36
    assert summary["data"]["retrieval"] == "article" and summary["data"]["answer_in_hits"] > 0.5
    assert 0.0 <= summary["cv"]["top1_accuracy"] <= 1.0
    model = ReaderModel.load(out)
    record = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert record["params"]["seed"] == 13 and record["features"] == list(NAMES)
    assert record["picker"] == model.picker and (out / "verifier.txt").is_file()
    assert {"top1_rules", "top1_learned", "top1_select"} <= set(record["cv"])
    first = (out / "model.txt").read_text(encoding="utf-8")
    again = CliRunner().invoke(build_app(), args)  # same data, same seed: the same model
    assert again.exit_code == 0
    assert (out / "model.txt").read_text(encoding="utf-8") == first
    assert 0.0 <= model.probability(0.5) <= 1.0


@pytest.mark.integration
def test_retrieved_examples_read_what_our_retrieval_finds(tmp_path: Path) -> None:
    from zhiku.answer.reading.examples import load_retrieved_examples

    data = _training_file(tmp_path / "train.jsonl")
    examples = load_retrieved_examples([data], seed=13, home=tmp_path / "kb", keyword_share=0.5)
    assert len(examples) == 36
    assert all(0 < len(ex.hits) <= 10 for ex in examples)
    # real retrieval scores and ranks, not made-up ones; most answers are among the hits read
    assert any(ex.hits[0].scores for ex in examples)
    assert sum(any(a in h.text for h in ex.hits[:8] for a in ex.answers) for ex in examples) >= 30
    # some Chinese questions were asked as keyword queries (no question word, no question mark)
    assert any(not ex.question.endswith("？") for ex in examples)
    again = load_retrieved_examples([data], seed=13, home=tmp_path / "kb", keyword_share=0.5)
    assert [(e.question, [h.chunk_id for h in e.hits]) for e in again] == [
        (e.question, [h.chunk_id for h in e.hits]) for e in examples
    ]
