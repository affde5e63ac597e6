"""Train the reader's scorer on machine-reading data (never on the development sets).

Each training paragraph becomes a small retrieval result: the paragraph that holds the answer
plus a few other paragraphs of the same article (or title), the answer's paragraph first most of
the time, as retrieval ranks it.  Every candidate the generators propose is labelled right when
it is the gold answer (the strict grader accepts it and it is not much longer than the gold).
Two stages.  A LightGBM LambdaRank model ranks each question's candidates (every positive and
at most 30 sampled negatives per question are fitted; all are scored).  Five folds split by
``group`` (an article, or a paragraph and its translation) give held-apart ranker scores; from
them a verifier learns whether a pick (the rules' choice, or the ranker's favourite) is right,
and its own held-apart scores fit the isotonic calibration and the short-answer threshold.
Fixed seed, one thread: the same data gives the same model.

>>> record = train_reader(TrainConfig(paths=[Path("mrc_train_zh.jsonl")], out=Path("model_dir")))
>>> record["cv"]["top1_select"], record["cv"]["top1_rules"]
(0.55, 0.43)
"""

from __future__ import annotations

import itertools
import json
import pickle
import random
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.answer.reading.compat import CANDIDATE_SLOTS, COMPAT_FILE, QUESTION_SLOTS, Compat, fit_compat
from zhiku.answer.reading.examples import (
    Example,
    answer_in,
    is_label,
    load_examples,
    load_retrieved_examples,
    short_correct,
)
from zhiku.answer.reading.features import INDEX, NAMES
from zhiku.answer.reading.pipeline import MAX_SENTENCES, prepare
from zhiku.answer.reading.scorer import MODEL_FILE, RECORD_FILE, VERIFIER_FILE, fit_isotonic
from zhiku.answer.reading.verifier import VERIFY_NAMES, constrain, verify_row
from zhiku.understand import analyse
from zhiku.understand.sentences import split_sentences

