"""BM25 full-text index (bm25s) over the shared tokenizer; derived from the catalog.

bm25s has no incremental insert, so the index is rebuilt from the catalog after an
ingestion run (tokenising 1 MB with rjieba takes well under a second) and saved with the
catalog version it reflects; opening a KB whose catalog moved on triggers a rebuild.

>>> index = FullTextIndex(kb_dir / "fulltext", Tokenizer())
>>> index.build([("doc:00000", "中国人工智能产业规模")], version=3)
>>> index.search("产业规模", top_k=5)
[('doc:00000', 1.23)]
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from zhiku.errors import StoreError
from zhiku.tokenize import Tokenizer


class FullTextIndex:
    def __init__(self, directory: Path, tokenizer: Tokenizer, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.directory = directory
        self.tokenizer = tokenizer
        self.k1 = k1
        self.b = b
        self._bm25: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self.version = -1

    def load(self) -> bool:
        """Load the saved index; False when there is none (caller rebuilds)."""
        meta = self.directory / "zhiku.json"
        if not meta.is_file():
            return False
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            ids = json.loads((self.directory / "ids.json").read_text(encoding="utf-8"))
            bm25 = bm25s.BM25.load(str(self.directory / "bm25")) if ids else None
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"全文索引已损坏，请运行 zhiku kb rebuild：{exc}",
                f"the full-text index is damaged, run `zhiku kb rebuild`: {exc}",
            ) from exc
        self._bm25, self._ids, self.version = bm25, ids, int(info["version"])
        self._pos = {c: i for i, c in enumerate(ids)}
        return True

    def build(self, rows: Sequence[tuple[str, str]], version: int) -> None:
        """(chunk_id, text to index) rows → a new index, swapped in atomically on disk."""
        ids = [r[0] for r in rows]
        bm25: bm25s.BM25 | None = None
        if rows:
            corpus = [self.tokenizer.tokens(text) or [""] for _, text in rows]
            bm25 = bm25s.BM25(k1=self.k1, b=self.b)
            bm25.index(corpus, show_progress=False)
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if bm25 is not None:
            bm25.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        (tmp / "zhiku.json").write_text(json.dumps({"version": version, "rows": len(ids)}), encoding="utf-8")
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self._bm25, self._ids, self.version = bm25, ids, version
        self._pos = {c: i for i, c in enumerate(ids)}

    def ids(self) -> list[str]:
        """The chunk ids this index holds (compared with the catalog after a crash)."""
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str, top_k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top chunks by BM25; ``allowed`` restricts to a set of chunk ids (metadata filters)."""
        if self._bm25 is None or top_k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        terms = [t for t in self.tokenizer.tokens(query) if t in vocab]
        if not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        if allowed is not None:
            mask = np.zeros(len(scores), dtype=bool)
            for cid in allowed:
                pos = self._pos.get(cid)
                if pos is not None:
                    mask[pos] = True
            scores = np.where(mask, scores, 0.0)
        k = min(top_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]
