"""The gate: a small intent classifier that routes a question to an expert (MoE-style).

Classes: ``kb_qa`` (fact lookup), ``synthesis`` (why/how/compare/summarise), ``numeric``
(quantities, growth, shares — the BI expert), ``relation`` (who makes what — the graph),
``chitchat`` and ``out_of_scope``.  Features are hashed character 1–3-grams plus Latin word
uni/bigrams (so Chinese needs no segmenter and typos degrade gracefully); the model is a
multinomial logistic regression.  Training uses scikit-learn; inference is one numpy matrix
product on weights shipped in ``zhiku/data/gate/gate_model.npz``, so no training step is
needed at run time.  The labelled examples we wrote live next to it (one JSONL per class).

>>> gate = Gate.load()
>>> result = gate.predict("2022年全省光伏装机容量是多少？")
>>> result.label, round(result.probs["numeric"], 2)
('numeric', 0.98)
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from zhiku.errors import ConfigError

GateLabel = Literal["kb_qa", "synthesis", "numeric", "relation", "chitchat", "out_of_scope"]
LABELS: tuple[str, ...] = ("kb_qa", "synthesis", "numeric", "relation", "chitchat", "out_of_scope")
DIMS = 1 << 14
_WORD = re.compile(r"[a-z]+")
_DIGITS = re.compile(r"\d+")


def data_dir() -> Path:
    """Directory of the shipped examples and model (inside the installed package)."""
    return Path(str(resources.files("zhiku") / "data" / "gate"))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return _DIGITS.sub("0", text)  # "2023" and "2028" are the same feature: the year is not the intent


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % DIMS


def featurize(text: str) -> dict[int, float]:
    """Sparse, L2-normalised, sublinear-tf hashed features of one text."""
    norm = _normalise(text)
    padded = f"^{norm}$"
    counts: Counter[int] = Counter()
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram.strip():
                counts[_bucket(f"c{n}:{gram}")] += 1
    words = _WORD.findall(norm)
    for i, word in enumerate(words):
        counts[_bucket(f"w:{word}")] += 1
        if i:
            counts[_bucket(f"b:{words[i - 1]} {word}")] += 1
    counts[_bucket(f"len:{min(len(norm) // 4, 10)}")] += 1
    weights = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm2 = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {k: w / norm2 for k, w in weights.items()}


def _matrix(texts: Sequence[str]) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        for c, v in featurize(text).items():
            rows.append(r)
            cols.append(c)
            vals.append(v)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), DIMS), dtype=np.float32)


@dataclass(frozen=True)
class GateExample:
    text: str
    label: str
    lang: str = "zh"


@dataclass(frozen=True)
class GateResult:
    """The routed class and the probability of every class."""

    label: str
    probs: dict[str, float]

    @property
    def confidence(self) -> float:
        return self.probs[self.label]

    def prob(self, label: str) -> float:
        return self.probs.get(label, 0.0)


@dataclass
class GateModel:
    """Weights of the linear model: ``probs = softmax(x @ weights + bias)``."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (DIMS, classes)
    bias: np.ndarray  # (classes,)
    meta: dict[str, Any] = field(default_factory=dict)

    def predict(self, text: str) -> GateResult:
        feats = featurize(text)
        logits = self.bias.astype(np.float64).copy()
        for k, v in feats.items():
            logits += v * self.weights[k]
        logits -= logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        best = int(np.argmax(probs))
        return GateResult(self.classes[best], {c: float(p) for c, p in zip(self.classes, probs, strict=True)})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                weights=self.weights.astype(np.float16),
                bias=self.bias.astype(np.float32),
                classes=np.array(self.classes),
                meta=np.array(json.dumps(self.meta, ensure_ascii=False)),
            )

    @classmethod
    def load(cls, path: Path) -> GateModel:
        if not path.is_file():
            raise ConfigError(
                f"找不到门控模型文件：{path}", f"gate model file not found: {path}", path=str(path)
            )
        with np.load(path, allow_pickle=False) as data:
            weights = data["weights"].astype(np.float32)
            if weights.shape[0] != DIMS:
                raise ConfigError(
                    "门控模型的特征维度不匹配，请重新训练：zhiku gate train",
                    "gate model has another feature size; retrain with: zhiku gate train",
                    path=str(path),
                )
            return cls(
                classes=tuple(str(c) for c in data["classes"]),
                weights=weights,
                bias=data["bias"].astype(np.float32),
                meta=json.loads(str(data["meta"])),
            )


class Gate:
    """Loads the shipped (or a configured) model and classifies questions."""

    def __init__(self, model: GateModel) -> None:
        self.model = model

    @classmethod
    def load(cls, path: Path | None = None) -> Gate:
        return cls(GateModel.load(path or data_dir() / "gate_model.npz"))

    def predict(self, text: str) -> GateResult:
        return self.model.predict(text)


