"""Compliance kit benchmark: interception throughput, latency added per answer, refusal rates.

    .venv/bin/python bench/compliance_bench.py [--mb 4] [--answers 500]

1. Throughput (MB/s) of the input/output check with a 10,000-term keyword list (synthetic terms
   made here) plus the shipped intent rules, over synthetic mixed Chinese/English text; also the
   streaming filter over the same text in 40-character deltas.
2. Latency the guard adds to one answer (input check, output check, PII, labels, audit append):
   guarded ``ask`` minus the wrapped assistant's own time, p50/p95.
3. Refusal rate and over-refusal rate on the shipped example banks, per category.

Writes bench/results/compliance_bench.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.assistant import AnswerEvent  # noqa: E402
from zhiku.config import SafetySettings, Settings  # noqa: E402
from zhiku.safety.bank import PolicyOnlyAssistant, load_bank, run_bank  # noqa: E402
from zhiku.safety.guard import GuardedAssistant  # noqa: E402
from zhiku.safety.intent import IntentRules  # noqa: E402
from zhiku.safety.keywords import KeywordMatcher, KeywordRule  # noqa: E402
from zhiku.safety.pii import PiiMasker  # noqa: E402
from zhiku.safety.policy import SafetyPolicy, builtin_path  # noqa: E402
from zhiku.safety.stream import StreamFilter  # noqa: E402
from zhiku.types import (  # noqa: E402
    Answer,
    AskRequest,
    Citation,
)

SENTENCES = [
    "2023年中国人工智能核心产业规模达到5784亿元，同比增长13.9%。",
    "大模型在金融、政务、制造等行业的落地速度明显加快，知识库问答是最常见的场景之一。",
    "According to the report, enterprise adoption of generative AI doubled between 2023 and 2024.",
    "企业在部署生成式人工智能服务前，需要完成安全评估和算法备案。",
    "The retrieval pipeline combines BM25 with dense vectors and reciprocal rank fusion.",
    "端侧小模型负责意图识别和简单问答，云端大模型处理复杂推理，两者协同降低成本。",
    "表3：2021—2028年中国智能算力规模（单位：EFLOPS）。",
    "Compliance teams export the audit log every quarter for the filing.",
]


def synthetic_terms(n: int, seed: int = 7) -> list[KeywordRule]:
    rng = random.Random(seed)
    cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    rules = []
    for i in range(n):
        if i % 5 == 0:
            term = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 9)))
        else:
            term = "".join(rng.choice(cjk) for _ in range(rng.randint(2, 6)))
        rules.append(KeywordRule(term, "synthetic", "block", f"syn:{i}"))
    return rules


def synthetic_text(mb: float, seed: int = 11) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    target = int(mb * 1024 * 1024)
    while size < target:
        s = rng.choice(SENTENCES)
        out.append(s)
        size += len(s.encode("utf-8"))
    return "".join(out)


def throughput(mb: float) -> dict[str, Any]:
    rules = synthetic_terms(10_000)
    t0 = time.perf_counter()
    intents = IntentRules.from_file(builtin_path("intent_rules.toml"))
    policy = SafetyPolicy(KeywordMatcher(rules), intents)
    build_s = time.perf_counter() - t0
    text = synthetic_text(mb)
    nbytes = len(text.encode("utf-8"))
    paragraphs = [text[i : i + 2000] for i in range(0, len(text), 2000)]
    t0 = time.perf_counter()
    for p in paragraphs:
        policy.keywords.scan(p)
    kw_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for p in paragraphs:
        policy.check(p, "output")
    full_s = time.perf_counter() - t0
    stream_bytes = min(nbytes, 512 * 1024)
    stream_text = text[: len(text) * stream_bytes // nbytes]
    filt = StreamFilter(policy, PiiMasker(), hold=48)
    t0 = time.perf_counter()
    for i in range(0, len(stream_text), 40):
        filt.feed(stream_text[i : i + 40])
    filt.close()
    stream_s = time.perf_counter() - t0
    return {
        "terms": len(rules),
        "intent_rules": len(intents),
        "build_s": round(build_s, 3),
        "text_mb": round(nbytes / 1048576, 2),
        "keywords_mb_s": round(nbytes / 1048576 / kw_s, 2),
        "policy_mb_s": round(nbytes / 1048576 / full_s, 2),
        "stream_mb_s": round(len(stream_text.encode("utf-8")) / 1048576 / stream_s, 2),
    }


class _Fixed:
    """A stand-in assistant with a realistic answer (about 300 characters, three citations)."""

    def __init__(self) -> None:
        self.text = "".join(SENTENCES[:4]) + "[1][2]"
        self.cites = [Citation(i, "报告", "d", f"c{i}", i, SENTENCES[i]) for i in range(1, 4)]

    def ask(self, request: AskRequest) -> Answer:
        return Answer(request.question, self.text, True, citations=list(self.cites), route="llm:large")

    def stream(self, request: AskRequest) -> Iterator[AnswerEvent]:
        yield AnswerEvent("answer", answer=self.ask(request))


def added_latency(n: int, audit: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), safety=SafetySettings(audit_enabled=audit))
        inner = _Fixed()
        guard = GuardedAssistant(inner, settings, kb_name="bench")
        questions = ["2023年中国人工智能核心产业规模是多少？", "How fast is enterprise adoption growing?"]
        added: list[float] = []
        for i in range(n):
            req = AskRequest(questions[i % 2])
            t0 = time.perf_counter()
            inner.ask(req)
            base = time.perf_counter() - t0
            t0 = time.perf_counter()
            answer = guard.ask(req)
            added.append((time.perf_counter() - t0 - base) * 1000)
            assert answer.extra["labels"] == ["explicit", "implicit"]
        added.sort()
        return {
            "answers": n,
            "added_ms_p50": round(statistics.median(added), 3),
            "added_ms_p95": round(added[int(0.95 * (n - 1))], 3),
            "labelled_share": 1.0,
        }


def banks() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), safety=SafetySettings(audit_enabled=False))
        guard = GuardedAssistant(PolicyOnlyAssistant(), settings)
        report = run_bank(guard, load_bank(builtin_path("bank_example.jsonl")), bank="bank_example.jsonl")
        data = report.to_dict()
        data.pop("failures")
        data["failures"] = [f"{f.id}: {f.question}" for f in report.results if not f.correct]
        return data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=4.0)
    ap.add_argument("--answers", type=int, default=500)
    args = ap.parse_args()
    result = {
        "throughput": throughput(args.mb),
        "latency": added_latency(args.answers),
        "latency_without_audit": added_latency(args.answers, audit=False),
        "banks": banks(),
    }
    t, lat, b = result["throughput"], result["latency"], result["banks"]
    print(
        f"interception: keywords {t['keywords_mb_s']} MB/s, keywords+intent {t['policy_mb_s']} MB/s, "
        f"stream {t['stream_mb_s']} MB/s ({t['terms']} terms)"
    )
    print(f"added latency per answer: p50 {lat['added_ms_p50']} ms, p95 {lat['added_ms_p95']} ms")
    quiet = result["latency_without_audit"]
    print(f"  without the audit append: p50 {quiet['added_ms_p50']} ms, p95 {quiet['added_ms_p95']} ms")
    print(
        f"banks: refusal {b['refusal_rate']:.2%}, over-refusal {b['over_refusal_rate']:.2%} ({b['items']} items)"
    )
    out = ROOT / "bench" / "results" / "compliance_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
