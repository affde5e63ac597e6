"""A scripted family behind a real OpenAI-compatible HTTP endpoint, driven by the real client
(``OpenAIChatLLM`` → the ``openai`` SDK → a socket on 127.0.0.1), plain and streamed."""

from __future__ import annotations

import json
import urllib.request

import pytest

from zhiku.answer.base import AskRequest
from zhiku.answer.generate import Evidence, GroundedGenerator, build_messages
from zhiku.models.llm import ChatMessage
from zhiku.models.openai_chat import OpenAIChatLLM
from zhiku.models.registry import NamedModel
from zhiku.models.scripted_families import AnswerKey, Gold, LiarLLM, OracleLLM
from zhiku.models.scripted_server import ChatEndpoint
from zhiku.types import Answer, Hit, Trace

pytestmark = pytest.mark.integration

TEXT = "某国服务机器人细分市场规模（亿元）\n细分领域 | 2022 | 2023\n清洁机器人 | 41 | 58"
QUESTION = "2023年清洁机器人市场规模是多少？"
EN_QUESTION = "How big was the cleaning robot market in 2023?"
KEY = AnswerKey({QUESTION: Gold((("58亿元",),)), EN_QUESTION: Gold((("58亿元",),))})
HITS = [Hit("c1", "d1", TEXT, 1.0, title="机器人报告", page=2)]


def ask(llm: OpenAIChatLLM, question: str, language: str = "zh") -> Answer:
    def fallback() -> Answer:
        return Answer(question=question, answer="extractive", found=True, route="extractive")

    gen = GroundedGenerator(NamedModel("large", llm))
    return gen.answer(AskRequest(question, language=language), HITS, Trace(), fallback=fallback)  # type: ignore[arg-type]


def test_oracle_over_http_plain_and_streamed() -> None:
    with ChatEndpoint(OracleLLM(KEY, name="oracle")) as endpoint:
        assert endpoint.base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(endpoint.base_url + "/models", timeout=5) as response:
            assert json.load(response)["data"][0]["id"] == "oracle"
        llm = OpenAIChatLLM("large", base_url=endpoint.base_url, model="oracle", max_retries=0)
        messages = build_messages(QUESTION, [Evidence(1, HITS[0], TEXT)], "zh")
        completion = llm.chat(messages)
        assert completion.text == "2023年清洁机器人市场规模是58亿元[1]。"
        assert completion.prompt_tokens > 0 and completion.completion_tokens > 0
        events = list(llm.stream(messages))
        assert "".join(e.text for e in events if e.text) == completion.text
        assert events[-1].completion is not None and events[-1].completion.text == completion.text
        assert llm.chat([ChatMessage("user", "你好")]).text == "NO_ANSWER"


def test_grounded_generation_through_http_accepts_the_oracle_and_refuses_the_liar() -> None:
    with ChatEndpoint(OracleLLM(KEY)) as endpoint:
        llm = OpenAIChatLLM("large", base_url=endpoint.base_url, max_retries=0)
        answer = ask(llm, QUESTION)
        assert answer.route == "llm:large" and answer.extra.get("verified")
        assert answer.citations[0].doc_id == "d1"
        english = ask(llm, EN_QUESTION, "en")
        assert english.route == "llm:large" and "5.8 billion" in english.answer
    liar = LiarLLM(KEY, kind="unit")
    with ChatEndpoint(liar) as endpoint:
        llm = OpenAIChatLLM("large", base_url=endpoint.base_url, max_retries=0)
        answer = ask(llm, QUESTION)
        assert answer.extra.get("fallback") == "extractive"  # tried twice over HTTP, then fell back
        assert liar.calls == 2 and any("58万" in v or "number" in v for v in answer.extra["violations"])


def test_bad_requests_get_openai_style_errors() -> None:
    with ChatEndpoint(OracleLLM(KEY)) as endpoint:
        request = urllib.request.Request(
            endpoint.base_url + "/chat/completions", data=b"{not json", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=5)
        assert err.value.code == 400 and "error" in json.load(err.value)
