"""Tokenise a stream of texts in worker processes, in order, with bounded memory.

Why: a full-text rebuild at the end of a big ingest tokenises every chunk (~0.3 ms each with
rjieba and the bigrams: 5 min of one core at 1M chunks) while the rest of the machine idles.
Workers (spawned, so no thread or gRPC state of the parent is forked) each build their own
``Tokenizer`` from the same user dictionary and return each block encoded (its vocabulary and integer arrays); at most
``workers * 2`` blocks are in flight, so the stream is never read ahead into memory.

>>> for ids, (vocab, token_ids, lengths) in encode_stream(rows, user_dict=None, bigrams=True, workers=2):
...     ...
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.tokenize import Tokenizer

BLOCK = 2000  # texts per task: big enough to amortise the pickling round trip

_worker_tokenizer: list[Tokenizer] = []  # per worker process, set once by _init


def _init(user_dict: str | None, bigrams: bool) -> None:
    _worker_tokenizer.append(Tokenizer(Path(user_dict) if user_dict else None, bigrams=bigrams))


def encode(tokenizer: Tokenizer, texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts → (block vocabulary, every token as an index into it, tokens per text).

    Why: the per-token dictionary work then runs in the workers too, and what travels back is
    one small vocabulary and two integer arrays instead of every token string.
    """
    local: dict[str, int] = {}
    flat: list[int] = []
    lens: list[int] = []
    known = local.__getitem__
    for text in texts:
        words = tokenizer.tokens(text) or [""]
        for term in set(words).difference(local):
            local[term] = len(local)
        flat.extend(map(known, words))
        lens.append(len(words))
    return list(local), np.asarray(flat, dtype=np.int32), np.asarray(lens, dtype=np.int32)


def _encode(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    return encode(_worker_tokenizer[0], texts)


Encoded = tuple[list[str], tuple[list[str], np.ndarray, np.ndarray]]


def encode_stream(
    rows: Iterable[tuple[str, str]], *, user_dict: Path | None, bigrams: bool, workers: int
) -> Iterator[Encoded]:
    """(id, text) rows → per block of BLOCK rows: (ids, :func:`encode` of their texts), in order."""
    source = iter(rows)
    if mp.current_process().daemon:  # a pool worker may not start processes: encode here instead
        tokenizer = Tokenizer(user_dict, bigrams=bigrams)
        while block := list(islice(source, BLOCK)):
            yield [r[0] for r in block], encode(tokenizer, [r[1] for r in block])
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(
        workers, initializer=_init, initargs=(str(user_dict) if user_dict else None, bigrams)
    ) as pool:
        waiting: deque[tuple[list[str], Any]] = deque()

        def submit() -> bool:
            block = list(islice(source, BLOCK))
            if block:
                waiting.append(([r[0] for r in block], pool.apply_async(_encode, ([r[1] for r in block],))))
            return bool(block)

        more = True
        while more and len(waiting) < 2 * workers:
            more = submit()
        while waiting:
            ids, result = waiting.popleft()
            if more:
                more = submit()
            yield ids, result.get()
