"""Serve any in-process ``LLM`` as an OpenAI-compatible chat endpoint on 127.0.0.1.

Why: the scripted model families stand in for a large model, and the path a real deployment
takes — ``OpenAIChatLLM`` → the ``openai`` SDK → HTTP → JSON or server-sent events — has its own
ways to break (usage fields, streaming deltas, finish reasons).  Serving the family behind a
real socket lets a test or a benchmark run that whole path with no network and no GPU.

Only ``GET /v1/models`` and ``POST /v1/chat/completions`` (plain and ``stream: true``) exist;
the server binds to the loopback interface only and runs in a daemon thread until ``close()``.

>>> with ChatEndpoint(OracleLLM(key)) as endpoint:
...     llm = OpenAIChatLLM("large", base_url=endpoint.base_url)
...     llm.chat([ChatMessage("user", "…")]).text
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from zhiku.models.llm import LLM, ChatMessage, GenerationParams, Role


def _messages(body: dict[str, Any]) -> list[ChatMessage]:
    out = []
    for m in body.get("messages") or []:
        role = cast(Role, m.get("role") if m.get("role") in ("system", "user", "assistant") else "user")
        content = m.get("content")
        if isinstance(content, list):  # the content-parts form: keep the text parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        out.append(ChatMessage(role, str(content or "")))
    return out


def _handler(llm: LLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read stdout
            return

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/v1/models"):
                self._json(200, {"object": "list", "data": [{"id": llm.name, "object": "model"}]})
            else:
                self._json(404, {"error": {"message": "not found", "type": "not_found"}})

        def do_POST(self) -> None:
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": "not found", "type": "not_found"}})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
            except (ValueError, json.JSONDecodeError):
                self._json(400, {"error": {"message": "invalid JSON body", "type": "invalid_request_error"}})
                return
            params = GenerationParams(
                max_tokens=int(body.get("max_tokens") or 512), temperature=float(body.get("temperature") or 0)
            )
            completion = llm.chat(_messages(body), params)
            rid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
            model = str(body.get("model") or llm.name)
            if body.get("stream"):
                self._stream(rid, created, model, completion.text, completion.finish_reason)
                return
            self._json(
                200,
                {
                    "id": rid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": completion.text},
                            "finish_reason": completion.finish_reason,
                        }
                    ],
                    "usage": {
                        "prompt_tokens": completion.prompt_tokens,
                        "completion_tokens": completion.completion_tokens,
                        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
                    },
                },
            )

        def _stream(self, rid: str, created: int, model: str, text: str, finish: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces: list[tuple[dict[str, Any], str | None]] = [({"role": "assistant", "content": ""}, None)]
            pieces += [({"content": text[i : i + 8]}, None) for i in range(0, len(text), 8)]
            pieces.append(({}, finish))
            for delta, reason in pieces:
                chunk = {
                    "id": rid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": reason}],
                }
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


class ChatEndpoint:
    """An OpenAI-compatible endpoint around ``llm`` on 127.0.0.1 (port 0 = a free one)."""

    def __init__(self, llm: LLM, *, port: int = 0) -> None:
        self.llm = llm
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(llm))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="chat-endpoint", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ChatEndpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ChatEndpoint"]
