"""Train the reader's scorer on machine-reading data (never on the development sets).

Each training paragraph becomes a small retrieval result: the paragraph that holds the answer
plus a few other paragraphs of the same article (or title), the answer's paragraph first most of
the time, as retrieval ranks it.  Every candidate the generators propose is labelled right when
it is the gold answer (the strict grader accepts it and it is not much longer than the gold).
A LightGBM classifier learns from the features; five folds split by ``group`` (an article, or a
paragraph and its translation) give held-apart scores, on which the isotonic calibration and
the short-answer threshold are fitted.  Fixed seed, one thread: the same data gives the same model.

>>> record = train_reader(TrainConfig(paths=[Path("mrc_train_zh.jsonl")], out=Path("model_dir")))
>>> record["cv"]["top1_accuracy"]
0.71
"""

from __future__ import annotations

import itertools
import json
import pickle
import random
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.answer.reading.features import NAMES
from zhiku.answer.reading.pipeline import prepare
from zhiku.answer.reading.scorer import MODEL_FILE, RECORD_FILE, fit_isotonic
from zhiku.errors import ConfigError
from zhiku.eval.scoring import norm
from zhiku.types import Hit
from zhiku.understand import analyse
from zhiku.understand.sentences import split_sentences

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,  # one thread: OpenMP threads spin and stall on a busy shared machine
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
ROUNDS = 300
MAX_NEGATIVES = 30  # negatives per question the model is fitted on (all are scored in CV)
TARGET_PRECISION = 0.9  # the short-answer threshold is the lowest probability that keeps this


@dataclass(frozen=True)
class Example:
    """One training question with the passages a retriever would hand the reader."""

    qid: str
    group: str
    question: str
    answers: tuple[str, ...]
    hits: tuple[Hit, ...]


@dataclass
class Dataset:
    """Featured candidates of many questions: rows of ``x``, their labels and question index."""

    x: np.ndarray
    y: np.ndarray
    qindex: np.ndarray  # question number of each row
    texts: list[str]  # candidate text of each row
    examples: list[Example]
    groups: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrainConfig:
    paths: Sequence[Path]
    out: Path
    folds: int = 5
    seed: int = 13
    limit: int | None = None  # questions at most (a quick run); None: all
    distractors: int = 3
    rounds: int = ROUNDS
    max_negatives: int = MAX_NEGATIVES
    cache: Path | None = None  # where to keep the featured data set (the benchmark's ablation reads it)
    reuse_cache: bool = False  # read the featured data set from ``cache`` instead of featurizing


def short_correct(candidate: str, answers: Sequence[str]) -> bool:
    """The strict grader's rule for one short answer: it holds an acceptable answer, or is the
    core of one (inside it and at least half its length)."""
    core = norm(candidate)
    if not core:
        return False
    for gold in answers:
        g = norm(gold)
        if g and (g in core or (core in g and 2 * len(core) >= len(g))):
            return True
    return False


def is_label(candidate: str, answers: Sequence[str]) -> bool:
    """A training positive: the grader accepts it and it is not much longer than the gold
    (a clause that merely contains the answer is no short answer to learn from)."""
    core = norm(candidate)
    return short_correct(candidate, answers) and any(
        len(core) <= max(len(norm(g)) + 4, int(1.5 * len(norm(g)))) for g in answers
    )


