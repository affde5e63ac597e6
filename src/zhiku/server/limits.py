"""Request limits: how much text a question may carry, and how long one request may take.

Why one place: ``/v1/chat/completions``, ``/api/kb/{kb}/ask`` and ``/search`` all take text that
flows into the safety filters, jieba and the reader; every stage is linear in its length, but
linear in a megabyte is still minutes.  So the whole message list is bounded (message count,
total characters, characters of the question itself) before any work starts, and every request
has a time budget after which the client gets a 504 instead of waiting forever.

>>> check_messages(["你好"] * 3, ServerSettings())          # fine
>>> check_messages(["x" * 10**6], ServerSettings())          # InputTooLongError (HTTP 413)
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhiku.config import ServerSettings
from zhiku.errors import InputTooLongError, ZhikuError


def check_messages(texts: Sequence[str], limits: ServerSettings, *, question: str | None = None) -> None:
    """Refuse a message list over ``server.max_messages`` / ``max_input_chars``, or a question
    (the last user message) over ``server.max_question_chars``."""
    if len(texts) > limits.max_messages:
        raise InputTooLongError(
            f"消息过多：{len(texts)} 条，上限 {limits.max_messages} 条（server.max_messages）",
            f"too many messages: {len(texts)}, limit {limits.max_messages} (server.max_messages)",
        )
    total = sum(len(t) for t in texts)
    if total > limits.max_input_chars:
        raise InputTooLongError(
            f"输入过长：共 {total} 个字符，上限 {limits.max_input_chars}（server.max_input_chars）",
            f"input too long: {total} characters in all, limit {limits.max_input_chars} (server.max_input_chars)",
        )
    if question is not None and len(question) > limits.max_question_chars:
        raise InputTooLongError(
            f"问题过长：{len(question)} 个字符，上限 {limits.max_question_chars}（server.max_question_chars）",
            f"question too long: {len(question)} characters, limit {limits.max_question_chars} "
            "(server.max_question_chars)",
        )


class _Message(Protocol):
    @property
    def role(self) -> str: ...

    def text(self) -> str: ...


def check_chat(messages: Sequence[_Message], limits: ServerSettings) -> None:
    """:func:`check_messages` for an OpenAI message list (the question = the last user message)."""
    texts = [m.text() for m in messages]
    question = next(
        (t for m, t in zip(reversed(messages), reversed(texts), strict=True) if m.role == "user"), ""
    )
    check_messages(texts, limits, question=question)


class RequestTimeoutMiddleware:
    """Give every request ``seconds``; past it, answer 504 (if nothing was sent yet) and stop.

    Uploads (multipart) and event streams of ingestion jobs are exempt: their length follows
    the files, not the question.  A worker thread already computing an answer finishes in the
    background (threads cannot be interrupted), but the inputs are bounded, so it ends soon.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with anyio.move_on_after(self.seconds) as scope_timer:
            await self.app(scope, receive, tracking_send)
        if scope_timer.cancelled_caught and not started:
            await _send_timeout(send, self.seconds, _english(scope))


_LONE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def fix_json_escapes(body: bytes) -> bytes:
    r"""Replace JSON ``\uD800``-style escapes of lone surrogates by ``\uFFFD`` (pairs are kept)."""
    if b"\\u" not in body:
        return body
    return _LONE.sub(rb"\\ufffd", body)


class UnicodeBodyMiddleware:
    """Make every JSON body valid Unicode before a route parses it (see ``zhiku.safety.unicode``).

    Raw UTF-8 cannot carry a lone surrogate, but a JSON escape can, and the parsed string then
    fails in every encoder downstream.  Bodies are small (``JSON_LIMIT``), so they are buffered.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if scope["type"] != "http" or b"json" not in headers.get(b"content-type", b""):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = fix_json_escapes(b"".join(chunks))
        await self.app(
            scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send
        )


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


def _exempt(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    path = str(scope.get("path", ""))
    return headers.get(b"content-type", b"").startswith(b"multipart/form-data") or path.endswith("/events")


def _english(scope: Scope) -> bool:
    accept = dict(scope.get("headers", [])).get(b"accept-language", b"").decode("latin-1").lower()
    return bool(accept) and not accept.startswith("zh")


class RequestTimeoutError(ZhikuError):
    http_status = 504
    exit_code = 1


async def _send_timeout(send: Send, seconds: float, english: bool) -> None:
    from zhiku.server.errors import error_body

    exc = RequestTimeoutError(
        f"请求超过 {seconds:g} 秒的时间预算（server.request_timeout_s）",
        f"the request ran past its {seconds:g} s budget (server.request_timeout_s)",
    )
    body = json.dumps(error_body(exc, english=english), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 504,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
