"""Ingestion jobs: uploaded files are staged, then ingested in a worker thread with progress.

A job is created by an upload and answers ``/api/jobs/{id}`` (a snapshot) and
``/api/jobs/{id}/events`` (SSE snapshots until it finishes).  Files rejected at upload (type,
size) appear in the job as failed rows, so a client shows one table for the whole drop.  Jobs
live in memory: the catalog's ingestion runs are the durable record.

>>> job = jobs.submit("demo", staged=[StagedFile("a.pdf", Path("/tmp/…/a.pdf"))], rejected=[])
>>> jobs.get(job.job_id).snapshot()["state"]
'queued'
"""

from __future__ import annotations

import functools
import logging
import shutil
import threading
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anyio

from zhiku.errors import ZhikuError
from zhiku.recent_jobs import RecentJobs
from zhiku.server.errors import public_text
from zhiku.server.hub import KBEntry, KBHub
from zhiku.server.metrics import ServerMetrics

if TYPE_CHECKING:
    from zhiku.types import FileResult, IngestEvent

JobState = Literal["queued", "running", "done", "failed"]
MAX_JOBS = 500


@dataclass(frozen=True)
class StagedFile:
    """An uploaded file written to the staging area under its safe name."""

    name: str
    path: Path
    size: int = 0


@dataclass
class JobFile:
    name: str
    status: str = "queued"  # queued | running | added | updated | unchanged | failed
    size: int = 0
    documents: int = 0
    chunks: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    ms: float = 0.0


@dataclass
class Job:
    job_id: str
    kb: str
    owner: str
    files: list[JobFile]
    state: JobState = "queued"
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    error: str | None = None
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def done(self) -> int:
        return sum(1 for f in self.files if f.status not in ("queued", "running"))

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.job_id,
                "kb": self.kb,
                "state": self.state,
                "done": self.done,
                "total": len(self.files),
                "created_at": self.created_at,
                "finished_at": self.finished_at,
                "error": self.error,
                "files": [asdict(f) for f in self.files],
            }

    def update(self, name: str, **changes: Any) -> None:
        with self.lock:
            for row in self.files:
                if row.name == name:
                    for key, value in changes.items():
                        setattr(row, key, value)
            self.version += 1

    def set_state(self, state: JobState, error: str | None = None) -> None:
        with self.lock:
            self.state = state
            self.error = error
            if state in ("done", "failed"):
                self.finished_at = time.time()
            self.version += 1


class JobManager:
    """Runs ingestion jobs on a small thread pool; the KB write lock serialises them per KB."""

    def __init__(self, hub: KBHub, metrics: ServerMetrics, workers: int = 2, batch_files: int = 8) -> None:
        self.hub = hub
        self.batch_files = batch_files
        self.metrics = metrics
        self._jobs = RecentJobs[Job](MAX_JOBS, ("任务不存在", "job not found"))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zhiku-ingest")

    def staging_dir(self) -> Path:
        path = self.hub.settings.home / "uploads" / ".staging" / uuid.uuid4().hex
        path.mkdir(parents=True, exist_ok=True)
        return path

    def submit(self, kb: str, staged: list[StagedFile], rejected: list[JobFile], owner: str) -> Job:
        rows = [JobFile(s.name, size=s.size) for s in staged] + rejected
        job = Job(uuid.uuid4().hex[:16], kb, owner, rows)
        if rejected:
            self.metrics.ingest_files.labels("failed").inc(len(rejected))
        self._jobs.add(job.job_id, job)
        if staged:
            self._pool.submit(self._run, job, staged)
        else:
            job.set_state("done")
        return job

    def get(self, job_id: str) -> Job:
        return self._jobs.get(job_id)

    def _run(self, job: Job, staged: list[StagedFile]) -> None:
        self.metrics.jobs_running.inc()
        job.set_state("running")
        try:
            # The write lock is taken per batch, so questions asked during a long upload are
            # answered between batches instead of waiting for the whole job.
            for start in range(0, len(staged), self.batch_files):
                batch = staged[start : start + self.batch_files]
                self.hub.write_sync(job.kb, functools.partial(self._ingest, job=job, staged=batch))
            job.set_state("done")
        except ZhikuError as exc:
            self._fail_rest(job, exc.message("en"))
        except Exception as exc:  # a job thread must record, never die silently
            logging.getLogger("zhiku.server").exception("ingestion job %s failed", job.job_id)
            self._fail_rest(job, f"{type(exc).__name__}: {exc}")
        finally:
            self.metrics.jobs_running.dec()
            shutil.rmtree(staged[0].path.parent, ignore_errors=True)

    def _fail_rest(self, job: Job, message: str) -> None:
        for row in job.files:
            if row.status in ("queued", "running"):
                job.update(row.name, status="failed", error=message)
                self.metrics.ingest_files.labels("failed").inc()
        job.set_state("failed", message)

    def _ingest(self, entry: KBEntry, job: Job, staged: list[StagedFile]) -> None:
        target = self.hub.uploads_dir(entry.name)
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for item in staged:
            dest = target / item.name
            shutil.move(str(item.path), dest)
            paths.append(dest)
        by_name = {p.name: p.name for p in paths}

        def progress(event: IngestEvent) -> None:
            name = by_name.get(Path(event.path).name)
            if name is None:
                return
            if event.result is None:
                job.update(name, status="running")
            else:
                self._record(job, name, event.result)

        report = entry.kb.ingest(paths, progress=progress)
        for result in report.files:  # in case a backend reports without calling progress
            name = by_name.get(Path(result.path).name)
            if name is not None and self._row(job, name).status in ("queued", "running"):
                self._record(job, name, result)
        discard_failed(target, [Path(r.path).name for r in report.files if r.status == "failed"])

    @staticmethod
    def _row(job: Job, name: str) -> JobFile:
        return next(r for r in job.files if r.name == name)

    def _record(self, job: Job, name: str, result: FileResult) -> None:
        job.update(
            name,
            status=result.status,
            documents=result.documents,
            chunks=result.chunks,
            error=public_text(result.error) if result.error else None,
            warnings=tuple(public_text(w) for w in result.warnings),
            ms=round(result.ms, 1),
        )
        self.metrics.ingest_files.labels(result.status).inc()
        if result.status in ("added", "updated"):
            self.metrics.ingest_chunks.inc(result.chunks)

    async def events(self, job: Job, interval: float = 0.2) -> AsyncIterator[dict[str, Any]]:
        """Snapshots whenever the job changes, ending with the finished one."""
        seen = -1
        while True:
            version, state = job.version, job.state
            if version != seen:
                seen = version
                yield job.snapshot()
            if state in ("done", "failed") and version == job.version:
                return
            await anyio.sleep(interval)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def discard_failed(folder: Path, names: list[str]) -> None:
    """Delete uploads that failed ingestion: nothing of them is in the KB, so nothing should stay
    on the server's disk either (the catalog keeps the reason under the file's name)."""
    for name in names:
        path = folder / name
        if path.parent == folder and path.is_file():
            path.unlink(missing_ok=True)