def load_examples(
    paths: Sequence[Path], seed: int, distractors: int, limit: int | None = None
) -> list[Example]:
    """Questions of the training files, each with its paragraph among same-article paragraphs."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        if not path.is_file():
            raise ConfigError(f"找不到训练文件：{path}", f"training file not found: {path}")
        rows.extend(
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        )
    rng = random.Random(seed)
    pool: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        pool.setdefault((row.get("lang", ""), row.get("title", "")), []).append(i)
    out: list[Example] = []
    for i, row in enumerate(rows):
        mates = [j for j in pool[(row.get("lang", ""), row.get("title", ""))] if j != i]
        others = rng.sample(mates, min(distractors, len(mates)))
        for qa in row.get("qas", []):
            answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text"))
            if not answers:
                continue
            order = [rows[j] for j in others]
            at = 0 if rng.random() < 0.7 else rng.randint(0, len(order))
            order.insert(at, row)
            hits = tuple(
                Hit(
                    chunk_id=f"{r['id']}",
                    doc_id=f"{r['id']}",
                    text=r["context"],
                    score=1.0 / (1 + rank),
                    title=r.get("title", ""),
                )
                for rank, r in enumerate(order)
            )
            out.append(Example(qa["id"], row.get("group", row["id"]), qa["question"], answers, hits))
    if limit is not None and len(out) > limit:
        out = rng.sample(out, limit)
    return out


def featurize_examples(
    examples: Sequence[Example], progress: Callable[[int, int], None] | None = None
) -> Dataset:
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    qs: list[np.ndarray] = []
    texts: list[str] = []
    for n, ex in enumerate(examples):
        reading = prepare(analyse(ex.question), ex.hits, split_sentences)
        labels = np.array([is_label(c.text, ex.answers) for c in reading.candidates], dtype=np.float32)
        xs.append(reading.matrix)
        ys.append(labels)
        qs.append(np.full(len(labels), n, dtype=np.int32))
        texts.extend(c.text for c in reading.candidates)
        if progress and (n + 1) % 200 == 0:
            progress(n + 1, len(examples))
    width = len(NAMES)
    return Dataset(
        np.concatenate(xs) if xs else np.zeros((0, width), np.float32),
        np.concatenate(ys) if ys else np.zeros(0, np.float32),
        np.concatenate(qs) if qs else np.zeros(0, np.int32),
        texts,
        list(examples),
        [ex.group for ex in examples],
    )


def group_folds(groups: Sequence[str], k: int, seed: int) -> np.ndarray:
    """Fold number of each question; a group (article, or paragraph + translation) stays whole."""
    unique = sorted(set(groups))
    random.Random(seed).shuffle(unique)
    fold_of = {g: i % k for i, g in enumerate(unique)}
    return np.array([fold_of[g] for g in groups], dtype=np.int32)


def fitting_rows(data: Dataset, max_negatives: int, seed: int) -> np.ndarray:
    """Rows a model is fitted on: every positive and at most ``max_negatives`` random negatives of
    each question (most candidates are easy negatives; fewer rows train several times faster)."""
    rng = np.random.default_rng(seed)
    keys = rng.random(len(data.y))
    keep = data.y > 0
    order = np.lexsort((keys, data.qindex))
    seen: dict[int, int] = {}
    for row in order:
        if keep[row]:
            continue
        q = int(data.qindex[row])
        if seen.get(q, 0) < max_negatives:
            seen[q] = seen.get(q, 0) + 1
            keep[row] = True
    return keep


def fit(x: np.ndarray, y: np.ndarray, seed: int, rounds: int, params: dict[str, Any] | None = None) -> Any:
    import lightgbm

    settings = {**PARAMS, **(params or {}), "seed": seed}
    return lightgbm.train(settings, lightgbm.Dataset(x, y, feature_name=list(NAMES)), num_boost_round=rounds)


def top_candidates(raw: np.ndarray, qindex: np.ndarray, questions: int) -> tuple[np.ndarray, np.ndarray]:
    """(row of the best candidate or -1, its raw score) for each question."""
    best_row = np.full(questions, -1, dtype=np.int64)
    best_raw = np.full(questions, -np.inf)
    for row, (q, score) in enumerate(zip(qindex, raw, strict=True)):
        if score > best_raw[q]:
            best_raw[q], best_row[q] = score, row
    best_raw[best_row < 0] = 0.0
    return best_row, best_raw


def choose_threshold(prob: np.ndarray, correct: np.ndarray, target: float = TARGET_PRECISION) -> float:
    """The lowest probability above which answers are right at least ``target`` of the time."""
    order = np.argsort(-prob)
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.nonzero(precision >= target)[0]
    if len(ok) == 0:
        return 1.0
    return float(prob[order][ok[-1]])


def expected_calibration_error(prob: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (prob >= lo) & ((prob < hi) | (hi == 1.0))
        if inside.any():
            total += inside.sum() * abs(prob[inside].mean() - correct[inside].mean())
    return float(total / max(1, len(prob)))


def cross_validate(
    data: Dataset, cfg: TrainConfig, zero: Sequence[int] = (), log: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Held-apart score of every question (top candidate's raw score, right or not)."""
    x = data.x.copy()
    if zero:
        x[:, list(zero)] = 0.0
    qfold = group_folds(data.groups, cfg.folds, cfg.seed)
    rowfold = qfold[data.qindex]
    fitted = fitting_rows(data, cfg.max_negatives, cfg.seed)
    raw = np.zeros(len(x))
    for k in range(cfg.folds):
        train, test = (rowfold != k) & fitted, rowfold == k
        booster = fit(x[train], data.y[train], cfg.seed, cfg.rounds)
        log(f"fold {k + 1}/{cfg.folds} fitted")
        raw[test] = booster.predict(x[test], num_threads=1)
    best_row, best_raw = top_candidates(raw, data.qindex, len(data.examples))
    correct = np.array(
        [
            r >= 0 and short_correct(data.texts[r], ex.answers)
            for r, ex in zip(best_row, data.examples, strict=True)
        ],
        dtype=float,
    )
    reachable = np.zeros(len(data.examples))
    np.maximum.at(reachable, data.qindex, data.y)
    return {"raw": best_raw, "correct": correct, "reachable": reachable, "folds": qfold}


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
        return done.stdout.strip()
    except OSError:
        return ""


