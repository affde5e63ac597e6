"""Against a real llama.cpp server and the in-process backend: load, chat, stream, time out, fall back."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tiny_gguf import free_port

from zhiku.answer.generate import GroundedGenerator
from zhiku.config import LLMModelSettings, LLMSettings
from zhiku.errors import ModelError
from zhiku.models.llama_local import LlamaLocalLLM
from zhiku.models.llm import LLM, ChatMessage, GenerationParams
from zhiku.models.openai_chat import OpenAIChatLLM
from zhiku.models.registry import ModelRegistry, NamedModel
from zhiku.types import Answer, AskRequest, Citation, Hit, Trace

pytest.importorskip("llama_cpp", reason="llama-cpp-python (extra 'local') is not installed")
pytest.importorskip("gguf", reason="the gguf package (dev extra) writes the tiny test model")

pytestmark = [pytest.mark.integration, pytest.mark.llama]

MSG = [ChatMessage("user", "2023年规模是多少？ What is the size?")]
SHORT = GenerationParams(max_tokens=12, temperature=0.0)


def client(base: str, **kw: object) -> OpenAIChatLLM:
    return OpenAIChatLLM("tiny", base_url=base, model="tiny", backoff_s=0.0, **kw)  # type: ignore[arg-type]


def test_server_lists_the_model(llama_server: str) -> None:
    data = httpx.get(f"{llama_server}/models", timeout=5).json()
    assert data["data"][0]["id"] == "tiny"


def test_chat_returns_text_and_usage(llama_server: str) -> None:
    llm = client(llama_server)
    assert isinstance(llm, LLM)
    done = llm.chat(MSG, SHORT)
    assert done.prompt_tokens > 0 and 0 < done.completion_tokens <= 12
    assert done.finish_reason in ("length", "stop")


def test_streaming_yields_deltas_and_a_final_completion(llama_server: str) -> None:
    events = list(client(llama_server).stream(MSG, SHORT))
    final = events[-1].completion
    assert final is not None
    assert "".join(e.text for e in events[:-1]) == final.text


def test_timeout_becomes_a_model_error_after_retries(llama_server: str) -> None:
    llm = client(llama_server, timeout_s=0.001, max_retries=1)
    with pytest.raises(ModelError) as info:
        llm.chat(MSG, GenerationParams(max_tokens=256))
    assert "2 attempt" in info.value.en


def test_unreachable_endpoint_is_a_model_error() -> None:
    llm = client(f"http://127.0.0.1:{free_port()}/v1", timeout_s=2, max_retries=1)
    with pytest.raises(ModelError):
        llm.chat(MSG, SHORT)


def _hit() -> Hit:
    return Hit("c1", "d1", "2023年中国人工智能产业规模为2137亿元。", 1.0, title="report", page=3)


def _extractive() -> Answer:
    cite = Citation(1, "report", "d1", "c1", 3, "2023年中国人工智能产业规模为2137亿元。")
    return Answer("2023年规模？", "2137亿元 [1]", True, [cite], short_answer="2137亿元")


def test_nonsense_output_fails_verification_and_falls_back(llama_server: str) -> None:
    llm = client(llama_server)
    trace = Trace()
    gen = GroundedGenerator(NamedModel("tiny", llm, 0.5, 1.0), params=GenerationParams(max_tokens=24))
    answer = gen.answer(
        AskRequest("2023年中国人工智能产业规模是多少？"), [_hit()], trace, fallback=_extractive
    )
    assert answer.route == "extractive" and answer.extra["fallback"] == "extractive"
    assert "2137" in answer.answer
    assert [c.role for c in trace.calls] == ["generate", "generate:retry"]
    assert trace.cost > 0 and all(c.remote for c in trace.calls)


def test_in_process_backend_chats_and_streams(tiny_gguf: Path) -> None:
    llm = LlamaLocalLLM("small", tiny_gguf, n_ctx=512)
    assert llm.remote is False
    done = llm.chat(MSG, SHORT)
    assert done.completion_tokens > 0
    events = list(llm.stream(MSG, SHORT))
    assert events[-1].completion is not None


def test_registry_builds_the_local_backend_from_settings(tiny_gguf: Path) -> None:
    registry = ModelRegistry.from_settings(
        LLMSettings(models={"small": LLMModelSettings(backend="llama_cpp", path=tiny_gguf, n_ctx=512)})
    )
    model = registry.get("small")
    assert model is not None and not model.remote
    assert model.llm.chat(MSG, SHORT).text is not None


def test_corrupt_gguf_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelError):
        LlamaLocalLLM("bad", bad).chat(MSG, SHORT)
