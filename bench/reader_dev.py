"""Development benchmark of the extractive reader (small path, no LLM) on the shared dev sets.

Retrieval: ``--retriever kb`` builds BM25-only knowledge bases with ``zhiku.wiring.open_or_create_kb``
(the product path); ``--retriever bm25`` (fallback while the KB is being written) indexes the
passages directly with bm25s over rjieba tokens (the seed report is cut into ~400-character
windows).  Scoring follows the data sets' README: NFKC, lower case, no whitespace or thousands
separators, an acceptable answer must be a substring of the answer text; unanswerable
questions must be refused.

    .venv/bin/python bench/reader_dev.py [--sets seed,cmrc,rgb] [--retriever bm25|kb] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.reader import ExtractiveReader  # noqa: E402
from zhiku.config import ReaderSettings, Settings  # noqa: E402
from zhiku.eval.scoring import redact_quotes  # noqa: E402
from zhiku.types import (  # noqa: E402
    Answer,
    AskRequest,
    Hit,
    Trace,
)
from zhiku.understand.lang import glossary_expand  # noqa: E402

Search = Callable[[str], list[Hit]]


@dataclass(frozen=True)
class Question:
    qid: str
    question: str
    parts: tuple[tuple[str, ...], ...]  # every part must match one alternative; () = unanswerable
    kind: str


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return re.sub(r"\s+", "", text)


def correct(q: Question, answer: Answer) -> bool:
    if not q.parts:
        return not answer.found
    if not answer.found:
        return False
    got = norm(answer.answer)
    return all(any(norm(alt) in got for alt in part) for part in q.parts)


def short_correct(q: Question, answer: Answer) -> bool:
    if not q.parts:
        return not answer.found
    got = norm(answer.short_answer)
    return bool(got) and all(any(norm(alt) in got for alt in part) for part in q.parts)


def load_questions(name: str) -> list[Question]:
    if name == "seed":
        rows = [json.loads(x) for x in (BENCH / "seed_report" / "qa_dev.jsonl").read_text().splitlines() if x]
        out = []
        for r in rows:
            if r.get("unanswerable"):
                parts: tuple[tuple[str, ...], ...] = ()
            elif "all_of" in r:
                parts = tuple((a,) for a in r["all_of"])
            else:
                parts = (tuple(r["answers"]),)
            out.append(Question(r["id"], r["question"], parts, r.get("type", "")))
        return out
    folder = {"cmrc": "cmrc2018_open", "rgb": "rgb_zh"}[name]
    rows = [json.loads(x) for x in (BENCH / folder / "qa.jsonl").read_text().splitlines() if x]
    return [
        Question(r["id"], r["question"], tuple(tuple(p) for p in r["answer_parts"]), r.get("answer_type", ""))
        for r in rows
    ]


# -- retrieval: direct bm25s ----------------------------------------------------------------------
def _clean_report(text: str) -> str:
    """Rough PDF-text repair for the fallback path: rejoin wrapped lines, drop CJK inner spaces.

    A line is glued to the next only when it is long (a wrapped line of prose); short lines are
    headings, labels or chart residue and keep their line break.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out: list[str] = []
    for ln in lines:
        if out and len(out[-1].rsplit("\n", 1)[-1]) >= 28 and not re.search(r"[。！？；：]$", out[-1]):
            out[-1] += ln
        else:
            out.append(ln)
    joined = "\n".join(out)
    return re.sub(r"(?<=[\u4e00-\u9fff，。、%])[ \t]+(?=[\u4e00-\u9fff，。、])", "", joined)


def _product_chunks(raw: str, title: str) -> list[tuple[str, str, str, int | None]]:
    """The product's cleaner and chunker, when they exist, so the reader sees realistic chunks."""
    from zhiku.config import IngestSettings
    from zhiku.ingest.chunk import Chunker
    from zhiku.ingest.clean import clean_text
    from zhiku.types import Document

    doc = Document(source="report.txt", title=title, format="txt", blocks=tuple(clean_text(raw)))
    chunks = Chunker(IngestSettings()).split(doc, "seed")
    return [(c.chunk_id, title, c.text, c.page) for c in chunks]


def _passages(name: str) -> list[tuple[str, str, str]]:
    if name == "seed":
        raw = (BENCH / "seed_report" / "report.txt").read_text(encoding="utf-8")
        title = "2024年中国人工智能产业研究报告"
        try:
            return [(cid, t, x) for cid, t, x, _ in _product_chunks(raw, title)]
        except ImportError:
            pass
        text = _clean_report(raw)
        out = []
        step, size = 300, 400
        for i, start in enumerate(range(0, len(text), step)):
            out.append((f"seed-{i}", "2024年中国人工智能产业研究报告", text[start : start + size]))
        return out
    folder = {"cmrc": "cmrc2018_open", "rgb": "rgb_zh"}[name]
    rows = [json.loads(x) for x in (BENCH / folder / "corpus.jsonl").read_text().splitlines() if x]
    return [(r["id"], r.get("title", ""), r["text"]) for r in rows]


