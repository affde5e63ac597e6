"""Robustness benchmark (issue 16): hostile uploads, crashes, fuzzing and load against real processes.

1. **Hostile files**: the bench writes 100+ files itself — ZIP bombs (DOCX/XLSX, honest and lying
   headers), PDF stream and page-count bombs, truncated and encrypted PDFs, mislabelled formats,
   invalid encodings, 0-byte and whitespace files, over-limit files, long/bidi/control/traversal
   names — and uploads them to ``zhiku serve`` on 127.0.0.1.  Counted: HTTP 5xx, rows that failed
   with an internal error ("crashes"), the server staying up, peak server RSS, files left in
   ``uploads/`` after failing, absolute paths in error messages.
2. **Kills**: ``zhiku ingest`` is SIGKILLed at several points; after each, a fresh process opens
   the KB and every index (BM25, vectors, facts, graph) is compared with the catalog.
3. **Fuzzing**: schemathesis over the OpenAPI schema (``tests/server/test_server_fuzz.py``).
4. **Load**: N clients ask for D seconds while hostile uploads continue and the server is
   SIGKILLed and restarted once; 5xx must stay 0 (connection errors while it is down are counted
   apart).

    nice -n 5 .venv/bin/python bench/robustness_bench.py --clients 20 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import json
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), *(str(REPO / "tests" / d) for d in ("server", "store", "ingest"))]

from load_bench import free_port, questions, rss_mb, start_server, wait_ready  # noqa: E402
from zhiku.server.uploads import safe_filename  # noqa: E402

RESULTS = REPO / "bench" / "results" / "robustness_bench.json"
EXAMPLES = REPO / "examples"
MB = 1024 * 1024


# -- hostile files -------------------------------------------------------------------------------
def _zip_with_zeros(base: bytes, member: str, megabytes: int) -> bytes:
    buffer = io.BytesIO(base)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(member, "w", force_zip64=True) as out,
    ):
        for _ in range(megabytes):
            out.write(bytes(MB))
    return buffer.getvalue()


def _lying_zip(megabytes: int) -> bytes:
    import struct

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", bytes(megabytes * MB))
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1000)
    return bytes(data)


def _pdf(content: bytes, pages: int = 1) -> bytes:
    from test_ingest_limits import _pdf_with_content

    return _pdf_with_content(content, pages)


def _deflate(megabytes: int) -> bytes:
    encoder = zlib.compressobj(9)
    return b"".join(encoder.compress(b" " * MB) for _ in range(megabytes)) + encoder.flush()


def _encrypted_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="confidential")
    return bytes(pdf.output())


def _replace_member(base: bytes, member: str, payload: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(
                info.filename, payload if info.filename == member else source.read(info.filename)
            )
    return out.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LAUGHS = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))


def xml_bombs(docx: bytes, xlsx: bytes) -> list[tuple[str, str, bytes]]:
    """Billion laughs and an external entity inside the XML of real DOCX/XLSX files."""
    laughs = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{_LAUGHS}]>'
    body = f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>'
    xxe = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>{body.replace("&l9;", "&x;")}'
    sheet = laughs + (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    )
    sheet_name = next(
        n for n in zipfile.ZipFile(io.BytesIO(xlsx)).namelist() if n.startswith("xl/worksheets/")
    )
    return [
        ("xml_bomb", "laughs.docx", _replace_member(docx, "word/document.xml", (laughs + body).encode())),
        (
            "xml_bomb",
            "laughs2.docx",
            _replace_member(docx, "word/document.xml", (laughs + body * 2).encode()),
        ),
        ("xml_bomb", "xxe.docx", _replace_member(docx, "word/document.xml", xxe.encode())),
        ("xml_bomb", "laughs.xlsx", _replace_member(xlsx, sheet_name, sheet.encode())),
    ]


@functools.lru_cache(maxsize=1)
def hostile_files() -> list[tuple[str, str, bytes]]:
    """(category, file name, bytes) — at least 100, all generated here."""
    docx = (EXAMPLES / "model_landscape.docx").read_bytes()
    xlsx = (EXAMPLES / "ai_market.xlsx").read_bytes()
    pdf = (EXAMPLES / "ai_market_compute.pdf").read_bytes()
    text = "# 报告\n\n2023年人工智能产业规模为100亿元。\n".encode()
    files: list[tuple[str, str, bytes]] = []
    docx_bomb = _zip_with_zeros(docx, "word/media/pad.bin", 300)
    xlsx_bomb = _zip_with_zeros(xlsx, "xl/media/pad.bin", 300)
    ratio_bomb = _zip_with_zeros(docx, "word/media/r.bin", 5)
    for i in range(4):
        files += [("zip_bomb", f"bomb{i}.docx", docx_bomb), ("zip_bomb", f"bomb{i}.xlsx", xlsx_bomb)]
        files.append(("zip_bomb", f"ratio{i}.docx", ratio_bomb))
    files += [("zip_bomb", f"liar{i}.docx", _lying_zip(32)) for i in range(3)]
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(25_000):
            archive.writestr(f"word/p{i}.xml", "")
    files.append(("zip_bomb", "members.docx", many.getvalue()))
    stream_bomb = _pdf(_deflate(200))
    files += [("pdf_bomb", f"stream{i}.pdf", stream_bomb) for i in range(3)]
    files.append(("pdf_bomb", "pages.pdf", _pdf(zlib.compress(b"BT ET"), pages=6000)))
    for i, cut in enumerate((10, 100, 1000, len(pdf) // 4, len(pdf) // 2, len(pdf) - 200, len(pdf) - 20)):
        files.append(("truncated_pdf", f"truncated{i}.pdf", pdf[:cut]))
    files += [("truncated_pdf", f"header_only{i}.pdf", b"%PDF-1.7\n" + os.urandom(200)) for i in range(3)]
    encrypted = _encrypted_pdf()
    files += [("encrypted_pdf", f"encrypted{i}.pdf", encrypted) for i in range(3)]
    mislabelled = [
        ("fake.docx", pdf[:4000]),
        ("fake.pdf", docx),
        ("fake.xlsx", docx),
        ("fake2.docx", xlsx),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(2000)),
        ("image.md", b"\xff\xd8\xff\xe0" + os.urandom(2000)),
        ("page.csv", b"<html><body><table><tr><td>1</td></tr></table></body></html>"),
        ("sheet.html", b"a,b,c\n1,2,3\n"),
        ("zip.pdf", b"PK\x03\x04" + os.urandom(500)),
        ("exe.md", b"MZ" + os.urandom(3000)),
        ("random.xlsx", os.urandom(4000)),
        ("random.docx", os.urandom(4000)),
        ("random.pdf", os.urandom(4000)),
        ("random.jsonl", os.urandom(4000)),
        ("json.jsonl", b'{"text": "ok"}\n{broken\n[1,2,3]\n"string"\n'),
        ("gzip.txt", zlib.compress(text * 100)),
    ]
    files += [("mislabelled", n, d) for n, d in mislabelled]
    encodings = [
        ("invalid_utf8.txt", b"\xff\xfe\xfa" + "中文".encode() + b"\xc3\x28\xa0\xa1" * 100),
        ("utf16_nobom.txt", "人工智能产业规模".encode("utf-16-le") * 50),
        ("utf16_bom.md", "# 标题\n\n人工智能".encode("utf-16")),
        ("gbk.txt", "人工智能产业规模达到100亿元。".encode("gbk") * 20),
        ("big5.txt", "人工智慧產業規模".encode("big5") * 20),
        ("mixed.csv", "名称,规模\n".encode() + "北京,100\n".encode("gbk") + b"\xff,\xfe\n"),
        ("nul.txt", b"\x00" * 5000),
        ("nul_mixed.md", b"# a\x00b\n\n" + b"\x00text\x00" * 200),
        ("controls.txt", bytes(range(1, 32)) * 100),
        ("surrogate_escape.txt", b"\xed\xa0\x80\xed\xb0\x80 lone surrogate bytes"),
        ("overlong.txt", b"\xc0\xaf\xe0\x80\xaf" * 100),
        ("bom_only.txt", b"\xef\xbb\xbf"),
    ]
    files += [("invalid_encoding", n, d) for n, d in encodings]
    for ext in (".txt", ".md", ".pdf", ".docx", ".xlsx", ".csv", ".html", ".jsonl"):
        files.append(("empty", f"empty{ext}", b""))
    files += [("empty", f"blank{i}.txt", b" \n\t\r\n" * 10) for i in range(3)]
    files += [("over_limit", f"huge{i}.txt", b"a" * (51 * MB)) for i in range(2)]
    names = [
        "人工智能产业发展研究报告" * 25 + ".md",
        "a" * 300 + ".txt",
        "report\u202etxt.exe.md",
        "\u2066hidden\u2069\u200b.md",
        "../../etc/passwd.md",
        "..\\..\\windows\\system32.txt",
        "/absolute/path.md",
        "CON.txt",
        "nul.md",
        "line\nbreak.md",
        "tab\there.md",
        'quote"semi;colon.md',
        "<script>alert(1)</script>.md",
        "emoji😀🚀.md",
        ".hidden.md",
        "...md",
        "trailing dots....md",
        " spaces .md",
        "%2e%2e%2fencoded.md",
        "名字" * 60 + ".pdf",
        "x" * 255,
        "\u0000nul\u0001.md",
    ]
    files += [("hostile_name", n, text) for n in names]
    files += xml_bombs(docx, xlsx)
    files.append(("complex", "deep.html", b"<div>" * 100_000 + b"x" + b"</div>" * 100_000))
    files.append(("complex", "one_line.md", b"word " * 2_000_000))
    files.append(("complex", "wide.csv", (",".join(str(i) for i in range(50_000)) + "\n").encode() * 3))
    return files


# -- 1. hostile uploads ----------------------------------------------------------------------------
def upload_hostile(url: str, headers: dict[str, str], home: Path, pid: int) -> dict[str, Any]:
    files = hostile_files()
    statuses: Counter[str] = Counter()
    by_category: dict[str, Counter[str]] = {}
    http_5xx = 0
    crashes: list[str] = []
    leaked_paths: list[str] = []
    peak = 0.0
    peak_before = rss_mb(pid)[1]
    rss_jumps: list[dict[str, Any]] = []
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers=headers, timeout=300) as c:
        c.post("/api/kb", json={"name": "hostile"})
        for start in range(0, len(files), 8):
            batch = files[start : start + 8]
            parts = [("files", (name, data, "application/octet-stream")) for _, name, data in batch]
            try:
                response = c.post("/api/kb/hostile/documents", files=parts)
            except httpx.HTTPError as exc:
                crashes.append(f"upload {start}: {type(exc).__name__}")
                continue
            if response.status_code >= 500:
                http_5xx += 1
                crashes.append(f"upload {start}: HTTP {response.status_code}")
                continue
            if response.status_code != 202 and response.status_code != 200:
                for category, _, _ in batch:
                    statuses[f"http_{response.status_code}"] += 1
                    by_category.setdefault(category, Counter())[f"http_{response.status_code}"] += 1
                continue
            job = response.json()
            deadline = time.time() + 600
            while job["state"] not in ("done", "failed") and time.time() < deadline:
                time.sleep(0.3)
                peak = max(peak, rss_mb(pid)[1])
                poll = c.get(f"/api/jobs/{job['id']}")
                http_5xx += poll.status_code >= 500
                job = poll.json()
            rows = {row["name"]: row for row in job["files"]}
            for category, name, _ in batch:
                row = rows.get(safe_filename(name)) or {"status": "missing", "error": ""}
                statuses[row["status"]] += 1
                by_category.setdefault(category, Counter())[row["status"]] += 1
                error = row.get("error") or ""
                if "internal error" in error or "内部错误" in error:
                    crashes.append(f"{name!r}: {error[:200]}")
                if str(home) in error or "/tmp/" in error:
                    leaked_paths.append(error[:200])
            if c.get("/healthz").status_code != 200:
                crashes.append("server unhealthy after batch")
            peak_after = rss_mb(pid)[1]
            if peak_after > peak_before + 100:  # which batch raised the peak (MB)
                rss_jumps.append({"files": [n for _, n, _ in batch], "peak_mb": round(peak_after, 1)})
            peak_before = peak_after
        peak = max(peak, rss_mb(pid)[1])
        info = c.get("/api/kb/hostile").json()
    uploads = home / "uploads" / "hostile"
    left = sorted(p.name for p in uploads.iterdir() if p.is_file()) if uploads.is_dir() else []
    added = statuses["added"] + statuses["updated"] + statuses["unchanged"]
    return {
        "files": len(files),
        "seconds": round(time.perf_counter() - started, 1),
        "statuses": dict(statuses),
        "by_category": {k: dict(v) for k, v in by_category.items()},
        "http_5xx": http_5xx,
        "crashes": len(crashes),
        "crash_samples": crashes[:10],
        "absolute_paths_in_errors": len(leaked_paths),
        "files_left_in_uploads": len(left) - added if len(left) >= added else 0,
        "uploads_dir_files": len(left),
        "kb_consistency_ok": bool(info.get("consistency", {}).get("ok")),
        "peak_server_rss_mb": round(peak, 1),
        "rss_jumps": rss_jumps,
    }


# -- 2. kills --------------------------------------------------------------------------------------
def kill_rounds(points: tuple[int, ...]) -> dict[str, Any]:
    from test_crash_consistency import _corpus, _facts_by_doc, _ingest_and_kill, _inspect, _mentions_by_doc

    from zhiku.config import load_settings
    from zhiku.wiring import create_kb

    rounds = []
    with tempfile.TemporaryDirectory(prefix="zhiku-kill-") as tmp:
        root = Path(tmp)
        corpus = _corpus(root / "corpus")
        settings = load_settings(home=root / "home", index={"embedder": "hashing"})
        with create_kb(settings, "ref") as ref:
            ref.ingest([corpus])
            ref_dir = ref.path
        facts_ref, mentions_ref = _facts_by_doc(ref_dir), _mentions_by_doc(ref_dir)
        kb_dir = settings.kb_dir("t")
        for target in points:
            killed = _ingest_and_kill(settings.home, corpus, target, root)
            state = _inspect(settings.home, root)
            docs = set(state["docs"])
            facts, mentions = _facts_by_doc(kb_dir), _mentions_by_doc(kb_dir)
            consistent = (
                state["ok"]
                and state["fulltext"] == state["chunks"] == state["vectors"]
                and not state["pending"]
                and not state["unfinished"]
                and all(facts.get(d) == facts_ref[d] for d in docs if d in facts_ref)
                and all(mentions.get(d) == mentions_ref[d] for d in docs if d in mentions_ref)
            )
            rounds.append(
                {
                    "kill_at_documents": target,
                    "killed": killed,
                    "documents": len(docs),
                    "chunks": len(state["chunks"]),
                    "repaired_on_open": state["repaired"],
                    "consistent": consistent,
                }
            )
    return {
        "rounds": rounds,
        "kills": sum(r["killed"] for r in rounds),
        "consistent_after_kill": sum(r["consistent"] for r in rounds if r["killed"]),
    }


# -- 3. fuzzing ------------------------------------------------------------------------------------
def fuzz_server(url: str, headers: dict[str, str], examples: int, budget: float) -> dict[str, Any]:
    from test_server_fuzz import fuzz

    stats = fuzz(url, examples, budget, headers)
    stats["failures"] = [list(f) for f in stats["failures"][:10]]
    return stats


# -- 4. load with uploads and a kill-restart ---------------------------------------------------------
async def _load(
    url: str, headers: dict[str, str], clients: int, duration: float, down: threading.Event
) -> dict[str, Any]:
    qs, _ = questions()
    out: dict[str, Any] = {
        "ok": 0,
        "http_5xx": 0,
        "http_other": Counter(),
        "conn_errors_down": 0,
        "conn_errors_up": 0,
    }
    latencies: list[float] = []

    async def loop(client: httpx.AsyncClient, deadline: float, offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            body = {"model": "bench", "messages": [{"role": "user", "content": qs[n % len(qs)]}]}
            n += 1
            started = time.perf_counter()
            try:
                response = await client.post("/v1/chat/completions", json=body)
            except httpx.HTTPError:
                out["conn_errors_down" if down.is_set() else "conn_errors_up"] += 1
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 200:
                out["ok"] += 1
                latencies.append(time.perf_counter() - started)
            elif response.status_code >= 500:
                out["http_5xx"] += 1
            else:
                out["http_other"][str(response.status_code)] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(loop(client, started + duration, i) for i in range(clients)))
        out["seconds"] = round(time.perf_counter() - started, 1)
    latencies.sort()
    out["p50_ms"] = round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None
    out["p95_ms"] = round(latencies[int(len(latencies) * 0.95)] * 1000, 1) if latencies else None
    out["http_other"] = dict(out["http_other"])
    return out


def load_with_chaos(args: argparse.Namespace, home: Path, key: str) -> dict[str, Any]:
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    proc = start_server(home, port, key, "hashing")
    wait_ready(url, proc)
    with httpx.Client(base_url=url, headers=headers, timeout=300) as c:
        c.post("/api/kb", json={"name": "bench"})
        parts = [
            ("files", (p.name, p.read_bytes(), "application/octet-stream"))
            for p in sorted(EXAMPLES.iterdir())
            if p.suffix in (".md", ".pdf", ".docx", ".xlsx", ".html", ".txt")
        ]
        job = c.post("/api/kb/bench/documents", files=parts).json()
        while job["state"] not in ("done", "failed"):
            time.sleep(0.5)
            job = c.get(f"/api/jobs/{job['id']}").json()
    down = threading.Event()
    state: dict[str, Any] = {"proc": proc, "uploads": 0, "upload_5xx": 0, "restart_s": None}
    hostile = [
        f for f in hostile_files() if f[0] in ("mislabelled", "invalid_encoding", "empty", "hostile_name")
    ]

    def chaos() -> None:
        time.sleep(args.duration / 3)
        down.set()
        started = time.perf_counter()
        state["proc"].send_signal(signal.SIGKILL)
        state["proc"].wait(30)
        state["proc"] = start_server(home, port, key, "hashing")
        wait_ready(url, state["proc"])
        state["restart_s"] = round(time.perf_counter() - started, 1)
        down.clear()

    def uploader() -> None:
        deadline = time.time() + args.duration
        i = 0
        with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
            while time.time() < deadline:
                _, name, data = hostile[i % len(hostile)]
                i += 1
                try:
                    response = c.post(
                        "/api/kb/bench/documents", files=[("files", (name, data, "text/plain"))]
                    )
                    state["uploads"] += 1
                    state["upload_5xx"] += response.status_code >= 500
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)

    threads = [threading.Thread(target=chaos), threading.Thread(target=uploader)]
    for t in threads:
        t.start()
    result = asyncio.run(_load(url, headers, args.clients, args.duration, down))
    for t in threads:
        t.join(120)
    with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
        info = c.get("/api/kb/bench").json()
    state["proc"].send_signal(signal.SIGTERM)
    stop_started = time.perf_counter()
    state["proc"].wait(60)
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        **result,
        "uploads_during_load": state["uploads"],
        "upload_5xx": state["upload_5xx"],
        "server_restart_s": state["restart_s"],
        "kb_consistent_after_restart": bool(info.get("consistency", {}).get("ok")),
        "sigterm_stop_s": round(time.perf_counter() - stop_started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--fuzz-examples", type=int, default=40)
    parser.add_argument("--fuzz-budget", type=float, default=180.0)
    parser.add_argument("--kill-points", default="2,12,24")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "bench": "robustness",
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with tempfile.TemporaryDirectory(prefix="zhiku-robust-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        key = "zk-bench-" + secrets.token_urlsafe(16)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}
        proc = start_server(home, port, key, "hashing")
        try:
            wait_ready(url, proc)
            print("hostile uploads …", flush=True)
            report["hostile_uploads"] = upload_hostile(url, headers, home, proc.pid)
            print(json.dumps(report["hostile_uploads"], ensure_ascii=False)[:600], flush=True)
            print("fuzzing …", flush=True)
            report["fuzz"] = fuzz_server(url, headers, args.fuzz_examples, args.fuzz_budget)
            print(json.dumps(report["fuzz"], ensure_ascii=False)[:600], flush=True)
            report["server_alive_after"] = proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        print("kills …", flush=True)
        report["kills"] = kill_rounds(tuple(int(x) for x in args.kill_points.split(",")))
        print(json.dumps(report["kills"], ensure_ascii=False)[:600], flush=True)
        print("load with uploads and a kill-restart …", flush=True)
        report["load"] = load_with_chaos(args, Path(tmp) / "load-home", key)
        print(json.dumps(report["load"], ensure_ascii=False)[:600], flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
