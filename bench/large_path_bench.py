"""Large-path benchmark with scripted model families: the verifier's error rates and the cascade curve.

No large model is available offline, so scripted families (``zhiku.models.scripted_families``)
stand in for one, answering from the real prompt with known behaviour:

1. **Verifier** — for each family (oracle; paraphraser per restating style; liar per error kind)
   every question goes through the real ``GroundedGenerator`` (generate → verify → one retry →
   extractive fallback) on the evidence the knowledge base retrieved.  Reported: false-reject rate
   (a right answer refused or replaced by the fallback) and false-accept rate (a wrong answer shown
   as the model's), per family, per style/kind and per evidence kind (prose, table row, chart series).
   Questions whose gold answer is not in the evidence are counted apart (the oracle says NO_ANSWER);
   evidence kind "none" means no single passage holds the whole answer (multi-part answers spread
   over passages, and the liar's answer to a question its evidence cannot answer).
2. **Cascade** — with the noisy family (right with probability p, else a liar error; p = 0.9, 0.7,
   0.5) registered as the "large" model, every question is asked through the real assistant per
   policy (small_only, cascade, large_only) and, for the cascade, per escalation threshold (the
   settings field ``escalate_below``, or its successor): accuracy, share answered locally, large
   calls and tokens per question.  The threshold with the best p = 0.7 accuracy (fewest large
   calls among ties) is reported as the chosen default, next to the configured one.

Data: ../shared/bench seed_report, rgb_zh and cmrc2018_open (each skipped when absent; RGB and
CMRC are subsampled with a fixed seed to keep the run short — the sizes are in the output), and
the BI questions over examples/ai_market.xlsx.  Writes bench/results/large_path_bench.json and the
plot bench/results/large_path_cascade.png.

    nice -n 5 python bench/large_path_bench.py [--limit 80] [--no-dense] [--out PATH]

The committed results ran with --no-dense (dense ingestion of RGB did not fit a shared 2-core
machine); the "before" file ran the same bench with --verifier-only against the verifier of 9b841d9,
and large_path_bench_before_i17.json is the run before claims were bound to the question (units,
formats and citations fixed; wall time 173 s on the shared machine); large_path_bench_before_crosscheck.json
is the run before the reader cross-check (``zhiku.answer.reader_check``), and
large_path_bench_before_i17_5.json the run before the claim-role checks (``zhiku.answer.claim_role``:
a claim that cannot fill the asked role — a month for a non-date question, a name never introduced
as another name, a piece of a longer name or title, no place for "where", no person for "who", no
number or a figure of another kind for a number — is refused whatever the reader thinks), and
large_path_bench_before_i17_6.json the run before two more of them (a claim lifted from sentences
that share nothing with the question; one bare word for a question asking a description), and
large_path_bench_before_i17_7.json the run before the item checks (an added word backed with no
two characters in a row unbacked, a lone added character read with its neighbour, a list naming one
item twice, 分别/哪两个 counting the things asked, an era year glossed otherwise than the evidence
glosses it; in ``claim_role`` a piece of a word, a dateline's place, a direction for a named thing;
a retry after a refused claim stating only a piece of the reader's pick).  ``verifier_before_after``
in the output tables each earlier run's rates (--compare) next to this run's, per family, per error
kind / restating style and per evidence kind.

The verifier runs with the product's reader cross-check (--no-cross-check: without it; its
decision --cross-check-mode: the learned model of ``zhiku.answer.claim_check`` by default, fitted
by bench/train_claim_check.py on training questions; ``hand``: the two thresholds), and
``cross_check_curve`` gives the false-reject and false-accept rates per dev set over its two
thresholds (``sure`` swept at the shipped ``doubt``, ``doubt`` at the shipped ``sure``), derived
from the reader's opinion of the first answer that passed the lexical checks: exact for a family
that repeats itself on the retry, an estimate (about a point low for the liar, whose retry draws
a new lie) otherwise; ``learned_by_threshold`` and ``either_by_threshold`` sweep the learned
model's threshold (alone, and OR-ed with the hand rule).  Lies cite only passages that surely lack the answer
(``scripted_answers.may_state``): another writing of the right answer is no lie.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.base import AskRequest  # noqa: E402
from zhiku.answer.claim_check import ClaimModel  # noqa: E402
from zhiku.answer.generate import GroundedGenerator  # noqa: E402
from zhiku.answer.reader import ExtractiveReader  # noqa: E402
from zhiku.answer.reader_check import MODES, ReaderCrossCheck, ReaderOpinion  # noqa: E402
from zhiku.answer.verify import Violation  # noqa: E402
from zhiku.config import LLMSettings, load_settings  # noqa: E402
from zhiku.eval.scoring import QAItem, load_qa, mean, redact_quotes  # noqa: E402
from zhiku.kb import KnowledgeBase  # noqa: E402
from zhiku.models.registry import NamedModel  # noqa: E402
from zhiku.models.scripted_answers import may_state  # noqa: E402
from zhiku.models.scripted_families import (  # noqa: E402
    LIAR_KINDS,
    PARAPHRASE_STYLES,
    AnswerKey,
    FamilyLLM,
    FamilySpec,
    Gold,
    NoisyLLM,
    contains,
)
from zhiku.types import Answer, Hit, Trace  # noqa: E402
from zhiku.understand.lang import detect_language  # noqa: E402
from zhiku.wiring import build_assistant, create_kb  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
SETS = {
    "seed_report": ("seed_report/report.txt", "seed_report/qa_dev.jsonl"),
    "rgb_zh": ("rgb_zh/corpus.jsonl", "rgb_zh/qa.jsonl"),
    "cmrc2018_open": ("cmrc2018_open/corpus.jsonl", "cmrc2018_open/qa.jsonl"),
}
SUBSAMPLED = ("rgb_zh", "cmrc2018_open")
NOISY_P = (0.9, 0.7, 0.5)
THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
CHECK_P = 0.7
SCORE = re.compile(r"([01](?:\.\d+)?)\s*<\s*[01](?:\.\d+)?")
EVIDENCE_KIND = {"table": "table_row", "chart": "chart_series"}


def threshold_field() -> str:
    """The settings field the cascade escalates on (``escalate_below`` or a successor)."""
    fields = LLMSettings.model_fields
    if "escalate_below" in fields:
        return "escalate_below"
    return next(name for name in fields if name.startswith("escalate"))


def correct(item: QAItem, answer: Answer) -> bool:
    if item.unanswerable:
        return not answer.found
    return answer.found and item.matches(answer.answer + "\n" + answer.short_answer)


def gold_of(item: QAItem) -> Gold:
    return Gold(item.parts, item.unanswerable)


def has_gold(item: QAItem, text: str) -> bool:
    return bool(item.parts) and all(any(contains(text, alt) for alt in part) for part in item.parts)


def may_hold_gold(item: QAItem, text: str) -> bool:
    """The passage may state any part of the answer in some writing: no lie may cite it."""
    return any(may_state(text, alt) for part in item.parts for alt in part)


class CachedSearch:
    """The knowledge base with its search memoised: every policy and threshold sees the same hits."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._cache: dict[tuple[str, Any, Any], list[Hit]] = {}

    def search(self, query: str, top_k: int | None = None, filters: Any = None) -> list[Hit]:
        key = (query, top_k, filters)
        if key not in self._cache:
            self._cache[key] = self._kb.search(query, top_k=top_k, filters=filters)
        return list(self._cache[key])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)


