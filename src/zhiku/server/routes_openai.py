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
from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from zhiku.errors import QueryError, ZhikuError
from zhiku.server import answering
from zhiku.server.auth import kb_not_found
from zhiku.server.errors import error_body, log
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
    """The usual OpenAI fields are accepted; sampling fields do not apply to cited answers."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(..., description="knowledge base name")
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    user: str | None = None


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
    body: ChatRequest, response: Response, state: StateDep, principal: PrincipalDep
) -> dict[str, Any] | StreamingResponse:
    _check_model(state, principal, body.model)
    request = _to_request(body, principal.key_id)
    completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    if body.stream:
        usage = bool((body.stream_options or {}).get("include_usage"))
        events = _sse(state, body.model, request, completion_id, created, usage)
        return StreamingResponse(
            events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    answer = await answering.ask(state, body.model, request)
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
    }


def _event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _sse(
    state: ServerState, kb: str, request: AskRequest, completion_id: str, created: int, include_usage: bool
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
                yield chunk({}, "stop", **_zhiku_fields(event.answer))
                if include_usage:
                    yield _event({**head, "choices": [], "usage": _usage(event.answer)})
    except ZhikuError as exc:
        yield _event(error_body(exc, english=request.language == "en"))
    except Exception:  # headers are sent: the error must travel as an event
        log.exception("streamed answer failed")
        internal = ZhikuError("服务器内部错误", "internal server error")
        yield _event(error_body(internal, english=request.language == "en"))
    yield "data: [DONE]\n\n"
