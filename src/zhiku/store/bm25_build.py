"""Build a bm25s-compatible BM25 matrix from a stream of token lists, in bounded memory.

Why not ``bm25s.BM25.index``: it needs every document's token list (Python strings) at once,
which at 50k chunks peaked at 2.3 GB and took ~20 s in its vocabulary pass alone.  Here tokens
become integer ids as they arrive, each block of documents is reduced to (term, tf) pairs with
numpy, and the CSC matrix is filled by a counting sort (no global argsort).  Memory is about
14 bytes per (document, distinct term) pair, never the token strings.

The scores are bm25s' own "lucene" variant (idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
tf / (tf + k1 (1 - b + b dl / avgdl))), so an index built here is saved, loaded (mmap) and
queried by bm25s exactly like one it built; ``tests/store/test_bm25_build.py`` checks the
scores match.

>>> matrix = build_matrix((tokens for tokens in corpus), k1=1.2, b=0.75)
>>> save(matrix, Path("fulltext/bm25"))
"""

from __future__ import annotations

import hashlib
import mmap
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np

_BLOCK_DOCS = 4096


@dataclass
class Matrix:
    """The built index: CSC arrays (term columns), vocabulary, document lengths."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    vocab: dict[str, int]
    num_docs: int
    avgdl: float
    k1: float
    b: float


@dataclass
class _Blocks:
    """Per block of documents: (term, tf) pairs doc-major, distinct terms and tokens per document.

    With ``spill`` set, the pairs go to disk as they are made and come back one block at a time
    while the matrix is filled, so memory holds the final arrays and one block (1M chunks:
    ~160M pairs, 1.3 GB of final arrays, the pairs would add another 1 GB).
    """

    spill: Path | None = None
    pairs: list[tuple[np.ndarray, np.ndarray] | Path] = field(default_factory=list)
    per_doc: list[np.ndarray] = field(default_factory=list)
    lengths: list[np.ndarray] = field(default_factory=list)
    df: np.ndarray = field(default_factory=lambda: np.zeros(1 << 16, dtype=np.int64))

    def add(self, terms: np.ndarray, tf: np.ndarray) -> None:
        top = int(terms.max(initial=-1)) + 1
        if top > len(self.df):  # the vocabulary grew: double the document-frequency counts
            self.df = np.concatenate([self.df, np.zeros(max(top, 2 * len(self.df)) - len(self.df), np.int64)])
        self.df += np.bincount(terms, minlength=len(self.df))
        if self.spill is None:
            self.pairs.append((terms, tf))
            return
        self.spill.mkdir(parents=True, exist_ok=True)
        path = self.spill / f"block-{len(self.pairs):06d}.npy"
        np.save(path, np.stack([terms.astype(np.uint32), tf.astype(np.uint32)]))
        self.pairs.append(path)

    def take(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        item = self.pairs[number]
        self.pairs[number] = Path()  # released: each block is placed once
        if isinstance(item, Path):
            both = np.load(item)
            item.unlink()
            return both[0].astype(np.int32), both[1].astype(np.float32)
        return item


def build_matrix(
    corpus: Iterable[list[str]], *, k1: float, b: float, spill: Path | None = None, out: Path | None = None
) -> Matrix:
    """``corpus``: one token list per document (an empty list counts as the token "").

    ``spill``: a scratch folder for the intermediate pairs (bounded memory for big corpora).
    ``out``: the folder the index will be saved to; the two big arrays are then filled in
    place there as memory-mapped files (file pages the kernel may drop, not process memory).
    """
    vocab: dict[str, int] = {}
    blocks = _Blocks(spill)
    flat: list[int] = []
    lens: list[int] = []
    known = vocab.__getitem__
    for tokens in corpus:
        words = tokens or [""]
        # new terms first (a C-speed set difference against the dict), then one C-speed map:
        # a per-token Python loop was a third of a 1M-chunk build
        for term in set(words).difference(vocab):
            vocab[term] = len(vocab)
        flat.extend(map(known, words))
        lens.append(len(words))
        if len(lens) >= _BLOCK_DOCS:
            _reduce(flat, lens, blocks)
            flat, lens = [], []
    if lens:
        _reduce(flat, lens, blocks)
    return _fill(blocks, vocab, k1, b, out)


def build_matrix_encoded(
    encoded: Iterable[tuple[list[str], np.ndarray, np.ndarray]],
    *,
    k1: float,
    b: float,
    spill: Path | None = None,
    out: Path | None = None,
) -> Matrix:
    """Like :func:`build_matrix`, from blocks already encoded by ``token_pool.encode``: (block
    vocabulary, token indexes into it, tokens per document).  Only the block vocabulary is
    looked up here, one dictionary operation per distinct term of the block."""
    vocab: dict[str, int] = {}
    blocks = _Blocks(spill)
    for terms, flat, lens in encoded:
        # one dictionary probe per block term (a C-speed map), then inserts for the new ones only:
        # at 1M chunks the vocabulary has millions of terms, each probe a cache miss, and a set
        # difference followed by a second lookup pass was a fifth of the main process's build
        ids = np.fromiter(map(vocab.get, terms, repeat(-1)), dtype=np.int64, count=len(terms))
        new = np.flatnonzero(ids < 0)
        if len(new):
            ids[new] = np.arange(len(vocab), len(vocab) + len(new))
            vocab.update(zip([terms[i] for i in new.tolist()], ids[new].tolist(), strict=True))
        _reduce(ids[flat], lens, blocks)
    return _fill(blocks, vocab, k1, b, out)


def _reduce(flat: list[int] | np.ndarray, lens: list[int] | np.ndarray, blocks: _Blocks) -> None:
    """One block of documents → (term, tf) pairs sorted by document then term."""
    tids = np.asarray(flat, dtype=np.int64)
    counts = np.asarray(lens, dtype=np.int64)
    docs = np.repeat(np.arange(len(lens), dtype=np.int64), counts)
    keys, tf = np.unique((docs << 32) | tids, return_counts=True)
    blocks.add((keys & 0xFFFFFFFF).astype(np.int32), tf.astype(np.float32))
    blocks.per_doc.append(np.bincount((keys >> 32).astype(np.int64), minlength=len(lens)).astype(np.int32))
    blocks.lengths.append(counts.astype(np.float32))


_DATA, _INDICES = "data.csc.index.npy", "indices.csc.index.npy"  # bm25s' file names
_RELEASE_EVERY = 64  # blocks between dropping the mapped output pages from this process


def _output(out: Path | None, name: str, nnz: int, dtype: type) -> np.ndarray:
    if out is None:
        return np.empty(nnz, dtype=dtype)
    out.mkdir(parents=True, exist_ok=True)
    return np.lib.format.open_memmap(out / name, mode="w+", dtype=dtype, shape=(nnz,))


def _release(*arrays: np.ndarray) -> None:
    """Drop the pages of mapped outputs from this process (the kernel keeps them, as page cache).

    Why: without it the filled arrays (1.3 GB at 1M chunks) count in the ingest's resident memory.
    """
    for array in arrays:
        handle = getattr(array, "_mmap", None)
        if handle is not None and hasattr(mmap, "MADV_DONTNEED"):
            array.flush()  # type: ignore[attr-defined]
            handle.madvise(mmap.MADV_DONTNEED)


def _fill(blocks: _Blocks, vocab: dict[str, int], k1: float, b: float, out: Path | None = None) -> Matrix:
    n_vocab = len(vocab)
    lengths = np.concatenate(blocks.lengths) if blocks.lengths else np.zeros(0, dtype=np.float32)
    num_docs = len(lengths)
    avgdl = float(lengths.mean()) if num_docs else 1.0
    df = np.zeros(n_vocab, dtype=np.int64)
    kept = min(n_vocab, len(blocks.df))
    df[:kept] = blocks.df[:kept]
    idf = np.log1p((num_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    nnz = int(indptr[-1])
    data = _output(out, _DATA, nnz, np.float32)
    indices = _output(out, _INDICES, nnz, np.int32)
    cursor = indptr[:-1].copy()
    first_doc = 0
    for number, per_doc in enumerate(blocks.per_doc):
        terms, tf = blocks.take(number)
        docs = np.repeat(np.arange(first_doc, first_doc + len(per_doc), dtype=np.int32), per_doc)
        first_doc += len(per_doc)
        norm = k1 * (1 - b + b * lengths[docs] / avgdl)
        score = idf[terms] * tf / (tf + norm)
        order = np.argsort(terms, kind="stable")  # within a term, documents stay ascending
        sorted_terms = terms[order]
        starts = np.flatnonzero(np.r_[True, sorted_terms[1:] != sorted_terms[:-1]])
        runs = np.diff(np.r_[starts, len(sorted_terms)])
        rank = np.arange(len(sorted_terms)) - np.repeat(starts, runs)
        where = cursor[sorted_terms] + rank
        indices[where] = docs[order]
        data[where] = score[order]
        cursor[sorted_terms[starts]] += runs
        if (number + 1) % _RELEASE_EVERY == 0:
            _release(data, indices)
    _release(data, indices)
    return Matrix(data, indices, indptr, vocab, num_docs, avgdl, k1, b)


HASHES, TERM_IDS = "vocab.hash.npy", "vocab.ids.npy"  # our term lookup beside bm25s' files


def term_hash(terms: Iterable[str]) -> np.ndarray:
    """64-bit hashes of terms (stable across processes, unlike ``hash``)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little") for t in terms),
        dtype=np.uint64,
    )


