"""A learned accept/refuse decision for an answer the lexical verifier passed.

Why: the reader cross-check (``reader_check``) refused an answer when the reader was sure of
another span (p ≥ ``sure``) and doubted the claim (p < 0.5).  Two hand thresholds cannot trade
false refusals of right answers against false acceptances of wrong ones well: a lie that names
the neighbour of the right name in the same sentence looks, to each threshold alone, like a
right answer cut otherwise.  What separates them is a *combination* of the reader's opinion —
how sure it is of its pick, how it rates the claim, where the claim ranks among the candidates,
whether both sit in one sentence, whether a year binds the claim elsewhere.  So a small logistic
model weighs these, fitted on training questions only (``bench/train_claim_check.py``: the
scripted oracle, paraphraser and liar answering ``../shared/bench/train`` questions, read by a
reader trained without those questions), and refuses an answer whose probability of being wrong
reaches the threshold chosen on the training cross-validation for few false refusals.

The features are probabilities, ranks, shares and flags, not the reader's raw internals, so a
retrained reader keeps them meaningful (refit with the script to be exact).  A claim that no
candidate generator proposed is made a candidate from the answer's own words
(``reader_check.novel_stretches``) and featured like the others, so the model judges it on
answer type, anchors and sentence evidence too.

Measured (``bench/large_path_bench.py``, ``cross_check_curve``): on held-out *training* questions
the model refuses far more lies than the hand rule at the same false-reject rate, and on the dev
sets its curve lies below the hand rule's, so ``ReaderCrossCheck`` decides with it by default
(``mode="learned"``; ``"hand"`` and ``"either"`` remain).  Claims that cannot fill the asked role
at all are refused before it is asked (``claim_role``).

>>> model = ClaimModel.load()
>>> model.refuses(opinion.features)   # opinion from ReaderCrossCheck.opinion
False
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.answer.reading.features import INDEX
from zhiku.errors import ConfigError

MODEL_FILE = "model.json"
MAX_RANK = 20

FEATURES: tuple[str, ...] = (
    "p_pick",  # calibrated probability of the reader's own pick
    "p_claim",  # calibrated probability of the best span the answer states (0: none)
    "has_claim",  # the answer states some candidate span of the evidence
    "claim_rank",  # log(1 + rank) of the claim among the reader's ranked candidates
    "claim_share",  # softmax share of the claim among all candidates
    "pick_share",  # softmax share of the pick
    "same_sentence",  # claim and pick stand in one sentence (the neighbour-name lie)
    "claim_coverage",  # how much of the question the claim's sentence covers
    "pick_coverage",  # the same for the pick's sentence
    "coverage_gap",  # pick's minus claim's coverage
    "claim_year_off",  # the claim is bound to another year than the asked one
    "claim_figure",  # the claim is a figure (number with its unit)
    "pick_figure",  # the pick is a figure
    "claim_type",  # the claim's answer-type match to the question (reader feature)
    "pick_type",  # the pick's
    "claim_compat",  # the learned question/answer-shape compatibility of the claim
    "pick_compat",  # of the pick
    "n_stated",  # how many candidate spans the answer states (capped at 5)
    "p_pick_x_doubt",  # p_pick · (1 − p_claim): sure of another, doubtful of the claim
    "pick_overlap",  # longest run of the pick the answer states (outside the question), share of the pick
    "novel_found",  # share of the answer's new words (not the question's) found in one evidence sentence
    "novel_rank",  # log(1 + evidence rank) of that sentence (0: the sentence that best covers the question)
    "novel_evidence",  # that sentence's question evidence relative to the best sentence's
    "claim_forced",  # no generator proposed the claim: it was made a candidate from the answer
)


@dataclass(frozen=True)
class Located:
    """Where the answer's own words stand in the evidence, whatever span they form."""

    pick_overlap: float = 0.0
    novel_found: float = 0.0
    novel_rank: float = math.log1p(MAX_RANK)
    novel_evidence: float = 0.0


