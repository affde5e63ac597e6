"""Prometheus metrics of one app instance (its own ``CollectorRegistry``, so tests and several
apps in one process never share counters).

Labels carry route *templates* (``/api/kb/{kb}/ask``), never knowledge base names, so the
metrics page leaks nothing a key is not granted.

>>> metrics = ServerMetrics()
>>> metrics.answers.labels(route="extractive").inc()
>>> b"zhiku_answers_total" in metrics.render()
True
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ServerMetrics:
    """Counters and histograms for requests, answers and ingestion."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "zhiku_http_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "zhiku_http_request_duration_seconds",
            "HTTP request latency (until the last body byte)",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter("zhiku_answers", "answers by cascade route", ["route"], registry=self.registry)
        self.answer_latency = Histogram(
            "zhiku_answer_duration_seconds",
            "answer latency by route",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.ingest_files = Counter(
            "zhiku_ingest_files", "ingested files by result", ["status"], registry=self.registry
        )
        self.ingest_chunks = Counter(
            "zhiku_ingest_chunks", "chunks written by ingestion", registry=self.registry
        )
        self.jobs_running = Gauge(
            "zhiku_ingest_jobs_running", "ingestion jobs running", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _route_of(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"


class MetricsMiddleware:
    """Pure ASGI middleware (streams pass through untouched) timing every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: ServerMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_of(scope)
            self.metrics.requests.labels(scope.get("method", ""), route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - start)
