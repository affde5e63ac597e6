"""Learn the lexical reranker's feature weights from documents alone (self-supervised).

Why: the hand-set weights in ``zhiku.retrieve.rerank`` were guessed.  Here we make
pseudo-questions from passages — take a sentence holding a date, number, title or content word,
remove that span (the "answer"), put a question word in its place and drop a few words — and
learn which features pick the source chunk out of the real retriever's top candidates.
Training text: our own ``examples/`` documents and the *passages* of the CMRC2018 open corpus
(Wikipedia, CC BY-SA).  No QA file is ever read here, so the reported QA sets stay clean.

    .venv/bin/python bench/train_reranker.py          # writes bench/results/rerank_weights_learned.json
    .venv/bin/python bench/train_reranker.py --ship   # writes src/zhiku/data/rerank_weights.json

Ship (``--ship``) only after the learned weights are no worse than the hand-set ones on the dev
QA sets (answer-recall@1 and @5 with the real ``kb.search``); the product loads the shipped file
and falls back to the hand-set weights without it.  Weights are shrunk toward the hand-set prior
(``--c``) because the pseudo-questions are only a proxy for real ones.

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

from zhiku.config import load_settings  # noqa: E402
from zhiku.kb import KnowledgeBase  # noqa: E402
from zhiku.retrieve.rerank import (  # noqa: E402
    FEATURES,
    LexicalReranker,
    RerankWeights,
    default_weights_path,
    save_weights,
)
from zhiku.types import SearchFilters  # noqa: E402
from zhiku.understand import analyse  # noqa: E402
from zhiku.wiring import create_kb  # noqa: E402

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
    title_prob: float = 0.5  # chance of prefixing the document title (questions name their subject)
    shaped_only: bool = False  # only number / date / work-title answers, no plain nouns


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
    elif noise.shaped_only:
        return None
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
    chunks = sorted(kb.catalog.chunks(), key=lambda c: (titles.get(c.doc_id, ""), c.ordinal, c.text))
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
        if title and title not in query and rng.random() < noise.title_prob:
            query = title + query
        out.append(PseudoQuery(query, answer, chunk.chunk_id, title or chunk.doc_id))
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
        question = analyse(pq.query, split=False)
        lists = retriever.ranked_lists(question, settings.candidates, SearchFilters())
        fused = retriever.fusion.run(lists, weights, settings.candidates)
        views = retriever.lookup([f.chunk_id for f in fused])
        fused = [f for f in fused if f.chunk_id in views]
        ids = [f.chunk_id for f in fused]
        if pq.chunk_id not in ids:
            continue
        rows = reranker.features(question, fused, views)
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


def _listwise(groups: Sequence[Group], w: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of the positive (row 0) over each candidate list, and its gradient."""
    total, grad = 0.0, np.zeros_like(w)
    for g in groups:
        scores = g.rows @ w
        top = scores.max()
        p = np.exp(scores - top)
        z = p.sum()
        p /= z
        total += top + np.log(z) - scores[0]
        grad += p @ g.rows - g.rows[0]
    return total / len(groups), grad / len(groups)


def fit(groups: Sequence[Group], c: float, use: Sequence[str] = FEATURES) -> np.ndarray:
    """Listwise softmax (the positive should win its candidate list), shrunk toward the hand-set weights.

    Optimising the softmax of the positive targets top-1 directly; a pairwise loss over all
    candidates spends its capacity on easy negatives far down the list.  The pseudo-questions
    are only a proxy for real ones, so the weights stay near the (scaled) hand-set prior:
    ``c`` is how far they may move (larger = trust the synthetic data more).
    """
    from scipy.optimize import minimize, minimize_scalar

    cols = [FEATURES.index(name) for name in use]
    groups = [Group(g.rows[:, cols], g.fused_pos_rank, g.held_out) for g in groups]
    hand = np.array(RerankWeights().vector())[cols]
    scale = minimize_scalar(lambda k: _listwise(groups, k * hand)[0], bounds=(0.1, 200.0), method="bounded").x
    prior = scale * hand

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = _listwise(groups, w)
        diff = (w - prior) / scale
        return value + float(diff @ diff) / (2 * c), grad + diff / (c * scale)

    result = minimize(loss, prior, jac=True, method="L-BFGS-B")
    coef = np.zeros(len(FEATURES))
    coef[cols] = result.x / scale
    return coef


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


def _distractors(lines: Sequence[str], fraction: float, rng: random.Random) -> list[str]:
    """Copies of some passages with every answer-shaped span cut out (hard negatives).

    A knowledge base often holds several texts on one topic of which only some state the fact
    asked for; a copy that says everything but the dates and figures teaches that.
    """
    out = []
    for line in lines:
        if rng.random() >= fraction:
            continue
        record = json.loads(line)
        text = str(record.get("text", ""))
        for pattern, _ in _SPANS:
            text = pattern.sub("", text)
        record.update(id=f"{record.get('id', '')}_distractor", text=text)
        out.append(json.dumps(record, ensure_ascii=False))
    return out


def build_kb(home: Path, max_docs: int, distractors: float, rng: random.Random) -> KnowledgeBase:
    settings = load_settings(home=home, index={"dense": False})
    kb = create_kb(settings, "rerank_train", hooks=[])
    sources: list[Path] = [p for p in sorted((ROOT / "examples").iterdir()) if p.suffix in EXAMPLE_SUFFIXES]
    if CMRC_CORPUS.exists():
        lines = CMRC_CORPUS.read_text(encoding="utf-8").splitlines()[:max_docs]
        passages = home / "cmrc_passages.jsonl"
        passages.write_text("\n".join(lines + _distractors(lines, distractors, rng)) + "\n", encoding="utf-8")
        sources.append(passages)
    kb.ingest(sources)
    return kb


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "rerank_weights_learned.json"
    )
    parser.add_argument(
        "--ship",
        action="store_true",
        help="write to src/zhiku/data/rerank_weights.json (only after they beat the hand-set weights on dev)",
    )
    parser.add_argument("--max-queries", type=int, default=3000)
    parser.add_argument("--max-docs", type=int, default=1104)
    parser.add_argument("--c", type=float, default=5.0, help="how far from the hand-set prior")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--features", default=",".join(FEATURES), help="comma-separated features to learn")
    parser.add_argument(
        "--distractors", type=float, default=0.0, help="share of passages copied sans figures"
    )
    parser.add_argument("--title-prob", type=float, default=0.5)
    parser.add_argument("--shaped-only", action="store_true", help="only number/date/title answer spans")
    args = parser.parse_args(argv)
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    started = time.time()
    home = Path(tempfile.mkdtemp(prefix="zhiku_rerank_train_"))
    try:
        rng = random.Random(args.seed)
        kb = build_kb(home, args.max_docs, args.distractors, rng)
        queries = make_queries(
            kb, rng, args.max_queries, Noise(title_prob=args.title_prob, shaped_only=args.shaped_only)
        )
        reranker = LexicalReranker(kb.tokenizer, RerankWeights())
        groups = build_groups(kb, queries, reranker)
        kb.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    train = [g for g in groups if not g.held_out]
    held = [g for g in groups if g.held_out]
    w = fit(train, args.c, [f for f in args.features.split(",") if f])
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
    meta = {
        "trained_on": "self-supervised pseudo-queries from examples/ and CMRC2018 passages (no QA files)",
        "held_out_top1": report["held_out"]["learned"]["top1"],  # type: ignore[index]
    }
    out = default_weights_path() if args.ship else args.out
    save_weights(out, RerankWeights(*(float(v) for v in w)), meta)
    report["weights_file"] = str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