def _col(matrix: np.ndarray, row: int, name: str) -> float:
    """One reader feature of one candidate; 0 when the reader has no such feature or no row."""
    at = INDEX.get(name)
    if row < 0 or at is None or at >= matrix.shape[1]:
        return 0.0
    return float(matrix[row, at])


def claim_features(
    matrix: np.ndarray,
    raw: np.ndarray,
    ranked: Sequence[int],
    pick: int,
    claim: int,
    *,
    p_pick: float,
    p_claim: float,
    same_sentence: bool,
    claim_figure: bool,
    pick_figure: bool,
    n_stated: int,
    located: Located | None = None,
    forced: bool = False,
) -> tuple[float, ...]:
    """The feature row (``FEATURES``) of one claim (``claim`` = -1: the answer states no span)."""
    share = np.exp(raw - raw.max()) / np.exp(raw - raw.max()).sum() if len(raw) else raw
    rank = list(ranked).index(claim) if claim >= 0 and claim in ranked else MAX_RANK
    claim_cov = _col(matrix, claim, "s_coverage")
    pick_cov = _col(matrix, pick, "s_coverage")
    year_off = float(_col(matrix, claim, "year_agree") < 0 or _col(matrix, claim, "date_other_year") > 0)
    values = {
        "p_pick": p_pick,
        "p_claim": p_claim,
        "has_claim": float(claim >= 0),
        "claim_rank": math.log1p(min(rank, MAX_RANK)),
        "claim_share": float(share[claim]) if claim >= 0 else 0.0,
        "pick_share": float(share[pick]) if pick >= 0 else 0.0,
        "same_sentence": float(same_sentence),
        "claim_coverage": claim_cov,
        "pick_coverage": pick_cov,
        "coverage_gap": pick_cov - claim_cov,
        "claim_year_off": year_off if claim >= 0 else 0.0,
        "claim_figure": float(claim_figure),
        "pick_figure": float(pick_figure),
        "claim_type": _col(matrix, claim, "type_match"),
        "pick_type": _col(matrix, pick, "type_match"),
        "claim_compat": _col(matrix, claim, "lex_compat"),
        "pick_compat": _col(matrix, pick, "lex_compat"),
        "n_stated": float(min(n_stated, 5)),
        "p_pick_x_doubt": p_pick * (1.0 - p_claim),
    }
    where = located or Located()
    values.update(
        pick_overlap=where.pick_overlap,
        novel_found=where.novel_found,
        novel_rank=where.novel_rank,
        novel_evidence=where.novel_evidence,
        claim_forced=float(forced),
    )
    return tuple(values[n] for n in FEATURES)


def default_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "claim_check"


@dataclass(frozen=True)
class ClaimModel:
    """Logistic weights over standardised ``FEATURES`` and the refusal threshold."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    record: dict[str, Any]

    @classmethod
    def load(cls, directory: Path | None = None) -> ClaimModel:
        path = (directory or default_dir()) / MODEL_FILE
        if not path.is_file():
            raise ConfigError(
                f"找不到答案核对模型：{path}（请运行 bench/train_claim_check.py）",
                f"claim-check model not found: {path} (run bench/train_claim_check.py)",
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            raise ConfigError(
                f"答案核对模型的特征与代码不一致：{path}（请重新训练）",
                f"the claim-check model at {path} was fitted on other features; refit it",
            )
        return cls(
            tuple(float(v) for v in data["mean"]),
            tuple(float(v) for v in data["scale"]),
            tuple(float(v) for v in data["weights"]),
            float(data["bias"]),
            float(data["threshold"]),
            data,
        )

    def p_wrong(self, features: Sequence[float]) -> float:
        """Probability that the answer with these features is wrong."""
        if len(features) != len(self.weights):
            return 0.0
        z = self.bias + sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def refuses(self, features: Sequence[float], threshold: float | None = None) -> bool:
        return self.p_wrong(features) >= (self.threshold if threshold is None else threshold)


__all__ = ["FEATURES", "ClaimModel", "Located", "claim_features", "default_dir"]
