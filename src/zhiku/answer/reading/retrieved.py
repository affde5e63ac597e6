"""Training questions with the passages our own retrieval gives them, as the reader meets them.

Why: a reader trained on its question's paragraph plus a few paragraphs of the same article, with
made-up scores, never sees what serving shows it: chunks cut by ingestion, hard lexical
distractors from other articles, near-duplicates, the hybrid (BM25 + dense) scores and ranks,
and questions whose answer retrieval missed.  Here every training paragraph (all files pooled)
is ingested into a knowledge base exactly as a user's documents are, and each question is
searched as ``Assistant`` searches it (top ``top_k``).  The gold paragraph lands wherever
retrieval puts it, or nowhere: those questions teach the verifier that a well-matching sentence
without the answer is no answer.  Hits are kept in a cache next to the KB: the same data and
settings give the same examples, and a second run does not search again.

>>> hits = retrieved_hits([Path("mrc_train_zh.jsonl")], ["谁创办了星火公司？"], Path("kb_home"))
>>> hits["谁创办了星火公司？"][0].text[:10]
'星火公司由林晚舟于…'
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from zhiku.types import Hit

KB_NAME = "reader-train"
TOP_K = 10  # as bench/reader_bench.py searches; the reader reads the first ``max_hits`` (8)


def _corpus(paths: Sequence[Path], out: Path) -> Path:
    """One ``{"id", "title", "text"}`` line per training paragraph (all files pooled)."""
    lines = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                lines.append(
                    json.dumps(
                        {"id": row["id"], "title": row.get("title", ""), "text": row["context"]},
                        ensure_ascii=False,
                    )
                )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _key(paths: Sequence[Path], top_k: int) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    digest.update(str(top_k).encode())
    return digest.hexdigest()[:12]


def retrieved_hits(
    paths: Sequence[Path],
    queries: Sequence[str],
    home: Path,
    top_k: int = TOP_K,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, list[Hit]]:
    """The top hits of each query in a KB of every paragraph of ``paths`` (built once in ``home``)."""
    cache = home / f"hits-{_key(paths, top_k)}.pkl"
    found: dict[str, list[Hit]] = {}
    if cache.is_file():
        with cache.open("rb") as fh:
            found = pickle.load(fh)  # our own file, written below by an earlier run
    missing = [q for q in dict.fromkeys(queries) if q not in found]
    if missing:
        found.update(_search(paths, missing, home, top_k, log))
        with cache.open("wb") as fh:
            pickle.dump(found, fh)
    return {q: found[q] for q in queries}


def _search(
    paths: Sequence[Path], queries: Sequence[str], home: Path, top_k: int, log: Callable[[str], None]
) -> dict[str, list[Hit]]:
    from zhiku.config import load_settings
    from zhiku.kb import KnowledgeBase
    from zhiku.models.embedders import USEEmbedder

    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    settings = load_settings(home=home)
    kb: Any = KnowledgeBase.open_or_create(settings, KB_NAME, embedder=USEEmbedder())
    try:
        if kb.catalog.count_chunks() == 0:
            report = kb.ingest([_corpus(paths, home / "corpus" / "train_paragraphs.jsonl")])
            log(f"training KB: {kb.catalog.count_chunks()} chunks, {len(report.failed)} files failed")
        out: dict[str, list[Hit]] = {}
        for n, query in enumerate(queries, start=1):
            out[query] = list(kb.search(query, top_k=top_k)) if query.strip() else []
            if n % 500 == 0:
                log(f"searched {n}/{len(queries)}")
        return out
    finally:
        kb.close()


__all__ = ["KB_NAME", "TOP_K", "retrieved_hits"]