PARAMS: dict[str, Any] = {  # the candidate ranker: one ranking per question (LambdaRank)
    "objective": "lambdarank",
    "lambdarank_truncation_level": 10,
    "eval_at": [1],
    "learning_rate": 0.05,
    "num_leaves": 63,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "lambda_l2": 1.0,
    "num_threads": 1,  # one thread: OpenMP threads spin and stall on a busy shared machine
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
VERIFY_PARAMS: dict[str, Any] = {  # the verifier: is this one pick right (binary, calibrated after)
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
VERIFY_ROUNDS = 200
PICKERS = ("rules", "learned", "select")
TOP_K = 1  # the ranker's favourites the verifier weighs against the rules' pick
ROUNDS = 500
MAX_NEGATIVES = 30  # negatives per question the model is fitted on (all are scored in CV)
READ_HITS = 8  # the hits the serving reader reads (``ReaderSettings.max_hits``)
COMPAT_C = 0.1  # inverse L2 strength of the compatibility model's logistic regression
TARGET_PRECISION = 0.93  # the short-answer threshold: the lowest probability that keeps this on CV
# (0.93, not 0.90: text unlike the training articles runs a few points below CV precision)


@dataclass
class Dataset:
    """Featured candidates of many questions: rows of ``x``, their labels and question index."""

    x: np.ndarray
    y: np.ndarray
    qindex: np.ndarray  # question number of each row
    texts: list[str]  # candidate text of each row
    examples: list[Example]
    groups: list[str] = field(default_factory=list)
    rule_row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # per question, -1: none
    rule_ok: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the rules' short answer is right
    strength: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the rules' evidence for it
    # hashed wording of each question and shape of each candidate row (``compat``)
    qkeys: np.ndarray = field(default_factory=lambda: np.zeros((0, QUESTION_SLOTS), np.uint32))
    ckeys: np.ndarray = field(default_factory=lambda: np.zeros((0, CANDIDATE_SLOTS), np.uint32))

    def starts(self) -> np.ndarray:
        """First row of each question (rows are grouped by question, in order)."""
        return np.searchsorted(self.qindex, np.arange(len(self.examples) + 1))


@dataclass(frozen=True)
class TrainConfig:
    paths: Sequence[Path]
    out: Path
    folds: int = 5
    seed: int = 13
    limit: int | None = None  # questions at most (a quick run); None: all
    distractors: int = 3
    answerless: float = 0.0  # share of questions shown without their own paragraph
    rounds: int = ROUNDS
    max_negatives: int = MAX_NEGATIVES
    cache: Path | None = None  # where to keep the featured data set (the benchmark's ablation reads it)
    reuse_cache: bool = False  # read the featured data set from ``cache`` instead of featurizing
    picker: str = "select"  # who picks the short answer: "rules", "learned" (ranker) or "select"
    top_k: int = TOP_K  # the ranker's favourites ``select`` weighs against the rules' pick
    compat: bool = True  # fit the answer-type compatibility model (``lex_compat``); False: column 0
    compat_c: float = COMPAT_C
    # "article": its paragraph among random same-article paragraphs with made-up scores (shipped);
    # "retrieved": its own top hits in a KB of every training paragraph, searched as served.
    # Measured (bench/results/reader_variants.json): "retrieved" did not raise dev top-1 overall.
    retrieval: str = "article"
    kb_home: Path | None = None  # where the training KB and its hits cache live (None: a temporary one)
    max_sentences: int = MAX_SENTENCES  # sentences read for candidates (recorded; serving reads as many)
    workers: int = 2  # processes featurizing (the machine's two cores); the data does not depend on it
    keyword_share: float = 0.0  # share of Chinese questions rewritten as keyword queries (``forms``)


@dataclass(frozen=True)
class _Featured:
    """One question's featured candidates (what a worker process sends back)."""

    matrix: np.ndarray
    labels: np.ndarray
    texts: list[str]
    rule_row: int  # within this question's rows, -1: none
    rule_ok: float
    strength: float
    qkeys: np.ndarray
    ckeys: np.ndarray


def _featurize_one(ex: Example, max_sentences: int) -> _Featured:
    reading = prepare(analyse(ex.question), ex.hits[:READ_HITS], split_sentences, max_sentences)
    short = reading.rules.short if reading.rules is not None else ""
    return _Featured(
        reading.matrix,
        np.array([is_label(c.text, ex.answers) for c in reading.candidates], dtype=np.float32),
        [c.text for c in reading.candidates],
        reading.rule_row,
        float(short_correct(short, ex.answers)),
        reading.rules.strength if reading.rules is not None else 0.0,
        reading.qkeys,
        reading.ckeys,
    )


def _featurize_chunk(job: tuple[list[Example], int]) -> list[_Featured]:
    examples, max_sentences = job
    return [_featurize_one(ex, max_sentences) for ex in examples]


def _featured(
    examples: Sequence[Example],
    progress: Callable[[int, int], None] | None,
    max_sentences: int,
    workers: int,
) -> Iterator[_Featured]:
    """Each example featured, in order; ``workers`` > 1 spreads chunks over processes (the
    result is the same: every question is featured on its own)."""
    if workers <= 1:
        for n, ex in enumerate(examples):
            yield _featurize_one(ex, max_sentences)
            if progress and (n + 1) % 200 == 0:
                progress(n + 1, len(examples))
        return
    import multiprocessing

    size = 200
    jobs = [(list(examples[i : i + size]), max_sentences) for i in range(0, len(examples), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = 0
        for chunk in pool.imap(_featurize_chunk, jobs):
            yield from chunk
            done += len(chunk)
            if progress:
                progress(done, len(examples))


def featurize_examples(
    examples: Sequence[Example],
    progress: Callable[[int, int], None] | None = None,
    max_sentences: int = MAX_SENTENCES,
    workers: int = 1,
) -> Dataset:
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    qs: list[np.ndarray] = []
    texts: list[str] = []
    rule_row, rule_ok, strength = [], [], []
    qkeys: list[np.ndarray] = []
    ckeys: list[np.ndarray] = []
    for n, got in enumerate(_featured(examples, progress, max_sentences, workers)):
        rule_row.append(len(texts) + got.rule_row if got.rule_row >= 0 else -1)
        rule_ok.append(got.rule_ok)
        strength.append(got.strength)
        xs.append(got.matrix)
        qkeys.append(got.qkeys)
        ckeys.append(got.ckeys)
        ys.append(got.labels)
        qs.append(np.full(len(got.labels), n, dtype=np.int32))
        texts.extend(got.texts)
    width = len(NAMES)
    return Dataset(
        np.concatenate(xs) if xs else np.zeros((0, width), np.float32),
        np.concatenate(ys) if ys else np.zeros(0, np.float32),
        np.concatenate(qs) if qs else np.zeros(0, np.int32),
        texts,
        list(examples),
        [ex.group for ex in examples],
        np.array(rule_row, dtype=np.int64),
        np.array(rule_ok, dtype=float),
        np.array(strength, dtype=float),
        np.stack(qkeys) if qkeys else np.zeros((0, QUESTION_SLOTS), np.uint32),
        np.concatenate(ckeys) if ckeys else np.zeros((0, CANDIDATE_SLOTS), np.uint32),
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


def fit(
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    rounds: int,
    params: dict[str, Any] | None = None,
    qindex: np.ndarray | None = None,
) -> Any:
    """The candidate ranker (rows grouped by ``qindex``, in order) or, with ``params``, another model."""
    import lightgbm

    settings = {**(PARAMS if params is None else params), "seed": seed}
    names = list(NAMES) if x.shape[1] == len(NAMES) else list(VERIFY_NAMES)
    dataset = lightgbm.Dataset(x, y, feature_name=names)
    if settings["objective"] == "lambdarank":
        if qindex is None:
            raise ValueError("a ranking objective needs the question of each row")
        _, sizes = np.unique(qindex, return_counts=True)  # rows are grouped by question, in order
        dataset.set_group(sizes)
    return lightgbm.train(settings, dataset, num_boost_round=rounds)


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


def compat_fit(data: Dataset, cfg: TrainConfig, rows: np.ndarray) -> Compat:
    """The compatibility model fitted on ``rows`` (a boolean mask of candidate rows)."""
    return fit_compat(
        data.qkeys[data.qindex[rows]], data.ckeys[rows], data.y[rows], c=cfg.compat_c, seed=cfg.seed
    )


def fill_compat(data: Dataset, cfg: TrainConfig, log: Callable[[str], None] = lambda _: None) -> None:
    """Write out-of-fold compatibility log-odds into the ``lex_compat`` column of ``data.x``.

    Each fold's rows are scored by a model fitted on the other folds only (the same folds as
    the ranker's), so the ranker learns how far to trust the score on questions it was not
    fitted on, as it will meet them when serving.
    """
    column = INDEX["lex_compat"]
    if not cfg.compat:
        data.x[:, column] = 0.0
        return
    rowfold = group_folds(data.groups, cfg.folds, cfg.seed)[data.qindex]
    fitted = fitting_rows(data, cfg.max_negatives, cfg.seed)
    for k in range(cfg.folds):
        model = compat_fit(data, cfg, (rowfold != k) & fitted)
        test = rowfold == k
        data.x[test, column] = model.log_odds(data.qkeys[data.qindex[test]], data.ckeys[test])
        log(f"compatibility fold {k + 1}/{cfg.folds} fitted")


def ranker_cv(
    data: Dataset, cfg: TrainConfig, zero: Sequence[int] = (), log: Callable[[str], None] = lambda _: None
) -> tuple[np.ndarray, np.ndarray]:
    """Held-apart ranker score of every candidate row, and the fold of each question."""
    x = data.x if not zero else data.x.copy()
    if zero:
        x[:, list(zero)] = 0.0
    qfold = group_folds(data.groups, cfg.folds, cfg.seed)
    rowfold = qfold[data.qindex]
    fitted = fitting_rows(data, cfg.max_negatives, cfg.seed)
    raw = np.zeros(len(x))
    for k in range(cfg.folds):
        train, test = (rowfold != k) & fitted, rowfold == k
        booster = fit(x[train], data.y[train], cfg.seed, cfg.rounds, qindex=data.qindex[train])
        log(f"ranker fold {k + 1}/{cfg.folds} fitted")
        raw[test] = booster.predict(x[test], num_threads=1)
    return raw, qfold


@dataclass
class Picks:
    """Per question: the rules' pick and the ranker's ``TOP_K`` favourites, as verifier rows."""

    rules_x: np.ndarray  # (questions, width)
    rules_ok: np.ndarray
    top_x: np.ndarray  # (questions, TOP_K, width); a missing favourite has v_has_pick = 0
    top_ok: np.ndarray  # (questions, TOP_K)
    same: np.ndarray  # (questions, TOP_K): the favourite is the rules' pick
    reachable: np.ndarray  # a candidate of the question is a training positive


def picks_of(data: Dataset, raw: np.ndarray, k: int = TOP_K) -> Picks:
    """Verifier rows of the rules' choice and of the ranker's ``k`` favourites, from held-apart scores."""
    starts = data.starts()
    n = len(data.examples)
    width = len(VERIFY_NAMES)
    rules_x, top_x = np.zeros((n, width), np.float32), np.zeros((n, k, width), np.float32)
    top_ok, same, reachable = np.zeros((n, k)), np.zeros((n, k), dtype=bool), np.zeros(n)
    for q, ex in enumerate(data.examples):
        lo, hi = int(starts[q]), int(starts[q + 1])
        matrix = data.x[lo:hi]
        scores = constrain(matrix, raw[lo:hi])
        pick = int(data.rule_row[q]) - lo if data.rule_row[q] >= 0 else -1
        rules_x[q] = verify_row(matrix, scores, pick, float(data.strength[q]))
        order = np.argsort(-scores, kind="stable")[:k]
        for j, best in enumerate(order):
            top_x[q, j] = verify_row(matrix, scores, int(best), float(data.strength[q]))
            top_ok[q, j] = float(short_correct(data.texts[lo + best], ex.answers))
            same[q, j] = int(best) == pick
        if hi > lo:
            reachable[q] = float(data.y[lo:hi].max())
    return Picks(rules_x, data.rule_ok.copy(), top_x, top_ok, same, reachable)


def _verifier_rows(picks: Picks, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rules' pick and each favourite that differs from it, of the masked questions."""
    extra = mask[:, None] & (picks.top_x[:, :, 0] > 0) & ~picks.same
    x = np.concatenate([picks.rules_x[mask], picks.top_x[extra]])
    y = np.concatenate([picks.rules_ok[mask], picks.top_ok[extra]])
    return x, y


def verifier_cv(picks: Picks, qfold: np.ndarray, cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """Held-apart verifier scores: of the rules' pick (questions,) and the favourites (questions, k)."""
    n, k, width = picks.top_x.shape
    p_rules, p_top = np.zeros(n), np.zeros((n, k))
    for fold in range(cfg.folds):
        x, y = _verifier_rows(picks, qfold != fold)
        booster = fit(x, y, cfg.seed, VERIFY_ROUNDS, VERIFY_PARAMS)
        test = qfold == fold
        p_rules[test] = booster.predict(picks.rules_x[test], num_threads=1)
        p_top[test] = booster.predict(picks.top_x[test].reshape(-1, width), num_threads=1).reshape(-1, k)
    p_top[picks.top_x[:, :, 0] == 0] = -1.0  # no such favourite
    return p_rules, p_top


def choose(picker: str, p_rules: np.ndarray, p_top: np.ndarray) -> np.ndarray:
    """Per question, the favourite the shipped picker takes (0..k-1), or -1 for the rules' pick.

    ``rules`` keeps the rules' pick, ``learned`` the ranker's first favourite, ``select`` whichever
    of the rules' pick and the favourites the verifier trusts most.
    """
    if picker == "rules":
        return np.full(len(p_rules), -1)
    if picker == "learned":
        return np.where(p_top[:, 0] >= -0.5, 0, -1)
    best = np.argmax(p_top, axis=1)
    return np.where(p_top[np.arange(len(best)), best] > p_rules, best, -1)


def _chosen(
    picks: Picks, taken: np.ndarray, p_rules: np.ndarray, p_top: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(taken))
    at = np.maximum(taken, 0)
    score = np.where(taken >= 0, p_top[rows, at], p_rules)
    correct = np.where(taken >= 0, picks.top_ok[rows, at], picks.rules_ok)
    return score, correct


def summarise_cv(
    picks: Picks, p_rules: np.ndarray, p_top: np.ndarray, picker: str
) -> tuple[dict[str, Any], list[float], list[float], float]:
    """CV figures of the three pickers; the calibration and threshold of the shipped one."""
    figures: dict[str, Any] = {"candidate_recall": round(float(picks.reachable.mean()), 4)}
    for name in PICKERS:
        _, correct = _chosen(picks, choose(name, p_rules, p_top), p_rules, p_top)
        figures[f"top1_{name}"] = round(float(correct.mean()), 4)
    score, correct = _chosen(picks, choose(picker, p_rules, p_top), p_rules, p_top)
    calib_x, calib_y = fit_isotonic(score.tolist(), correct.tolist())
    prob = np.interp(score, calib_x, calib_y)
    threshold = choose_threshold(prob, correct)
    short = prob >= threshold
    figures["threshold_by_target"] = {  # how the threshold moves with the precision asked for
        f"{t:.2f}": round(choose_threshold(prob, correct, t), 4) for t in (0.9, 0.93, 0.95)
    }
    figures.update(
        top1_accuracy=round(float(correct.mean()), 4),
        short_precision=round(float(correct[short].mean()) if short.any() else 0.0, 4),
        short_coverage=round(float(short.mean()), 4),
        ece=round(expected_calibration_error(prob, correct), 4),
    )
    return figures, calib_x, calib_y, threshold


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
        if cfg.retrieval == "retrieved":
            with tempfile.TemporaryDirectory(prefix="zhiku-reader-train-") as scratch:
                home = cfg.kb_home or Path(scratch)
                examples = load_retrieved_examples(
                    cfg.paths, cfg.seed, home, cfg.limit, cfg.keyword_share, log
                )
        else:
            examples = load_examples(cfg.paths, cfg.seed, cfg.distractors, cfg.limit, cfg.answerless)
        log(f"{len(examples)} questions")
        data = featurize_examples(
            examples, lambda n, total: log(f"featurized {n}/{total}"), cfg.max_sentences, cfg.workers
        )
    if cfg.cache is not None and not cfg.reuse_cache:
        cfg.cache.parent.mkdir(parents=True, exist_ok=True)
        with cfg.cache.open("wb") as fh:
            pickle.dump(data, fh)
    log(f"{len(data.y)} candidates, {int(data.y.sum())} positive")
    fill_compat(data, cfg, log)
    raw, qfold = ranker_cv(data, cfg, log=log)
    picks = picks_of(data, raw, cfg.top_k)
    p_rules, p_top = verifier_cv(picks, qfold, cfg)
    cv, calib_x, calib_y, threshold = summarise_cv(picks, p_rules, p_top, cfg.picker)
    log(f"cross-validated: {cv}")
    fitted = fitting_rows(data, cfg.max_negatives, cfg.seed)
    ranker = fit(data.x[fitted], data.y[fitted], cfg.seed, cfg.rounds, qindex=data.qindex[fitted])
    verifier = fit(
        *_verifier_rows(picks, np.ones(len(qfold), dtype=bool)), cfg.seed, VERIFY_ROUNDS, VERIFY_PARAMS
    )
    cfg.out.mkdir(parents=True, exist_ok=True)
    if cfg.compat:
        compat_fit(data, cfg, fitted).save(cfg.out / COMPAT_FILE)
    (cfg.out / MODEL_FILE).write_text(ranker.model_to_string(), encoding="utf-8")
    (cfg.out / VERIFIER_FILE).write_text(verifier.model_to_string(), encoding="utf-8")
    record = {
        "features": list(NAMES),
        "verify_features": list(VERIFY_NAMES),
        "picker": cfg.picker,
        "top_k": cfg.top_k,
        "max_sentences": cfg.max_sentences,
        "compat": cfg.compat,
        "compat_c": cfg.compat_c,
        "calibration": {"x": [round(v, 6) for v in calib_x], "y": [round(v, 6) for v in calib_y]},
        "threshold": round(threshold, 4),
        "data": {
            "files": [p.name for p in cfg.paths],
            "questions": len(data.examples),
            "candidates": len(data.y),
            "positives": int(data.y.sum()),
            "retrieval": cfg.retrieval,
            "hits_per_question": "top 10 of a KB of all training paragraphs (hybrid search)"
            if cfg.retrieval == "retrieved"
            else f"own paragraph + {cfg.distractors} same-article paragraphs",
            "keyword_share": cfg.keyword_share,
            "answerless_share": cfg.answerless if cfg.retrieval != "retrieved" else None,
            "answer_in_hits": round(float(np.mean([answer_in(ex) for ex in data.examples])), 4),
            "negatives_per_question_fitted": cfg.max_negatives,
            "limit": cfg.limit,
        },
        "params": {
            "ranker": {**PARAMS, "rounds": cfg.rounds},
            "verifier": {**VERIFY_PARAMS, "rounds": VERIFY_ROUNDS},
            "seed": cfg.seed,
            "folds": cfg.folds,
        },
        "cv": cv,
        "git_commit": _git_commit(),
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu_started, 1),
    }
    (cfg.out / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record
