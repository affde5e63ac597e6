"""Learn the lexical reranker's feature weights from documents alone (self-supervised).

Why: the hand-set weights in ``zhiku.retrieve.rerank`` were guessed.  Here we make
pseudo-questions from passages — take a sentence holding a date, number, title or content word,
remove that span (the "answer"), put a question word in its place and drop a few words — and
learn which features pick the source chunk out of the real retriever's top candidates.
Training text: our own ``examples/`` documents and the *passages* of the CMRC2018 open corpus
(Wikipedia, CC BY-SA).  No QA file is ever read here, so the reported QA sets stay clean.

    .venv/bin/python bench/train_reranker.py            # writes src/zhiku/data/rerank_weights.json
    .venv/bin/python bench/train_reranker.py --out /tmp/w.json --max-queries 1500

Prints held-out (20% of documents) top-1 / MRR of: fused order, hand-set weights, learned weights;
writes bench/results/train_reranker.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.base import SearchFilters  # noqa: E402
from zhiku.answer.lang import glossary_expand  # noqa: E402
from zhiku.config import load_settings  # noqa: E402
from zhiku.kb import KnowledgeBase  # noqa: E402
from zhiku.retrieve.rerank import (  # noqa: E402
    FEATURES,
    WEIGHTS_FORMAT,
    LexicalReranker,
    RerankWeights,
    default_weights_path,
)

CMRC_CORPUS = ROOT.parent / "shared" / "bench" / "cmrc2018_open" / "corpus.jsonl"
EXAMPLE_SUFFIXES = {".md", ".txt", ".html", ".pdf", ".docx", ".xlsx"}
RESULTS = ROOT / "bench" / "results" / "train_reranker.json"

# (pattern of the answer span, question word that replaces it)
_SPANS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日|(?:19|20)\d{2}年\d{1,2}月"),
        "什么时候",
    ),
    (re.compile(r"(?<!\d)(?:1[5-9]|20)\d{2}年"), "哪一年"),
    (re.compile(r"\d+(?:\.\d+)?%"), "百分之多少"),
    (
        re.compile(
            r"(?<![\d,.])\d[\d,]*(?:\.\d+)?\s*(?:万亿|亿元|万元|亿|万|千)?(个|家|人|名|倍|元|米|公里|次|岁|届|部|座|种|项|场|位)"
        ),
        "多少",
    ),
    (re.compile(r"《[^》]{1,20}》"), "哪部作品"),
)
# jieba part-of-speech tag of a named span -> question word (person, place, organisation, other noun)
_WORD_QUESTION = {"nr": "谁", "ns": "哪里", "nt": "哪个机构", "nz": "什么", "n": "什么"}
_SENTENCE = re.compile(r"[^。！？；!?;\n]{12,}")
_CLAUSE = re.compile(r"[，,、：:（）()“”\"]")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


@dataclass(frozen=True)
class PseudoQuery:
    query: str
    answer: str
    chunk_id: str
    doc_id: str


@dataclass(frozen=True)
class Noise:
    """How much of the source sentence a pseudo-question keeps (real questions keep little)."""

    before: tuple[int, int] = (6, 20)  # characters of context kept before the answer span
    after: tuple[int, int] = (4, 16)  # ... and after it
    clause_drop: float = 0.4
    word_drop: float = 0.25


def _noisy(context: str, rng: random.Random, keep: set[str], noise: Noise) -> str:
    """Drop some clauses and some words, the way short search questions leave things out."""
    import jieba

    clauses = [c for c in _CLAUSE.split(context) if c.strip()]
    kept = [c for c in clauses if any(k in c for k in keep) or rng.random() > noise.clause_drop]
    words = [w for w in jieba.lcut("".join(kept)) if w.strip()]
    return "".join(w for w in words if any(k in w for k in keep) or rng.random() > noise.word_drop)


def _span_query(sentence: str, rng: random.Random, noise: Noise) -> tuple[str, str] | None:
    options = [(m, qword) for pattern, qword in _SPANS for m in pattern.finditer(sentence)]
    if options:
        match, qword = rng.choice(options)
        if qword == "多少":
            qword = "多少" + match.group(1)
        span = match.group()
    else:
        import jieba.posseg

        named = [(p.word, p.flag) for p in jieba.posseg.lcut(sentence) if p.flag in _WORD_QUESTION]
        named = [(w, flag) for w, flag in named if _CJK_WORD.match(w)]
        if not named:
            return None
        span, flag = rng.choice(named)
        qword = _WORD_QUESTION[flag]
    start = sentence.index(span)
    lo = max(0, start - rng.randint(*noise.before))
    hi = min(len(sentence), start + len(span) + rng.randint(*noise.after))
    context = sentence[lo:start] + "\x00" + sentence[start + len(span) : hi]
    query = _noisy(context, rng, {"\x00"}, noise).replace("\x00", qword)
    return (query + "？", span) if len(query) >= 8 else None


def make_queries(kb: KnowledgeBase, rng: random.Random, limit: int, noise: Noise) -> list[PseudoQuery]:
    out: list[PseudoQuery] = []
    titles = {d.doc_id: d.title for d in kb.documents()}
    chunks = kb.catalog.chunks()
    passes = [rng.sample(chunks, len(chunks)) for _ in range(3)]  # up to three questions per chunk
    for chunk in (c for order in passes for c in order):
        sentences = _SENTENCE.findall(chunk.text)
        if not sentences:
            continue
        made = _span_query(rng.choice(sentences), rng, noise)
        if made is None:
            continue
        query, answer = made
        title = titles.get(chunk.doc_id, "")
        if title and title not in query and rng.random() < 0.5:
            query = title + query
        out.append(PseudoQuery(query, answer, chunk.chunk_id, chunk.doc_id))
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class Group:
    """Feature rows of one pseudo-query's candidates; row 0 is the positive."""

    rows: np.ndarray
    fused_pos_rank: int
    held_out: bool