def bm25_search(name: str, top_k: int) -> Search:
    import bm25s
    import rjieba

    passages = _passages(name)

    def tok(text: str) -> list[str]:
        return [w for w in rjieba.cut(unicodedata.normalize("NFKC", text).lower()) if w.strip()]

    retriever = bm25s.BM25()
    retriever.index([tok(f"{t} {x}") for _, t, x in passages], show_progress=False)

    def search(query: str) -> list[Hit]:
        docs, scores = retriever.retrieve([tok(glossary_expand(query))], k=top_k, show_progress=False)
        hits = []
        for idx, score in zip(docs[0], scores[0], strict=True):
            pid, title, text = passages[int(idx)]
            doc_id = "report" if name == "seed" else pid  # the report is one document
            hits.append(Hit(pid, doc_id, text, float(score), title=title, source=name))
        return hits

    return search


# -- retrieval: the product knowledge base ---------------------------------------------------------
def kb_search(name: str, top_k: int, home: Path, dense: bool = False) -> Search:
    from zhiku.wiring import open_or_create_kb

    settings = Settings(home=home, index={"dense": dense})
    kb = open_or_create_kb(settings, f"dev-{name}")
    source = {
        "seed": BENCH / "seed_report" / "report.txt",
        "cmrc": BENCH / "cmrc2018_open" / "corpus.jsonl",
        "rgb": BENCH / "rgb_zh" / "corpus.jsonl",
    }[name]
    report = kb.ingest([source])
    if report.failed:
        raise RuntimeError(f"ingest failed: {report.failed}")
    return lambda q: kb.search(q, top_k=top_k)


def run_set(
    name: str, search: Search, reader: ExtractiveReader, limit: int | None, verbose: bool
) -> dict[str, Any]:
    questions = load_questions(name)[:limit]
    ok = short_ok = refused = in_hits = 0
    read_ms: list[float] = []
    rows = []
    t0 = time.perf_counter()
    for q in questions:
        hits = search(q.question)
        r0 = time.perf_counter()
        ans = reader.read(AskRequest(q.question), hits, Trace())
        read_ms.append((time.perf_counter() - r0) * 1000)
        good, sgood = correct(q, ans), short_correct(q, ans)
        blob = norm(" ".join(h.text for h in hits))
        in_hits += bool(q.parts) and all(any(norm(a) in blob for a in part) for part in q.parts)
        ok += good
        short_ok += sgood
        refused += not ans.found
        rows.append(
            {
                "id": q.qid,
                "q": q.question,
                "ok": good,
                "short": ans.short_answer,
                "conf": ans.confidence,
                "found": ans.found,
                "answer": ans.answer[:300],
                "gold": q.parts,
            }
        )
        if verbose and not good:
            print(
                f"  ✗ {q.qid} {q.question} gold={q.parts} got={ans.short_answer!r} conf={ans.confidence:.2f}"
                f" found={ans.found} :: {ans.answer[:160]!r}"
            )
    n = max(1, len(questions))
    return {
        "questions": len(questions),
        "accuracy": round(ok / n, 4),
        "short_accuracy": round(short_ok / n, 4),
        "refused": refused,
        "answer_in_hits": round(in_hits / n, 4),
        "seconds": round(time.perf_counter() - t0, 2),
        "read_ms_p50": round(statistics.median(read_ms), 2) if read_ms else 0.0,
        "read_ms_p95": round(sorted(read_ms)[int(0.95 * (len(read_ms) - 1))], 2) if read_ms else 0.0,
        # Per-question rows quote the data sets (RGB-zh is non-commercial): ids and verdicts only.
        "rows": [{k: r[k] for k in ("id", "ok", "found", "conf") if k in r} for r in rows],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="seed,cmrc,rgb")
    ap.add_argument("--retriever", choices=("bm25", "kb"), default="bm25")
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--min-confidence", type=float, default=None)
    ap.add_argument("--dense", action="store_true", help="kb retriever: hybrid BM25 + dense (slower)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not BENCH.is_dir():
        print(f"bench data not found at {BENCH}; nothing to do")
        return
    settings = (
        ReaderSettings()
        if args.min_confidence is None
        else ReaderSettings(min_confidence=args.min_confidence)
    )
    reader = ExtractiveReader(settings)
    results: dict[str, Any] = {
        "retriever": args.retriever,
        "top_k": args.top_k,
        "reader": settings.model_dump(),
    }
    with tempfile.TemporaryDirectory() as home:
        for name in args.sets.split(","):
            t0 = time.perf_counter()
            if args.retriever == "kb":
                search = kb_search(name, args.top_k, Path(home), args.dense)
            else:
                search = bm25_search(name, args.top_k)
            index_s = time.perf_counter() - t0
            res = run_set(name, search, reader, args.limit, args.verbose)
            res["index_seconds"] = round(index_s, 2)
            results[name] = res
            print(
                f"{name}: accuracy {res['accuracy']:.3f}  short {res['short_accuracy']:.3f}  "
                f"refused {res['refused']}/{res['questions']}  in-hits {res['answer_in_hits']:.3f}  "
                f"read p50 {res['read_ms_p50']}ms p95 {res['read_ms_p95']}ms  ({res['seconds']}s, index {index_s:.1f}s)"
            )
    suffix = "" if args.retriever == "bm25" else f"_{args.retriever}" + ("_dense" if args.dense else "")
    out = ROOT / "bench" / "results" / f"reader_dev{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(redact_quotes(results), ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
