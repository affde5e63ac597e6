"""Throw-away copies of a knowledge base, so an evaluation never touches the user's KB.

Every configuration is run against a copy in a temporary home: a plain snapshot when only
retrieval/answer settings differ (shared by those configurations), a copy re-embedded when the
embedder differs, and a KB re-ingested from the original files when the chunking differs.
Copies get a new ``uid``, so on a Milvus server they write their own collection, which is
dropped with the copy.

>>> with EvalWorkspace(settings, "demo") as ws:
...     kb = ws.open(ws.settings_for({"retrieval": {"top_k": 3}}))
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from zhiku.config import Settings, overlay_settings
from zhiku.errors import ConfigError, NotFoundError
from zhiku.eval.configs import rebuild_kind
from zhiku.kb import KnowledgeBase
from zhiku.kbs import drop_collection
from zhiku.models.embedders import Embedder, build_embedder
from zhiku.store.catalog import Catalog
from zhiku.wiring import create_kb, open_kb

_DERIVED = ("vectors.db", "fulltext")


class EvalWorkspace:
    """A temporary directory holding the KB copies one evaluation needs."""

    def __init__(self, settings: Settings, kb: str, snapshot: Path | None = None) -> None:
        self.base = settings
        self.kb = kb
        self.source = snapshot or settings.kb_dir(kb)
        if not (self.source / "kb.json").is_file():
            raise NotFoundError(f"知识库不存在：{kb}", f"knowledge base not found: {kb}", name=kb)
        self._tmp = Path(tempfile.mkdtemp(prefix="zhiku-eval-"))
        self._homes: dict[str, Path] = {}
        self._embedders: dict[tuple[str, str, str], Embedder] = {}
        self._collections: list[tuple[str, str, str]] = []

    def __enter__(self) -> EvalWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for uri, token, collection in self._collections:
            with contextlib.suppress(Exception):  # best effort: a copy must not outlive the evaluation
                drop_collection(uri, token, collection)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def settings_for(self, overrides: dict[str, Any]) -> Settings:
        """The KB's settings with ``overrides`` laid over; audit off (nobody asked these questions)."""
        merged = {"safety": {"audit_enabled": False}, **overrides}
        if "safety" in overrides:
            merged["safety"] = {"audit_enabled": False, **overrides["safety"]}
        return overlay_settings(self.base, merged)

    def open(self, settings: Settings) -> KnowledgeBase:
        """A KB built for ``settings`` in this workspace (built on first use, then reused)."""
        kind = rebuild_kind(self.base, settings)
        key = self._key(kind, settings)
        home = self._homes.get(key)
        fresh = home is None
        if home is None:
            home = self._tmp / f"h{len(self._homes)}"
            self._homes[key] = home
        local = settings.model_copy(update={"home": home})
        embedder = self._embedder(local) if local.index.dense else None
        if not fresh:
            return open_kb(local, self.kb, embedder=embedder)
        if kind == "reingest":
            return self._reingest(local, embedder)
        self._copy(home, reset_vectors=kind == "reindex")
        kb = open_kb(local, self.kb, embedder=embedder)
        if kind == "reindex":
            self._track(local, kb)
            kb.rebuild()
        return kb

    # -- building copies -----------------------------------------------------------
    def _key(self, kind: str, s: Settings) -> str:
        if kind == "none":
            return "snapshot"
        return json.dumps([kind, s.ingest.model_dump(mode="json"), _index_key(s)], sort_keys=True)

    def _embedder(self, settings: Settings) -> Embedder:
        key = _index_key(settings)
        if key not in self._embedders:
            self._embedders[key] = build_embedder(settings.index)
        return self._embedders[key]

    def _copy(self, home: Path, reset_vectors: bool) -> None:
        target = home / "kb" / self.kb
        ignore = shutil.ignore_patterns(*_DERIVED) if reset_vectors else None
        shutil.copytree(self.source, target, ignore=ignore)
        if reset_vectors:
            meta_path = target / "kb.json"
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            meta.update(embedder=None, dim=None, uid=uuid.uuid4().hex)
            meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")

    def _track(self, settings: Settings, kb: KnowledgeBase) -> None:
        if settings.index.milvus_uri:
            token = settings.index.milvus_token.get_secret_value()
            self._collections.append((settings.index.milvus_uri, token, kb.collection))

    def _sources(self) -> tuple[list[str], bool]:
        """The original files of the KB, read from a private copy of its catalog."""
        folder = self._tmp / "catalog-copy"
        folder.mkdir(exist_ok=True)
        for name in ("catalog.sqlite", "catalog.sqlite-wal"):
            if (self.source / name).is_file():
                shutil.copy2(self.source / name, folder / name)
        catalog = Catalog(folder / "catalog.sqlite")
        try:
            sources = sorted({d.source.split("#", 1)[0] for d in catalog.documents()})
        finally:
            catalog.close()
        meta = json.loads((self.source / "kb.json").read_text(encoding="utf-8"))
        return sources, bool(meta.get("local_only"))

    def _reingest(self, settings: Settings, embedder: Embedder | None) -> KnowledgeBase:
        """A new KB from the original files (chunking changed: the catalog's chunks are stale)."""
        sources, local_only = self._sources()
        missing = [s for s in sources if not Path(s).exists()]
        if missing:
            raise ConfigError(
                f"重新分块需要原始文件，但找不到：{missing[0]} 等 {len(missing)} 个",
                f"re-chunking needs the original files, but {missing[0]} and {len(missing) - 1} more are gone",
            )
        kb = create_kb(settings, self.kb, local_only=local_only, embedder=embedder)
        self._track(settings, kb)
        kb.ingest([Path(s) for s in sources])
        return kb


def _index_key(s: Settings) -> tuple[str, str, str]:
    return (s.index.embedder, s.index.embedder_model, s.index.embedder_url)
