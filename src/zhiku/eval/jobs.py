"""Evaluation jobs: an evaluation started from the API runs in a worker thread with progress.

Like ingestion jobs (``zhiku.server.jobs``) they live in memory and answer snapshots; the saved
report (``zhiku.eval.store``) is the durable record.  One worker: evaluations are long and
share the CPU with answering, so they queue rather than run side by side.

>>> job = jobs.submit("demo", "key1", total=120, work=lambda progress: "20260101T000000Z-ab12")
>>> jobs.get(job.job_id).snapshot()["state"]
'queued'
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from zhiku.errors import ZhikuError
from zhiku.recent_jobs import RecentJobs

EvalJobState = Literal["queued", "running", "done", "failed"]
StepFn = Callable[[str, int], None]  # (what is running now, questions done overall)
MAX_JOBS = 100


@dataclass
class EvalJob:
    job_id: str
    kb: str
    owner: str
    total: int
    state: EvalJobState = "queued"
    done: int = 0
    current: str = ""
    report_id: str = ""
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.job_id,
                "kb": self.kb,
                "state": self.state,
                "done": self.done,
                "total": self.total,
                "current": self.current,
                "report_id": self.report_id,
                "error": self.error,
                "created_at": self.created_at,
                "finished_at": self.finished_at,
            }

    def update(self, **changes: Any) -> None:
        with self.lock:
            for key, value in changes.items():
                setattr(self, key, value)
            if changes.get("state") in ("done", "failed"):
                self.finished_at = time.time()
            self.version += 1


class EvalJobManager:
    """Queues evaluations; ``work(step)`` does one and returns the saved report id."""

    def __init__(self, workers: int = 1) -> None:
        self._jobs = RecentJobs[EvalJob](MAX_JOBS, ("评测任务不存在", "evaluation job not found"))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zhiku-eval")

    def submit(self, kb: str, owner: str, total: int, work: Callable[[StepFn], str]) -> EvalJob:
        job = EvalJob(uuid.uuid4().hex[:16], kb, owner, total)
        self._jobs.add(job.job_id, job)
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> EvalJob:
        return self._jobs.get(job_id)

    def _run(self, job: EvalJob, work: Callable[[StepFn], str]) -> None:
        job.update(state="running")

        def step(current: str, done: int) -> None:
            job.update(current=current, done=done)

        try:
            rid = work(step)
            job.update(state="done", report_id=rid, done=job.total)
        except ZhikuError as exc:
            job.update(state="failed", error=f"{exc.zh} / {exc.en}")
        except Exception as exc:  # a job thread records its failure, never dies silently
            logging.getLogger("zhiku.eval").exception("evaluation job %s failed", job.job_id)
            job.update(state="failed", error=f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
