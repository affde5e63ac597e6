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
from zhiku.safety.unicode import strip_controls
from zhiku.server.jobs import JobFile, StagedFile

_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME = 120  # characters shown
MAX_NAME_BYTES = 200  # UTF-8 bytes on disk: file systems allow 255, and "a (12).pdf" must still fit
_CHUNK = 1 << 20
JSON_LIMIT = 4 * 1024 * 1024  # bytes: non-multipart request bodies


def safe_filename(name: str) -> str:
    """The last path component, normalised, without characters unsafe on any filesystem."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = strip_controls(_BAD_CHARS.sub("_", name)).strip().strip(".").strip()
    if not name:
        name = "upload"
    stem, dot, ext = name.rpartition(".")
    if not (dot and 0 < len(ext) <= 10 and stem):
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    # Cap by characters (for display) and by UTF-8 bytes (the file system counts bytes: 86
    # CJK characters are already 258 of them).
    stem = stem[: _MAX_NAME - len(suffix)]
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    return (stem.rstrip() or "upload") + suffix


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
    """Refuse request bodies over the limit (declared or actually sent) with 413: ``max_bytes``
    for multipart uploads, ``JSON_LIMIT`` for everything else."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        # Only uploads are large; a JSON question or chat history never needs megabytes.
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.max_bytes if multipart else min(self.max_bytes, JSON_LIMIT)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._error(limit)
            return message

        await self.app(scope, counting_receive, send)

    @staticmethod
    def _error(limit: int) -> FileTooLargeError:
        mb = limit / 1024 / 1024
        return FileTooLargeError(f"请求体超过 {mb:g} MB 上限", f"request body exceeds the {mb:g} MB limit")

    async def _refuse(self, send: Send, limit: int) -> None:
        import json

        from zhiku.server.errors import error_body

        body = json.dumps(error_body(self._error(limit), english=False), ensure_ascii=False).encode()
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