def load_examples(directory: Path | None = None) -> list[GateExample]:
    """All ``<label>.jsonl`` files of a directory (default: the shipped examples)."""
    directory = directory or data_dir()
    examples: list[GateExample] = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                examples.append(GateExample(row["text"], row["label"], row.get("lang", "zh")))
    if not examples:
        raise ConfigError(f"目录中没有门控训练样本：{directory}", f"no gate examples in {directory}")
    unknown = {e.label for e in examples} - set(LABELS)
    if unknown:
        raise ConfigError(f"未知的门控类别：{sorted(unknown)}", f"unknown gate labels: {sorted(unknown)}")
    return examples


def split_examples(
    examples: Sequence[GateExample], held_out: float = 0.2, seed: int = 13
) -> tuple[list[GateExample], list[GateExample]]:
    """Stratified split by (label, language), so both languages are held out in every class."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[GateExample]] = {}
    for ex in examples:
        groups.setdefault((ex.label, ex.lang), []).append(ex)
    train: list[GateExample] = []
    test: list[GateExample] = []
    for key in sorted(groups):
        items = list(groups[key])
        rng.shuffle(items)
        cut = max(1, round(len(items) * held_out))
        test.extend(items[:cut])
        train.extend(items[cut:])
    return train, test


def train_gate(examples: Sequence[GateExample], c: float = 10.0) -> GateModel:
    """Fit the multinomial logistic regression on hashed features."""
    from sklearn.linear_model import LogisticRegression

    classes = tuple(label for label in LABELS if any(e.label == label for e in examples))
    y = np.array([classes.index(e.label) for e in examples])
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit(_matrix([e.text for e in examples]), y)
    meta = {"examples": len(examples), "c": c, "dims": DIMS, "features": "char1-3+word1-2 hashed crc32"}
    weights, bias = clf.coef_.T, clf.intercept_
    if len(classes) == 2:  # binary fit: one logit; softmax over [0, logit] is the same sigmoid
        weights = np.hstack([np.zeros_like(weights), weights])
        bias = np.concatenate([[0.0], bias])
    return GateModel(classes, weights.astype(np.float32), bias.astype(np.float32), meta)


@dataclass(frozen=True)
class GateEvaluation:
    accuracy: float
    n: int
    per_class: dict[str, dict[str, float]]
    per_language: dict[str, float]
    confusion: dict[str, dict[str, int]]
    errors: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "n": self.n,
            "per_class": self.per_class,
            "per_language": self.per_language,
            "confusion": self.confusion,
            "errors": self.errors,
        }


def evaluate_gate(model: GateModel, examples: Sequence[GateExample]) -> GateEvaluation:
    """Accuracy, per-class precision/recall, per-language accuracy and the confusion matrix."""
    confusion = {a: dict.fromkeys(model.classes, 0) for a in model.classes}
    errors: list[dict[str, str]] = []
    by_lang: dict[str, list[bool]] = {}
    for ex in examples:
        pred = model.predict(ex.text).label
        confusion[ex.label][pred] += 1
        by_lang.setdefault(ex.lang, []).append(pred == ex.label)
        if pred != ex.label:
            errors.append({"text": ex.text, "label": ex.label, "predicted": pred})
    per_class: dict[str, dict[str, float]] = {}
    for c in model.classes:
        tp = confusion[c][c]
        support = sum(confusion[c].values())
        predicted = sum(confusion[a][c] for a in model.classes)
        per_class[c] = {
            "precision": round(tp / predicted, 4) if predicted else 0.0,
            "recall": round(tp / support, 4) if support else 0.0,
            "support": support,
        }
    correct = sum(confusion[c][c] for c in model.classes)
    return GateEvaluation(
        accuracy=correct / len(examples) if examples else 0.0,
        n=len(examples),
        per_class=per_class,
        per_language={k: round(sum(v) / len(v), 4) for k, v in sorted(by_lang.items())},
        confusion=confusion,
        errors=errors,
    )


def train_and_evaluate(
    examples: Sequence[GateExample], *, held_out: float = 0.2, seed: int = 13, c: float = 10.0
) -> tuple[GateModel, GateEvaluation]:
    """The honest figure and the shipped model: evaluate a model fit on the training split on the
    held-out split, then fit the model we ship on every example."""
    train, test = split_examples(examples, held_out, seed)
    evaluation = evaluate_gate(train_gate(train, c), test)
    model = train_gate(examples, c)
    model.meta.update(held_out_accuracy=round(evaluation.accuracy, 4), held_out_n=evaluation.n, seed=seed)
    return model, evaluation


def repeated_holdout(
    examples: Sequence[GateExample], *, seeds: int = 5, held_out: float = 0.2, c: float = 10.0
) -> dict[str, float]:
    """Mean and spread of held-out accuracy over several stratified splits (one split of ~90
    questions moves by ±5 points, so a single figure would over-state what we know)."""
    accs = []
    for seed in range(seeds):
        train, test = split_examples(examples, held_out, seed)
        accs.append(evaluate_gate(train_gate(train, c), test).accuracy)
    return {"splits": seeds, "mean": round(float(np.mean(accs)), 4), "std": round(float(np.std(accs)), 4)}