def train_reader(cfg: TrainConfig, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Featurize, cross-validate, calibrate, fit the final model, write model + record to ``cfg.out``."""
    started, cpu_started = time.perf_counter(), time.process_time()
    if cfg.reuse_cache and cfg.cache is not None and cfg.cache.is_file():
        with cfg.cache.open("rb") as fh:
            data = pickle.load(fh)  # our own file, written by an earlier run with the same settings
        examples = data.examples
    else:
        examples = load_examples(cfg.paths, cfg.seed, cfg.distractors, cfg.limit)
        log(f"{len(examples)} questions")
        data = featurize_examples(examples, lambda n, total: log(f"featurized {n}/{total}"))
    if cfg.cache is not None and not cfg.reuse_cache:
        cfg.cache.parent.mkdir(parents=True, exist_ok=True)
        with cfg.cache.open("wb") as fh:
            pickle.dump(data, fh)
    log(f"{len(data.y)} candidates, {int(data.y.sum())} positive")
    cv = cross_validate(data, cfg, log=log)
    calib_x, calib_y = fit_isotonic(cv["raw"], cv["correct"])
    prob = np.interp(cv["raw"], calib_x, calib_y)
    threshold = choose_threshold(prob, cv["correct"])
    fitted = fitting_rows(data, cfg.max_negatives, cfg.seed)
    booster = fit(data.x[fitted], data.y[fitted], cfg.seed, cfg.rounds)
    cfg.out.mkdir(parents=True, exist_ok=True)
    (cfg.out / MODEL_FILE).write_text(booster.model_to_string(), encoding="utf-8")
    short = prob >= threshold
    record = {
        "features": list(NAMES),
        "calibration": {"x": [round(v, 6) for v in calib_x], "y": [round(v, 6) for v in calib_y]},
        "threshold": round(threshold, 4),
        "data": {
            "files": [p.name for p in cfg.paths],
            "questions": len(examples),
            "candidates": len(data.y),
            "positives": int(data.y.sum()),
            "distractors_per_question": cfg.distractors,
            "negatives_per_question_fitted": cfg.max_negatives,
            "limit": cfg.limit,
        },
        "params": {**PARAMS, "rounds": cfg.rounds, "seed": cfg.seed, "folds": cfg.folds},
        "cv": {
            "top1_accuracy": round(float(cv["correct"].mean()), 4),
            "candidate_recall": round(float(cv["reachable"].mean()), 4),
            "short_precision": round(float(cv["correct"][short].mean()) if short.any() else 0.0, 4),
            "short_coverage": round(float(short.mean()), 4),
            "ece": round(expected_calibration_error(prob, cv["correct"]), 4),
        },
        "git_commit": _git_commit(),
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu_started, 1),
    }
    (cfg.out / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record
