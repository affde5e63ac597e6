"""Benchmark of the learned small reader: training-fold CV against the dev sets, calibration, cost.

For each dev set in ../shared/bench (seed report, RGB-zh, CMRC2018-open) a knowledge base is built
as in bench/qa_bench.py and the reader sees the real top passages (``kb.search``, top 10).  Reported:

* the 5-fold CV of the shipped model on the training file (split by group, from its record) and the
  same strict short-answer figures on the dev sets: their gap shows how much still fits the dev sets;
* top-1 accuracy: the best candidate whatever its probability, graded strictly (short answer alone);
  ``top1_by_part`` grades a question in parts ("A和B分别…") on the joined best candidate of each
  part, as the reply states it (``top1_accuracy`` reads the whole question as one);
* precision and coverage of ``short`` answers; quote-or-short accuracy (the right answer is shown);
* ECE pooled over the dev sets and a reliability table; ask latency p50/p95 warm (full assistant);
  the reader's memory (RSS growth from loading the model and reading);
* an ablation: the scorer retrained with each feature group removed (on a training subsample), and
  its dev top-1 against the same subsample's model with every feature.

    python bench/reader_bench.py [--sets ...] [--kb-cache DIR] [--no-ablation] [--ablation-questions N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.base import AskRequest  # noqa: E402
from zhiku.answer.reader import ExtractiveReader, split_parts  # noqa: E402
from zhiku.answer.reading import train as tr  # noqa: E402
from zhiku.answer.reading.features import INDEX  # noqa: E402
from zhiku.answer.reading.verifier import constrain  # noqa: E402
from zhiku.config import load_settings  # noqa: E402
from zhiku.eval.scoring import QAItem, answer_matches, load_qa, mean, percentile  # noqa: E402
from zhiku.kb import KnowledgeBase  # noqa: E402
from zhiku.models.embedders import USEEmbedder  # noqa: E402
from zhiku.types import Hit, Trace  # noqa: E402
from zhiku.understand import analyse  # noqa: E402
from zhiku.wiring import build_assistant  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
TRAIN = [SHARED / "train" / "mrc_train_zh.jsonl", SHARED / "train" / "mrc_train_en.jsonl"]
SETS = {
    "seed_report": ("seed_report/report.txt", "seed_report/qa_dev.jsonl"),
    "rgb_zh": ("rgb_zh/corpus.jsonl", "rgb_zh/qa.jsonl"),
    "cmrc2018_open": ("cmrc2018_open/corpus.jsonl", "cmrc2018_open/qa.jsonl"),
}
# Old rules, now features: each group is removed in turn in the ablation.
GROUPS: dict[str, tuple[str, ...]] = {
    "rule_picker (old span picker's choice)": ("rule_pick", "rule_fit", "rule_choice"),
    "unit_match": ("unit_match",),
    "asked_year": ("year_agree",),
    "date_other_year": ("date_other_year",),
    "place_before_figure": ("place_before",),
    "entity_bonus (titles, bare places, restated category)": ("entity_bonus",),
    "restates_question": ("echo_in_q", "echo_share"),
    "qualifier_agreement": ("s_factor", "s_missing"),
    "type_match": ("type_match",),
    "distance_to_question_terms": ("anchor_left", "anchor_right", "anchors_near", "window_cov"),
    "question_context_around_wh (word pairs)": ("ctx_left", "ctx_right"),
    "alignment_around_wh (new: suffix/prefix, characters)": (
        "ctx_suffix",
        "ctx_prefix",
        "ctx_left_chars",
        "ctx_right_chars",
    ),
    "agreement_across_passages": ("agree_hits", "agree_cands"),
    "sentence_and_passage_rank": ("s_rank", "s_ratio", "hit_rank", "hit_ratio"),
}


class Shown:
    """What the grader reads: a short answer alone (top-1) or the whole reply."""

    def __init__(self, short: str, answer: str = "", found: bool = True) -> None:
        self.short_answer, self.answer, self.found = short, answer, found


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def collect(name: str, kb_home: Path, embedder: USEEmbedder, latency: bool = True) -> dict[str, Any]:
    """Build (or reopen) the set's KB; the top-10 hits of each question and warm ask latency."""
    corpus, qa = (SHARED / p for p in SETS[name])
    items = load_qa(qa)
    settings = load_settings(home=kb_home / name)
    kb = KnowledgeBase.open_or_create(settings, name, embedder=embedder)
    if kb.catalog.count_chunks() == 0:
        report = kb.ingest([corpus])
        if report.failed:
            raise SystemExit(f"{name}: ingestion failed: {report.failed[0].error}")
    kb.search("预热 warm-up", top_k=10)
    hits = [kb.search(item.question, top_k=10) for item in items]
    assistant = build_assistant(kb, settings)
    assistant.ask(AskRequest("预热", language="zh"))
    latencies: list[float] = []
    for item in items if latency else []:
        started = time.perf_counter()
        assistant.ask(AskRequest(item.question, language=analyse(item.question).language))
        latencies.append((time.perf_counter() - started) * 1000)
    kb.close()
    return {"items": items, "hits": hits, "ask_ms": latencies}


