"""Asking a knowledge base from the server: shared by ``/api/kb/{kb}/ask`` and ``/v1/chat/completions``.

The assistant is synchronous; ``ask`` runs it in a worker thread under the KB's read lock, and
``stream`` forwards its events from that thread to the event loop through a queue, so a slow
answer never blocks other requests.

>>> answer = await ask(state, "demo", AskRequest("2023年规模是多少？"))
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from zhiku.answer.assistant import AnswerEvent
from zhiku.server.hub import KBEntry
from zhiku.server.state import ServerState
from zhiku.types import Answer, AskRequest, Language, SearchFilters, Turn
from zhiku.understand.lang import detect_language

_DONE = object()


def make_request(
    question: str,
    *,
    language: str = "auto",
    history: Sequence[Turn] = (),
    top_k: int | None = None,
    doc_ids: Sequence[str] = (),
    formats: Sequence[str] = (),
    policy: str | None = None,
    key_id: str | None = None,
) -> AskRequest:
    lang: Language = (
        detect_language(question) if language not in ("zh", "en") else ("zh" if language == "zh" else "en")
    )
    return AskRequest(
        question=question.strip(),
        language=lang,
        history=tuple(history),
        top_k=top_k,
        filters=SearchFilters(tuple(doc_ids), tuple(formats)),
        policy=policy,
        key_id=key_id,
    )


def public_source(source: str) -> str:
    """The file name (plus ``#row``), not the server's directory layout."""
    base, sep, frag = source.partition("#")
    return Path(base).name + (sep + frag if sep else "")


def public_citations(answer: Answer) -> list[dict[str, Any]]:
    return [asdict(c) | {"source": public_source(c.source)} for c in answer.citations]


def answer_dict(answer: Answer) -> dict[str, Any]:
    """``Answer.to_dict()`` as clients see it (citation sources without server paths)."""
    return answer.to_dict() | {"citations": public_citations(answer)}


def aigc_header(answer: Answer) -> str | None:
    """The implicit AIGC label as an HTTP header value, when the safety layer attached one."""
    meta = answer.extra.get("aigc")
    if not isinstance(meta, dict):
        return None
    return (
        f"label={meta.get('Label', '1')}; producer={meta.get('ContentProducer', 'zhiku')}; "
        f"kind={meta.get('ContentKind', '')}; id={meta.get('ProduceID', '')}"
    )


def record(state: ServerState, answer: Answer) -> None:
    state.metrics.answers.labels(answer.route).inc()
    state.metrics.answer_latency.labels(answer.route).observe(answer.latency_ms / 1000)


async def ask(state: ServerState, kb: str, request: AskRequest) -> Answer:
    answer: Answer = await state.hub.read(kb, lambda entry: entry.assistant.ask(request))
    record(state, answer)
    return answer


async def stream(state: ServerState, kb: str, request: AskRequest) -> AsyncIterator[AnswerEvent]:
    """Events of one streamed answer; an exception in the worker is re-raised here."""
    entry = state.hub.entry(kb)
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[Any] = asyncio.Queue()

    def put(item: Any) -> None:
        loop.call_soon_threadsafe(events.put_nowait, item)

    def produce(entry: KBEntry) -> None:
        try:
            with entry.lock.reading():
                for event in entry.assistant.stream(request):
                    put(event)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)
        finally:
            put(_DONE)

    started = time.perf_counter()
    # A plain thread, not a task group: the consumer may stop iterating (client gone) and an
    # async generator must not hold a cancel scope across ``yield``.  Events come back through
    # the loop, so waiting for them holds no worker thread.
    threading.Thread(target=produce, args=(entry,), name="zhiku-stream", daemon=True).start()
    while True:
        item = await events.get()
        if item is _DONE:
            break
        if isinstance(item, BaseException):
            raise item
        if item.type == "answer" and item.answer is not None:
            if not item.answer.latency_ms:
                item.answer.latency_ms = (time.perf_counter() - started) * 1000
            record(state, item.answer)
        yield item
