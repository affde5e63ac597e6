"""The LLM protocol, the scripted model, the OpenAI-compatible client and the registry."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from zhiku.config import LLMModelSettings, LLMSettings, Settings
from zhiku.errors import ConfigError, ModelError
from zhiku.models.llm import LLM, ChatMessage, GenerationParams, estimate_tokens
from zhiku.models.openai_chat import OpenAIChatLLM
from zhiku.models.registry import ModelRegistry
from zhiku.models.scripted import ScriptedLLM

pytestmark = pytest.mark.unit

USER = [ChatMessage("user", "2023年规模是多少？")]


def test_estimate_tokens_counts_cjk_per_character_and_words_not_letters() -> None:
    assert estimate_tokens("人工智能") == 4
    assert estimate_tokens("intelligence") < len("intelligence")
    assert estimate_tokens("规模 is 2137") == 2 + 1 + 1


def test_scripted_replies_in_order_records_calls_and_raises_scripted_errors() -> None:
    llm = ScriptedLLM(["a", ModelError("坏了", "broken"), "c"], repeat_last=False, remote=True)
    assert isinstance(llm, LLM)
    assert llm.chat(USER).text == "a"
    with pytest.raises(ModelError):
        llm.chat(USER)
    assert llm.chat(USER).text == "c"
    with pytest.raises(ModelError):
        llm.chat(USER)
    assert len(llm.calls) == 4 and llm.prompts[0] == USER[0].content


def test_scripted_stream_ends_with_the_completion() -> None:
    events = list(ScriptedLLM("答案是2137亿元[1]。").stream(USER))
    assert "".join(e.text for e in events) == "答案是2137亿元[1]。"
    assert events[-1].completion is not None and events[-1].completion.completion_tokens > 0


def _completion_body(text: str) -> dict[str, object]:
    return {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14},
    }


def test_openai_client_retries_5xx_with_backoff_then_succeeds() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        if len(seen) < 3:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(200, json=_completion_body("好的"))

    llm = OpenAIChatLLM(
        "large",
        base_url="http://llm.invalid/v1",
        model="qwen",
        api_key=SecretStr("sk-very-secret"),
        max_retries=2,
        backoff_s=0.0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    done = llm.chat(USER, GenerationParams(max_tokens=7, temperature=0.0, stop=("\n\n",)))
    assert done.text == "好的" and done.prompt_tokens == 11 and done.completion_tokens == 3
    assert len(seen) == 3 and seen[0]["model"] == "qwen" and seen[0]["max_tokens"] == 7
    assert seen[0]["stop"] == ["\n\n"]
    assert "sk-very-secret" not in repr(llm)


def test_openai_client_gives_up_with_model_error_naming_the_model() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"error": {"message": "down"}})

    llm = OpenAIChatLLM(
        "large",
        base_url="http://llm.invalid/v1",
        max_retries=1,
        backoff_s=0.0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(ModelError) as info:
        llm.chat(USER)
    assert info.value.fields["model"] == "large"
    assert "2 attempt" in info.value.en


def test_openai_client_does_not_retry_client_errors() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(401, json={"error": {"message": "bad key"}})

    llm = OpenAIChatLLM(
        "large", base_url="http://x.invalid/v1", backoff_s=0.0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )  # fmt: skip
    with pytest.raises(ModelError):
        llm.chat(USER)
    assert len(calls) == 1


def test_openai_client_needs_a_base_url() -> None:
    with pytest.raises(ConfigError):
        OpenAIChatLLM("large", base_url="")


def test_registry_builds_from_settings_lazily_and_prices_calls() -> None:
    settings = LLMSettings(
        models={
            "large": LLMModelSettings(
                base_url="http://llm.invalid/v1", api_key=SecretStr("sk-x"),
                price_prompt_per_1k=0.002, price_completion_per_1k=0.006,
            ),
            "small": LLMModelSettings(backend="llama_cpp", path=Path("/nonexistent/model.gguf")),
        }
    )  # fmt: skip
    registry = ModelRegistry.from_settings(settings)
    assert registry.names() == ["large", "small"]
    large = registry.get("large")
    assert large is not None and large.remote
    assert large.cost(1000, 500) == pytest.approx(0.002 + 0.003)
    assert registry.get("missing") is None
    with pytest.raises(ConfigError):
        registry.get("small")  # a missing GGUF fails when the model is asked for


def test_registry_register_injects_a_model() -> None:
    registry = ModelRegistry()
    registry.register("large", ScriptedLLM("x", remote=True), price_prompt_per_1k=1.0)
    model = registry.get("large")
    assert model is not None and model.remote and model.cost(500, 0) == 0.5


def test_api_key_never_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "ZHIKU_LLM__MODELS", '{"large": {"base_url": "http://h/v1", "api_key": "sk-top-secret"}}'
    )
    monkeypatch.setenv("ZHIKU_LLM__POLICY", "local_first")
    settings = Settings()
    assert settings.llm.policy == "local_first"
    assert "sk-top-secret" not in repr(settings) and "sk-top-secret" not in str(settings.model_dump())
    assert settings.llm.models["large"].api_key.get_secret_value() == "sk-top-secret"