def read_set(reader: ExtractiveReader, items: list[QAItem], hits: list[list[Hit]]) -> list[dict[str, Any]]:
    rows = []
    for item, top in zip(items, hits, strict=True):
        started = time.perf_counter()
        question = analyse(item.question)
        request = AskRequest(item.question, language=question.language, analysis=question)
        answer = reader.read(request, top, Trace())
        read_ms = (time.perf_counter() - started) * 1000
        choice = reader.choose(question, top)
        best = choice.best.text if choice and choice.best else ""
        rules = choice.reading.rules.short if choice and choice.reading.rules else ""
        parts = split_parts(question)
        if len(parts) > 1:  # the reply's short answer joins each part's best candidate
            picks = reader.choose_parts(parts, top)
            joined = "、".join(c.best.text for c in picks if c and c.best)
        else:
            joined = best
        raw = reader.model.raw(choice.reading.matrix) if choice else np.zeros(0)
        ranker = choice.reading.candidates[int(np.argmax(raw))].text if len(raw) else ""
        rows.append(
            {
                "id": item.id,
                "unanswerable": item.unanswerable,
                "kind": answer.answer_kind,
                "p": choice.probability if choice else 0.0,
                "top1": (not item.unanswerable) and answer_matches(item, Shown(best)),
                "top1_parts": (not item.unanswerable) and answer_matches(item, Shown(joined)),
                "top1_rules": (not item.unanswerable) and answer_matches(item, Shown(rules)),
                "top1_ranker": (not item.unanswerable) and answer_matches(item, Shown(ranker)),
                "short_ok": answer.answer_kind == "short" and answer_matches(item, answer),
                "shown_ok": (answer.answer_kind == "short" and answer_matches(item, answer))
                or (answer.answer_kind == "quote" and item.matches(answer.answer)),
                "refused_ok": item.unanswerable and answer.answer_kind == "none",
                "read_ms": read_ms,
            }
        )
    return rows


def summarise(rows: list[dict[str, Any]], ask_ms: list[float]) -> dict[str, Any]:
    answerable = [r for r in rows if not r["unanswerable"]]
    short = [r for r in answerable if r["kind"] == "short"]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "top1_accuracy": round(mean([float(r["top1"]) for r in answerable]), 4),
        "top1_by_part": round(mean([float(r["top1_parts"]) for r in answerable]), 4),
        "top1_rules": round(mean([float(r["top1_rules"]) for r in answerable]), 4),
        "top1_learned_ranker": round(mean([float(r["top1_ranker"]) for r in answerable]), 4),
        "short_precision": round(mean([float(r["short_ok"]) for r in short]), 4) if short else None,
        "short_coverage": round(len(short) / max(1, len(answerable)), 4),
        "quote_or_short_accuracy": round(mean([float(r["shown_ok"]) for r in answerable]), 4),
        "kinds": {k: sum(r["kind"] == k for r in rows) for k in ("short", "quote", "none")},
        "unanswerable_refused": sum(r["refused_ok"] for r in rows),
        "read_ms_p50": round(percentile([r["read_ms"] for r in rows], 50), 2),
        "ask_ms_p50": round(percentile(ask_ms, 50), 2),
        "ask_ms_p95": round(percentile(ask_ms, 95), 2),
    }


