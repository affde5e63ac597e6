"""Features of one pick as a whole: how the candidate ranker sees the rules' choice.

Why a second stage: the candidate ranker orders spans; whether to *assert* a span is another
question.  The verifier reads the ranker's scores of all candidates of a question (is the pick its
favourite, by what margin, how peaked is its softmax) together with the pick's own features, and a
small model trained on held-apart ranker scores turns that into the probability that the pick is
right; isotonic calibration on held-apart folds makes it a probability.

>>> verify_row(matrix, raw, pick=3, strength=0.8).shape
(63,)
"""

from __future__ import annotations

import numpy as np

from zhiku.answer.reading.features import INDEX, NAMES

PICK_FEATURES: dict[str, str] = {
    "v_has_pick": "the pick is a candidate at all (a sentence without a span is no short answer)",
    "v_raw_pick": "the ranker's score of the pick",
    "v_raw_top": "the ranker's score of its own favourite",
    "v_margin": "the pick's score minus the favourite's (0: the ranker agrees)",
    "v_runner_up": "the favourite's score minus the runner-up's (how clear the ranker is)",
    "v_rank": "rank of the pick in the ranker's order (capped at 20)",
    "v_softmax_pick": "softmax share of the pick among the question's candidates",
    "v_softmax_top": "softmax share of the ranker's favourite",
    "v_strength": "the rules' own evidence for the pick (coverage × qualifiers × type fit)",
    "v_candidates": "how many candidates the question has",
}
VERIFY_NAMES: tuple[str, ...] = (*PICK_FEATURES, *(f"pick_{n}" for n in NAMES))


_YEAR, _OTHER_YEAR = INDEX["year_agree"], INDEX["date_other_year"]
DEMOTE = 10.0  # far below any other candidate's score


def constrain(matrix: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Scores with two facts about questions that name a year enforced, not merely weighed.

    A figure whose nearest preceding year is another year than the asked one ("2023年…2137亿元"
    for a question about 2028) is about that other year, when some figure stands after the asked
    year; a date stating only other years cannot answer a question about one year.  Reading data
    rarely shows the ranker such pairs, so it under-weighs them; demoting is safe because the
    demoted candidates are still ranked, only below the ones that agree.
    """
    if len(raw) == 0:
        return raw
    out = raw.copy()
    year = matrix[:, _YEAR]
    if (year > 0).any():
        out[year < 0] -= DEMOTE
    other = matrix[:, _OTHER_YEAR] > 0
    if other.any() and not other.all():
        out[other] -= DEMOTE
    return out


def softmax(raw: np.ndarray) -> np.ndarray:
    """Softmax of scores; stable for any scale."""
    if len(raw) == 0:
        return raw
    z = np.exp(raw - raw.max())
    return np.asarray(z / z.sum(), dtype=float)


def verify_row(matrix: np.ndarray, raw: np.ndarray, pick: int, strength: float) -> np.ndarray:
    """The verifier's features for the candidate ``pick`` (-1: no pick) of one question."""
    out = np.zeros(len(VERIFY_NAMES), dtype=np.float32)
    out[8] = strength
    out[9] = len(raw)
    if len(raw) == 0:
        return out
    order = np.argsort(-raw, kind="stable")
    top = float(raw[order[0]])
    share = softmax(raw)
    out[2] = top
    out[4] = top - float(raw[order[1]]) if len(raw) > 1 else 1.0
    out[7] = share[order[0]]
    if pick < 0:
        out[1] = float(raw.min())
        out[3] = out[1] - top
        out[5] = 20
        return out
    out[0] = 1.0
    out[1] = float(raw[pick])
    out[3] = out[1] - top
    out[5] = min(20, int(np.nonzero(order == pick)[0][0]))
    out[6] = share[pick]
    out[len(PICK_FEATURES) :] = matrix[pick]
    return out
