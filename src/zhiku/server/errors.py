"""The one place where exceptions become HTTP responses.

Every error body has the OpenAI shape (``{"error": {"message", "type", "code", "param"}}``) so
OpenAI clients raise their usual exceptions, plus zhiku's bilingual fields::

    {"error": {"message": "knowledge base not found", "type": "NotFoundError", "code": 404,
               "param": null, "message_zh": "知识库不存在", "message_en": "…", "fields": {}}}

The status comes from ``ZhikuError.http_status``; ``message`` follows ``Accept-Language``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zhiku.errors import ZhikuError

log = logging.getLogger("zhiku.server")


def prefers_english(request: Request) -> bool:
    accept = request.headers.get("accept-language", "").lower()
    return bool(accept) and not accept.startswith("zh")


# An absolute path: the directories go, the file name stays ("/srv/zk/uploads/demo/a.pdf" → "a.pdf").
_ABS_PATH = re.compile(r"(?<![\w.~/:])/(?:[^\s/\\'\"<>()（）:：,，;；]+/)+(?=[^\s/])")


def public_text(text: str) -> str:
    """``text`` without the server's directory layout: every absolute path becomes its file name."""
    return _ABS_PATH.sub("", text) if "/" in text else text


def error_body(exc: ZhikuError, english: bool) -> dict[str, Any]:
    data = exc.to_dict()
    return {
        "error": {
            "message": public_text(exc.message("en" if english else "zh")),
            "type": data["error"],
            "code": exc.http_status,
            "param": None,
            "message_zh": public_text(data["message_zh"]),
            "message_en": public_text(data["message_en"]),
            "fields": {k: public_text(v) for k, v in data["fields"].items()},
        }
    }


def _plain(status: int, kind: str, zh: str, en: str, english: bool, **extra: Any) -> JSONResponse:
    body = {
        "error": {
            "message": en if english else zh,
            "type": kind,
            "code": status,
            "param": None,
            "message_zh": zh,
            "message_en": en,
            "fields": extra,
        }
    }
    return JSONResponse(body, status_code=status)


async def _zhiku_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ZhikuError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(
        error_body(exc, prefers_english(request)), status_code=exc.http_status, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', '')}" for err in exc.errors()
    )
    return _plain(
        422,
        "ValidationError",
        f"请求格式无效：{problems}",
        f"invalid request: {problems}",
        prefers_english(request),
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    english = prefers_english(request)
    if exc.status_code == 404:
        return _plain(404, "NotFoundError", "没有这个地址", "no such endpoint", english)
    if exc.status_code == 405:
        return _plain(405, "MethodNotAllowed", "不支持该请求方法", "method not allowed", english)
    detail = str(exc.detail)
    return _plain(exc.status_code, "HTTPError", detail, detail, english)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return _plain(500, "InternalError", "服务器内部错误", "internal server error", prefers_english(request))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ZhikuError, _zhiku_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
