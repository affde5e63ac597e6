"""Permission matrix: every endpoint that names a knowledge base × keys with too little access.

A key without a grant must get exactly what it would get for a KB that does not exist (404, same
body) and never see the KB's name; a key with a lower grant gets 403.  The endpoint table is
checked against the OpenAPI spec, so a new route cannot slip past this test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_helpers import ADMIN, upload, wait_job

pytestmark = pytest.mark.integration

SECRET_KB = "hr-salaries"


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # {kb}, {doc}, {chunk}, {job} are filled in
    level: str  # read | write | admin
    json: dict[str, Any] | None = None
    files: bool = False


CALLS = [
    Call("GET", "/api/kb/{kb}", "read"),
    Call("DELETE", "/api/kb/{kb}", "admin"),
    Call("GET", "/api/kb/{kb}/documents", "read"),
    Call("POST", "/api/kb/{kb}/documents", "write", files=True),
    Call("DELETE", "/api/kb/{kb}/documents/{doc}", "write"),
    Call("GET", "/api/kb/{kb}/chunks/{chunk}", "read"),
    Call("POST", "/api/kb/{kb}/search", "read", json={"query": "工资"}),
    Call("POST", "/api/kb/{kb}/ask", "read", json={"question": "工资是多少？"}),
    Call("GET", "/api/kb/{kb}/facts", "read"),
    Call("GET", "/api/kb/{kb}/tables", "read"),
    Call("GET", "/api/kb/{kb}/graph", "read"),
    Call("GET", "/api/kb/{kb}/graph/entity?name=张三", "read"),
    Call("GET", "/v1/models/{kb}", "read"),
    Call(
        "POST",
        "/v1/chat/completions",
        "read",
        json={"model": "{kb}", "messages": [{"role": "user", "content": "工资？"}]},
    ),
    Call(
        "POST",
        "/v1/chat/completions",
        "read",
        json={"model": "{kb}", "stream": True, "messages": [{"role": "user", "content": "工资？"}]},
    ),
    Call("GET", "/api/jobs/{job}", "read"),
    Call("GET", "/api/jobs/{job}/events", "read"),
    Call("POST", "/api/kb/{kb}/eval", "write", json={"configs": [{"name": "base"}]}),
    Call("GET", "/api/kb/{kb}/eval/reports", "read"),
    Call("GET", "/api/kb/{kb}/eval/reports/{report}", "read"),
    Call("GET", "/api/kb/{kb}/eval/reports/{report}/html", "read"),
    Call("GET", "/api/eval/jobs/{job}", "read"),
    Call("GET", "/api/eval/jobs/{job}/events", "read"),
]


@pytest.fixture(scope="module")
def secret(client: TestClient) -> dict[str, str]:
    """A KB only the admin may see, with one document; ids of its document, chunk and job."""
    assert client.post("/api/kb", json={"name": SECRET_KB}, headers=ADMIN).status_code == 201
    text = "张三的月工资是三万元。李四的月工资是两万元。".encode()
    job = wait_job(client, upload(client, SECRET_KB, {"工资表.txt": text}, ADMIN).json()["id"], ADMIN)
    doc = client.get(f"/api/kb/{SECRET_KB}/documents", headers=ADMIN).json()[0]["doc_id"]
    hits = client.post(f"/api/kb/{SECRET_KB}/search", json={"query": "工资"}, headers=ADMIN).json()["hits"]
    return {"kb": SECRET_KB, "doc": doc, "chunk": hits[0]["chunk_id"], "job": job["id"]}


def _key(client: TestClient, name: str, grants: list[str]) -> dict[str, str]:
    created = client.post("/api/keys", json={"name": name, "grants": grants}, headers=ADMIN).json()
    return {"Authorization": f"Bearer {created['key']}"}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, real in ids.items():
            value = value.replace("{" + name + "}", real)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _call(client: TestClient, call: Call, ids: dict[str, str], headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if call.json is not None:
        kwargs["json"] = _fill(call.json, ids)
    if call.files:
        kwargs["files"] = [("files", ("x.txt", "新内容".encode(), "text/plain"))]
    return client.request(call.method, _fill(call.path, ids), **kwargs)


def test_matrix_covers_every_kb_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()["paths"]
    routes = {(m.upper(), p) for p, ops in spec.items() for m in ops if "{kb}" in p or "{job_id}" in p}
    routes.add(("POST", "/v1/chat/completions"))
    routes.add(("GET", "/v1/models/{model}"))
    covered = {(c.method, c.path.split("?")[0]) for c in CALLS}
    normalise = {"{doc_id}": "{doc}", "{chunk_id}": "{chunk}", "{job_id}": "{job}", "{model}": "{kb}"}
    normalise["{report_id}"] = "{report}"  # evaluation reports
    for method, path in routes:
        for old, new in normalise.items():
            path = path.replace(old, new)
        assert (method, path) in covered, f"{method} {path} is missing from the permission matrix"


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.path}")
def test_ungranted_key_sees_exactly_a_missing_kb(
    client: TestClient, secret: dict[str, str], call: Call
) -> None:
    stranger = _key(client, "stranger", ["demo:admin"])
    response = _call(client, call, secret, stranger)
    assert response.status_code == 404, response.text
    assert SECRET_KB not in response.text and "工资" not in response.text
    if "{job}" not in call.path:
        ghost = _call(client, call, secret | {"kb": "no-such-kb"}, stranger)
        assert ghost.status_code == 404 and ghost.json() == response.json()


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.path}")
def test_low_grants_get_403(client: TestClient, secret: dict[str, str], call: Call) -> None:
    reader = _key(client, "reader", [f"{SECRET_KB}:read"])
    writer = _key(client, "writer", [f"{SECRET_KB}:write"])
    for headers, rank in ((reader, 1), (writer, 2)):
        response = _call(client, call, secret, headers)
        needed = {"read": 1, "write": 2, "admin": 3}[call.level]
        if rank < needed:
            assert response.status_code == 403, (call, response.text)
        else:
            assert response.status_code != 403, (call, response.text)


def test_lists_hide_ungranted_kbs(client: TestClient, secret: dict[str, str]) -> None:
    stranger = _key(client, "lister", ["demo:read"])
    for path in ("/api/kb", "/v1/models", "/api/me"):
        response = client.get(path, headers=stranger)
        assert response.status_code == 200 and SECRET_KB not in response.text
    assert SECRET_KB in client.get("/api/kb", headers=ADMIN).text
    assert client.post("/api/kb", json={"name": "mine"}, headers=stranger).status_code == 403
    assert client.get("/api/keys", headers=stranger).status_code == 403


def test_wildcard_grant_sees_everything_and_may_create(client: TestClient, secret: dict[str, str]) -> None:
    ops = _key(client, "ops", ["*:admin"])
    assert SECRET_KB in client.get("/v1/models", headers=ops).text
    assert client.post("/api/kb", json={"name": "ops-kb"}, headers=ops).status_code == 201
    assert client.delete("/api/kb/ops-kb", headers=ops).status_code == 204
