"""Any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server, DeepSeek, Qwen, GLM, Kimi).

One client through the ``openai`` SDK: base URL, model name, API key (a ``SecretStr`` that is
only unwrapped when the client is built), timeout, retries with exponential backoff on
connection errors, timeouts, 429 and 5xx, and streaming.  SDK errors become ``ModelError`` with
the model's name so the cascade can fall back and the CLI can say what failed.

>>> llm = OpenAIChatLLM("large", base_url="http://127.0.0.1:8000/v1", model="qwen2.5-7b")
>>> llm.chat([ChatMessage("user", "你好")]).text
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from zhiku.errors import ConfigError, ModelError
from zhiku.models.llm import (
    ChatMessage,
    Completion,
    GenerationParams,
    StreamEvent,
    estimate_tokens,
    messages_tokens,
)

T = TypeVar("T")


class OpenAIChatLLM:
    """Chat over ``/v1/chat/completions`` with retries; ``remote`` marks prompts leaving the machine."""

    def __init__(
        self,
        name: str,
        *,
        base_url: str,
        model: str = "",
        api_key: SecretStr | str = "",
        timeout_s: float = 60.0,
        max_retries: int = 2,
        remote: bool = True,
        defaults: GenerationParams | None = None,
        backoff_s: float = 0.5,
        http_client: Any = None,
    ) -> None:
        if not base_url:
            raise ConfigError(
                f"模型 {name} 缺少 base_url（OpenAI 兼容接口地址）",
                f"model {name} needs base_url (an OpenAI-compatible endpoint)",
                model=name,
            )
        if timeout_s <= 0 or max_retries < 0:
            raise ConfigError(
                "超时必须大于 0，重试次数不能为负", "timeout must be > 0, retries >= 0", model=name
            )
        import openai

        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self.name = name
        self.model = model or name
        self.remote = remote
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.defaults = defaults or GenerationParams()
        self._openai = openai
        # The SDK's own retries are disabled: ours log and back off the same way for every backend.
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=key or "none",
            timeout=timeout_s,
            max_retries=0,
            http_client=http_client,
        )

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIChatLLM(name={self.name!r}, model={self.model!r}, remote={self.remote})"

    def _kwargs(self, messages: Sequence[ChatMessage], params: GenerationParams | None) -> dict[str, Any]:
        p = params or self.defaults
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": p.max_tokens,
            "temperature": p.temperature,
        }
        if p.stop:
            kwargs["stop"] = list(p.stop)
        return kwargs

    def _retrying(self, call: Callable[[], T]) -> T:
        retryable = (
            self._openai.APIConnectionError,
            self._openai.APITimeoutError,
            self._openai.RateLimitError,
            self._openai.InternalServerError,
        )
        attempt = 0
        while True:
            try:
                return call()
            except retryable as exc:
                if attempt >= self.max_retries:
                    raise self._error(exc, attempt + 1) from exc
                time.sleep(self.backoff_s * (2**attempt))
                attempt += 1
            except self._openai.OpenAIError as exc:
                raise self._error(exc, attempt + 1) from exc

    def _error(self, exc: Exception, attempts: int) -> ModelError:
        kind = type(exc).__name__
        return ModelError(
            f"模型 {self.name} 调用失败（{kind}，尝试 {attempts} 次）",
            f"model {self.name} failed ({kind} after {attempts} attempt(s))",
            model=self.name,
            detail=str(exc)[:200],
        )

    def chat(self, messages: Sequence[ChatMessage], params: GenerationParams | None = None) -> Completion:
        start = time.perf_counter()
        kwargs = self._kwargs(messages, params)
        response = self._retrying(lambda: self._client.chat.completions.create(**kwargs))
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice else ""
        usage = response.usage
        return Completion(
            text=text,
            model=self.name,
            prompt_tokens=usage.prompt_tokens if usage else messages_tokens(messages),
            completion_tokens=usage.completion_tokens if usage else estimate_tokens(text),
            ms=(time.perf_counter() - start) * 1000,
            finish_reason=(choice.finish_reason or "stop") if choice else "error",
        )

    def stream(
        self, messages: Sequence[ChatMessage], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]:
        start = time.perf_counter()
        kwargs = self._kwargs(messages, params)
        events = self._retrying(lambda: self._client.chat.completions.create(stream=True, **kwargs))
        parts: list[str] = []
        finish = "stop"
        try:
            for event in events:
                if not event.choices:
                    continue
                delta = event.choices[0].delta.content or ""
                finish = event.choices[0].finish_reason or finish
                if delta:
                    parts.append(delta)
                    yield StreamEvent(text=delta)
        except (self._openai.OpenAIError, httpx.HTTPError) as exc:
            raise self._error(exc, 1) from exc
        text = "".join(parts)
        yield StreamEvent(
            completion=Completion(
                text=text,
                model=self.name,
                prompt_tokens=messages_tokens(messages),
                completion_tokens=estimate_tokens(text),
                ms=(time.perf_counter() - start) * 1000,
                finish_reason=finish,
            )
        )
