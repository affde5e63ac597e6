"""OpenAI-compatible endpoints: a knowledge base is a "model".

Any OpenAI client works unchanged (``base_url=http://127.0.0.1:8000/v1``, ``model="demo"``).
zhiku adds ``citations``, ``route``, ``trace`` (and the whole answer under ``zhiku``) to the
response; when streaming, the chunk that carries ``finish_reason`` carries them.

>>> client = openai.OpenAI(base_url="http://127.0.0.1:8000/v1", api_key=key)
>>> client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "…"}])
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from zhiku.errors import QueryError, ZhikuError
from zhiku.server import answering
from zhiku.server.auth import kb_not_found
from zhiku.server.conversations import ConversationStore
from zhiku.server.errors import error_body, log
from zhiku.server.limits import check_chat
from zhiku.server.routes_conversations import ConversationsDep
from zhiku.server.state import PrincipalDep, ServerState, StateDep
from zhiku.types import Answer, AskRequest, Turn

router = APIRouter(prefix="/v1", tags=["openai"])


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "".join(
            str(p.get("text", "")) for p in self.content if p.get("type") in ("text", "input_text")
        )


class ChatRequest(BaseModel):
    """The usual OpenAI fields; system prompt, ``temperature`` and ``max_tokens`` reach the LLM
    when one answers (the extractive small path has no use for them)."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(..., description="knowledge base name")
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    user: str | None = None
    conversation_id: str | None = Field(
        None, description="zhiku: store the question and answer in this conversation (/api/conversations)"
    )
    regenerate: bool = Field(False, description="zhiku: the answer replaces the conversation's last one")


class _Saver:
    """Stores an answer in the request's conversation (when it names one) and says where."""

    def __init__(self, store: ConversationStore, key_id: str, body: ChatRequest, question: str) -> None:
        self.store, self.key_id, self.body, self.question = store, key_id, body, question
        if body.conversation_id is not None:
            info = store.get(key_id, body.conversation_id).info
            if info.kb != body.model:
                raise QueryError(
                    "该对话属于另一个知识库", "the conversation belongs to another knowledge base", kb=info.kb
                )

    def save(self, answer: Answer) -> dict[str, Any]:
        if self.body.conversation_id is None:
            return {}
        data = answering.answer_dict(answer)
        _, message = self.store.append(
            self.key_id, self.body.conversation_id, self.question, data, replace_last=self.body.regenerate
        )
        return {"conversation_id": self.body.conversation_id, "message_id": message.id}


def _to_request(body: ChatRequest, key_id: str) -> AskRequest:
    last_user = max((i for i, m in enumerate(body.messages) if m.role == "user"), default=None)
    if last_user is None or not body.messages[last_user].text().strip():
        raise QueryError("messages 中没有用户问题", "no user question in messages")
    history = [
        Turn("user" if m.role == "user" else "assistant", m.text())
        for m in body.messages[:last_user]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return answering.make_request(body.messages[last_user].text(), history=history, key_id=key_id)


def _usage(answer: Answer) -> dict[str, int]:
    prompt, completion = answer.trace.prompt_tokens, answer.trace.completion_tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _zhiku_fields(answer: Answer) -> dict[str, Any]:
    return {
        "citations": answering.public_citations(answer),
        "route": answer.route,
        "trace": answer.trace.to_dict(),
        "zhiku": answering.answer_dict(answer),
    }


def _check_model(state: ServerState, principal: Any, model: str) -> None:
    if not state.hub.exists(model) or not principal.can(model, "read"):
        raise kb_not_found()


@router.get("/models")
def list_models(state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    return {"object": "list", "data": [_model_card(state, name) for name in state.visible_kbs(principal)]}


@router.get("/models/{model}")
def get_model(model: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    _check_model(state, principal, model)
    return _model_card(state, model)


def _model_card(state: ServerState, name: str) -> dict[str, Any]:
    created = int((state.settings.kb_dir(name) / "kb.json").stat().st_mtime)
    return {"id": name, "object": "model", "created": created, "owned_by": "zhiku"}


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatRequest,
    response: Response,
    state: StateDep,
    principal: PrincipalDep,
    conversations: ConversationsDep,
) -> dict[str, Any] | StreamingResponse:
    """The last user message is answered; earlier messages make it a follow-up when it is one."""
    _check_model(state, principal, body.model)
    check_chat(body.messages, state.settings.server)
    request = _to_request(body, principal.key_id)
    request = with_client_settings(request, body)
    saver = _Saver(conversations, principal.key_id, body, request.question)
    completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    if body.stream:
        usage = bool((body.stream_options or {}).get("include_usage"))
        events = _sse(state, body.model, request, completion_id, created, usage, saver)
        return StreamingResponse(
            events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    answer = await answering.ask(state, body.model, request)
    stored = await state.hub.run(saver.save, answer)
    header = answering.aigc_header(answer)
    if header:
        response.headers["X-AIGC-Label"] = header
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "system_fingerprint": "zhiku",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(answer),
        **_zhiku_fields(answer),
        **stored,
    }


def _event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _sse(
    state: ServerState,
    kb: str,
    request: AskRequest,
    completion_id: str,
    created: int,
    include_usage: bool,
    saver: _Saver,
) -> AsyncIterator[str]:
    head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": kb}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return _event({**head, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    try:
        async for event in answering.stream(state, kb, request):
            if event.type == "delta" and event.text:
                yield chunk({"content": event.text})
            elif event.type == "answer" and event.answer is not None:
                stored = await state.hub.run(saver.save, event.answer)
                yield chunk({}, "stop", **_zhiku_fields(event.answer), **stored)
                if include_usage:
                    yield _event({**head, "choices": [], "usage": _usage(event.answer)})
    except ZhikuError as exc:
        yield _event(error_body(exc, english=request.language == "en"))
    except Exception:  # headers are sent: the error must travel as an event
        log.exception("streamed answer failed")
        internal = ZhikuError("服务器内部错误", "internal server error")
        yield _event(error_body(internal, english=request.language == "en"))
    yield "data: [DONE]\n\n"


def with_client_settings(request: AskRequest, body: ChatRequest) -> AskRequest:
    """The client's system/developer messages and sampling fields, for the LLM path."""
    instructions = "\n".join(
        m.text() for m in body.messages if m.role in ("system", "developer") and m.text()
    )
    return replace(
        request, instructions=instructions, temperature=body.temperature, max_tokens=body.max_tokens
    )
