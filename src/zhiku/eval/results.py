"""What an evaluation produces: one ``ItemResult`` per question and configuration, one
``ConfigSummary`` per configuration, the paired comparisons and the recommendation.

All are plain frozen dataclasses with ``to_dict`` so the JSON report, the terminal table, the
HTML report and the API read the same numbers.

>>> summarise("cascade", rows, seed=0).accuracy
0.82
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from zhiku.eval.graders import Grade, grade
from zhiku.eval.metrics import answered_locally, latency_summary
from zhiku.eval.scoring import QAItem, mean
from zhiku.eval.stats import PairedResult, bootstrap_ci, compare


@dataclass(frozen=True)
class CitedPassage:
    index: int
    document: str
    chunk_id: str
    page: int | None
    text: str


@dataclass(frozen=True)
class ItemResult:
    """One question asked under one configuration, with its verdicts and costs."""

    config: str
    id: str
    question: str
    kind: str
    answerable: bool
    origin: str
    gold: tuple[str, ...]
    answer: str
    short_answer: str
    found: bool
    route: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    cost: float
    local: bool
    grade: Grade
    citations: tuple[CitedPassage, ...] = ()
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def item_result(config: str, item: QAItem, answer: Any, ms: float, error: str = "") -> ItemResult:
    """Grade ``answer`` (an ``Answer``) for ``item`` and keep what the report shows."""
    trace = answer.trace
    cites = tuple(CitedPassage(c.index, c.document, c.chunk_id, c.page, c.text) for c in answer.citations)
    return ItemResult(
        config=config,
        id=item.id,
        question=item.question,
        kind=item.type or ("unanswerable" if item.unanswerable else "other"),
        answerable=not item.unanswerable,
        origin=item.origin,
        gold=tuple(a for part in item.parts for a in part),
        answer=answer.answer,
        short_answer=answer.short_answer,
        found=answer.found,
        route=answer.route,
        latency_ms=round(ms, 2),
        prompt_tokens=trace.prompt_tokens,
        completion_tokens=trace.completion_tokens,
        cost=round(trace.cost, 8),
        local=answered_locally(answer),
        grade=grade(item, answer),
        citations=cites,
        error=error,
    )


@dataclass(frozen=True)
class ConfigSummary:
    """The figures of one configuration (accuracies as fractions, cost in model-price units)."""

    name: str
    n: int
    accuracy: float
    accuracy_ci: tuple[float, float]
    quote_or_short: float
    quote_or_short_ci: tuple[float, float]
    unanswerable: int
    correct_refusals: int
    wrong_refusals: int
    citation_precision: float | None
    cited_answers: int
    unsupported_numbers: int
    answers_with_unsupported: int
    latency_p50_ms: float
    latency_p95_ms: float
    prompt_tokens: int
    completion_tokens: int
    cost: float
    cost_per_question: float
    share_local: float
    rejected_repeated: int
    errors: int
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(
    name: str, rows: Sequence[ItemResult], *, seed: int = 0, settings: dict[str, Any] | None = None
) -> ConfigSummary:
    strict = [float(r.grade.strict) for r in rows]
    lenient = [float(r.grade.quote_or_short) for r in rows]
    cited = [r.grade.citation_ok for r in rows if r.grade.citation_ok is not None]
    kinds: dict[str, list[ItemResult]] = defaultdict(list)
    for r in rows:
        kinds[r.kind].append(r)
    lat = latency_summary([r.latency_ms for r in rows])
    cost = sum(r.cost for r in rows)
    return ConfigSummary(
        name=name,
        n=len(rows),
        accuracy=round(mean(strict), 4),
        accuracy_ci=bootstrap_ci(strict, seed=seed),
        quote_or_short=round(mean(lenient), 4),
        quote_or_short_ci=bootstrap_ci(lenient, seed=seed),
        unanswerable=sum(1 for r in rows if not r.answerable),
        correct_refusals=sum(1 for r in rows if r.grade.correct_refusal),
        wrong_refusals=sum(1 for r in rows if r.grade.wrong_refusal),
        citation_precision=round(mean([float(c) for c in cited]), 4) if cited else None,
        cited_answers=len(cited),
        unsupported_numbers=sum(len(r.grade.unsupported) for r in rows),
        answers_with_unsupported=sum(1 for r in rows if r.grade.unsupported),
        latency_p50_ms=lat["p50_ms"],
        latency_p95_ms=lat["p95_ms"],
        prompt_tokens=sum(r.prompt_tokens for r in rows),
        completion_tokens=sum(r.completion_tokens for r in rows),
        cost=round(cost, 6),
        cost_per_question=round(cost / len(rows), 8) if rows else 0.0,
        share_local=round(mean([float(r.local) for r in rows]), 4),
        rejected_repeated=sum(1 for r in rows if r.grade.rejected),
        errors=sum(1 for r in rows if r.error),
        by_kind={
            k: {"n": len(v), "accuracy": round(mean([float(r.grade.strict) for r in v]), 4)}
            for k, v in sorted(kinds.items())
        },
        settings=settings or {},
    )


@dataclass(frozen=True)
class Recommendation:
    """The cheapest configuration whose accuracy is within ``margin`` points of the best."""

    config: str
    best: str
    margin_points: float
    reason_zh: str
    reason_en: str


def recommend(summaries: Sequence[ConfigSummary], margin_points: float = 2.0) -> Recommendation | None:
    """Cheapest (then fastest) among those within the margin of the best accuracy.

    The margin is in accuracy points (2 = two percentage points), set by the user: it says how
    much accuracy they would trade for a lower price.
    """
    if not summaries:
        return None
    best = max(summaries, key=lambda s: (s.accuracy, -s.cost_per_question, -s.latency_p50_ms))
    floor = best.accuracy - margin_points / 100 - 1e-9
    good = [s for s in summaries if s.accuracy >= floor]
    pick = min(good, key=lambda s: (s.cost_per_question, s.latency_p50_ms, -s.accuracy))
    acc, best_acc = pick.accuracy * 100, best.accuracy * 100
    ties = [x for x in summaries if x.name != pick.name and abs(x.accuracy - pick.accuracy) < 1e-9]
    if pick.name == best.name and ties:
        zh = (
            f"{pick.name} 与 {len(ties)} 个配置并列准确率最高（{acc:.1f}%），其中每题成本最低、其次延迟最短。"
        )
        en = (
            f"{pick.name} ties with {len(ties)} other configuration(s) for the highest accuracy ({acc:.1f}%) "
            "and is the cheapest, then the fastest, of them."
        )
    elif pick.name == best.name:
        zh = f"{pick.name} 准确率最高（{acc:.1f}%），且在相差 {margin_points:g} 个百分点内没有更便宜的配置。"
        en = (
            f"{pick.name} is the most accurate ({acc:.1f}%) and nothing within "
            f"{margin_points:g} points of it is cheaper."
        )
    else:
        zh = (
            f"{pick.name} 准确率 {acc:.1f}%，与最佳的 {best.name}（{best_acc:.1f}%）相差不超过 "
            f"{margin_points:g} 个百分点，每题成本 {pick.cost_per_question:.6f}，"
            f"低于 {best.name} 的 {best.cost_per_question:.6f}。"
        )
        en = (
            f"{pick.name} scores {acc:.1f}%, within {margin_points:g} points of the best, {best.name} "
            f"({best_acc:.1f}%), at {pick.cost_per_question:.6f} per question instead of "
            f"{best.cost_per_question:.6f}."
        )
    return Recommendation(pick.name, best.name, margin_points, zh, en)


def paired_tests(
    rows_by_config: Mapping[str, Sequence[ItemResult]], best: str, *, seed: int = 0
) -> list[PairedResult]:
    """The best configuration against each other one, on the questions both answered."""
    base = {r.id: r.grade.strict for r in rows_by_config.get(best, [])}
    out = []
    for name, rows in rows_by_config.items():
        if name == best:
            continue
        other = {r.id: r.grade.strict for r in rows}
        ids = [i for i in base if i in other]
        out.append(compare(best, [base[i] for i in ids], name, [other[i] for i in ids], seed=seed))
    return out