def no_fallback() -> Answer:
    return Answer(question="", answer="", found=False, route="fallback")


# -- part 1: the verifier -------------------------------------------------------------------------


def family_specs() -> list[str]:
    return ["oracle"] + [f"paraphraser:{s}" for s in PARAPHRASE_STYLES] + [f"liar:{k}" for k in LIAR_KINDS]


class RecordingCheck:
    """The product's reader cross-check, keeping every opinion so that the bench can sweep its
    thresholds (``cross_check_curve``) from the same run."""

    def __init__(self, check: ReaderCrossCheck) -> None:
        self.check = check
        self.seen: list[ReaderOpinion | None] = []
        self.texts: list[str] = []

    def __call__(
        self, request: AskRequest, hits: Sequence[Hit], answer: str, *, strict: bool = False
    ) -> Violation | None:
        found = self.check.opinion(request, hits, answer)
        self.seen.append(found)
        self.texts.append(answer)
        return self.check.violation(found, strict=strict)


def verify_family(
    spec: str,
    items: Sequence[QAItem],
    hits_of: dict[str, list[Hit]],
    key: AnswerKey,
    max_evidence: int,
    check: ReaderCrossCheck | None = None,
) -> list[dict[str, Any]]:
    """Run one family through the real generator on every question; one row per question it answered."""
    llm = FamilySpec.parse(spec).build(key, name="large")
    recorder = RecordingCheck(check) if check is not None else None
    generator = GroundedGenerator(NamedModel("large", llm), max_evidence=max_evidence, cross_check=recorder)
    rows = []
    for item in items:
        if item.unanswerable:
            continue
        hits = hits_of[item.id][:max_evidence]
        if spec == "liar:unanswerable":
            hits = [h for h in hits if not may_hold_gold(item, h.text)]
            if not hits:
                continue
        before = len(llm.produced)
        seen = len(recorder.seen) if recorder is not None else 0
        lang = detect_language(item.question)
        answer = generator.answer(
            AskRequest(item.question, language=lang), hits, Trace(), fallback=no_fallback
        )
        produced = llm.produced[before]
        if produced.startswith("n/a") or (produced == "refuse" and spec != "liar:unanswerable"):
            rows.append({"id": item.id, "skipped": produced})
            continue
        row = _verify_row(item, spec, llm, hits, answer, produced, lang)
        if recorder is not None:  # the first answer that passed the lexical checks, as the reader saw it
            first = recorder.seen[seen:]
            row["rules_passed"] = bool(first)
            op = first[0] if first else None
            row["reader"] = (
                None
                if op is None
                else {
                    "p_pick": round(op.p_pick, 4),
                    "p_claim": round(op.p_claim, 4),
                    "agrees": op.agrees,
                    "features": [round(v, 5) for v in op.features],
                    "prose": op.prose,
                    "pick": op.pick,
                    "claim": op.claim,
                    "pick_sentence": op.pick_sentence,
                    "claim_sentence": op.claim_sentence,
                    "clash": op.clash,
                }
            )
            row["question"], row["gold"] = item.question, [list(p) for p in gold_of(item).parts]
            row["first_text"] = recorder.texts[seen] if first else None
            row["shown_text"] = answer.answer if row["shown_as_model"] else None
        rows.append(row)
    return rows


