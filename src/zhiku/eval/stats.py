"""Intervals and paired tests for accuracies measured on a few hundred questions.

With 50-200 questions an accuracy moves by several points from one sample to the next, so a
comparison of configurations is only worth reporting with its uncertainty:

* ``bootstrap_ci`` — percentile bootstrap of a mean (seeded: the same data give the same interval);
* ``paired_bootstrap`` — the difference of two configurations on the *same* questions, resampled
  by question (pairs kept together, which is what makes it much tighter than two separate CIs);
* ``exact_mcnemar`` — the exact sign test on the questions where exactly one of the two is right.

>>> bootstrap_ci([1, 0, 1, 1], seed=0)
(0.25, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000


def bootstrap_ci(
    values: Sequence[float], *, seed: int = 0, level: float = 0.95, resamples: int = RESAMPLES
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; ``(0, 0)`` for no values."""
    if not values:
        return (0.0, 0.0)
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(data), size=(resamples, len(data)))
    means = data[idx].mean(axis=1)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return (round(float(lo), 4), round(float(hi), 4))


@dataclass(frozen=True)
class PairedResult:
    """A minus B on the same questions: mean difference, its interval, and two p-values."""

    a: str
    b: str
    n: int
    diff: float
    ci_low: float
    ci_high: float
    p_bootstrap: float
    only_a: int  # questions A got right and B wrong
    only_b: int
    p_mcnemar: float


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], *, seed: int = 0, resamples: int = RESAMPLES
) -> tuple[float, float, float, float]:
    """(diff, low, high, two-sided p) of mean(a) - mean(b), resampling question indices."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    if not a:
        return (0.0, 0.0, 0.0, 1.0)
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(d), size=(resamples, len(d)))
    means = d[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    if not d.any():
        p = 1.0
    else:
        p = min(1.0, 2 * min(float((means <= 0).mean()), float((means >= 0).mean())))
    return (round(float(d.mean()), 4), round(float(lo), 4), round(float(hi), 4), round(p, 4))


def exact_mcnemar(only_a: int, only_b: int) -> float:
    """Two-sided exact binomial test on discordant pairs (1.0 when there are none)."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return round(min(1.0, 2 * tail), 4)


def compare(name_a: str, a: Sequence[bool], name_b: str, b: Sequence[bool], *, seed: int = 0) -> PairedResult:
    """Paired comparison of two per-question correctness vectors."""
    fa, fb = [float(x) for x in a], [float(x) for x in b]
    diff, lo, hi, p = paired_bootstrap(fa, fb, seed=seed)
    only_a = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    only_b = sum(1 for x, y in zip(a, b, strict=True) if y and not x)
    return PairedResult(
        name_a, name_b, len(a), diff, lo, hi, p, only_a, only_b, exact_mcnemar(only_a, only_b)
    )
