"""BM25 full-text index (bm25s) over the shared tokenizer; derived from the catalog.

bm25s has no incremental insert, so the index is a *base* segment built by bm25s plus a small
*delta* kept by us (an LSM-style design):

- ``build`` tokenises every chunk into a new base (atomic swap on disk) and empties the delta;
- ``apply`` takes only the documents that changed since the last refresh (the catalog's change
  log): their old chunks are tombstoned in the base, their new chunks go to the delta, and the
  change is appended to ``delta-<version>.json``.  An ingest of 100 documents into a 1M-chunk KB
  tokenises those 100 documents, not the million;
- delta hits are scored with the same Lucene BM25 formula as the base and with collection
  statistics of base + delta, so base and delta scores are comparable; when the delta grows past
  ``merge_ratio`` of the base (or the base is small, where a rebuild is instant) the KB rebuilds
  a new base instead (:meth:`wants_rebuild`).

Each state is saved with the catalog version it reflects; opening a KB whose catalog moved on
brings the index up to date (incrementally when it can).

>>> index = FullTextIndex(kb_dir / "fulltext", Tokenizer())
>>> index.build([("doc:00000", "中国人工智能产业规模")], version=3)
>>> index.search("产业规模", top_k=5)
[('doc:00000', 1.23)]
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import bm25s
import numpy as np

from zhiku.errors import StoreError
from zhiku.store import bm25_build, token_pool
from zhiku.tokenize import Tokenizer

SMALL_BASE = 20_000  # below this many chunks a full rebuild is cheaper than bookkeeping
MEMO_ROWS = 20_000  # chunks tokenised ahead of a refresh (see ``remember``): ~50 MB at most


class FullTextIndex:
    def __init__(
        self,
        directory: Path,
        tokenizer: Tokenizer,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        merge_ratio: float = 0.1,
        small_base: int | None = None,
    ) -> None:
        self.directory = directory
        self.tokenizer = tokenizer
        self.k1 = k1
        self.b = b
        self.merge_ratio = merge_ratio
        self.small_base = SMALL_BASE if small_base is None else small_base
        self._bm25: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._vocab: _Vocab | None = None  # term → base column (bm25s' dict or our hashed lookup)
        self._pos_map: dict[str, int] | None = None  # chunk id → base row, built on first need
        self._dead = np.zeros(0, dtype=bool)
        self._delta: dict[str, Counter[str]] = {}  # chunk id → term counts, chunks added since the base
        self._delta_len: dict[str, int] = {}
        self._postings: dict[str, dict[str, int]] = {}  # delta term → {chunk id: tf}
        self._df_base: np.ndarray = np.zeros(0, dtype=np.int64)
        self._avgdl = 1.0
        self._deltas: list[str] = []
        self.version = -1
        self.seq = -1  # the catalog change-log position this state reflects (-1: unknown)
        self._memo: dict[str, tuple[str, list[str]]] = {}  # chunk id → (text, its tokens)
        self._terms: dict[str, str] = {}  # one string per distinct term across the memo

    def remember(self, rows: Iterable[tuple[str, str]]) -> None:
        """Tokenise (chunk_id, text) rows now, for the next :meth:`build` or :meth:`apply`.

        Why: an ingest refreshes BM25 once its last batch is in the catalog, and the rebuild's
        tokenising was then ~0.6 s on RGB-zh of a tail in which one core worked and the other
        waited.  Tokenised batch by batch while the embedder works, the tail only assembles the
        matrix.  A refresh uses a memo entry only if its text is the same; the memo is bounded
        (``MEMO_ROWS``: past it, rows are tokenised at refresh time as before) and emptied by
        every refresh.
        """
        terms, memo = self._terms, self._memo
        for chunk_id, text in rows:
            if len(memo) >= MEMO_ROWS:
                return
            memo[chunk_id] = (text, [terms.setdefault(t, t) for t in self.tokenizer.tokens(text)])

    def _tokens(self, chunk_id: str, text: str) -> list[str]:
        known = self._memo.pop(chunk_id, None)
        return known[1] if known is not None and known[0] == text else self.tokenizer.tokens(text)

    def _forget(self) -> None:
        self._memo, self._terms = {}, {}

    # -- persistence -------------------------------------------------------------------------------
    def load(self) -> bool:
        """Load the saved index; False when there is none (caller rebuilds)."""
        meta = self.directory / "zhiku.json"
        if not meta.is_file():
            return False
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            ids = json.loads((self.directory / "ids.json").read_text(encoding="utf-8"))
            bm25, vocab = _load_bm25(self.directory / "bm25") if ids else (None, None)
            self._set_base(bm25, ids, float(info.get("avgdl", 1.0)), vocab)
            self._deltas = []
            for name in info.get("deltas", []):
                change = json.loads((self.directory / name).read_text(encoding="utf-8"))
                self._replay(change["removed"], change["added"])
                self._deltas.append(name)
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(
                f"全文索引已损坏，请运行 zhiku kb rebuild：{exc}",
                f"the full-text index is damaged, run `zhiku kb rebuild`: {exc}",
            ) from exc
        self.version = int(info["version"])
        self.seq = int(info.get("seq", -1))
        return True

    def _set_base(
        self, bm25: bm25s.BM25 | None, ids: list[str], avgdl: float, vocab: _Vocab | None = None
    ) -> None:
        self._bm25, self._ids, self._avgdl = bm25, ids, avgdl
        self._vocab = vocab if vocab is not None else (bm25.vocab_dict if bm25 is not None else None)
        self._pos_map = None  # 1M ids take ~0.3 s to map; a plain search never needs them
        self._dead = np.zeros(len(ids), dtype=bool)
        self._delta, self._delta_len, self._postings = {}, {}, {}
        self._df_base = np.diff(np.asarray(bm25.scores["indptr"])) if bm25 is not None else np.zeros(0)

    def _write_meta(self, directory: Path) -> None:
        info = {
            "version": self.version,
            "seq": self.seq,
            "rows": len(self._ids),
            "avgdl": self._avgdl,
            "deltas": self._deltas,
        }
        tmp = directory / "zhiku.json.tmp"
        tmp.write_text(json.dumps(info), encoding="utf-8")
        tmp.replace(directory / "zhiku.json")

    # -- writing -----------------------------------------------------------------------------------
    def build(
        self, rows: Iterable[tuple[str, str]], version: int, seq: int = -1, *, workers: int = 1
    ) -> None:
        """(chunk_id, text to index) rows → a new base, swapped in atomically on disk.

        ``rows`` is consumed once, as a stream: tokens become integer ids as they arrive
        (``store/bm25_build.py``), so memory does not hold every chunk's tokens.  ``workers`` > 1
        tokenises in that many processes (``store/token_pool.py``; worth it for big rebuilds).
        """
        ids: list[str] = []

        def token_lists() -> Iterator[list[str]]:
            for chunk_id, text in rows:
                ids.append(chunk_id)
                yield self._tokens(chunk_id, text)

        def encoded() -> Iterator[tuple[list[str], np.ndarray, np.ndarray]]:
            tok = self.tokenizer
            for block_ids, block in token_pool.encode_stream(
                rows, user_dict=tok.user_dict, bigrams=tok.bigrams, workers=workers
            ):
                ids.extend(block_ids)
                yield block

        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        spill = tmp / "blocks"
        out = tmp / "bm25"  # the big arrays are filled in place there (mapped files)
        if workers > 1:
            matrix = bm25_build.build_matrix_encoded(encoded(), k1=self.k1, b=self.b, spill=spill, out=out)
        else:
            matrix = bm25_build.build_matrix(token_lists(), k1=self.k1, b=self.b, spill=spill, out=out)
        self._forget()
        shutil.rmtree(spill, ignore_errors=True)
        bm25: bm25s.BM25 | None = None
        vocab: _Vocab | None = None
        avgdl = matrix.avgdl
        if ids:
            bm25_build.save(matrix, tmp / "bm25")
            del matrix  # the arrays are on disk now: map them instead of keeping a second copy
            bm25, vocab = _load_bm25(tmp / "bm25")  # the mapping survives the rename
        (tmp / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        self._set_base(bm25, ids, avgdl, vocab)
        self._deltas, self.version, self.seq = [], version, seq
        self._write_meta(tmp)
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def wants_rebuild(self, changed_chunks: int) -> bool:
        """True when a new base is the better move than a delta of ``changed_chunks`` more rows."""
        base = len(self._ids)
        if self._bm25 is None or self.seq < 0 or base < self.small_base:
            return True
        return len(self._delta) + changed_chunks > self.merge_ratio * base

    def apply(
        self,
        removed_docs: Iterable[str],
        added: Sequence[tuple[str, str]],
        version: int,
        seq: int,
    ) -> None:
        """Drop every chunk of ``removed_docs`` and index ``added`` (chunk_id, text) rows as delta.

        A changed document is listed in ``removed_docs`` and its new chunks in ``added``.
        """
        docs = set(removed_docs)
        removed = [c for c in (*self._ids, *self._delta) if c[: c.rfind(":")] in docs] if docs else []
        rows = [[cid, self._tokens(cid, text) or [""]] for cid, text in added]
        self._forget()
        change = {"removed": removed, "added": rows}
        name = f"delta-{version:08d}.json"
        (self.directory / name).write_text(json.dumps(change, ensure_ascii=False), encoding="utf-8")
        self._replay(removed, rows)
        self._deltas.append(name)
        self.version, self.seq = version, seq
        self._write_meta(self.directory)

    def touch(self, version: int, seq: int) -> None:
        """Nothing changed: record that this state reflects catalog ``version``."""
        self.version, self.seq = version, seq
        self._write_meta(self.directory)

    def _replay(self, removed: Sequence[str], added: Sequence[Sequence[object]]) -> None:
        for cid in removed:
            self._kill(cid)
        for row in added:
            cid, tokens = str(row[0]), [str(t) for t in row[1]]  # type: ignore[attr-defined]
            self._kill(cid)
            counts = Counter(tokens)
            self._delta[cid] = counts
            self._delta_len[cid] = len(tokens)
            for term, tf in counts.items():
                self._postings.setdefault(term, {})[cid] = tf

    @property
    def _pos(self) -> dict[str, int]:
        if self._pos_map is None:
            self._pos_map = {c: i for i, c in enumerate(self._ids)}
        return self._pos_map

    def _kill(self, cid: str) -> None:
        pos = self._pos.get(cid)
        if pos is not None:
            self._dead[pos] = True
        counts = self._delta.pop(cid, None)
        if counts is not None:
            del self._delta_len[cid]
            for term in counts:
                self._postings[term].pop(cid, None)

    def ids(self) -> list[str]:
        """The chunk ids this index holds (compared with the catalog after a crash)."""
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids) - int(self._dead.sum()) + len(self._delta)

    # -- searching ---------------------------------------------------------------------------------
    def search(self, query: str, top_k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top chunks by BM25; ``allowed`` restricts to a set of chunk ids (metadata filters)."""
        if top_k <= 0:
            return []
        tokens = self.tokenizer.tokens(query)
        found = self._search_base(tokens, top_k, allowed)
        if self._delta:
            found += self._search_delta(tokens, top_k, allowed)
            found.sort(key=lambda hit: -hit[1])
        return found[:top_k]

    def _search_base(
        self, tokens: list[str], top_k: int, allowed: set[str] | None
    ) -> list[tuple[str, float]]:
        if self._bm25 is None:
            return []
        assert self._vocab is not None
        found = [self._vocab.get(t) for t in tokens]
        term_ids = [i for i in found if i is not None]
        if not term_ids:
            return []
        scores = _score(self._bm25, term_ids)
        if allowed is not None:
            mask = np.zeros(len(scores), dtype=bool)
            for cid in allowed:
                pos = self._pos.get(cid)
                if pos is not None:
                    mask[pos] = True
            scores = np.where(mask, scores, 0.0)
        if self._dead.any():
            scores = np.where(self._dead, 0.0, scores)
        k = min(top_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def _search_delta(
        self, tokens: list[str], top_k: int, allowed: set[str] | None
    ) -> list[tuple[str, float]]:
        """Lucene BM25 over the delta with base + delta statistics (scores comparable with the base)."""
        vocab = self._vocab
        n_docs = len(self._ids) - int(self._dead.sum()) + len(self._delta)
        avgdl = self._avgdl or 1.0
        scores: dict[str, float] = {}
        for term, times in Counter(tokens).items():
            posting = self._postings.get(term)
            if not posting:
                continue
            base_id = vocab.get(term) if vocab is not None else None
            df = len(posting) + (int(self._df_base[base_id]) if base_id is not None else 0)
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            for cid, tf in posting.items():
                if allowed is not None and cid not in allowed:
                    continue
                norm = self.k1 * (1 - self.b + self.b * self._delta_len[cid] / avgdl)
                scores[cid] = scores.get(cid, 0.0) + times * idf * tf / (tf + norm)
        best = sorted(scores.items(), key=lambda hit: -hit[1])[:top_k]
        return [(cid, score) for cid, score in best if score > 0]


class _Vocab(Protocol):
    def get(self, term: str, /) -> int | None: ...


def _load_bm25(folder: Path) -> tuple[bm25s.BM25, _Vocab]:
    """The saved index, mapped; its vocabulary from our hashed lookup when the folder has one
    (an index saved before it existed loads bm25s' JSON vocabulary instead)."""
    if (folder / bm25_build.HASHES).is_file():
        bm25 = bm25s.BM25.load(str(folder), mmap=True, load_vocab=False)
        return bm25, bm25_build.HashedVocab(folder)
    bm25 = bm25s.BM25.load(str(folder), mmap=True)
    return bm25, bm25.vocab_dict


def _score(bm25: bm25s.BM25, term_ids: list[int]) -> np.ndarray:
    """Sum of the query terms' posting columns, as ``bm25s.get_scores`` computes it.

    One ``np.bincount`` over the concatenated postings instead of bm25s' ``np.add.at`` per term:
    at 1M chunks a CJK bigram's posting list holds ~10^5 rows and ``add.at`` dominated a search.
    """
    matrix = bm25.scores
    indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
    spans = [(int(indptr[t]), int(indptr[t + 1])) for t in term_ids]
    rows = np.concatenate([indices[a:b] for a, b in spans])
    weights = np.concatenate([data[a:b] for a, b in spans])
    return np.bincount(rows, weights=weights, minlength=int(matrix["num_docs"])).astype(np.float32)
