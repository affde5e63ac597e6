"""``/api/kb``: knowledge bases, documents, upload jobs, search and ask.

Every route that names a KB first checks the key's grant (``ServerState.require``): missing
and not-granted KBs give the same 404, so the existence of a KB never leaks.

    curl -H "Authorization: Bearer $KEY" -F files=@report.pdf http://127.0.0.1:8000/api/kb/demo/documents
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from zhiku.errors import NotFoundError, QueryError
from zhiku.server import answering
from zhiku.server.hub import KBEntry
from zhiku.server.jobs import JobFile, StagedFile
from zhiku.server.keys import LEVELS
from zhiku.server.schemas import AnswerOut, AskBody, JobOut, KBCreate, KBSummary, SearchBody
from zhiku.server.state import PrincipalDep, StateDep
from zhiku.server.uploads import safe_filename, stage_upload, unique_name
from zhiku.types import Turn

router = APIRouter(prefix="/api", tags=["knowledge bases"])

_UPLOAD_SPEC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                    "required": ["files"],
                }
            }
        },
    }
}


@router.get("/kb", response_model=list[KBSummary])
def list_kbs(state: StateDep, principal: PrincipalDep) -> list[KBSummary]:
    return [KBSummary(name=n, access=LEVELS[principal.rank(n) - 1]) for n in state.visible_kbs(principal)]


@router.post("/kb", status_code=201, response_model=KBSummary)
async def create_kb(body: KBCreate, state: StateDep, principal: PrincipalDep) -> KBSummary:
    state.auth.require_create(principal)
    await state.hub.run(state.hub.create_sync, body.name)
    return KBSummary(name=body.name, access="admin")


@router.get("/kb/{kb}")
async def kb_info(kb: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    state.require(principal, kb, "read")
    info: dict[str, Any] = await state.hub.read(kb, lambda e: e.kb.info())
    info.pop("path", None)
    info["access"] = LEVELS[principal.rank(kb) - 1]
    return info


@router.delete("/kb/{kb}", status_code=204)
async def delete_kb(kb: str, state: StateDep, principal: PrincipalDep) -> Response:
    state.require(principal, kb, "admin")
    await state.hub.run(state.hub.delete_sync, kb)
    state.keys.forget_kb(kb)
    return Response(status_code=204)


@router.get("/kb/{kb}/documents")
async def list_documents(kb: str, state: StateDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    state.require(principal, kb, "read")
    records = await state.hub.read(kb, lambda e: e.kb.documents())
    return [asdict(r) | {"source": answering.public_source(r.source)} for r in records]


@router.post("/kb/{kb}/documents", status_code=202, response_model=JobOut, openapi_extra=_UPLOAD_SPEC)
async def upload_documents(
    kb: str, request: Request, state: StateDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Accept one or many files (field ``files``); ingestion runs as a job (poll or stream it)."""
    state.require(principal, kb, "write")
    limits = state.settings.server
    staging = state.jobs.staging_dir()
    staged: list[StagedFile] = []
    rejected: list[JobFile] = []
    taken: set[str] = set()
    try:
        async with request.form(max_files=limits.max_files, max_fields=50) as form:
            uploads = [v for _, v in form.multi_items() if not isinstance(v, str)]
            if not uploads:
                raise QueryError("没有收到文件（表单字段 files）", "no files received (form field `files`)")
            for upload in uploads:
                name = unique_name(safe_filename(upload.filename or ""), taken)
                taken.add(name)
                result = await stage_upload(upload, staging, name, limits)
                (staged if isinstance(result, StagedFile) else rejected).append(result)  # type: ignore[arg-type]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not staged:
        shutil.rmtree(staging, ignore_errors=True)
    job = state.jobs.submit(kb, staged, rejected, principal.key_id)
    return job.snapshot()


@router.delete("/kb/{kb}/documents/{doc_id}")
async def delete_document(kb: str, doc_id: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    state.require(principal, kb, "write")

    def remove(entry: KBEntry) -> list[str]:
        record = entry.kb.document(doc_id)  # 404 for an unknown id; never a match by title or path
        entry.kb.delete_document(doc_id)
        _drop_upload(state.hub.uploads_dir(kb), record.source, entry)
        return [doc_id]

    removed = await state.hub.write(kb, remove)
    return {"removed": removed}


def _drop_upload(uploads: Path, source: str, entry: KBEntry) -> None:
    """Delete the uploaded file too, once no document of the KB comes from it any more."""
    path = Path(source.partition("#")[0])
    if path.parent != uploads.resolve() and path.parent != uploads:
        return
    if any(d.source.partition("#")[0] == str(path) for d in entry.kb.documents()):
        return
    path.unlink(missing_ok=True)


@router.get("/kb/{kb}/chunks/{chunk_id}")
async def get_chunk(kb: str, chunk_id: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    """The source passage a citation points to (the UI opens it when a [n] is clicked)."""
    state.require(principal, kb, "read")

    def fetch(entry: KBEntry) -> dict[str, Any]:
        chunk = entry.kb.chunk(chunk_id)
        doc = entry.kb.document(chunk.doc_id)
        return asdict(chunk) | {
            "title": doc.title,
            "source": answering.public_source(doc.source),
            "format": doc.format,
        }

    result: dict[str, Any] = await state.hub.read(kb, fetch)
    return result


@router.post("/kb/{kb}/search")
async def search(kb: str, body: SearchBody, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    state.require(principal, kb, "read")
    from zhiku.types import SearchFilters

    filters = SearchFilters(tuple(body.doc_ids), tuple(body.formats))
    hits = await state.hub.read(kb, lambda e: e.kb.search(body.query, top_k=body.top_k, filters=filters))
    return {
        "query": body.query,
        "hits": [asdict(h) | {"source": answering.public_source(h.source)} for h in hits],
    }


@router.post("/kb/{kb}/ask", response_model=AnswerOut)
async def ask(kb: str, body: AskBody, response: Response, state: StateDep, principal: PrincipalDep) -> Any:
    """The full answer as JSON, with citations, route, trace and extras (``chart`` for BI answers)."""
    state.require(principal, kb, "read")
    request = answering.make_request(
        body.question,
        language=body.language,
        history=[Turn(t.role, t.content) for t in body.history],
        top_k=body.top_k,
        doc_ids=body.doc_ids,
        formats=body.formats,
        policy=body.policy,
        key_id=principal.key_id,
    )
    answer = await answering.ask(state, kb, request)
    header = answering.aigc_header(answer)
    if header:
        response.headers["X-AIGC-Label"] = header
    return answering.answer_dict(answer)


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
def get_job(job_id: str, state: StateDep, principal: PrincipalDep) -> dict[str, Any]:
    job = state.jobs.get(job_id)
    if principal.rank(job.kb) == 0:
        raise NotFoundError("任务不存在", "job not found")
    return job.snapshot()


@router.get("/jobs/{job_id}/events", tags=["jobs"], response_class=StreamingResponse)
def job_events(job_id: str, state: StateDep, principal: PrincipalDep) -> StreamingResponse:
    """Server-sent events: a job snapshot on every change, the last one when it finishes."""
    job = state.jobs.get(job_id)
    if principal.rank(job.kb) == 0:
        raise NotFoundError("任务不存在", "job not found")

    async def body() -> AsyncIterator[str]:
        async for snap in state.jobs.events(job):
            yield f"event: job\ndata: {json.dumps(snap, ensure_ascii=False)}\n\n"

    return StreamingResponse(body(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
