"""The newest background jobs by id, for clients that poll their progress.

Ingestion jobs (``zhiku.server.jobs``) and evaluation jobs (``zhiku.eval.jobs``) live in memory;
their durable records are the catalog's runs and the saved reports, so only the newest ``limit``
are kept and an older id answers "not found" instead of the table growing for ever.

>>> jobs = RecentJobs[str](limit=2, missing=("任务不存在", "job not found"))
>>> jobs.add("a", "first"); jobs.add("b", "second"); jobs.add("c", "third")
>>> jobs.get("c")
'third'
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

from zhiku.errors import NotFoundError

J = TypeVar("J")


class RecentJobs(Generic[J]):
    def __init__(self, limit: int, missing: tuple[str, str]) -> None:
        self.limit = limit
        self._missing = missing  # the (Chinese, English) message for an unknown or forgotten id
        self._jobs: OrderedDict[str, J] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, job_id: str, job: J) -> None:
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > self.limit:
                self._jobs.popitem(last=False)

    def get(self, job_id: str) -> J:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(*self._missing)
        return job
