"""``zhiku eval run``: the same questions through every configuration, graded the same way.

Each configuration gets a KB from an ``EvalWorkspace`` (a copy: the user's KB is never
touched) and an assistant built by the composition root, so what is measured is what
``zhiku ask`` would answer under those settings.

>>> report = run_eval(settings, "demo", load_qa(Path("qa.jsonl")), [EvalConfig("base")])
>>> report.recommendation.config
'base'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhiku.answer.base import AskRequest
from zhiku.config import Settings
from zhiku.errors import ZhikuError
from zhiku.eval.configs import EvalConfig, describe, rebuild_kind, unique_names
from zhiku.eval.results import (
    ConfigSummary,
    ItemResult,
    Recommendation,
    item_result,
    paired_tests,
    recommend,
    summarise,
)
from zhiku.eval.scoring import QAItem
from zhiku.eval.stats import PairedResult
from zhiku.eval.workspace import EvalWorkspace
from zhiku.types import Answer
from zhiku.understand.lang import detect_language

Progress = Callable[[str, int, int], None]  # (configuration, done, total)
REPORT_FORMAT = 1


@dataclass(frozen=True)
class EvalReport:
    """Everything one evaluation measured; ``to_dict`` is the JSON report."""

    kb: str
    created_at: str
    qa: str
    questions: int
    seed: int
    margin_points: float
    summaries: list[ConfigSummary]
    items: list[ItemResult]
    paired: list[PairedResult] = field(default_factory=list)
    recommendation: Recommendation | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "kb": self.kb,
            "created_at": self.created_at,
            "qa": self.qa,
            "questions": self.questions,
            "seed": self.seed,
            "margin_points": self.margin_points,
            "configs": [s.to_dict() for s in self.summaries],
            "paired": [asdict(p) for p in self.paired],
            "recommendation": asdict(self.recommendation) if self.recommendation else None,
            "items": [r.to_dict() for r in self.items],
        }


def run_eval(
    settings: Settings,
    kb: str,
    items: Sequence[QAItem],
    configs: Sequence[EvalConfig],
    *,
    seed: int = 0,
    margin_points: float = 2.0,
    qa_name: str = "",
    progress: Progress | None = None,
    snapshot: Path | None = None,
) -> EvalReport:
    """Ask every question under every configuration; summarise, compare, recommend."""
    configs = unique_names(list(configs) or [EvalConfig("base")])
    rows: dict[str, list[ItemResult]] = {}
    summaries = []
    with EvalWorkspace(settings, kb, snapshot=snapshot) as ws:
        for cfg in configs:
            local = ws.settings_for(cfg.overrides)
            if progress:
                progress(cfg.name, 0, len(items))
            rows[cfg.name], chunks = _run_config(ws, cfg, local, items, progress)
            info = {**describe(local), "rebuild": rebuild_kind(settings, local), "kb_chunks": chunks}
            summaries.append(summarise(cfg.name, rows[cfg.name], seed=seed, settings=info))
    pick = recommend(summaries, margin_points)
    paired = paired_tests(rows, pick.best, seed=seed) if pick else []
    return EvalReport(
        kb=kb,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        qa=qa_name,
        questions=len(items),
        seed=seed,
        margin_points=margin_points,
        summaries=summaries,
        items=[r for name in rows for r in rows[name]],
        paired=paired,
        recommendation=pick,
    )


def _run_config(
    ws: EvalWorkspace, cfg: EvalConfig, settings: Settings, items: Sequence[QAItem], progress: Progress | None
) -> tuple[list[ItemResult], int]:
    """The graded answers of one configuration, and how many chunks its KB copy holds."""
    from zhiku.wiring import build_assistant

    base = ws.open(settings)
    try:
        assistant = build_assistant(base, settings)
        registry = getattr(assistant.inner, "registry", None)
        for name, model in cfg.models.items():
            if registry is None:
                break
            registry.register(
                name,
                model.llm,
                price_prompt_per_1k=model.price_prompt_per_1k,
                price_completion_per_1k=model.price_completion_per_1k,
            )
        out = []
        for done, item in enumerate(items, start=1):
            out.append(_ask(assistant, cfg.name, item))
            if progress:
                progress(cfg.name, done, len(items))
        return out, base.catalog.count_chunks()
    finally:
        base.close()


def _ask(assistant: Any, config: str, item: QAItem) -> ItemResult:
    language = detect_language(item.question)
    started = time.perf_counter()
    error = ""
    try:
        answer = assistant.ask(AskRequest(item.question, language=language))
    except ZhikuError as exc:  # a failing model is a wrong answer, not a failed evaluation
        error = exc.message("en")
        answer = Answer(item.question, "", found=False, route="error", language=language)
    ms = (time.perf_counter() - started) * 1000
    return item_result(config, item, answer, ms, error)
