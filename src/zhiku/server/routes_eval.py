"""``/api/kb/{kb}/eval``: start an evaluation as a job, follow it, list and read its reports.

An evaluation runs on a snapshot of the KB taken under its write lock (so it never sees a
half-ingested batch) and never writes to the KB.  Starting one needs ``write`` on the KB;
configurations that name models or embedders (which reach URLs or files of the server) need
``admin``.

    curl -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\
         -d '{"generate": 50, "configs": [{"name": "top3", "settings": {"retrieval": {"top_k": 3}}}]}' \\
         http://127.0.0.1:8000/api/kb/demo/eval
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field

from zhiku.errors import NotFoundError, QueryError
from zhiku.eval.jobs import EvalJob, EvalJobManager, StepFn
from zhiku.server.hub import KBEntry
from zhiku.server.state import PrincipalDep, ServerState, StateDep

router = APIRouter(prefix="/api", tags=["evaluation"])
_ADMIN_SECTIONS = ("index", "home", "safety", "server", "extras")


class EvalConfigIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    settings: dict[str, Any] = Field(default_factory=dict)


class EvalStart(BaseModel):
    """Questions (``qa`` rows in the QA-file format) or ``generate`` = how many to generate."""

    qa: list[dict[str, Any]] = Field(default_factory=list, max_length=5000)
    generate: int | None = Field(default=None, ge=1, le=2000)
    configs: list[EvalConfigIn] = Field(default_factory=lambda: [EvalConfigIn(name="base")], max_length=12)
    margin: float = Field(default=2.0, ge=0, le=100)
    seed: int = 0


def install(app: FastAPI) -> None:
    """Register the routes and the job manager of one app (called from ``create_app``)."""
    app.state.zhiku_eval = EvalJobManager()
    app.include_router(router)


def _jobs(request: Request) -> EvalJobManager:
    jobs: EvalJobManager = request.app.state.zhiku_eval
    return jobs


def _needs_admin(configs: list[EvalConfigIn]) -> bool:
    return any(
        section in c.settings
        or "models" in c.settings.get("llm", {})
        or "gate_model" in c.settings.get("llm", {})
        for c in configs
        for section in _ADMIN_SECTIONS
    )


@router.post("/kb/{kb}/eval", status_code=202)
async def start_eval(
    kb: str, body: EvalStart, request: Request, state: StateDep, principal: PrincipalDep
) -> dict[str, Any]:
    state.require(principal, kb, "admin" if _needs_admin(body.configs) else "write")
    if not body.qa and not body.generate:
        raise QueryError(
            "需要问题（qa）或生成数量（generate）", "give questions (qa) or a number to generate"
        )
    from zhiku.eval.configs import EvalConfig
    from zhiku.eval.scoring import QAItem

    items = []
    for number, row in enumerate(body.qa, start=1):
        if not str(row.get("question") or "").strip():
            raise QueryError(f"第 {number} 题缺少 question", f"item {number} has no question")
        items.append(QAItem.from_row({"id": f"L{number}", **row}))
    configs = [EvalConfig(c.name, c.settings) for c in body.configs]
    total = (len(items) or int(body.generate or 0)) * len(configs)
    work = _work(state, kb, items, configs, body)
    job = _jobs(request).submit(kb, principal.key_id, total, work)
    return job.snapshot()


def _work(state: ServerState, kb: str, items: list[Any], configs: list[Any], body: EvalStart) -> Any:
    def run(step: StepFn) -> str:
        from zhiku.eval.generate import QAGenerator
        from zhiku.eval.runner import run_eval
        from zhiku.eval.scoring import QAItem
        from zhiku.eval.store import save_report

        tmp = Path(tempfile.mkdtemp(prefix="zhiku-eval-snap-"))
        try:
            snapshot = tmp / kb

            def copy(entry: KBEntry) -> list[QAItem]:
                entry.kb.flush()
                shutil.copytree(entry.kb.path, snapshot)
                if items:
                    return list(items)
                step("generate", 0)
                made = QAGenerator(entry.kb, seed=body.seed).run(int(body.generate or 0))
                return [QAItem.from_row(i.to_dict()) for i in made]

            questions = state.hub.write_sync(kb, copy)
            per = len(questions)
            names = [c.name for c in configs]

            def progress(cfg: str, done: int, total: int) -> None:
                step(cfg, names.index(cfg) * per + done if cfg in names else done)

            settings = state.hub.entry(kb).settings
            report = run_eval(
                settings,
                kb,
                questions,
                configs,
                seed=body.seed,
                margin_points=body.margin,
                qa_name="api" if items else f"generated:{per}",
                progress=progress,
                snapshot=snapshot,
            )
            return save_report(settings.home, kb, report.to_dict())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    return run


def _job(request: Request, job_id: str, principal: Any) -> EvalJob:
    job = _jobs(request).get(job_id)
    if principal.rank(job.kb) == 0:
        raise NotFoundError("评测任务不存在", "evaluation job not found")
    return job


@router.get("/eval/jobs/{job_id}")
def get_eval_job(job_id: str, request: Request, principal: PrincipalDep) -> dict[str, Any]:
    return _job(request, job_id, principal).snapshot()


@router.get("/eval/jobs/{job_id}/events", response_class=StreamingResponse)
def eval_job_events(job_id: str, request: Request, principal: PrincipalDep) -> StreamingResponse:
    """Server-sent events: a snapshot whenever the job moves, the last one when it ends."""
    job = _job(request, job_id, principal)

    async def body() -> AsyncIterator[str]:
        seen = -1
        while True:
            version, finished = job.version, job.state in ("done", "failed")
            if version != seen:
                seen = version
                yield f"event: job\ndata: {json.dumps(job.snapshot(), ensure_ascii=False)}\n\n"
            if finished and version == job.version:
                return
            await anyio.sleep(0.2)

    return StreamingResponse(body(), media_type="text/event-stream")


@router.get("/kb/{kb}/eval/reports")
def list_eval_reports(kb: str, state: StateDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    from zhiku.eval.store import list_reports

    state.require(principal, kb, "read")
    return list_reports(state.settings.home, kb)


@router.get("/kb/{kb}/eval/reports/{report_id}")
def get_eval_report(kb: str, report_id: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    from zhiku.eval.store import load_report

    state.require(principal, kb, "read")
    return load_report(state.settings.home, kb, report_id)


@router.get("/kb/{kb}/eval/reports/{report_id}/html", response_class=HTMLResponse)
def get_eval_report_html(kb: str, report_id: str, state: StateDep, principal: PrincipalDep) -> HTMLResponse:
    """The self-contained report, as a download (it carries its own styles)."""
    from zhiku.eval.store import report_html

    state.require(principal, kb, "read")
    headers = {"Content-Disposition": f'attachment; filename="zhiku-eval-{kb}-{report_id}.html"'}
    return HTMLResponse(report_html(state.settings.home, kb, report_id), headers=headers)
