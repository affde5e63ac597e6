"""The shipped gate: examples, the model file, routing probabilities, held-out accuracy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from zhiku.models.gate import (
    LABELS,
    Gate,
    GateExample,
    evaluate_gate,
    featurize,
    load_examples,
    split_examples,
    train_and_evaluate,
    train_gate,
)

pytestmark = pytest.mark.unit


def test_examples_cover_every_class_in_both_languages() -> None:
    examples = load_examples()
    per_class = Counter(e.label for e in examples)
    assert set(per_class) == set(LABELS)
    assert min(per_class.values()) >= 60
    for label in LABELS:
        langs = Counter(e.lang for e in examples if e.label == label)
        assert langs["zh"] >= 30 and langs["en"] >= 15, label
    assert len({e.text for e in examples}) == len(examples)


def test_features_ignore_digits_and_width() -> None:
    assert featurize("2023年规模是多少？") == featurize("２０２８年规模是多少?")


def test_shipped_model_loads_and_returns_probabilities() -> None:
    gate = Gate.load()
    result = gate.predict("2023年中国人工智能产业规模是多少？")
    assert set(result.probs) == set(LABELS)
    assert sum(result.probs.values()) == pytest.approx(1.0, abs=1e-5)
    assert result.label == "numeric"


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("为什么大模型会出现幻觉？请分析原因。", "synthesis"),
        ("Summarize the main conclusions of the report.", "synthesis"),
        ("哪些公司在做AI芯片？", "relation"),
        ("你好，谢谢你", "chitchat"),
        ("帮我写一首关于大海的诗", "out_of_scope"),
        ("How many AI companies went public in 2023?", "numeric"),
    ],
)
def test_routes_typical_questions(question: str, label: str) -> None:
    assert Gate.load().predict(question).label == label


def test_held_out_accuracy_is_reported_and_reasonable() -> None:
    model, evaluation = train_and_evaluate(load_examples())
    assert evaluation.n >= 60
    assert evaluation.accuracy >= 0.7
    assert model.meta["held_out_accuracy"] == round(evaluation.accuracy, 4)
    assert set(evaluation.per_language) == {"zh", "en"}


def test_split_is_stratified_and_disjoint() -> None:
    examples = load_examples()
    train, test = split_examples(examples, 0.2, seed=1)
    assert not {e.text for e in train} & {e.text for e in test}
    assert {e.label for e in test} == set(LABELS)


def test_train_save_load_roundtrip(tmp_path: Path) -> None:
    examples = [GateExample("你好", "chitchat"), GateExample("规模是多少", "numeric")] * 3
    model = train_gate(examples)
    model.save(tmp_path / "g.npz")
    again = Gate.load(tmp_path / "g.npz")
    assert again.model.classes == ("numeric", "chitchat")
    assert evaluate_gate(again.model, examples).accuracy == 1.0
