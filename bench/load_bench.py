"""Load benchmark: N concurrent clients ask a live ``zhiku serve`` on 127.0.0.1 for a fixed time.

Starts the server as a subprocess in a temporary home, uploads the seed report (or the examples)
through the API, then runs ``--clients`` asyncio clients for ``--duration`` seconds, each asking
the dev questions round-robin through ``/v1/chat/completions``.  Reports throughput, latency
percentiles, errors, answer routes, and the server's resident memory (sampled from /proc).
Loopback traffic only; every wait is bounded.

    .venv/bin/python bench/load_bench.py --clients 50 --duration 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "bench" / "seed_report"
RESULTS = REPO / "bench" / "results" / "load_bench.json"


def questions() -> tuple[list[str], str]:
    for path in (SEED / "qa_dev.jsonl", REPO / "src" / "zhiku" / "data" / "demo_questions.jsonl"):
        if path.is_file():
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            return [r["question"] for r in rows if r.get("question")], str(path)
    return ["2023年中国人工智能产业规模是多少？"], "(built-in)"


def corpus() -> list[Path]:
    if (SEED / "report.txt").is_file():
        return [SEED / "report.txt"]
    examples = REPO / "examples"
    return sorted(
        p for p in examples.iterdir() if p.suffix in (".md", ".txt", ".pdf", ".docx", ".xlsx", ".html")
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) RSS summed over a process and its children (``--workers`` N > 1)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.append(int(child))
    now = peak = 0.0
    for one in pids:
        with contextlib.suppress(OSError):
            cur, hwm = rss_mb(one)
            now, peak = now + cur, peak + hwm
    return now, peak


def start_server(
    home: Path, port: int, key: str, embedder: str | None, workers: int = 1, milvus_uri: str = ""
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, ZHIKU_HOME=str(home), ZHIKU_SERVER__ADMIN_KEY=key)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    if embedder:
        env["ZHIKU_INDEX__EMBEDDER"] = embedder
    if milvus_uri:
        env["ZHIKU_MILVUS_URI"] = milvus_uri
    code = "from zhiku.cli import main; main()"
    cmd = [
        sys.executable,
        "-c",
        code,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *(["--workers", str(workers)] if workers > 1 else []),
    ]
    log = (home / "server.log").open("wb")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become ready")


def prepare(url: str, headers: dict[str, str], files: list[Path], timeout: float = 900) -> dict[str, Any]:
    with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
        c.post("/api/kb", json={"name": "bench"}).raise_for_status()
        started = time.perf_counter()
        parts = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in files]
        job = c.post("/api/kb/bench/documents", files=parts).json()
        deadline = time.time() + timeout
        while job["state"] not in ("done", "failed") and time.time() < deadline:
            time.sleep(0.5)
            job = c.get(f"/api/jobs/{job['id']}").json()
        info = c.get("/api/kb/bench").json()
        key = c.post("/api/keys", json={"name": "load-bench", "grants": ["bench:read"]}).json()["key"]
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "state": job["state"],
            "chunks": info["chunks"],
            "client_key": key,
        }


async def ask_stream(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, float | None, str]:
    """(status, seconds to the first content delta, route) of one streamed answer."""
    started = time.perf_counter()
    first: float | None = None
    route = "?"
    async with client.stream("POST", "/v1/chat/completions", json=body) as response:
        if response.status_code != 200:
            await response.aread()
            return response.status_code, None, route
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            if "error" in event:
                raise ValueError(event["error"].get("message_en", "stream error"))
            choice = (event.get("choices") or [{}])[0]
            if first is None and (choice.get("delta") or {}).get("content"):
                first = time.perf_counter() - started
            if choice.get("finish_reason") == "stop":
                route = event.get("route", "?")
    return 200, first, route


async def client_loop(
    client: httpx.AsyncClient,
    qs: list[str],
    counter: list[int],
    deadline: float,
    stream: bool,
    out: dict[str, Any],
) -> None:
    while time.perf_counter() < deadline:
        question = qs[counter[0] % len(qs)]
        counter[0] += 1
        body = {"model": "bench", "messages": [{"role": "user", "content": question}], "stream": stream}
        started = time.perf_counter()
        try:
            if stream:
                status, first, route = await ask_stream(client, body)
                if first is not None:
                    out["ttfb"].append(first)
            else:
                response = await client.post("/v1/chat/completions", json=body)
                status = response.status_code
                route = response.json()["route"] if status == 200 else "?"
            elapsed = time.perf_counter() - started
            if status != 200:
                out["errors"][f"HTTP {status}"] += 1
                continue
            out["latencies"].append(elapsed)
            out["routes"][route] += 1
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            out["errors"][type(exc).__name__] += 1


async def baseline(url: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    """Server overhead alone: authenticated ``GET /v1/models`` (key lookup, routing, JSON), no KB work."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    errors = 0

    async def loop(client: httpx.AsyncClient, deadline: float) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = (await client.get("/v1/models")).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(loop(client, started + seconds) for _ in range(clients)))
        wall = time.perf_counter() - started
    lat_ms = [x * 1000 for x in latencies]
    return {
        "endpoint": "GET /v1/models",
        "seconds": round(wall, 2),
        "ok": len(lat_ms),
        "errors": errors,
        "throughput_rps": round(len(lat_ms) / wall, 1),
        "p50_ms": round(percentile(lat_ms, 50), 1),
        "p99_ms": round(percentile(lat_ms, 99), 1),
    }


