"""Small parts of the server on their own: the readers–writer lock, metrics, error bodies."""

from __future__ import annotations

import threading
import time

import pytest

from zhiku.errors import NotFoundError, SafetyBlockedError
from zhiku.server.errors import error_body
from zhiku.server.hub import RWLock
from zhiku.server.metrics import ServerMetrics

pytestmark = pytest.mark.unit


def test_readers_share_and_writers_wait() -> None:
    lock = RWLock()
    log: list[str] = []
    with lock.reading(), lock.reading():  # two readers at once
        log.append("two readers")

    reader_in, release_reader = threading.Event(), threading.Event()

    def reader() -> None:
        with lock.reading():
            reader_in.set()
            release_reader.wait(5)
            log.append("reader done")

    def writer() -> None:
        with lock.writing():
            log.append("writer")

    r = threading.Thread(target=reader)
    r.start()
    assert reader_in.wait(5)
    w = threading.Thread(target=writer)
    w.start()
    time.sleep(0.1)
    assert "writer" not in log  # waits for the reader
    late_reader_done = threading.Event()

    def late_reader() -> None:
        with lock.reading():
            log.append("late reader")
            late_reader_done.set()

    late = threading.Thread(target=late_reader)
    late.start()
    time.sleep(0.1)
    assert "late reader" not in log  # a waiting writer goes first
    release_reader.set()
    for t in (r, w, late):
        t.join(5)
    assert log == ["two readers", "reader done", "writer", "late reader"]


def test_metrics_are_per_instance() -> None:
    a, b = ServerMetrics(), ServerMetrics()
    a.answers.labels(route="numeric").inc()
    assert b'zhiku_answers_total{route="numeric"} 1.0' in a.render()
    assert b'route="numeric"' not in b.render()


def test_error_body_is_openai_shaped_and_bilingual() -> None:
    body = error_body(NotFoundError("知识库不存在", "knowledge base not found"), english=True)["error"]
    assert (
        body["code"] == 404
        and body["type"] == "NotFoundError"
        and body["message"] == "knowledge base not found"
    )
    assert body["message_zh"] == "知识库不存在" and body["param"] is None
    assert error_body(SafetyBlockedError("拒绝", "refused"), english=False)["error"]["code"] == 451