def reliability(prob: np.ndarray, correct: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    table = []
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in itertools.pairwise(edges):
        inside = (prob >= lo) & ((prob < hi) | (hi == 1.0))
        if inside.any():
            table.append(
                {
                    "bin": f"{lo:.1f}-{hi:.1f}",
                    "n": int(inside.sum()),
                    "mean_p": round(float(prob[inside].mean()), 3),
                    "accuracy": round(float(correct[inside].mean()), 3),
                }
            )
    return table


def ablation(
    collected: dict[str, dict[str, Any]], questions: int, seed: int, cache: Path | None, rounds: int
) -> dict[str, Any]:
    """Retrain without each group (training data only); dev top-1 per set, against all features."""
    if cache is not None and cache.is_file():
        with cache.open("rb") as fh:
            data = pickle.load(fh)  # our own file, written by train_reader(cache=...)
        if len(data.examples) > questions:  # the same kind of data, fewer questions: 16 fits stay cheap
            keep = np.sort(np.random.default_rng(seed).choice(len(data.examples), questions, replace=False))
            rows = np.isin(data.qindex, keep)
            renumber = np.full(len(data.examples), -1, dtype=np.int32)
            renumber[keep] = np.arange(len(keep), dtype=np.int32)
            data = tr.Dataset(
                data.x[rows],
                data.y[rows],
                renumber[data.qindex[rows]],
                [t for t, r in zip(data.texts, rows, strict=True) if r],
                [data.examples[int(q)] for q in keep],
            )
    else:
        examples = tr.load_examples([p for p in TRAIN if p.is_file()], seed, 3, questions)
        data = tr.featurize_examples(examples)
    fitted = tr.fitting_rows(data, tr.MAX_NEGATIVES, seed)
    reader = ExtractiveReader(load_settings(home=Path(tempfile.mkdtemp())).reader)
    dev: dict[str, list[tuple[np.ndarray, list[str], QAItem]]] = {}
    for name, got in collected.items():
        dev[name] = []
        for item, hits in zip(got["items"], got["hits"], strict=True):
            if item.unanswerable:
                continue
            choice = reader.choose(analyse(item.question), hits)
            if choice is None:
                dev[name].append((np.zeros((0, data.x.shape[1]), np.float32), [], item))
                continue
            texts = [c.text for c in choice.reading.candidates]
            matrix = choice.reading.matrix.copy()
            matrix[:, INDEX["lex_compat"]] = 0.0  # the featured training data holds no compat column
            dev[name].append((matrix, texts, item))

    def score(zero: tuple[int, ...]) -> dict[str, float]:
        x = data.x[fitted].copy()
        x[:, list(zero)] = 0.0
        booster = tr.fit(x, data.y[fitted], seed, rounds, qindex=data.qindex[fitted])
        out = {}
        for name, questions in dev.items():
            ok = []
            for matrix, texts, item in questions:
                if not texts:
                    ok.append(0.0)
                    continue
                m = matrix.copy()
                m[:, list(zero)] = 0.0
                best = int(np.argmax(constrain(matrix, booster.predict(m, num_threads=1))))
                ok.append(float(answer_matches(item, Shown(texts[best]))))
            out[name] = round(mean(ok), 4)
        out["mean"] = round(mean([out[n] for n in dev]), 4)
        return out

    base = score(())
    table = {"all features": base}
    for group, names in GROUPS.items():
        got = score(tuple(INDEX[n] for n in names))
        got["delta_mean"] = round(got["mean"] - base["mean"], 4)
        table[group] = got
        print(f"ablation {group}: {got}", flush=True)
    return {"training_questions": len(data.examples), "rounds": rounds, "dev_top1": table}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--kb-cache", type=Path, default=None, help="keep the built KBs here between runs")
    parser.add_argument("--no-ablation", action="store_true")
    parser.add_argument("--ablation-questions", type=int, default=2500)
    parser.add_argument("--ablation-rounds", type=int, default=100)
    parser.add_argument("--train-cache", type=Path, default=None, help="featured training data (train cache)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--model-dir", type=Path, default=None, help="a trained reader (default: shipped)")
    parser.add_argument(
        "--hits-cache", type=Path, default=None, help="keep each set's top hits here (selection runs)"
    )
    parser.add_argument("--no-latency", action="store_true", help="skip the ask latency (selection runs)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "reader_bench.json")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found")
        return
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    before = rss_mb()
    settings = load_settings(home=Path(tempfile.mkdtemp())).reader
    if args.model_dir is not None:
        settings = settings.model_copy(update={"model_dir": args.model_dir})
    reader = ExtractiveReader(settings)
    model_mb = rss_mb() - before
    embedder = USEEmbedder()
    kb_home = args.kb_cache or Path(tempfile.mkdtemp(prefix="zhiku-reader-bench-"))
    results: dict[str, Any] = {
        "model": {
            k: reader.model.record.get(k)
            for k in ("picker", "cv", "data", "threshold", "git_commit", "seconds")
        }
    }
    collected: dict[str, dict[str, Any]] = {}
    probs, corrects = [], []
    for name in args.sets:
        corpus, qa = (SHARED / p for p in SETS[name])
        if not corpus.is_file() or not qa.is_file():
            print(f"{name}: skipped (data not found)")
            continue
        cached = args.hits_cache / f"{name}.pkl" if args.hits_cache else None
        if cached is not None and cached.is_file():
            with cached.open("rb") as fh:
                collected[name] = pickle.load(fh)  # our own file, written by an earlier run
        else:
            collected[name] = collect(name, kb_home, embedder, latency=not args.no_latency)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                with cached.open("wb") as fh:
                    pickle.dump(collected[name], fh)
        rows = read_set(reader, collected[name]["items"], collected[name]["hits"])
        results[name] = summarise(rows, collected[name]["ask_ms"])
        for r in rows:
            if not r["unanswerable"]:
                probs.append(r["p"])
                corrects.append(float(r["top1"]))
        print(json.dumps({name: results[name]}, ensure_ascii=False), flush=True)
    prob, correct = np.array(probs), np.array(corrects)
    results["pooled"] = {
        "ece": round(tr.expected_calibration_error(prob, correct), 4),
        "reliability": reliability(prob, correct),
        "top1_accuracy": round(float(correct.mean()), 4) if len(correct) else None,
    }
    cv = results["model"]["cv"] or {}
    results["gap_cv_minus_dev_top1"] = {
        n: round(cv.get("top1_accuracy", 0.0) - results[n]["top1_accuracy"], 4) for n in collected
    }
    results["reader_memory_mb"] = round(model_mb + 0.0, 1)
    if not args.no_ablation:
        results["ablation"] = ablation(
            collected, args.ablation_questions, args.seed, args.train_cache, args.ablation_rounds
        )
    elif args.out.is_file():  # keep the last ablation, marked with the model it was run on
        old = json.loads(args.out.read_text(encoding="utf-8"))
        if "ablation" in old:
            results["ablation"] = {**old["ablation"], "model_commit": old.get("model", {}).get("git_commit")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "ablation"}, ensure_ascii=False, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
