"""Does accuracy on generated questions track accuracy on the hand-written dev set?

On the seed report (../shared/bench/seed_report; skipped when absent) it builds a KB, generates a
QA set with ``zhiku.eval.generate`` (never looking at the dev questions), runs the dev set and the
generated set through the same configurations with ``zhiku.eval.run_eval``, and reports both
accuracies per configuration, their rank correlation, and whether the configurations rank the same
(and pick the same best).  The "large model" of the cascade configuration is the deterministic
``evidence_echo`` stand-in on the shipped ScriptedLLM (no GPU, no network).

Only figures are written (bench/results/eval_seed_agreement.json): no question or passage text,
because the report's text may not be copied.

    python bench/eval_agreement_bench.py [-n 200] [--seed 7] [--no-dense]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.config import load_settings  # noqa: E402
from zhiku.eval.configs import EvalConfig, InjectedModel  # noqa: E402
from zhiku.eval.generate import QAGenerator  # noqa: E402
from zhiku.eval.runner import run_eval  # noqa: E402
from zhiku.eval.scoring import QAItem, load_qa, mean  # noqa: E402
from zhiku.eval.stand_in import evidence_echo  # noqa: E402
from zhiku.eval.stats import bootstrap_ci  # noqa: E402
from zhiku.models.scripted import ScriptedLLM  # noqa: E402
from zhiku.wiring import create_kb  # noqa: E402

SEED = ROOT.parent / "shared" / "bench" / "seed_report"


def configs() -> list[EvalConfig]:
    echo = InjectedModel(ScriptedLLM(evidence_echo, name="large", remote=True), 0.002, 0.006)
    return [
        EvalConfig("small_only", {"llm": {"policy": "small_only"}}),
        EvalConfig("cascade+scripted", {"llm": {"policy": "cascade"}}, {"large": echo}),
        EvalConfig("large_only+scripted", {"llm": {"policy": "large_only"}}, {"large": echo}),
        EvalConfig("top_k=1", {"llm": {"policy": "small_only"}, "retrieval": {"top_k": 1, "rerank": False}}),
        EvalConfig("reader>=0.6", {"llm": {"policy": "small_only"}, "reader": {"min_confidence": 0.6}}),
        EvalConfig("bm25_only", {"llm": {"policy": "small_only"}, "index": {"dense": False}}),
    ]


def kendall_tau(a: list[float], b: list[float]) -> tuple[float, int]:
    """Kendall's tau-b between two score lists, and the number of pairs the two order oppositely."""
    concordant = discordant = ties_a = ties_b = 0
    for i, j in combinations(range(len(a)), 2):
        da, db = a[i] - a[j], b[i] - b[j]
        if da == 0 and db == 0:
            continue
        if da == 0:
            ties_a += 1
        elif db == 0:
            ties_b += 1
        elif (da > 0) == (db > 0):
            concordant += 1
        else:
            discordant += 1
    denom = ((concordant + discordant + ties_a) * (concordant + discordant + ties_b)) ** 0.5
    return (round((concordant - discordant) / denom, 4) if denom else 1.0), discordant


def per_subset(report: Any, prefix: str, seed: int) -> dict[str, dict[str, Any]]:
    out = {}
    for s in report.summaries:
        rows = [r for r in report.items if r.config == s.name and r.id.startswith(prefix)]
        strict = [float(r.grade.strict) for r in rows]
        out[s.name] = {
            "n": len(rows),
            "accuracy": round(mean(strict), 4),
            "accuracy_ci": bootstrap_ci(strict, seed=seed),
            "quote_or_short": round(mean([float(r.grade.quote_or_short) for r in rows]), 4),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-dense", action="store_true", help="BM25 only (no embedder) for every config")
    parser.add_argument(
        "--dump", type=Path, default=None, help="also write the generated QA set (not for commit)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "eval_seed_agreement.json")
    args = parser.parse_args()
    if not (SEED / "report.txt").is_file():
        print(f"skipped: {SEED} not found")
        return
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="zhiku-eval-agree-") as home:
        settings = load_settings(home=Path(home), index={"dense": not args.no_dense})
        with create_kb(settings, "seed") as kb:
            kb.ingest([SEED / "report.txt"])
            generated = QAGenerator(kb, seed=args.seed).run(args.n)
        if args.dump:
            args.dump.write_text(
                "".join(json.dumps(g.to_dict(), ensure_ascii=False) + "\n" for g in generated), "utf-8"
            )
        dev = [QAItem.from_row({**vars_of(i), "id": f"dev:{i.id}"}) for i in load_qa(SEED / "qa_dev.jsonl")]
        gen = [QAItem.from_row({**g.to_dict(), "id": f"gen:{g.id}"}) for g in generated]
        report = run_eval(settings, "seed", [*dev, *gen], configs(), seed=args.seed)
    dev_acc, gen_acc = per_subset(report, "dev:", args.seed), per_subset(report, "gen:", args.seed)
    names = [s.name for s in report.summaries]
    a, b = [dev_acc[n]["accuracy"] for n in names], [gen_acc[n]["accuracy"] for n in names]
    rank_dev = sorted(names, key=lambda n: -dev_acc[n]["accuracy"])
    rank_gen = sorted(names, key=lambda n: -gen_acc[n]["accuracy"])
    tau, discordant = kendall_tau(a, b)
    best_dev = max(a)
    kinds: dict[str, int] = {}
    for g in generated:
        kinds[g.kind] = kinds.get(g.kind, 0) + 1
    result = {
        "data": "seed_report (report.txt + qa_dev.jsonl)",
        "generated": {"n": len(generated), "seed": args.seed, "kinds": kinds},
        "dev_questions": len(dev),
        "dense": not args.no_dense,
        "configs": {
            n: {
                "dev": dev_acc[n],
                "generated": gen_acc[n],
                "cost_per_question": s.cost_per_question,
                "share_local": s.share_local,
                "unsupported_numbers": s.unsupported_numbers,
            }
            for n, s in zip(names, report.summaries, strict=True)
        },
        "kendall_tau": tau,
        "discordant_pairs": discordant,
        "rank_dev": rank_dev,
        "rank_generated": rank_gen,
        "same_ranking": discordant == 0,  # no two configurations ordered oppositely (ties allowed)
        "same_best": dev_acc[rank_gen[0]]["accuracy"] == best_dev,  # generated's best is (one of) dev's best
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


def vars_of(item: QAItem) -> dict[str, Any]:
    """A dev item back as a QA row (answer parts kept, type kept)."""
    return {
        "id": item.id,
        "question": item.question,
        "answer_parts": [list(p) for p in item.parts],
        "unanswerable": item.unanswerable,
        "type": item.type,
    }


if __name__ == "__main__":
    main()
