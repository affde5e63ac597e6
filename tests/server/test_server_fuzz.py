"""Property-based fuzzing of the published OpenAPI schema (schemathesis) against a live server.

Every operation gets generated requests — valid and invalid bodies, odd Unicode, huge numbers —
sent over HTTP to uvicorn on 127.0.0.1 with the admin key.  No response may be a 5xx, and every
documented response must match its schema.  Bounded in examples per operation and in total time,
so it runs in the suite; ``bench/robustness_bench.py`` runs it longer.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from server_helpers import ADMIN, LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXAMPLES = 25  # per operation
BUDGET_S = 60.0
# Deleting the shared KB mid-run would only make later operations answer 404.
SKIP = {("DELETE", "/api/kb/{kb}")}


def fuzz(url: str, examples: int, budget_s: float, headers: dict[str, str]) -> dict[str, Any]:
    """Run the fuzzer; returns counts and the failures (operation, status, problem)."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", headers=headers)
    started = time.monotonic()
    stats: dict[str, Any] = {"operations": 0, "requests": 0, "server_errors": 0, "failures": []}
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        if time.monotonic() - started > budget_s:
            break
        stats["operations"] += 1
        label = f"{operation.method.upper()} {operation.path}"

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(base_url=url, headers=headers, timeout=30)
            stats["requests"] += 1
            if response.status_code >= 500:
                stats["server_errors"] += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as exc:  # collected, reported together
                stats["failures"].append(
                    (label, response.status_code, str(exc)[:300])  # noqa: B023 - run() is called in this iteration
                )

        try:
            run()
        except Exception as exc:  # hypothesis re-raises what it found: record it, go on
            stats["failures"].append((f"{operation.method.upper()} {operation.path}", None, str(exc)[:600]))
    stats["seconds"] = round(time.monotonic() - started, 1)
    return stats


def test_fuzzed_requests_never_give_a_5xx(live_server: LiveServer) -> None:
    stats = fuzz(live_server.url, EXAMPLES, BUDGET_S, ADMIN)
    print(stats)
    assert stats["operations"] >= 10 and stats["requests"] >= 100, stats
    assert stats["server_errors"] == 0, stats["failures"][:5]
    assert stats["failures"] == [], stats["failures"][:5]