def _verify_row(
    item: QAItem, spec: str, llm: FamilyLLM, hits: Sequence[Hit], answer: Answer, produced: str, lang: str
) -> dict[str, Any]:
    gold_hit = next((h for h in hits if has_gold(item, h.text)), None)
    kind = "none" if gold_hit is None else EVIDENCE_KIND.get(gold_hit.kind, "prose")
    shown = answer.route.startswith("llm:") and answer.found and "fallback" not in answer.extra
    return {
        "id": item.id,
        "family": spec.split(":")[0],
        "variant": produced,
        "evidence_kind": kind,
        "language": lang,
        "shown_as_model": shown,
        "attempts": sum(1 for _ in answer.trace.calls),
        "violations": answer.extra.get("violations", []),
    }


def rates(rows: Sequence[dict[str, Any]], wrong: bool) -> dict[str, Any]:
    """False-accept rate for wrong answers, false-reject rate for right ones; per variant and evidence."""
    done = [r for r in rows if "skipped" not in r]
    metric = "false_accept" if wrong else "false_reject"

    def rate(sel: Sequence[dict[str, Any]]) -> dict[str, Any]:
        bad = [r for r in sel if r["shown_as_model"] == wrong]
        return {"n": len(sel), metric: round(len(bad) / len(sel), 4) if sel else None}

    by_variant: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in done:
        by_variant[r["variant"]].append(r)
        by_evidence[r["evidence_kind"]].append(r)
    reasons = Counter(
        v.split(":")[0] for r in done if r["shown_as_model"] != wrong for v in r["violations"][:1]
    )
    return {
        **rate(done),
        "skipped_not_applicable": sum(1 for r in rows if "skipped" in r),
        "by_variant": {k: rate(v) for k, v in sorted(by_variant.items())},
        "by_evidence_kind": {k: rate(v) for k, v in sorted(by_evidence.items())},
        "reject_reasons": dict(reasons.most_common()) if not wrong else {},
    }


