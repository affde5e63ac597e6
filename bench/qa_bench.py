"""QA benchmark of the core loop against two baselines, on the same data and embedder.

Builds a KB from each data set in ../shared/bench (skipped when absent), then reports
answer-recall@1/5/10 (an acceptable answer appears in the top-k chunks; list answers need
every part; unanswerable questions count as recalled only when the small path refuses),
MRR, small-path answer accuracy, ask latency p50/p95, ingestion seconds and chunks/s, RSS.

Baselines, run in the same process on the same raw text:
  (a) bm25: jieba + bm25s over fixed 500-character chunks of the naively flattened text;
  (b) framework: 1000-character splitter with 200 overlap, dense retrieval only (same embedder).
Both feed the same extractive reader, so accuracy differences come from retrieval/cleaning.

    python bench/qa_bench.py [--sets seed_report rgb_zh cmrc2018_open] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import jieba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.reader import ExtractiveReader  # noqa: E402
from zhiku.config import load_settings  # noqa: E402
from zhiku.eval.scoring import (  # noqa: E402
    QAItem,
    answer_matches,
    first_rank,
    load_qa,
    mean,
    percentile,
    recall_at,
)
from zhiku.models.embedders import USEEmbedder  # noqa: E402
from zhiku.types import (  # noqa: E402
    AskRequest,
    Hit,
    Trace,
)
from zhiku.understand.lang import detect_language  # noqa: E402
from zhiku.wiring import build_assistant, create_kb  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
SETS = {
    "seed_report": ("seed_report/report.txt", "seed_report/qa_dev.jsonl"),
    "rgb_zh": ("rgb_zh/corpus.jsonl", "rgb_zh/qa.jsonl"),
    "cmrc2018_open": ("cmrc2018_open/corpus.jsonl", "cmrc2018_open/qa.jsonl"),
}
KS = (1, 5, 10)


def raw_documents(path: Path) -> list[tuple[str, str]]:
    """(title, text) pairs as a naive pipeline would see them: no cleaning at all."""
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(r.get("title", ""), r.get("text", "")) for r in rows]
    return [(path.stem, path.read_text(encoding="utf-8"))]


def fixed_chunks(docs: Sequence[tuple[str, str]], size: int, overlap: int) -> list[tuple[str, str]]:
    out = []
    for title, text in docs:
        flat = re.sub(r"\s+", " ", text).strip()
        step = max(1, size - overlap)
        for start in range(0, max(1, len(flat)), step):
            piece = flat[start : start + size]
            if piece:
                out.append((title, piece))
            if start + size >= len(flat):
                break
    return out


def as_hits(
    chunks: Sequence[tuple[str, str]], order: Sequence[int], scores: Sequence[float], name: str
) -> list[Hit]:
    return [
        Hit(chunk_id=f"{name}:{i}", doc_id=f"{name}", text=chunks[i][1], score=float(s), title=chunks[i][0])
        for i, s in zip(order, scores, strict=True)
    ]


class BM25Baseline:
    def __init__(self, docs: Sequence[tuple[str, str]]) -> None:
        jieba.setLogLevel(60)
        self.chunks = fixed_chunks(docs, 500, 0)
        self.bm25 = bm25s.BM25()
        self.bm25.index([self._tok(f"{t} {x}") for t, x in self.chunks], show_progress=False)

    @staticmethod
    def _tok(text: str) -> list[str]:
        return [w for w in jieba.lcut(text.lower()) if w.strip()] or [""]

    def search(self, query: str, k: int) -> list[Hit]:
        vocab = self.bm25.vocab_dict
        terms = [t for t in self._tok(query) if t in vocab]
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        order = np.argsort(-scores)[:k]
        return as_hits(self.chunks, order, scores[order], "bm25")


class DenseBaseline:
    def __init__(self, docs: Sequence[tuple[str, str]], embedder: USEEmbedder) -> None:
        self.chunks = fixed_chunks(docs, 1000, 200)
        self.embedder = embedder
        self.matrix = embedder.embed([f"{t} {x}".strip() for t, x in self.chunks])

    def search(self, query: str, k: int) -> list[Hit]:
        scores = self.matrix @ self.embedder.embed([query])[0]
        order = np.argsort(-scores)[:k]
        return as_hits(self.chunks, order, scores[order], "dense")


def evaluate(
    items: Sequence[QAItem],
    search: Callable[[str], list[Hit]],
    answer: Callable[[str, list[Hit]], Any],
) -> dict[str, Any]:
    recalls: dict[int, list[float]] = {k: [] for k in KS}
    rr, correct, lenient, latencies = [], [], [], []
    for item in items:
        started = time.perf_counter()
        hits = search(item.question)
        result = answer(item.question, hits)
        latencies.append((time.perf_counter() - started) * 1000)
        texts = [h.text for h in hits]
        if item.unanswerable:
            ok = not result.found
            for k in KS:
                recalls[k].append(float(ok))
            rr.append(float(ok))
            correct.append(float(ok))
            lenient.append(float(ok))
            continue
        for k in KS:
            recalls[k].append(float(recall_at(item, texts, k)))
        rank = first_rank(item, texts)
        rr.append(1.0 / rank if rank else 0.0)
        correct.append(float(answer_matches(item, result)))
        lenient.append(float(result.found and item.matches(result.answer)))
    return {
        **{f"recall@{k}": round(mean(v), 4) for k, v in recalls.items()},
        "mrr": round(mean(rr), 4),
        "answer_accuracy": round(mean(correct), 4),
        "answer_or_quote_accuracy": round(mean(lenient), 4),
        "ask_ms_p50": round(percentile(latencies, 50), 2),
        "ask_ms_p95": round(percentile(latencies, 95), 2),
    }


def run_set(
    name: str, corpus: Path, qa: Path, limit: int | None, embedder: USEEmbedder, full: bool = True
) -> dict[str, Any]:
    items = load_qa(qa)[:limit] if limit else load_qa(qa)
    with tempfile.TemporaryDirectory(prefix=f"zhiku-bench-{name}-") as home:
        settings = load_settings(home=Path(home))
        kb = create_kb(settings, name, embedder=embedder)
        started = time.perf_counter()
        report = kb.ingest([corpus])
        ingest_s = time.perf_counter() - started
        if report.failed:
            raise SystemExit(f"{name}: ingestion failed: {report.failed[0].error}")
        reader = ExtractiveReader(settings.reader)

        def read(question: str, hits: list[Hit]) -> Any:
            return reader.read(AskRequest(question, language=detect_language(question)), hits, Trace())

        kb.search("预热 warm-up", top_k=10)  # load the embedder and index before timing
        ours = evaluate(items, lambda q: kb.search(q, top_k=10), read)
        if full:
            assistant = build_assistant(kb, settings)
            asked = evaluate(
                items,
                lambda q: [],
                lambda q, _: assistant.ask(AskRequest(q, language=detect_language(q))),
            )
            ours["answer_accuracy_full_pipeline"] = asked["answer_accuracy"]
            ours["ask_ms_p50"], ours["ask_ms_p95"] = asked["ask_ms_p50"], asked["ask_ms_p95"]
        chunks = kb.catalog.count_chunks()
        kb.close()
    docs = raw_documents(corpus)
    bm25 = BM25Baseline(docs)
    dense = DenseBaseline(docs, embedder)
    base_bm25 = evaluate(items, lambda q: bm25.search(q, 10), read)
    base_dense = evaluate(items, lambda q: dense.search(q, 10), read)
    return {
        "questions": len(items),
        "chunks": chunks,
        "ingest_seconds": round(ingest_s, 2),
        "chunks_per_second": round(chunks / ingest_s, 1) if ingest_s else 0.0,
        "zhiku": ours,
        "baseline_bm25_500": base_bm25,
        "baseline_dense_1000_200": base_dense,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--retrieval-only", action="store_true", help="skip the full assistant pipeline")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "qa_bench.json")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found")
        return
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    embedder = USEEmbedder()
    results: dict[str, Any] = {}
    for name in args.sets:
        corpus, qa = (SHARED / p for p in SETS[name])
        if not corpus.is_file() or not qa.is_file():
            print(f"{name}: skipped (data not found)")
            continue
        results[name] = run_set(name, corpus, qa, args.limit, embedder, not args.retrieval_only)
        print(json.dumps({name: results[name]}, ensure_ascii=False, indent=2), flush=True)
    results["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["embedder"] = embedder.name
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.limit:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"max RSS {results['rss_mb']} MB; written to {args.out}")


if __name__ == "__main__":
    main()