async def sample_rss(pid: int, stop: asyncio.Event, samples: list[float]) -> None:
    while not stop.is_set():
        samples.append(tree_rss_mb(pid)[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def run_load(
    url: str, headers: dict[str, str], qs: list[str], args: argparse.Namespace, pid: int
) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "ttfb": [], "errors": Counter(), "routes": Counter()}
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    timeout = httpx.Timeout(args.duration + 30)
    samples: list[float] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=timeout) as client:
        sampler = asyncio.create_task(sample_rss(pid, stop, samples))
        started = time.perf_counter()
        deadline = started + args.duration
        counter = [0]
        await asyncio.gather(
            *(client_loop(client, qs, counter, deadline, args.stream, out) for _ in range(args.clients))
        )
        wall = time.perf_counter() - started
        stop.set()
        await sampler
    out["wall"] = wall
    out["rss_samples"] = samples
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(raw: dict[str, Any], args: argparse.Namespace, extra: dict[str, Any]) -> dict[str, Any]:
    lat_ms = [x * 1000 for x in raw["latencies"]]
    ttfb = [x * 1000 for x in raw["ttfb"]]
    ok = len(lat_ms)
    errors = sum(raw["errors"].values())
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "wall_s": round(raw["wall"], 2),
        "stream": args.stream,
        "requests": ok + errors,
        "ok": ok,
        "errors": errors,
        "error_kinds": dict(raw["errors"]),
        "throughput_rps": round(ok / raw["wall"], 2) if raw["wall"] else 0.0,
        "latency_ms": {
            "p50": round(percentile(lat_ms, 50), 1),
            "p95": round(percentile(lat_ms, 95), 1),
            "p99": round(percentile(lat_ms, 99), 1),
            "mean": round(statistics.fmean(lat_ms), 1) if lat_ms else 0.0,
            "max": round(max(lat_ms), 1) if lat_ms else 0.0,
        },
        "time_to_first_token_ms": (
            {"p50": round(percentile(ttfb, 50), 1), "p95": round(percentile(ttfb, 95), 1)} if ttfb else None
        ),
        "routes": dict(raw["routes"]),
        "server_rss_mb": {
            "mean_under_load": round(statistics.fmean(raw["rss_samples"]), 1) if raw["rss_samples"] else 0.0,
            "max_under_load": round(max(raw["rss_samples"]), 1) if raw["rss_samples"] else 0.0,
        },
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--stream", action="store_true", help="ask with stream=true (SSE)")
    parser.add_argument(
        "--embedder", default=None, help="override index.embedder (default: the configured one)"
    )
    parser.add_argument(
        "--baseline", type=float, default=10.0, help="seconds of GET /v1/models first (0 = skip)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--workers", type=int, default=1, help="zhiku serve --workers (needs a Milvus server)"
    )
    parser.add_argument(
        "--milvus-server",
        action="store_true",
        help="start a Milvus standalone (PyPI milvus) on 127.0.0.1 for the vectors, stopped afterwards",
    )
    parser.add_argument("--milvus-uri", default="", help="use this running Milvus server for the vectors")
    args = parser.parse_args()
    if not 1 <= args.clients <= 1000 or not 1 <= args.duration <= 600:
        parser.error("--clients must be 1..1000 and --duration 1..600 seconds")

    qs, qs_source = questions()
    key = "bench-" + secrets.token_urlsafe(16)
    headers = {"Authorization": f"Bearer {key}"}
    with tempfile.TemporaryDirectory(prefix="zhiku-load-") as tmp, contextlib.ExitStack() as stack:
        milvus_uri = args.milvus_uri
        if args.milvus_server and not milvus_uri:
            sys.path.insert(0, str(REPO / "bench"))
            from scale_bench import MilvusServer

            milvus_uri = stack.enter_context(MilvusServer(Path(tmp) / "milvus")).uri
        home, port = Path(tmp) / "home", free_port()
        home.mkdir()
        url = f"http://127.0.0.1:{port}"
        proc = start_server(home, port, key, args.embedder, args.workers, milvus_uri)
        try:
            wait_ready(url, proc)
            ingest = prepare(url, headers, corpus())
            headers = {"Authorization": f"Bearer {ingest.pop('client_key')}"}  # a stored key, as clients use
            base = (
                asyncio.run(baseline(url, headers, args.clients, args.baseline))
                if args.baseline > 0
                else None
            )
            httpx.post(
                f"{url}/v1/chat/completions",
                json={"model": "bench", "messages": [{"role": "user", "content": qs[0]}]},
                headers=headers,
                timeout=120,
            )  # warm-up: opens the KB, loads the models
            for _ in range(4 * args.workers):  # every worker opens the KB before the clock starts
                httpx.post(
                    f"{url}/v1/chat/completions",
                    json={"model": "bench", "messages": [{"role": "user", "content": qs[1 % len(qs)]}]},
                    headers=headers,
                    timeout=120,
                )
            rss_idle, _ = tree_rss_mb(proc.pid)
            raw = asyncio.run(run_load(url, headers, qs, args, proc.pid))
            rss_end, rss_peak = tree_rss_mb(proc.pid)
        finally:
            log_tail = (home / "server.log").read_text(encoding="utf-8", errors="replace").splitlines()[-60:]
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    extra = {
        "questions": qs_source,
        "n_questions": len(qs),
        "corpus": [p.name for p in corpus()],
        "ingest": ingest,
        "baseline": base,
        "server_rss_mb_idle": round(rss_idle, 1),
        "server_rss_mb_end": round(rss_end, 1),
        "server_rss_mb_peak": round(rss_peak, 1),
        "cpus": os.cpu_count(),
        "embedder": args.embedder or "configured default",
        "workers": args.workers,
        "vector_store": "milvus-server (PyPI milvus standalone, 127.0.0.1)"
        if args.milvus_server or args.milvus_uri
        else "milvus-lite",
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    result = summarise(raw, args, extra)
    if result["errors"]:
        result["server_log_tail"] = log_tail  # why the failed requests failed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lat = result["latency_ms"]
    print(
        f"{result['clients']} clients × {result['wall_s']}s: {result['ok']} ok, {result['errors']} errors, "
        f"{result['throughput_rps']} req/s; latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms; "
        f"server RSS idle {result['server_rss_mb_idle']} MB, peak {result['server_rss_mb_peak']} MB"
    )
    print(f"routes: {result['routes']}  → {args.out}")


if __name__ == "__main__":
    main()