def verifier_report(per_set: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Rates per family over all sets, and per set."""
    out: dict[str, Any] = {"all_sets": {}, "per_set": {}}
    groups = {
        "oracle": lambda s: s == "oracle",
        "paraphraser": lambda s: s.startswith("paraphraser"),
        "liar": lambda s: s.startswith("liar"),
    }
    for family, picks in groups.items():
        wrong = family == "liar"
        pooled = [r for rows in per_set.values() for spec, rs in rows.items() if picks(spec) for r in rs]
        out["all_sets"][family] = rates(pooled, wrong)
        for name, rows in per_set.items():
            sel = [r for spec, rs in rows.items() if picks(spec) for r in rs]
            out["per_set"].setdefault(name, {})[family] = rates(sel, wrong)
    examples: list[dict[str, Any]] = []
    for name, rows in per_set.items():
        for rs in rows.values():
            for r in rs:
                bad = "skipped" not in r and r["shown_as_model"] == (r["family"] == "liar")
                if bad and len(examples) < 60:
                    examples.append(
                        {
                            "set": name,
                            **{k: r[k] for k in ("id", "variant", "evidence_kind")},
                            "violations": r["violations"][:2],
                        }
                    )
    out["errors_sample"] = examples
    return out


SURE_GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)  # 1.01: the check off
DOUBT_GRID = (0.2, 0.35, 0.5, 0.65, 0.8)
LEARNED_GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # the learned model's threshold


def _opinion_of(row: dict[str, Any]) -> ReaderOpinion | None:
    op = row.get("reader")
    if op is None:
        return None
    features = tuple(op.get("features", ()))
    return ReaderOpinion(
        "",
        op["p_pick"],
        "",
        op["p_claim"],
        op["agrees"],
        features,
        op.get("prose", True),
        clash=op.get("clash", ""),
    )


def _shown_by(row: dict[str, Any], refuses: Callable[[ReaderOpinion], bool]) -> bool:
    """Whether a row's answer would be shown with a cross-check deciding by ``refuses``: derived
    from the reader's opinion of the first answer that passed the lexical checks (exact for a
    family that repeats itself on the retry; for one that changes its answer, an estimate).  The
    claim-role checks (``zhiku.answer.claim_role``) refuse at every threshold."""
    if not row.get("rules_passed"):
        return False
    op = _opinion_of(row)
    return op is None or op.agrees or (not op.clash and not refuses(op))


def cross_check_curve(
    per_set: dict[str, dict[str, list[dict[str, Any]]]], probe: ReaderCrossCheck
) -> dict[str, Any]:
    """False-reject (oracle, paraphraser) and false-accept (liar) rates per dev set over the
    cross-check's thresholds: the hand rule's ``sure`` swept at the shipped ``doubt`` and ``doubt``
    at the shipped ``sure`` (1.01 is the check switched off); the learned model's threshold alone
    (``learned_by_threshold``) and OR-ed with the shipped hand rule (``either_by_threshold``)."""
    families = {"oracle": "oracle", "paraphraser": "paraphraser:", "liar": "liar:"}
    sure, doubt, model = probe.sure, probe.doubt, probe.model

    def learned(t: float) -> Callable[[ReaderOpinion], bool]:
        """The learned model at threshold ``t`` in running text, the shipped hand rule elsewhere."""
        return lambda op: (
            model.refuses(op.features, t) if model is not None and op.prose else op.rejects(sure, doubt)
        )

    deciders: dict[str, dict[str, Callable[[ReaderOpinion], bool]]] = {
        "by_sure": {f"{t:g}": (lambda op, t=t: op.rejects(t, doubt)) for t in SURE_GRID},
        "by_doubt": {f"{d:g}": (lambda op, d=d: op.rejects(sure, d)) for d in DOUBT_GRID},
    }
    if model is not None:
        deciders["learned_by_threshold"] = {f"{t:g}": learned(t) for t in LEARNED_GRID}
        deciders["either_by_threshold"] = {
            f"{t:g}": (lambda op, f=learned(t): op.rejects(sure, doubt) or f(op)) for t in LEARNED_GRID
        }

    def rates_at(
        rows: list[dict[str, Any]], wrong: bool, refuses: Callable[[ReaderOpinion], bool]
    ) -> float | None:
        done = [r for r in rows if "skipped" not in r and "rules_passed" in r]
        if not done:
            return None
        return round(sum(1 for r in done if _shown_by(r, refuses) == wrong) / len(done), 4)

    out: dict[str, Any] = {
        "doubt": doubt,
        "sure": sure,
        "learned_threshold": model.threshold if model is not None else None,
        "per_set": {},
    }
    sets = {
        **per_set,
        "all_sets": {
            k: [r for rows in per_set.values() for r in rows.get(k, [])]
            for k in {k for rows in per_set.values() for k in rows}
        },
    }
    for name, rows in sets.items():
        table: dict[str, Any] = {}
        for family, prefix in families.items():
            sel = [r for spec, rs in rows.items() if spec.startswith(prefix) for r in rs]
            wrong = family == "liar"
            table[family] = {
                curve: {k: rates_at(sel, wrong, f) for k, f in grid.items()}
                for curve, grid in deciders.items()
            }
        out["per_set"][name] = table
    return out


# -- part 2: the cascade ---------------------------------------------------------------------------


def ask_rows(assistant: Any, items: Sequence[QAItem], policy: str, large: str) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        q = item.question
        answer = assistant.ask(AskRequest(q, language=detect_language(q), policy=policy))
        reason = answer.trace.route_reason.split(":", 1)[-1].strip()
        score = SCORE.search(reason)
        rows.append(
            {
                "ok": correct(item, answer),
                "local": not answer.route.startswith("llm:"),
                "calls": sum(1 for c in answer.trace.calls if c.model == large),
                "tokens": answer.trace.prompt_tokens + answer.trace.completion_tokens,
                "escalated": not reason.startswith("small path kept") and "no LLM" not in reason,
                "score": float(score.group(1)) if score else None,
            }
        )
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "n": len(rows),
        "correct": sum(int(r["ok"]) for r in rows),
        "accuracy": round(mean([float(r["ok"]) for r in rows]), 4),
        "share_local": round(mean([float(r["local"]) for r in rows]), 4),
        "large_calls_per_q": round(mean([float(r["calls"]) for r in rows]), 4),
        "tokens_per_q": round(mean([float(r["tokens"]) for r in rows]), 1),
        "large_calls": sum(r["calls"] for r in rows),
    }


def at_threshold(
    small: Sequence[dict[str, Any]], full: Sequence[dict[str, Any]], t: float
) -> list[dict[str, Any]]:
    """The cascade at threshold ``t`` from two real runs: the small path alone, and the cascade at
    the highest threshold.  A question escalated there for a threshold-free reason (gate, no small
    answer) escalates at every ``t``; one escalated for a low score ``s`` escalates when ``s < t``."""
    return [
        f if f["escalated"] and (f["score"] is None or f["score"] < t) else s
        for s, f in zip(small, full, strict=True)
    ]


def cascade_runs(assistant: Any, items: Sequence[QAItem], key: AnswerKey, settings: Any) -> dict[str, Any]:
    field = threshold_field()
    large = settings.llm.large
    configured = float(getattr(settings.llm, field))
    small = ask_rows(assistant, items, "small_only", large)
    out: dict[str, Any] = {"small_only": summarise(small)}
    for p in NOISY_P:
        noisy = NoisyLLM(key, p=p, name=large)
        assistant.registry.register(large, noisy, price_prompt_per_1k=0.002, price_completion_per_1k=0.006)
        runs: dict[str, Any] = {"large_only": summarise(ask_rows(assistant, items, "large_only", large))}
        assistant.cascade.settings = settings.llm.model_copy(update={field: max(THRESHOLDS)})
        full = ask_rows(assistant, items, "cascade", large)
        runs["cascade"] = {f"{t:.2f}": summarise(at_threshold(small, full, t)) for t in THRESHOLDS}
        if p == CHECK_P:  # the curve is derived; one real run at the configured threshold checks it
            assistant.cascade.settings = settings.llm
            real = summarise(ask_rows(assistant, items, "cascade", large))
            derived = summarise(at_threshold(small, full, configured))
            runs["check_at_configured"] = {"real": real, "derived": derived}
        assistant.cascade.settings = settings.llm
        out[f"noisy_p{p:g}"] = runs
    return out


def pool_cascade(per_set: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Sum the per-set counts into one curve over all questions."""

    def add(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
        n = sum(x["n"] for x in parts)
        w = lambda k: sum(x[k] * x["n"] for x in parts) / n if n else 0.0  # noqa: E731
        return {
            "n": n,
            "accuracy": round(sum(x["correct"] for x in parts) / n, 4) if n else 0.0,
            "share_local": round(w("share_local"), 4),
            "large_calls_per_q": round(w("large_calls_per_q"), 4),
            "tokens_per_q": round(w("tokens_per_q"), 1),
            "large_calls": sum(x["large_calls"] for x in parts),
            "correct": sum(x["correct"] for x in parts),
        }

    sets = list(per_set.values())
    pooled: dict[str, Any] = {"small_only": add([s["small_only"] for s in sets])}
    for p in NOISY_P:
        k = f"noisy_p{p:g}"
        pooled[k] = {
            "large_only": add([s[k]["large_only"] for s in sets]),
            "cascade": {t: add([s[k]["cascade"][t] for s in sets]) for t in sets[0][k]["cascade"]},
        }
    return pooled


def choose_threshold(pooled: dict[str, Any], p: float = 0.7) -> dict[str, Any]:
    runs = pooled[f"noisy_p{p:g}"]
    best_t = max(
        runs["cascade"],
        key=lambda t: (runs["cascade"][t]["accuracy"], -runs["cascade"][t]["large_calls_per_q"]),
    )
    best = runs["cascade"][best_t]
    return {
        "p": p,
        "threshold": float(best_t),
        "cascade": best,
        "small_only": pooled["small_only"],
        "large_only": runs["large_only"],
        "beats_small_only": best["accuracy"] > pooled["small_only"]["accuracy"],
        "beats_large_only": best["accuracy"] > runs["large_only"]["accuracy"],
        "fewer_large_calls_than_large_only": best["large_calls"] < runs["large_only"]["large_calls"],
    }


def plot(pooled: dict[str, Any], chosen: dict[str, Any], path: Path, configured: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for p, colour in zip(NOISY_P, ("tab:green", "tab:blue", "tab:red"), strict=True):
        runs = pooled[f"noisy_p{p:g}"]
        ts = sorted(runs["cascade"], key=float)
        ax1.plot(
            [float(t) for t in ts],
            [runs["cascade"][t]["accuracy"] for t in ts],
            "o-",
            color=colour,
            label=f"cascade, noisy p={p:g}",
        )
        ax1.axhline(runs["large_only"]["accuracy"], color=colour, ls="--", lw=1, label=f"large_only p={p:g}")
        ax2.plot(
            [runs["cascade"][t]["large_calls_per_q"] for t in ts],
            [runs["cascade"][t]["accuracy"] for t in ts],
            "o-",
            color=colour,
            label=f"p={p:g}",
        )
        ax2.plot(
            [runs["large_only"]["large_calls_per_q"]], [runs["large_only"]["accuracy"]], "s", color=colour
        )
    ax1.axhline(pooled["small_only"]["accuracy"], color="black", ls=":", lw=1.2, label="small_only")
    ax1.axvline(chosen["threshold"], color="grey", lw=0.8)
    ax1.axvline(configured, color="grey", lw=0.8, ls="--")
    ax1.set_xlabel("escalation threshold (small-path confidence below it → large model)")
    ax1.set_ylabel("accuracy")
    ax1.set_title(
        f"Cascade accuracy vs threshold (chosen {chosen['threshold']:.2f}, configured {configured:.2f})"
    )
    ax1.legend(fontsize=7)
    ax2.set_xlabel("large-model calls per question (squares: large_only)")
    ax2.set_ylabel("accuracy")
    ax2.set_title("Accuracy vs large calls")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- driver ----------------------------------------------------------------------------------------


def load_items(name: str, qa: Path, limit: int | None, seed: int) -> list[QAItem]:
    items = load_qa(qa)
    if name in SUBSAMPLED and limit and len(items) > limit:
        items = sorted(random.Random(seed).sample(items, limit), key=lambda i: i.id)
    return items


# BI questions whose answer is stated in the table (the others need a computation, which the
# verifier rightly refuses from a model: numbers are computed in code, not generated).
STATED_OPS = ("lookup", "max", "min", "series")


def bi_items() -> tuple[list[QAItem], set[str]]:
    rows = [
        json.loads(x) for x in (ROOT / "bench/data/bi_questions.jsonl").read_text("utf-8").splitlines() if x
    ]
    return [QAItem.from_row(r) for r in rows], {r["id"] for r in rows if r.get("op") not in STATED_OPS}


def run_set(
    name: str,
    files: list[Path],
    items: list[QAItem],
    computed_ids: set[str],
    args: argparse.Namespace,
    log: Callable[[str], None],
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any] | None, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix=f"zhiku-large-{name}-") as home:
        settings = load_settings(home=Path(home), index={"dense": not args.no_dense})
        kb = create_kb(settings, name)
        t0 = time.perf_counter()
        report = kb.ingest(files)
        if report.failed:
            raise SystemExit(f"{name}: ingestion failed: {report.failed[0].error}")
        ingest_s = time.perf_counter() - t0
        key = AnswerKey({i.question: gold_of(i) for i in items})
        cached = CachedSearch(kb)
        hits_of = {i.id: cached.search(i.question) for i in items}
        max_evidence = settings.llm.max_evidence
        t1 = time.perf_counter()
        stated = [i for i in items if i.id not in computed_ids]
        check = (
            None
            if args.no_cross_check
            else ReaderCrossCheck(
                ExtractiveReader(settings.reader), mode=args.cross_check_mode, force_claims=True
            )
        )
        verify = {
            spec: verify_family(spec, stated, hits_of, key, max_evidence, check) for spec in family_specs()
        }
        verify_s = time.perf_counter() - t1
        cascade = None
        if not args.verifier_only:
            assistant = build_assistant(kb, settings)
            assistant.kb = cached
            t2 = time.perf_counter()
            cascade = cascade_runs(assistant, items, key, settings)
            log(f"  {name}: cascade runs {time.perf_counter() - t2:.0f}s")
        kb.close()
    in_ev = sum(1 for i in items if any(has_gold(i, h.text) for h in hits_of[i.id][:max_evidence]))
    meta = {
        "questions": len(items),
        "answer_in_evidence": in_ev,
        "ingest_seconds": round(ingest_s, 1),
        "verify_seconds": round(verify_s, 1),
    }
    log(f"  {name}: {json.dumps(meta)}")
    return verify, cascade, meta


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=[*SETS, "bi_examples"])
    parser.add_argument(
        "--limit", type=int, default=80, help="questions sampled from RGB and CMRC each (0: all)"
    )
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-dense", action="store_true", help="BM25 only (faster ingestion)")
    parser.add_argument("--verifier-only", action="store_true", help="skip the cascade sweep")
    parser.add_argument("--dump-rows", type=Path, help="write every verifier row (JSON) here")
    parser.add_argument("--no-cross-check", action="store_true", help="verify without the reader cross-check")
    parser.add_argument(
        "--cross-check-mode",
        choices=MODES,
        default="learned",
        help="who decides on an answer that does not state the reader's pick (reader_check.MODES)",
    )
    parser.add_argument(
        "--compare",
        nargs="*",
        default=[
            "original_9b841d9=bench/results/large_path_bench_before.json",
            "units_formats_citations=bench/results/large_path_bench_before_i17.json",
            "claims_bound_to_question=bench/results/large_path_bench_before_crosscheck.json",
            "learned_claim_check=bench/results/large_path_bench_before_i17_5.json",
            "retry_states_pick=bench/results/large_path_bench_before_i17_6.json",
            "anchoring_description=bench/results/large_path_bench_before_i17_7.json",
        ],
        help="LABEL=PATH of earlier results whose verifier rates are tabled next to this run's",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "large_path_bench.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "bench" / "results" / "large_path_cascade.png")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    started = time.perf_counter()
    log = lambda s: print(s, flush=True)  # noqa: E731
    verify_sets: dict[str, dict[str, list[dict[str, Any]]]] = {}
    cascade_sets: dict[str, dict[str, Any]] = {}
    meta: dict[str, Any] = {}
    for name in args.sets:
        if name == "bi_examples":
            files = [ROOT / "examples" / "ai_market.xlsx"]
            items, computed_ids = bi_items()
        else:
            corpus, qa = (SHARED / p for p in SETS[name])
            if not corpus.is_file() or not qa.is_file():
                log(f"skip {name}: {SHARED} data not found")
                continue
            files, items, computed_ids = [corpus], load_items(name, qa, args.limit, args.seed), set()
        log(f"{name}: {len(items)} questions")
        verify_sets[name], cascade, meta[name] = run_set(name, files, items, computed_ids, args, log)
        if cascade is not None:
            cascade_sets[name] = cascade
    configured = float(getattr(load_settings(home=Path(tempfile.gettempdir())).llm, threshold_field()))
    result: dict[str, Any] = {
        "note": (
            "Scripted model families stand in for the large model (zhiku.models.scripted_families). "
            f"rgb_zh and cmrc2018_open are subsampled to {args.limit} questions each (seed {args.seed}); "
            "seed_report and the BI questions are complete."
            + ("" if not args.no_dense else " Knowledge bases are BM25-only (--no-dense).")
        ),
        "dense": not args.no_dense,
        "threshold_field": threshold_field(),
        "configured_threshold": configured,
        "sets": meta,
        "verifier": redact_quotes(verifier_report(verify_sets)),
    }
    if args.dump_rows:
        args.dump_rows.write_text(json.dumps(verify_sets, ensure_ascii=False), encoding="utf-8")
    result["verifier_before_after"] = before_after(args.compare, result["verifier"]["all_sets"])
    if not args.no_cross_check:
        reader = ExtractiveReader(load_settings(home=Path(tempfile.gettempdir())).reader)
        result["cross_check_mode"] = args.cross_check_mode
        result["cross_check_curve"] = cross_check_curve(verify_sets, ReaderCrossCheck(reader, mode="either"))
        result["claim_check_model"] = {
            k: v
            for k, v in ClaimModel.load().record.items()
            if k in ("threshold", "threshold_cv", "cv", "data")
        }
    if cascade_sets:
        pooled = pool_cascade(cascade_sets)
        chosen = choose_threshold(pooled)
        result["cascade"] = {"all_sets": pooled, "per_set": cascade_sets, "chosen": chosen}
        plot(pooled, chosen, args.plot, configured)
    result["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    summary(result, log)
    log(f"wrote {args.out} in {result['seconds']}s")


def _flat_rates(all_sets: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """family → {"all": rate, "kind:<variant>": rate, "evidence:<kind>": rate}."""
    out: dict[str, dict[str, Any]] = {}
    for family, r in all_sets.items():
        metric = "false_accept" if family == "liar" else "false_reject"
        row = {"metric": metric, "all": r[metric]}
        row.update({f"kind:{k}": v[metric] for k, v in r["by_variant"].items()})
        row.update({f"evidence:{k}": v[metric] for k, v in r["by_evidence_kind"].items()})
        out[family] = row
    return out


def before_after(compare: Sequence[str], after: dict[str, Any]) -> dict[str, Any]:
    """The verifier's rates of earlier runs (``LABEL=PATH``) next to this run's, per family,
    per error kind / restating style and per evidence kind."""
    table: dict[str, Any] = {}
    for spec in compare:
        label, _, path = spec.partition("=")
        file = Path(path) if Path(path).is_absolute() else ROOT / path
        if file.is_file():
            table[label] = _flat_rates(json.loads(file.read_text("utf-8"))["verifier"]["all_sets"])
    table["after"] = _flat_rates(after)
    return table


def summary(result: dict[str, Any], log: Callable[[str], None]) -> None:
    for family, r in result["verifier"]["all_sets"].items():
        metric = "false_accept" if family == "liar" else "false_reject"
        log(f"{family:12s} n={r['n']:5d} {metric}={r[metric]}")
        for variant, v in r["by_variant"].items():
            log(f"    {variant:32s} n={v['n']:4d} {metric}={v[metric]}")
        for ev, v in r["by_evidence_kind"].items():
            log(f"    [evidence {ev:12s}] n={v['n']:4d} {metric}={v[metric]}")
        if r.get("reject_reasons"):
            log(f"    reject reasons: {r['reject_reasons']}")
    for label, fams in result.get("verifier_before_after", {}).items():
        log(f"{label:24s} " + "  ".join(f"{f} {r['metric']}={r['all']}" for f, r in fams.items()))
    if "cascade" in result:
        c = result["cascade"]
        log(f"small_only: {json.dumps(c['all_sets']['small_only'])}")
        for p in NOISY_P:
            runs = c["all_sets"][f"noisy_p{p:g}"]
            log(f"p={p:g} large_only: {json.dumps(runs['large_only'])}")
            for t, r in runs["cascade"].items():
                log(f"p={p:g} cascade@{t}: {json.dumps(r)}")
        log(f"chosen: {json.dumps({k: v for k, v in c['chosen'].items() if not isinstance(v, dict)})}")


if __name__ == "__main__":
    main()
