"""Upload guards: safe file names, allowed types, per-file and per-request size limits.

A client-supplied file name is never trusted as a path: only its last component survives,
control and shell-special characters go, and names that would be hidden or empty are
replaced.  The request body is counted as it arrives (``BodyLimitMiddleware``), so a client
cannot stream past the limit by omitting ``Content-Length``.

>>> safe_filename("../../etc/passwd")
'passwd'
>>> safe_filename("C:\\\\reports\\\\2023年报告.pdf")
'2023年报告.pdf'
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhiku.config import ServerSettings
from zhiku.errors import FileTooLargeError
from zhiku.server.jobs import JobFile, StagedFile

_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME = 120
_CHUNK = 1 << 20


def safe_filename(name: str) -> str:
    """The last path component, normalised, without characters unsafe on any filesystem."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _BAD_CHARS.sub("_", name).strip().strip(".").strip()
    if not name:
        name = "upload"
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: _MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:_MAX_NAME]
    return name


def unique_name(name: str, taken: set[str]) -> str:
    """``a.pdf``, then ``a (2).pdf``… so two files of one drop never overwrite each other."""
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    number = 2
    while True:
        candidate = f"{stem} ({number})" + (f".{ext}" if ext else "")
        if candidate not in taken:
            return candidate
        number += 1


async def stage_upload(
    upload: UploadFile, staging: Path, name: str, limits: ServerSettings
) -> StagedFile | JobFile:
    """Copy one upload into ``staging`` or return the failed row explaining why not."""
    suffix = Path(name).suffix.lower()
    if suffix not in limits.upload_types:
        allowed = " ".join(limits.upload_types)
        return JobFile(
            name,
            status="failed",
            error=f"不支持的文件类型 {suffix or '(无)'}（允许：{allowed}） / unsupported type",
        )
    max_bytes = int(limits.max_file_mb * 1024 * 1024)
    dest = staging / name
    size = 0
    with dest.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                dest.unlink(missing_ok=True)
                return JobFile(
                    name,
                    status="failed",
                    size=size,
                    error=f"文件超过 {limits.max_file_mb:g} MB 上限 / file exceeds the {limits.max_file_mb:g} MB limit",
                )
            out.write(chunk)
    return StagedFile(name, dest, size)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` (declared or actually sent) with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._error()
            return message

        await self.app(scope, counting_receive, send)

    def _error(self) -> FileTooLargeError:
        mb = self.max_bytes / 1024 / 1024
        return FileTooLargeError(f"请求体超过 {mb:g} MB 上限", f"request body exceeds the {mb:g} MB limit")

    async def _refuse(self, send: Send) -> None:
        import json

        from zhiku.server.errors import error_body

        body = json.dumps(error_body(self._error(), english=False), ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
