"""Cascade benchmark: accuracy, share answered locally, large-model calls, tokens, cost, latency per policy.

On the development QA sets of ../shared/bench (each skipped when absent): the seed report
(qa_dev.jsonl over report.txt), rgb_zh and cmrc2018_open.  For every policy
(small_only, cascade, local_first, large_only) it reports answer accuracy, the share of
questions answered on the small path, large-model calls, prompt/completion tokens, estimated
cost and p50/p95 latency, plus the escalation reasons and a calibration table of the small
path's confidence (accuracy per confidence bin — what ``llm.escalate_below`` is set from).

With no LLM configured only the small path runs, and the cascade's *decisions* are still
reported (how many questions it would escalate, and why).  Models come from the environment:

    ZHIKU_BENCH_LLM_URL   OpenAI-compatible base URL → model "large" (remote)
    ZHIKU_BENCH_LLM_MODEL / ZHIKU_BENCH_LLM_KEY       its model name and API key
    ZHIKU_BENCH_PRICE_IN / ZHIKU_BENCH_PRICE_OUT      price per 1k prompt / completion tokens
    ZHIKU_BENCH_GGUF      local GGUF → model "small" (device); also "large" when no URL is given

    python bench/cascade_bench.py [--sets seed_report rgb_zh cmrc2018_open] [--limit 40] [--no-dense]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.assistant import Assistant  # noqa: E402
from zhiku.config import Settings, load_settings  # noqa: E402
from zhiku.eval.scoring import QAItem, load_qa, mean, percentile  # noqa: E402
from zhiku.models.registry import ModelRegistry  # noqa: E402
from zhiku.types import Answer, AskRequest  # noqa: E402
from zhiku.understand.lang import detect_language  # noqa: E402
from zhiku.wiring import build_assistant, create_kb  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
SETS = {
    "seed_report": ("seed_report/report.txt", "seed_report/qa_dev.jsonl"),
    "rgb_zh": ("rgb_zh/corpus.jsonl", "rgb_zh/qa.jsonl"),
    "cmrc2018_open": ("cmrc2018_open/corpus.jsonl", "cmrc2018_open/qa.jsonl"),
}
POLICIES = ("small_only", "cascade", "local_first", "large_only")
BINS = (0.0, 0.2, 0.35, 0.5, 0.7, 1.01)


def correct(item: QAItem, answer: Answer) -> bool:
    if item.unanswerable:
        return not answer.found
    return answer.found and item.matches(answer.answer + "\n" + answer.short_answer)


def configure_models(registry: ModelRegistry) -> dict[str, Any]:
    """Register the models named by the environment; describe them for the report."""
    info: dict[str, Any] = {}
    price_in = float(os.environ.get("ZHIKU_BENCH_PRICE_IN", "0.002"))
    price_out = float(os.environ.get("ZHIKU_BENCH_PRICE_OUT", "0.006"))
    url = os.environ.get("ZHIKU_BENCH_LLM_URL")
    gguf = os.environ.get("ZHIKU_BENCH_GGUF")
    if gguf:
        from zhiku.models.llama_local import LlamaLocalLLM

        local = LlamaLocalLLM("small", Path(gguf), n_ctx=4096, n_threads=os.cpu_count())
        registry.register("small", local)
        info["small"] = {"backend": "llama_cpp", "path": gguf, "price": 0.0}
        if not url:
            registry.register("large", local, price_prompt_per_1k=price_in, price_completion_per_1k=price_out)
            info["large"] = {
                "backend": "llama_cpp (same GGUF stands in)",
                "price_in": price_in,
                "price_out": price_out,
            }
    if url:
        from zhiku.models.openai_chat import OpenAIChatLLM

        model = os.environ.get("ZHIKU_BENCH_LLM_MODEL", "")
        remote = OpenAIChatLLM(
            "large", base_url=url, model=model, api_key=os.environ.get("ZHIKU_BENCH_LLM_KEY", "")
        )
        registry.register("large", remote, price_prompt_per_1k=price_in, price_completion_per_1k=price_out)
        info["large"] = {"backend": "openai", "model": model, "price_in": price_in, "price_out": price_out}
    return info


def run_policy(assistant: Assistant, items: Sequence[QAItem], policy: str, large: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for item in items:
        q = item.question
        answer = assistant.ask(AskRequest(q, language=detect_language(q), policy=policy))
        calls = answer.trace.calls
        rows.append(
            {
                "ok": correct(item, answer),
                "small": not answer.route.startswith("llm:"),
                "large_calls": sum(1 for c in calls if c.model == large),
                "tokens": answer.trace.prompt_tokens + answer.trace.completion_tokens,
                "cost": answer.trace.cost,
                "ms": answer.latency_ms,
                "reason": re.sub(
                    r"\s*\([^)]*\)|\s*[\d.]+|\s*<", "", answer.trace.route_reason.split(":", 1)[-1]
                ).strip(),
                "fallback": "fallback" in answer.extra,
                "confidence": answer.confidence,
                "found": answer.found,
                "gate": max(answer.trace.gate, key=answer.trace.gate.__getitem__)
                if answer.trace.gate
                else "",
            }
        )
    ms = [r["ms"] for r in rows]
    return {
        "accuracy": round(mean([float(r["ok"]) for r in rows]), 4),
        "share_small_path": round(mean([float(r["small"]) for r in rows]), 4),
        "large_calls": sum(r["large_calls"] for r in rows),
        "tokens": sum(r["tokens"] for r in rows),
        "cost": round(sum(r["cost"] for r in rows), 6),
        "verification_fallbacks": sum(1 for r in rows if r["fallback"]),
        "latency_ms_p50": round(percentile(ms, 50), 1),
        "latency_ms_p95": round(percentile(ms, 95), 1),
        "route_reasons": dict(Counter(r["reason"] for r in rows).most_common()),
        "gate_classes": dict(Counter(r["gate"] for r in rows).most_common()),
        "_rows": rows,
    }


def calibration(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accuracy of found small-path answers per confidence bin."""
    table = []
    for lo, hi in itertools.pairwise(BINS):
        sel = [r for r in rows if r["found"] and lo <= r["confidence"] < hi]
        table.append(
            {
                "bin": f"[{lo:.2f},{min(hi, 1.0):.2f})",
                "n": len(sel),
                "accuracy": round(mean([float(r["ok"]) for r in sel]), 3),
            }
        )
    return table


