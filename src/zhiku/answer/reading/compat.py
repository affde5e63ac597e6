"""Learned answer-type compatibility: does a span of this shape answer a question worded so?

Why: the ranker's trees see numbers (a kind code, a length, a part-of-speech code) and cannot
learn which words of a question go with which shapes of an answer: that 多少|家 wants a span ending in
家, that 谁 wants a name with · more than a noun run, that 哪|个 after a place word wants a span
ending in 市 or 省, that "how many" wants a number.  A linear model over hashed *crosses* of the
question's answer kind and question word and the candidate's shape (last character, length,
digits, unit, part of speech, generators) learns these pairs from the training data; its
log-odds is one feature of the ranker (``lex_compat``).  During training it is fitted out of
fold, so the ranker never sees a score of a question the linear model was fitted on.

Only coarse tokens are crossed (see ``question_tokens``): wider wording fitted the training
articles.  The model is a weight vector over ``DIM`` hashed slots (crc32, stable across runs and machines)
and a bias, shipped as ``compat.npy`` next to the ranker.

>>> keys = question_keys(QuestionView.of(analyse("哪个城市举办了展会？")))
>>> len(candidate_keys(candidate, "展会在杭州举办。")) == CANDIDATE_SLOTS
True
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zhiku.answer.reading.candidates import Candidate
from zhiku.answer.reading.features import QuestionView

DIM = 1 << 18  # hashed slots: few collisions for 28 crosses per candidate, 1 MB of weights
COMPAT_FILE = "compat.npy"
_PRIME = np.uint64(1_000_003)
_LENGTHS = (1, 2, 3, 4, 6, 9, 15)
_LATIN = re.compile(r"[A-Za-z]")


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8"))


def _length_bucket(n: int) -> int:
    return next((i for i, top in enumerate(_LENGTHS) if n <= top), len(_LENGTHS))


def question_tokens(view: QuestionView) -> list[str]:
    """What the question asks for, coarsely (always ``QUESTION_SLOTS``): its answer kind, its
    question word and the character after it (多少|家, 哪|个, 什么|时).

    Only these: the words before the question word and the end of a keyword query made the
    model fit the training articles' wording (cross-validation up, development sets down).
    """
    wh = view.wh.lower()
    return ["*", f"k={view.analysis.qtype.kind}", f"w={wh}", f"w+1={wh}|{view.after[:1]}"]


QUESTION_SLOTS = 4


def candidate_tokens(c: Candidate, sentence: str) -> list[str]:
    """The candidate's shape (always ``CANDIDATE_SLOTS``): last character, length, digits and
    unit, part of speech, generators, marks (·, 《, Latin letters, 、).

    ``sentence`` is the candidate's sentence; its neighbouring characters are left out for the
    same reason as the question's wider wording (they fit the training articles).
    """
    text = c.text.replace(" ", "")
    digit = any(ch.isdigit() for ch in text)
    return [
        "*",
        f"l1={text[-1:].lower()}",
        f"n={_length_bucket(len(text))}",
        f"d={int(digit)}u={c.unit[-1:]}",
        f"t={c.tag}",
        f"s={'+'.join(sorted(c.sources))}",
        f"m={int('·' in text)}{int('《' in text)}{int(bool(_LATIN.search(text)))}{int('、' in text)}",
    ]


CANDIDATE_SLOTS = 7


def question_keys(view: QuestionView) -> np.ndarray:
    """Hashes of ``question_tokens`` (uint32, ``QUESTION_SLOTS``)."""
    return np.array([_hash(t) for t in question_tokens(view)], dtype=np.uint32)


def candidate_keys(c: Candidate, sentence: str) -> np.ndarray:
    """Hashes of ``candidate_tokens`` (uint32, ``CANDIDATE_SLOTS``)."""
    return np.array([_hash(t) for t in candidate_tokens(c, sentence)], dtype=np.uint32)


def crosses(qkeys: np.ndarray, ckeys: np.ndarray) -> np.ndarray:
    """Slot of every (question token, candidate token) pair: (rows, Q × C) ints below ``DIM``.

    ``qkeys`` is one question's keys (Q,) or one row per candidate (rows, Q); ``ckeys`` (rows, C).
    """
    q = np.asarray(qkeys, dtype=np.uint64)
    c = np.asarray(ckeys, dtype=np.uint64)
    if q.ndim == 1:
        q = np.broadcast_to(q, (len(c), len(q)))
    mixed = (q[:, :, None] * _PRIME + c[:, None, :] + q[:, :, None]) % np.uint64(DIM)
    return mixed.reshape(len(c), -1).astype(np.int64)


@dataclass(frozen=True)
class Compat:
    """A fitted compatibility model: ``weights`` over ``DIM`` slots and a ``bias``."""

    weights: np.ndarray
    bias: float

    def log_odds(self, qkeys: np.ndarray, ckeys: np.ndarray) -> np.ndarray:
        """The model's log-odds that each candidate (row of ``ckeys``) has the asked shape."""
        if len(ckeys) == 0:
            return np.zeros(0, dtype=np.float32)
        slots = crosses(qkeys, ckeys)
        return np.asarray(self.weights[slots].sum(axis=1) + self.bias, dtype=np.float32)

    def save(self, path: Path) -> None:
        np.save(
            path, np.concatenate([self.weights.astype(np.float32), np.array([self.bias], dtype=np.float32)])
        )

    @classmethod
    def load(cls, path: Path) -> Compat:
        values = np.load(path)
        return cls(np.asarray(values[:-1], dtype=np.float32), float(values[-1]))


def fit_compat(
    qkeys: np.ndarray, ckeys: np.ndarray, labels: np.ndarray, c: float = 0.5, seed: int = 13
) -> Compat:
    """Logistic regression on the crosses of each row (``qkeys`` one row per candidate row)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    slots = crosses(qkeys, ckeys)
    rows, width = slots.shape
    matrix = csr_matrix(
        (np.ones(rows * width, dtype=np.float32), slots.ravel(), np.arange(0, rows * width + 1, width)),
        shape=(rows, DIM),
    )
    matrix.sum_duplicates()
    model = LogisticRegression(C=c, max_iter=300, solver="lbfgs", random_state=seed)
    model.fit(matrix, labels)
    return Compat(model.coef_[0].astype(np.float32), float(model.intercept_[0]))


def keys_of(candidates: Sequence[Candidate], sentences: Sequence[str]) -> np.ndarray:
    """Candidate keys of every candidate, ``sentences`` holding each one's sentence text by index."""
    if not candidates:
        return np.zeros((0, CANDIDATE_SLOTS), dtype=np.uint32)
    return np.stack([candidate_keys(c, sentences[c.sentence]) for c in candidates])
