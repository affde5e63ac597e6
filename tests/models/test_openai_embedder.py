"""The OpenAI-compatible embedder against a real HTTP endpoint on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from zhiku.errors import ModelError
from zhiku.models.embedders import OpenAIEmbedder

pytestmark = pytest.mark.integration


class _Handler(BaseHTTPRequestHandler):
    """Vectors from the text's characters, returned out of order (clients must sort by index)."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v1/embeddings" or body.get("model") != "tiny":
            self.send_response(404)
            self.end_headers()
            return
        rows = [
            {"index": i, "embedding": [float(len(t)), float(sum(map(ord, t)) % 97), 1.0]}
            for i, t in enumerate(body["input"])
        ]
        data = json.dumps({"data": rows[::-1]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_vectors_come_back_in_input_order_as_unit_vectors(endpoint: str) -> None:
    embedder = OpenAIEmbedder(endpoint, "tiny")
    assert embedder.dim == 3 and embedder.name == "openai:tiny"
    texts = ["人工智能", "an English sentence", "混合 mixed"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    first = np.array([len(texts[0]), sum(map(ord, texts[0])) % 97, 1.0])
    np.testing.assert_allclose(vectors[0], first / np.linalg.norm(first), rtol=1e-6)


def test_an_endpoint_error_is_a_model_error_in_both_languages(endpoint: str) -> None:
    with pytest.raises(ModelError) as caught:
        OpenAIEmbedder(endpoint, "unknown-model")
    assert "嵌入服务调用失败" in caught.value.message("zh")
    assert "embedding endpoint failed" in caught.value.message("en")