def build_settings(home: Path, dense: bool, max_evidence: int, evidence_chars: int) -> Settings:
    llm = {"max_evidence": max_evidence, "evidence_chars": evidence_chars}
    return load_settings(home=home, index={"dense": dense}, llm=llm)


def run_set(name: str, corpus: Path, qa: Path, args: argparse.Namespace) -> dict[str, Any]:
    limit, dense = args.limit, not args.no_dense
    items = load_qa(qa)[:limit] if limit else load_qa(qa)
    with tempfile.TemporaryDirectory(prefix=f"zhiku-cascade-{name}-") as home:
        settings = build_settings(Path(home), dense, args.max_evidence, args.evidence_chars)
        kb = create_kb(settings, name)
        started = time.perf_counter()
        kb.ingest([corpus])
        ingest_s = time.perf_counter() - started
        assistant = build_assistant(kb, settings)
        info = configure_models(assistant.registry)
        kb.search("预热 warm-up", top_k=5)
        policies = [p for p in args.policies if info or p in ("small_only", "cascade")]
        out: dict[str, Any] = {"questions": len(items), "ingest_seconds": round(ingest_s, 1), "policies": {}}
        for policy in policies:
            result = run_policy(assistant, items, policy, settings.llm.large)
            rows = result.pop("_rows")
            if policy == "small_only":
                out["calibration"] = calibration(rows)
            if not info and policy == "cascade":
                result["note"] = "no LLM configured: escalations are decided but the small answer is kept"
                result["would_escalate"] = sum(1 for r in rows if "no LLM configured" in r["reason"])
            out["policies"][policy] = result
            print(
                f"  {name:14s} {policy:12s} "
                + json.dumps({k: v for k, v in result.items() if k != "route_reasons"}, ensure_ascii=False)
            )
        kb.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--limit", type=int, default=None, help="questions per set (default: all)")
    parser.add_argument("--no-dense", action="store_true", help="BM25 only (faster ingestion)")
    parser.add_argument("--policies", nargs="*", default=list(POLICIES), choices=POLICIES)
    parser.add_argument("--max-evidence", type=int, default=6, help="chunks shown to the LLM")
    parser.add_argument(
        "--evidence-chars", type=int, default=700, help="characters per chunk shown to the LLM"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cascade_bench.json")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    llm_env = {k: bool(os.environ.get(k)) for k in ("ZHIKU_BENCH_LLM_URL", "ZHIKU_BENCH_GGUF")}
    if not any(llm_env.values()):
        print(
            "No LLM configured (ZHIKU_BENCH_LLM_URL / ZHIKU_BENCH_GGUF unset): reporting the small path only."
        )
    report: dict[str, Any] = {
        "llm_configured": any(llm_env.values()),
        "llm_env": llm_env,
        "dense": not args.no_dense,
        "limit": args.limit,
        "max_evidence": args.max_evidence,
        "evidence_chars": args.evidence_chars,
        "sets": {},
    }
    for name in args.sets:
        corpus_rel, qa_rel = SETS[name]
        corpus, qa = SHARED / corpus_rel, SHARED / qa_rel
        if not corpus.is_file() or not qa.is_file():
            print(f"skip {name}: {SHARED} data not found")
            continue
        report["sets"][name] = run_set(name, corpus, qa, args)
        args.out.parent.mkdir(parents=True, exist_ok=True)  # written after each set: long LLM runs may be cut
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
