"""A cheap lexical reranker over the fused candidates (no model, ~1 ms for 50 candidates).

BM25 rewards frequent terms; questions, though, name a few *specific* things (a year, a
metric, an entity) that must all be present and close together in the passage that answers.
The reranker scores each candidate with a linear model over cheap features: the fused rank
score, how much of the query's IDF-weighted vocabulary the chunk covers, whether every year of
the question appears, how tight the window holding the query terms is, and whether a span of
the expected answer shape sits near them.

The weights are learned offline by ``bench/train_reranker.py`` on self-supervised pseudo-queries
made from documents only (never from a QA set we report) and shipped as
``zhiku/data/rerank_weights.json``; without that file the hand-set defaults apply.

>>> LexicalReranker(tokenizer).run("2028年AI芯片市场规模", fused, views)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

from zhiku.retrieve.fusion import Fused
from zhiku.tokenize import Tokenizer
from zhiku.types import AnswerKind, ChunkView, Question
from zhiku.understand.normalise import fold

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

WEIGHTS_FORMAT = "zhiku-rerank-weights/1"


@dataclass(frozen=True)
class RerankWeights:
    """One weight per feature (see ``FEATURES``); the extra features default to 0 (off)."""

    fused: float = 1.0
    coverage: float = 0.5
    window: float = 0.8
    years: float = 0.35
    answer_shape: float = 0.3
    bm25: float = 0.0
    bm25_rr: float = 0.0
    dense: float = 0.0
    title: float = 0.0
    length: float = 0.0
    digits_near: float = 0.0

    def vector(self) -> list[float]:
        return [float(getattr(self, name)) for name in FEATURES]


FEATURES: tuple[str, ...] = tuple(f.name for f in fields(RerankWeights))


def default_weights_path() -> Path:
    """The learned weights shipped with the package (may be absent)."""
    return Path(str(resources.files("zhiku").joinpath("data", "rerank_weights.json")))


def load_weights(path: Path | None = None) -> RerankWeights:
    """Learned weights from ``path`` (default: the shipped file), else the hand-set defaults.

    A missing, unreadable or malformed file falls back silently: reranking must never stop
    search from working.
    """
    target = path or default_weights_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        if data.get("format") != WEIGHTS_FORMAT:
            return RerankWeights()
        raw = data["weights"]
        values = {name: float(raw[name]) for name in FEATURES if name in raw}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return RerankWeights()
    if not values or not all(math.isfinite(v) for v in values.values()):
        return RerankWeights()
    return RerankWeights(**{name: values.get(name, 0.0) for name in FEATURES})


def save_weights(path: Path, weights: RerankWeights, meta: Mapping[str, object] | None = None) -> None:
    """Write ``weights`` in the format ``load_weights`` reads (``meta`` says how they were made)."""
    payload = {
        "format": WEIGHTS_FORMAT,
        **dict(meta or {}),
        "weights": {name: round(value, 6) for name, value in zip(FEATURES, weights.vector(), strict=True)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


WINDOW = 60  # characters: about one Chinese sentence
LENGTH_NORM = 400  # characters: the length prior saturates here


class LexicalReranker:
    def __init__(self, tokenizer: Tokenizer, weights: RerankWeights | None = None) -> None:
        self.tokenizer = tokenizer
        self.weights = weights or load_weights()

    def run(self, query: Question, fused: Sequence[Fused], views: Mapping[str, ChunkView]) -> list[Fused]:
        if len(fused) < 2:
            return list(fused)
        rows = self.features(query, fused, views)
        if rows is None:
            return list(fused)
        w = self.weights.vector()
        scored = [
            (sum(a * b for a, b in zip(w, row, strict=True)), f) for row, f in zip(rows, fused, strict=True)
        ]
        scored.sort(key=lambda pair: -pair[0])
        out = []
        for score, f in scored:
            f.scores["rerank"] = round(score, 6)
            out.append(f)
        return out

    def features(
        self, question: Question, fused: Sequence[Fused], views: Mapping[str, ChunkView]
    ) -> list[list[float]] | None:
        """One row of ``FEATURES`` values per candidate (None when the query has no terms).

        The query is the question's search text (``Question.lexical``: English questions carry
        the Chinese words of their glossary terms), read as BM25 reads it.
        """
        query = question.lexical
        terms = sorted(set(self.tokenizer.words(query)), key=len, reverse=True)
        if not terms:
            return None
        texts = {f.chunk_id: fold(views[f.chunk_id].title + " " + views[f.chunk_id].text) for f in fused}
        idf = self._idf(terms, list(texts.values()))
        total = sum(idf.values()) or 1.0
        years = set(_YEAR.findall(fold(query)))
        shape = _shape_pattern(question.search_kind)
        top = max(f.score for f in fused) or 1.0
        top_bm25 = max((f.scores.get("bm25", 0.0) for f in fused), default=0.0) or 1.0
        rows = []
        for f in fused:
            text = texts[f.chunk_id]
            present = [t for t in terms if t in text]
            best, lo = _best_window(text, present, idf)
            title = fold(views[f.chunk_id].title)
            bm25_rank = f.ranks.get("bm25")
            row = {
                "fused": f.score / top,
                "coverage": sum(idf[t] for t in present) / total,
                "window": best / total,
                "years": 1.0 if not years else sum(1.0 for y in years if y in text) / len(years),
                "answer_shape": _shape_near(text, lo, shape, years),
                "bm25": f.scores.get("bm25", 0.0) / top_bm25,
                "bm25_rr": 1.0 / bm25_rank if bm25_rank else 0.0,
                "dense": f.scores.get("dense", 0.0),
                "title": sum(idf[t] for t in present if t in title) / total if title else 0.0,
                "length": min(len(views[f.chunk_id].text), LENGTH_NORM) / LENGTH_NORM,
                "digits_near": _digits_near(text, lo, years) if shape is not None else 0.0,
            }
            rows.append([row[name] for name in FEATURES])
        return rows

    @staticmethod
    def _idf(terms: Sequence[str], texts: Sequence[str]) -> dict[str, float]:
        n = len(texts)
        return {t: math.log(1 + (n + 1) / (1 + sum(1 for x in texts if t in x))) for t in terms}


def _best_window(text: str, present: Sequence[str], idf: Mapping[str, float]) -> tuple[float, int]:
    """IDF mass of the distinct query terms inside the best ``WINDOW``-character window.

    Answers sit in the one sentence that names the question's specific terms together; a
    chunk that merely mentions them far apart (a title here, a figure there) scores lower.
    Returns the mass and the window's start offset (-1 when nothing matched).
    """
    hits = sorted((m.start(), t) for t in present for m in re.finditer(re.escape(t), text))
    if not hits:
        return 0.0, -1
    counts: dict[str, int] = {}
    mass, best, best_lo, left = 0.0, 0.0, hits[0][0], 0
    for pos, term in hits:
        counts[term] = counts.get(term, 0) + 1
        if counts[term] == 1:
            mass += idf[term]
        while hits[left][0] < pos - WINDOW:
            gone = hits[left][1]
            counts[gone] -= 1
            if counts[gone] == 0:
                mass -= idf[gone]
            left += 1
        if mass > best:
            best, best_lo = mass, hits[left][0]
    return best, best_lo


_NUMBER_SHAPE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|万亿|亿|万|千|百|家|个|倍|元|人|名|项|种|款|台|亿元|万元|billion|million)"
)
_DATE_SHAPE = re.compile(
    r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
)


def _shape_pattern(kind: AnswerKind) -> re.Pattern[str] | None:
    """The surface form the answer must take, from the question type (None for free text)."""
    if kind == "number":
        return _NUMBER_SHAPE
    if kind == "date":
        return _DATE_SHAPE
    return None


def _digits_near(text: str, lo: int, years: set[str]) -> float:
    """1.0 when any figure other than a year the question names sits in or just after the best window.

    A looser cousin of the answer-shape test: "1727年", "第93位" or "4次" fit a number or date
    question even when no listed unit follows.
    """
    if lo < 0:
        return 0.0
    for match in _NUMBER.finditer(text, max(0, lo - 10), min(len(text), lo + WINDOW + 30)):
        if match.group() not in years:
            return 1.0
    return 0.0


def _shape_near(text: str, lo: int, shape: re.Pattern[str] | None, years: set[str]) -> float:
    """1.0 when a span of the expected shape sits in (or just after) the best window.

    Years named in the question do not count as the answer ("2023年" is not "how many").
    """
    if shape is None or lo < 0:
        return 0.0
    for match in shape.finditer(text, max(0, lo - 10), min(len(text), lo + WINDOW + 30)):
        if shape is _NUMBER_SHAPE and any(match.group().startswith(y) for y in years):
            continue
        return 1.0
    return 0.0
