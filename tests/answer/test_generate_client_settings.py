"""What an OpenAI client sends besides the question reaches the LLM: its system prompt (after
ours, which keeps the evidence rules), ``temperature`` and ``max_tokens``; ``usage`` counts the
tokens.  The scripted model records what it was sent; no mocks."""

from __future__ import annotations

import pytest
from helpers_llm import hit, small_answer

from zhiku.answer.generate import GroundedGenerator
from zhiku.models.llm import GenerationParams
from zhiku.models.registry import NamedModel
from zhiku.models.scripted import ScriptedLLM
from zhiku.server.routes_openai import ChatRequest, _usage, with_client_settings
from zhiku.types import AskRequest, Trace

pytestmark = pytest.mark.unit

REPLY = {
    "zh": "2023年中国人工智能产业规模为2137亿元[1]。",
    "en": "The industry was worth 2137亿元 in 2023 [1].",
}


@pytest.mark.parametrize(
    ("language", "question", "instructions", "marker"),
    [
        ("zh", "2023年中国人工智能产业规模是多少？", "请用正式的公文语气回答。", "调用方的附加要求"),
        (
            "en",
            "How large was the industry in 2023?",
            "Answer like a pirate.",
            "Additional instructions from the caller",
        ),
    ],
)
def test_client_system_prompt_and_sampling_reach_the_llm(
    language: str, question: str, instructions: str, marker: str
) -> None:
    body = ChatRequest.model_validate(
        {
            "model": "kb",
            "messages": [{"role": "system", "content": instructions}, {"role": "user", "content": question}],
            "temperature": 0.7,
            "max_tokens": 64,
        }
    )
    request = with_client_settings(AskRequest(question, language=language), body)  # type: ignore[arg-type]
    assert (request.instructions, request.temperature, request.max_tokens) == (instructions, 0.7, 64)

    llm = ScriptedLLM(REPLY[language], name="large")
    gen = GroundedGenerator(
        NamedModel("large", llm), params=GenerationParams(max_tokens=512, temperature=0.1)
    )
    trace = Trace()
    answer = gen.answer(request, [hit("c1")], trace, fallback=lambda: small_answer(question))
    system = llm.calls[0][0]
    assert system.role == "system" and system.content.endswith(instructions) and marker in system.content
    assert "<evidence>" in system.content  # our rules come first and stay
    assert llm.params[0] == GenerationParams(max_tokens=64, temperature=0.7)
    usage = _usage(answer)
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_without_client_settings_the_model_configuration_applies() -> None:
    llm = ScriptedLLM(REPLY["zh"], name="large")
    configured = GenerationParams(max_tokens=300, temperature=0.0)
    gen = GroundedGenerator(NamedModel("large", llm), params=configured)
    q = "2023年中国人工智能产业规模是多少？"
    gen.answer(AskRequest(q), [hit("c1")], Trace(), fallback=lambda: small_answer(q))
    assert llm.params == [configured]
    assert "调用方" not in llm.calls[0][0].content
