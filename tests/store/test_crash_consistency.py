"""Kill a real ``zhiku ingest`` (SIGKILL) at several points; every index must match the catalog.

The reference is the same corpus ingested once without interruption: after each kill, opening
the KB must repair BM25, vectors, facts and graph for every document the catalog holds, and
close the dead run.  Before the consistency module, BM25 kept only the chunks of the last
completed run and re-ingesting reported "unchanged" without repairing it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from zhiku.config import Settings
from zhiku.store import consistency
from zhiku.wiring import create_kb

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FILES = 36


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for i in range(FILES):
        city = ["北京", "上海", "深圳", "杭州", "成都", "武汉"][i % 6]
        lines = [f"# {city}人工智能产业报告 第{i}号\n"]
        for j in range(25):
            year = 2015 + j % 10
            lines.append(
                f"{year}年，{city}人工智能核心产业规模达到{100 + i * 7 + j}亿元，同比增长{5 + j % 9}%。"
                f"{city}市科技局与智源研究院合作建设了第{j}个算力中心，服务企业{200 + j}家。\n"
            )
        (folder / f"report_{i:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    (folder / "table.csv").write_text(
        "城市,年份,规模（亿元）\n" + "".join(f"城市{i},{2020 + i % 4},{300 + i}\n" for i in range(40)),
        encoding="utf-8",
    )
    return folder


def _env(home: Path, src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ZHIKU_HOME=str(home),
        ZHIKU_INDEX__EMBEDDER="hashing",
        PYTHONPATH=str(src) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.pop("ZHIKU_CONFIG", None)
    return env


def _documents(catalog: Path) -> int:
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=0.2) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def _ingest_and_kill(home: Path, corpus: Path, at_documents: int, cwd: Path) -> bool:
    """Run ``zhiku ingest`` and SIGKILL it once the catalog holds ``at_documents``; True if killed."""
    src = Path(__file__).resolve().parents[2] / "src"
    code = "from zhiku.cli import main; main()"
    argv = [sys.executable, "-c", code, "ingest", str(corpus), "--kb", "t", "--create", "--json"]
    proc = subprocess.Popen(
        argv, env=_env(home, src), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    catalog = home / "kb" / "t" / "catalog.sqlite"
    deadline = time.monotonic() + 240
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if _documents(catalog) >= at_documents:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                return True
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.stderr is not None
    print(proc.returncode, proc.stderr.read().decode()[-3000:])
    return False


def _facts_by_doc(kb_dir: Path) -> dict[str, int]:
    import duckdb

    path = kb_dir / "facts.duckdb"
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT doc_id, count(*) FROM facts GROUP BY doc_id").fetchall())
    finally:
        con.close()


def _mentions_by_doc(kb_dir: Path) -> dict[str, int]:
    with sqlite3.connect(kb_dir / "graph.sqlite") as db:
        return dict(db.execute("SELECT doc_id, count(*) FROM mentions GROUP BY doc_id").fetchall())


_INSPECT = """
import json, sys
from zhiku.config import load_settings
from zhiku.wiring import open_kb
from zhiku.store import consistency
with open_kb(load_settings(), "t") as kb:  # opening repairs what a crash left behind
    store = kb._dense_store()  # opening the vectors resumes pending documents
    print(json.dumps({
        "repaired": kb.consistency.repaired,
        "ok": consistency.check(kb).ok,
        "docs": sorted(d.doc_id for d in kb.documents()),
        "chunks": sorted(c.chunk_id for c in kb.catalog.chunks()),
        "fulltext": sorted(kb.fulltext.ids()),
        "vectors": sorted(store.ids()),
        "pending": [d.doc_id for d in kb.catalog.documents(status="pending")],
        "unfinished": consistency.unfinished_runs(kb),
    }))
"""


def _inspect(home: Path, cwd: Path) -> dict[str, Any]:
    """Open the KB in a fresh process (as the next command would) and read every index."""
    env = _env(home, Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", _INSPECT], env=env, cwd=cwd, capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    state: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return state


def test_sigkill_mid_ingest_leaves_every_index_consistent(settings: Settings, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    with create_kb(settings, "ref") as ref:
        ref.ingest([corpus])
        ref_dir = ref.path
    facts_ref, mentions_ref = _facts_by_doc(ref_dir), _mentions_by_doc(ref_dir)
    assert facts_ref and mentions_ref

    kills = 0
    repaired: list[str] = []
    kb_dir = settings.kb_dir("t")
    for target in (2, 12, 24):
        kills += _ingest_and_kill(settings.home, corpus, target, tmp_path)
        state = _inspect(settings.home, tmp_path)
        repaired += state["repaired"]
        assert state["fulltext"] == state["chunks"], f"BM25 behind after kill at {target}"
        assert state["vectors"] == state["chunks"], f"vectors behind after kill at {target}"
        assert state["pending"] == [] and state["unfinished"] == [] and state["ok"]
        docs = set(state["docs"])
        facts, mentions = _facts_by_doc(kb_dir), _mentions_by_doc(kb_dir)
        assert {d: facts_ref[d] for d in docs if d in facts_ref} == {
            d: facts.get(d) for d in docs if d in facts_ref
        }
        assert {d: mentions_ref[d] for d in docs if d in mentions_ref} == {
            d: mentions.get(d) for d in docs if d in mentions_ref
        }
    assert kills == 3, "the ingest finished before it could be killed: the corpus is too small"
    assert "fulltext" in repaired

    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            "from zhiku.cli import main; main()",
            "ingest",
            str(corpus),
            "--kb",
            "t",
            "--create",
            "--json",
        ],
        env=_env(settings.home, Path(__file__).resolve().parents[2] / "src"),
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    state = _inspect(settings.home, tmp_path)
    assert len(state["docs"]) == FILES + 1 and state["ok"]
    assert state["fulltext"] == state["chunks"] == state["vectors"]
    assert _facts_by_doc(kb_dir) == facts_ref
    assert _mentions_by_doc(kb_dir) == mentions_ref


def test_second_ingest_on_a_locked_kb_says_so_without_a_traceback(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 标题\n\n2023年产业规模为100亿元。\n", encoding="utf-8")
    with create_kb(settings, "t") as kb, consistency.write_lock(kb.path):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from zhiku.cli import main; main()",
                "ingest",
                str(tmp_path / "a.md"),
                "--kb",
                "t",
            ],
            env=_env(settings.home, Path(__file__).resolve().parents[2] / "src"),
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
        )
    err = result.stderr.decode()
    assert result.returncode == 6, err
    assert "Traceback" not in err
    assert "另一个进程" in err and "another process" in err