def build_groups(kb: KnowledgeBase, queries: Sequence[PseudoQuery], reranker: LexicalReranker) -> list[Group]:
    retriever = kb.retriever
    settings = retriever.settings
    weights = {"bm25": settings.bm25_weight, "dense": settings.dense_weight}
    groups = []
    for pq in queries:
        lists = retriever.ranked_lists(pq.query, settings.candidates, SearchFilters())
        fused = retriever.fusion.run(lists, weights, settings.candidates)
        views = retriever.lookup([f.chunk_id for f in fused])
        fused = [f for f in fused if f.chunk_id in views]
        ids = [f.chunk_id for f in fused]
        if pq.chunk_id not in ids:
            continue
        rows = reranker.features(glossary_expand(pq.query), fused, views)
        if rows is None:
            continue
        pos = ids.index(pq.chunk_id)
        # other chunks that also hold the answer are ambiguous, not negatives
        negs = [i for i, f in enumerate(fused) if i != pos and pq.answer not in views[f.chunk_id].text]
        if not negs:
            continue
        matrix = np.array([rows[pos]] + [rows[i] for i in negs], dtype=float)
        held = zlib.crc32(pq.doc_id.encode()) % 5 == 0
        groups.append(Group(matrix, pos + 1, held))
    return groups


def fit(groups: Sequence[Group], c: float) -> np.ndarray:
    """Pairwise logistic regression (positive minus each negative), no intercept."""
    from sklearn.linear_model import LogisticRegression

    diffs = np.concatenate([g.rows[0] - g.rows[1:] for g in groups])
    x = np.concatenate([diffs, -diffs])
    y = np.concatenate([np.ones(len(diffs)), np.zeros(len(diffs))])
    sample = np.concatenate([np.full(len(g.rows) - 1, 1.0 / (len(g.rows) - 1)) for g in groups])
    model = LogisticRegression(fit_intercept=False, C=c, max_iter=2000)
    model.fit(x, y, sample_weight=np.concatenate([sample, sample]))
    coef: np.ndarray = model.coef_[0]
    scale = coef[FEATURES.index("fused")] if coef[FEATURES.index("fused")] > 0 else np.abs(coef).sum()
    return coef / (scale or 1.0)


def evaluate(groups: Sequence[Group], w: np.ndarray | None) -> dict[str, float]:
    top1 = mrr = 0.0
    for g in groups:
        if w is None:
            # fused order (ambiguous candidates dropped, so the positive can only move up)
            rank = g.fused_pos_rank
            rr = 1.0 / rank
        else:
            scores = g.rows @ w
            rank = 1 + int(np.sum(scores[1:] >= scores[0]))
            rr = 1.0 / rank
        top1 += rank == 1
        mrr += rr
    n = max(1, len(groups))
    return {"top1": round(top1 / n, 4), "mrr": round(mrr / n, 4), "n": len(groups)}


def build_kb(home: Path, max_docs: int) -> KnowledgeBase:
    settings = load_settings(home=home, index={"dense": False})
    kb = KnowledgeBase.create(settings, "rerank_train", hooks=[])
    sources: list[Path] = [p for p in sorted((ROOT / "examples").iterdir()) if p.suffix in EXAMPLE_SUFFIXES]
    if CMRC_CORPUS.exists():
        lines = CMRC_CORPUS.read_text(encoding="utf-8").splitlines()[:max_docs]
        passages = home / "cmrc_passages.jsonl"
        passages.write_text("\n".join(lines) + "\n", encoding="utf-8")
        sources.append(passages)
    kb.ingest(sources)
    return kb


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_weights_path())
    parser.add_argument("--max-queries", type=int, default=3000)
    parser.add_argument("--max-docs", type=int, default=1104)
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    started = time.time()
    home = Path(tempfile.mkdtemp(prefix="zhiku_rerank_train_"))
    try:
        kb = build_kb(home, args.max_docs)
        rng = random.Random(args.seed)
        queries = make_queries(kb, rng, args.max_queries, Noise())
        reranker = LexicalReranker(kb.tokenizer, RerankWeights())
        groups = build_groups(kb, queries, reranker)
        kb.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    train = [g for g in groups if not g.held_out]
    held = [g for g in groups if g.held_out]
    w = fit(train, args.c)
    report = {
        "queries": len(queries),
        "groups": {"train": len(train), "held_out": len(held)},
        "held_out": {
            "fused": evaluate(held, None),
            "hand_set": evaluate(held, np.array(RerankWeights().vector())),
            "learned": evaluate(held, w),
        },
        "weights": {name: round(float(v), 5) for name, v in zip(FEATURES, w, strict=True)},
        "seconds": round(time.time() - started, 1),
    }
    payload = {
        "format": WEIGHTS_FORMAT,
        "trained_on": "self-supervised pseudo-queries from examples/ and CMRC2018 passages (no QA files)",
        "held_out_top1": report["held_out"]["learned"]["top1"],  # type: ignore[index]
        "weights": report["weights"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
