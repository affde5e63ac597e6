"""The knowledge bases of a home, as a set: list them, delete one with its server collection.

Why apart from ``kb``: listing and deleting never open a knowledge base (no catalog, no index, no
embedder), and the CLI, the server hub and the evaluation workspace need them without it.
"""

from __future__ import annotations

import json
import shutil

from zhiku.config import Settings
from zhiku.errors import NotFoundError
from zhiku.store.vectors import collection_name


def list_kbs(settings: Settings) -> list[str]:
    root = settings.home / "kb"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "kb.json").is_file())


def delete_kb(settings: Settings, name: str) -> None:
    """Delete a KB's directory and, on a Milvus server, its collection (no orphaned vectors)."""
    path = settings.kb_dir(name)
    if not (path / "kb.json").is_file():
        raise NotFoundError(f"知识库不存在：{name}", f"knowledge base not found: {name}", name=name)
    if settings.index.milvus_uri:
        meta = json.loads((path / "kb.json").read_text(encoding="utf-8"))
        token = settings.index.milvus_token.get_secret_value()
        drop_collection(settings.index.milvus_uri, token, collection_name(name, meta.get("uid", "")))
    shutil.rmtree(path)


def drop_collection(uri: str, token: str, collection: str) -> None:
    """Drop a collection without loading an embedder (rebuild after an embedder change)."""
    from pymilvus import MilvusClient

    client = MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
    try:
        if client.has_collection(collection):
            client.drop_collection(collection)
    finally:
        client.close()