class HashedVocab:
    """Term → id lookups from two mapped arrays (sorted term hashes, their ids).

    Why: bm25s keeps the vocabulary as a JSON dict, and parsing it is most of opening a big KB
    (millions of terms at 1M chunks); a search only ever looks up its own few query terms.
    A 64-bit hash collision (~10^-6 for 5M terms) would at worst score one wrong term.
    """

    def __init__(self, folder: Path) -> None:
        self._hashes = np.load(folder / HASHES, mmap_mode="r")
        self._ids = np.load(folder / TERM_IDS, mmap_mode="r")

    @staticmethod
    def write(vocab: dict[str, int], folder: Path) -> None:
        hashes = term_hash(vocab)
        order = np.argsort(hashes, kind="stable")
        np.save(folder / HASHES, hashes[order])
        np.save(folder / TERM_IDS, np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))[order])

    def get(self, term: str) -> int | None:
        key = term_hash([term])[0]
        pos = int(np.searchsorted(self._hashes, key))
        if pos < len(self._hashes) and self._hashes[pos] == key:
            return int(self._ids[pos])
        return None


def save(matrix: Matrix, folder: Path) -> None:
    """Write the index in bm25s' on-disk layout (``bm25s.BM25.load(folder, mmap=True)`` reads it)."""
    import bm25s

    bm25 = bm25s.BM25(k1=matrix.k1, b=matrix.b)
    bm25.scores = {
        "data": matrix.data,
        "indices": matrix.indices,
        "indptr": matrix.indptr,
        "num_docs": matrix.num_docs,
    }
    bm25.vocab_dict = matrix.vocab
    bm25.nonoccurrence_array = None
    folder.mkdir(parents=True, exist_ok=True)
    HashedVocab.write(matrix.vocab, folder)
    in_place = all(
        isinstance(array, np.memmap) and Path(str(array.filename)) == folder / name
        for array, name in ((matrix.data, _DATA), (matrix.indices, _INDICES))
    )
    if not in_place:
        bm25.save(str(folder), show_progress=False)
        return
    # the big arrays were filled where bm25s looks for them: save the rest beside them
    bm25.scores = {**bm25.scores, "data": np.zeros(0, np.float32), "indices": np.zeros(0, np.int32)}
    bm25.save(
        str(folder), data_name="unused-data.npy", indices_name="unused-indices.npy", show_progress=False
    )
    for name in ("unused-data.npy", "unused-indices.npy"):
        (folder / name).unlink(missing_ok=True)
