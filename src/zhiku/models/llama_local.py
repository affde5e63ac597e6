"""A local GGUF chat model run in-process through ``llama-cpp-python`` (optional extra ``local``).

This is the device side of 端云协同: prompts never leave the machine (``remote`` is False), so
chunks of local-only documents may be sent to it.  The file is checked when the object is
built (bad configuration fails at startup); the weights load on first use, once, because
loading is the slow part and many commands never generate.

>>> llm = LlamaLocalLLM("small", Path("qwen2.5-0.5b-instruct-q4.gguf"), n_ctx=4096)
>>> llm.chat([ChatMessage("user", "你好")]).text
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from zhiku.errors import ConfigError, ModelError
from zhiku.models.llm import (
    ChatMessage,
    Completion,
    GenerationParams,
    StreamEvent,
    estimate_tokens,
    messages_tokens,
)


class LlamaLocalLLM:
    """In-process llama.cpp; thread-safe because one ``Llama`` context must not run twice at once."""

    remote = False

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        chat_format: str | None = None,
        defaults: GenerationParams | None = None,
        seed: int = 0,
    ) -> None:
        if not Path(path).is_file():
            raise ConfigError(
                f"找不到 GGUF 模型文件：{path}", f"GGUF model file not found: {path}", model=name
            )
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                "未安装 llama-cpp-python：pip install 'zhiku[local]'",
                "llama-cpp-python is not installed: pip install 'zhiku[local]'",
                model=name,
            ) from exc
        self.name = name
        self.path = Path(path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.chat_format = chat_format
        self.defaults = defaults or GenerationParams()
        self.seed = seed
        self._llama: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaLocalLLM(name={self.name!r}, path={str(self.path)!r})"

    def _model(self) -> Any:
        if self._llama is None:
            import llama_cpp

            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    chat_format=self.chat_format,
                    seed=self.seed,
                    verbose=False,
                )
            except Exception as exc:  # llama.cpp raises ValueError/RuntimeError on bad files
                raise ModelError(
                    f"无法加载本地模型 {self.name}：{exc}",
                    f"cannot load local model {self.name}: {exc}",
                    model=self.name,
                    path=str(self.path),
                ) from exc
        return self._llama

    def _kwargs(self, messages: Sequence[ChatMessage], params: GenerationParams | None) -> dict[str, Any]:
        p = params or self.defaults
        return {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": p.max_tokens,
            "temperature": p.temperature,
            "stop": list(p.stop) or None,
        }

    def chat(self, messages: Sequence[ChatMessage], params: GenerationParams | None = None) -> Completion:
        start = time.perf_counter()
        with self._lock:
            model = self._model()
            try:
                result = model.create_chat_completion(**self._kwargs(messages, params))
            except Exception as exc:
                raise ModelError(
                    f"本地模型 {self.name} 生成失败", f"local model {self.name} failed", detail=str(exc)[:200]
                ) from exc
        choice = result["choices"][0]
        text = choice["message"].get("content") or ""
        usage = result.get("usage") or {}
        return Completion(
            text=text,
            model=self.name,
            prompt_tokens=int(usage.get("prompt_tokens", messages_tokens(messages))),
            completion_tokens=int(usage.get("completion_tokens", estimate_tokens(text))),
            ms=(time.perf_counter() - start) * 1000,
            finish_reason=choice.get("finish_reason") or "stop",
        )

    def stream(
        self, messages: Sequence[ChatMessage], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]:
        start = time.perf_counter()
        parts: list[str] = []
        finish = "stop"
        with self._lock:
            model = self._model()
            model_input = model.tokenize
            for event in model.create_chat_completion(stream=True, **self._kwargs(messages, params)):
                choice = event["choices"][0]
                delta = choice.get("delta", {}).get("content") or ""
                finish = choice.get("finish_reason") or finish
                if delta:
                    parts.append(delta)
                    yield StreamEvent(text=delta)
            text = "".join(parts)
            try:
                completion_tokens = len(model_input(text.encode("utf-8"), add_bos=False)) if text else 0
            except Exception:
                completion_tokens = estimate_tokens(text)
        yield StreamEvent(
            completion=Completion(
                text=text,
                model=self.name,
                prompt_tokens=messages_tokens(messages),
                completion_tokens=completion_tokens,
                ms=(time.perf_counter() - start) * 1000,
                finish_reason=finish,
            )
        )
