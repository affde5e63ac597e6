"""The trained scorer: a gradient-boosted model over candidate features, and its calibration.

The model file is LightGBM's own text format (readable, stable across versions, ~1 MB); the
record next to it (``model.json``) holds the feature names it expects, the isotonic calibration
table, the threshold for asserting a short answer, and how it was trained and scored.  A model
whose features differ from ``features.NAMES`` fails at load, not with wrong answers later.

>>> model = ReaderModel.load()
>>> model.probability(model.raw(reading.matrix).max())
0.93
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.answer.reading.compat import COMPAT_FILE, Compat
from zhiku.answer.reading.features import NAMES
from zhiku.answer.reading.pipeline import MAX_SENTENCES
from zhiku.answer.reading.verifier import VERIFY_NAMES
from zhiku.errors import ConfigError

MODEL_FILE = "model.txt"
RECORD_FILE = "model.json"
VERIFIER_FILE = "verifier.txt"


def default_dir() -> Path:
    """The model shipped inside the package (src/zhiku/data/reader)."""
    return Path(str(resources.files("zhiku") / "data" / "reader"))


def fit_isotonic(x: Sequence[float], y: Sequence[float]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators: the monotone non-decreasing step fit of ``y`` on ``x``.

    Returns knots (block means of x, block means of y) for ``np.interp``; monotone by
    construction, so a higher score never means a lower probability.
    """
    order = np.argsort(np.asarray(x, dtype=float), kind="stable")
    xs = np.asarray(x, dtype=float)[order]
    ys = np.asarray(y, dtype=float)[order]
    blocks: list[list[float]] = []  # [sum_x, sum_y, count]
    for xv, yv in zip(xs, ys, strict=True):
        blocks.append([xv, yv, 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            sx, sy, n = blocks.pop()
            blocks[-1][0] += sx
            blocks[-1][1] += sy
            blocks[-1][2] += n
    knots_x = [b[0] / b[2] for b in blocks]
    knots_y = [b[1] / b[2] for b in blocks]
    return knots_x, knots_y


@dataclass(frozen=True)
class ReaderModel:
    """A loaded reader: ``raw`` ranks candidates, ``verify`` says how likely a pick is right.

    ``picker`` (from the record) names who picks the short answer: ``rules`` (the hand-written
    picker; the model only judges it), ``learned`` (the ranker's favourite) or ``select`` (of
    the two, the one the verifier trusts more).
    """

    booster: Any
    verifier: Any
    calib_x: tuple[float, ...]
    calib_y: tuple[float, ...]
    threshold: float
    picker: str
    record: dict[str, Any]
    compat: Compat | None = None  # fills the ``lex_compat`` feature (``None``: an older model)

    @classmethod
    def load(cls, directory: Path | None = None) -> ReaderModel:
        directory = directory or default_dir()
        paths = [directory / MODEL_FILE, directory / VERIFIER_FILE, directory / RECORD_FILE]
        if not all(p.is_file() for p in paths):
            raise ConfigError(
                f"找不到阅读器模型：{directory}（请运行 zhiku reader train）",
                f"reader model not found in {directory} (run `zhiku reader train`)",
            )
        import lightgbm

        record = json.loads(paths[2].read_text(encoding="utf-8"))
        if (
            tuple(record.get("features", ())) != NAMES
            or tuple(record.get("verify_features", ())) != VERIFY_NAMES
        ):
            raise ConfigError(
                f"阅读器模型的特征与代码不一致：{directory}（请重新训练）",
                f"the reader model at {directory} was trained on other features; retrain it",
            )
        booster = lightgbm.Booster(model_str=paths[0].read_text(encoding="utf-8"))
        verifier = lightgbm.Booster(model_str=paths[1].read_text(encoding="utf-8"))
        calib = record["calibration"]
        compat = Compat.load(directory / COMPAT_FILE) if record.get("compat") else None
        return cls(
            booster,
            verifier,
            tuple(calib["x"]),
            tuple(calib["y"]),
            float(record["threshold"]),
            str(record.get("picker", "rules")),
            record,
            compat,
        )

    @property
    def top_k(self) -> int:
        """How many of the ranker's favourites ``select`` weighs against the rules' pick."""
        return int(self.record.get("top_k", 1))

    @property
    def max_sentences(self) -> int:
        """How many of the best sentences the model was trained to read candidates from."""
        return int(self.record.get("max_sentences", MAX_SENTENCES))

    def raw(self, matrix: np.ndarray) -> np.ndarray:
        """The ranker's score of each candidate row (higher: more likely the answer)."""
        if len(matrix) == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(matrix, num_threads=1), dtype=float)

    def verify(self, rows: np.ndarray) -> np.ndarray:
        """The verifier's (uncalibrated) score of each pick row (``verifier.verify_row``)."""
        return np.asarray(self.verifier.predict(rows, num_threads=1), dtype=float)

    def probability(self, score: float) -> float:
        """Calibrated probability that a pick the verifier scored ``score`` is the right short answer."""
        if not self.calib_x:
            return float(np.clip(score, 0.0, 1.0))
        return float(np.interp(score, self.calib_x, self.calib_y))
