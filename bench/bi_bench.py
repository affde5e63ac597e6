"""BI benchmark: numeric questions over examples/ (ours) and the seed report's numeric dev questions.

Builds throw-away knowledge bases (BM25 only, so it runs in seconds), asks every question through
the real assistant (numeric expert first, extractive reader as fallback) and reports accuracy,
the share answered by the numeric expert, and numbers in answers that are neither in a cited
source nor a computed result (target 0).  Writes bench/results/bi_bench.json.

    .venv/bin/python bench/bi_bench.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "bench" / "seed_report"
NUMERIC_DEV_TYPES = {"compute", "chart", "crosslingual"}


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s,]", "", text)


def correct(row: dict[str, Any], answer: str) -> bool:
    got = norm(answer)
    if row.get("unanswerable"):
        return False
    if "all_of" in row:
        return all(norm(a) in got for a in row["all_of"])
    return any(norm(a) in got for a in row.get("answers", []))


def numeric_dev(row: dict[str, Any]) -> bool:
    """compute/chart/crosslingual questions, and fact questions whose answer is a number."""
    if row.get("type") in NUMERIC_DEV_TYPES:
        return True
    return (
        row.get("type") == "fact"
        and any(re.search(r"\d", a) for a in row.get("answers", []))
        and not any(re.search(r"\d+月\d+日", a) for a in row.get("answers", []))
    )


def unsupported_numbers(answer: Any) -> list[str]:
    """Numbers in the answer text not found in a cited span nor among the computed results."""
    text = re.sub(r"\[\d+\]", "", answer.answer)
    allowed = " ".join(c.text for c in answer.citations)
    comp = answer.extra.get("computation") or {}
    allowed += " " + " ".join(str(x) for x in comp.get("computed_numbers", []))
    allowed_norm = norm(allowed)
    missing = []
    for num in re.findall(r"\d+(?:[.,]\d+)*", text):
        n = norm(num)
        if n not in allowed_norm and n not in ("1", "100"):
            missing.append(num)
    return missing


def run_set(name: str, files: list[Path], rows: list[dict[str, Any]], home: Path) -> dict[str, Any]:
    from zhiku.config import Settings
    from zhiku.types import AskRequest
    from zhiku.understand.lang import detect_language
    from zhiku.wiring import build_assistant, open_or_create_kb

    settings = Settings(home=home, index={"dense": False})
    t0 = time.perf_counter()
    kb = open_or_create_kb(settings, name)
    kb.ingest(files)
    ingest_s = time.perf_counter() - t0
    assistant = build_assistant(kb, settings)
    results = []
    for row in rows:
        answer = assistant.ask(AskRequest(row["question"], language=detect_language(row["question"])))
        ok = correct(row, answer.answer) if not row.get("unanswerable") else not answer.found
        results.append(
            {
                "id": row["id"],
                "question": row["question"],
                "ok": ok,
                "route": answer.route,
                "answer": answer.answer,
                "op": row.get("op") or row.get("type", ""),
                "unsupported": unsupported_numbers(answer) if answer.found else [],
                "ms": round(answer.latency_ms, 1),
            }
        )
    kb.close()
    traps = [r for r, row in zip(results, rows, strict=True) if row.get("unanswerable")]
    results = [r for r, row in zip(results, rows, strict=True) if not row.get("unanswerable")]
    n = len(results) or 1
    return {
        "questions": len(results),
        "accuracy": round(sum(r["ok"] for r in results) / n, 4),
        "unanswerable_questions": len(traps),
        "unanswerable_answered_by_numeric": sum(r["route"] == "numeric" for r in traps),
        "unanswerable_results": traps,
        "numeric_share": round(sum(r["route"] == "numeric" for r in results) / n, 4),
        "numeric_accuracy": round(
            sum(r["ok"] for r in results if r["route"] == "numeric")
            / max(1, sum(r["route"] == "numeric" for r in results)),
            4,
        ),
        "unsupported_numbers": sum(len(r["unsupported"]) for r in results),
        "unsupported_numbers_numeric_route": sum(
            len(r["unsupported"]) for r in results if r["route"] == "numeric"
        ),
        "accuracy_by_op": _by_op(results),
        "ingest_s": round(ingest_s, 2),
        "results": results,
    }


def _by_op(results: list[dict[str, Any]]) -> dict[str, float]:
    ops: dict[str, list[bool]] = {}
    for r in results:
        ops.setdefault(r["op"], []).append(bool(r["ok"]))
    return {op: round(sum(v) / len(v), 4) for op, v in sorted(ops.items())}


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from zhiku.bi.question import looks_numeric
    from zhiku.eval.scoring import redact_quotes

    out: dict[str, Any] = {}
    ours = [
        json.loads(x) for x in (ROOT / "bench/data/bi_questions.jsonl").read_text("utf-8").splitlines() if x
    ]
    with tempfile.TemporaryDirectory() as tmp:
        out["examples"] = run_set("bi_examples", [ROOT / "examples/ai_market.xlsx"], ours, Path(tmp))
        if (SEED / "qa_dev.jsonl").is_file():
            dev = [json.loads(x) for x in (SEED / "qa_dev.jsonl").read_text("utf-8").splitlines() if x]
            # plus unanswerable questions that look numeric: the expert must not invent a number for them
            rows = [
                r for r in dev if numeric_dev(r) or (r.get("unanswerable") and looks_numeric(r["question"]))
            ]
            out["seed_dev_numeric"] = run_set("bi_seed", [SEED / "report.txt"], rows, Path(tmp))
        else:
            print("seed report absent: skipped")
    for name, res in out.items():
        print(
            f"{name}: n={res['questions']} accuracy={res['accuracy']:.3f} numeric_share={res['numeric_share']:.3f} "
            f"numeric_accuracy={res['numeric_accuracy']:.3f} unsupported_numbers={res['unsupported_numbers']} "
            f"(numeric route {res['unsupported_numbers_numeric_route']})"
        )
        print(
            f"  unanswerable numeric-looking: {res['unanswerable_questions']}, answered by numeric expert: "
            f"{res['unanswerable_answered_by_numeric']}"
        )
        print("  by op: " + ", ".join(f"{k}={v:.2f}" for k, v in res["accuracy_by_op"].items()))
        for r in res["results"]:
            if not r["ok"]:
                print(f"  MISS {r['id']} [{r['route']}] {r['question']} -> {r['answer'][:100]}")
    path = ROOT / "bench/results/bi_bench.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(redact_quotes(out), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
