"""Ingestion: files → documents → chunks → catalog → vectors, one file at a time.

Why it is shaped like this:
- a file that fails is reported and recorded, and nothing of it reaches the catalog;
- a document is replaced in one catalog transaction and marked ``pending`` until its vectors
  are written, so a crash leaves a state that the next open resumes (never half a document);
- unchanged files are skipped by content hash (file sha256, and per row for corpora).

>>> Ingestor(kb).run([Path("examples")], progress=print)
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from zhiku.errors import FileTooLargeError, IngestError, ZhikuError
from zhiku.ingest.chart_text import describe_charts
from zhiku.ingest.chunk import Chunker
from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS, load_path
from zhiku.safety.pii import PiiMasker, mask_document
from zhiku.store.catalog import now
from zhiku.types import Chunk, Document, DocumentRecord

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase
    from zhiku.types import FileResult, IngestReport, ProgressFn


def doc_id_for(source: str) -> str:
    """Stable id from the source, so a changed file keeps its id (citations stay valid)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Directories are walked (hidden entries and unsupported extensions skipped); files kept as given."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS:
                        yield Path(root) / name
        else:
            yield path


@dataclass
class _Prepared:
    record: DocumentRecord
    document: Document
    chunks: list[Chunk]


class Ingestor:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.settings = kb.settings.ingest
        self.chunker = Chunker(self.settings)
        self.masker = _pii_masker(kb)

    def run(
        self, paths: Sequence[Path], progress: ProgressFn | None = None, local_only: bool = False
    ) -> IngestReport:
        from zhiku.types import IngestEvent, IngestReport

        started = time.perf_counter()
        run_id = uuid.uuid4().hex[:12]
        files = list(expand_paths(paths))
        report = IngestReport(run_id=run_id)
        self.kb.catalog.start_run(run_id)
        changed = False
        for number, path in enumerate(files, start=1):
            if progress:
                progress(IngestEvent(number - 1, len(files), str(path)))
            result = self._one_file(path, run_id, local_only)
            changed = changed or result.status in ("added", "updated")
            report.files.append(result)
            if progress:
                progress(IngestEvent(number, len(files), str(path), result))
        if changed:
            self.kb.flush()
            self.kb.refresh_fulltext()
        report.seconds = time.perf_counter() - started
        summary = {
            s: sum(1 for f in report.files if f.status == s)
            for s in ("added", "updated", "unchanged", "failed")
        }
        self.kb.catalog.finish_run(run_id, len(files), len(report.failed), summary)
        return report

    def _one_file(self, path: Path, run_id: str, local_only: bool) -> FileResult:
        from zhiku.types import FileResult

        started = time.perf_counter()
        key = str(path.resolve()) if path.exists() else str(path)
        try:
            sha = self._check_file(path)
            state = self.kb.catalog.file_state(key)
            if state and all(v[1] == sha for v in state.values()):
                return FileResult(key, "unchanged", documents=len(state), ms=_ms(started))
            documents = load_path(path, self.settings)
            if self.masker is not None:
                documents = [mask_document(d, self.masker) for d in documents]
            prepared = self._prepare(documents, key, sha, state, local_only)
            warnings = self._commit(prepared, key, sha, run_id)
            produced = {d.source if d.external_id else key for d in documents}
            for source, (doc_id, _, _) in state.items():
                if source not in produced:
                    self.kb.delete_document(doc_id, refresh=False)
            # Rows whose content did not change keep their doc but must carry the new file hash.
            self.kb.catalog.update_file_sha(key, sha)
        except ZhikuError as exc:
            self.kb.catalog.record_failure(key, exc.message("zh") + " / " + exc.message("en"), run_id)
            return FileResult(key, "failed", error=str(exc), ms=_ms(started))
        except Exception as exc:  # a loader bug must not take the other files down with it
            self.kb.catalog.record_failure(key, repr(exc), run_id)
            return FileResult(key, "failed", error=f"内部错误 / internal error: {exc!r}", ms=_ms(started))
        status: Literal["added", "updated", "unchanged"] = "updated" if state else "added"
        if not prepared and state:
            status = "unchanged"
        return FileResult(
            key,
            status,
            documents=len(documents),
            chunks=sum(len(p.chunks) for p in prepared),
            warnings=tuple(warnings),
            ms=_ms(started),
        )

    def _check_file(self, path: Path) -> str:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise IngestError(
                f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", path=str(path)
            ) from exc
        if not path.is_file():
            raise IngestError("不是普通文件", "not a regular file", path=str(path))
        limit = self.settings.max_file_mb * 1024 * 1024
        if size > limit:
            raise FileTooLargeError(
                f"文件大小 {size / 1048576:.1f} MB 超过上限 {self.settings.max_file_mb} MB",
                f"file is {size / 1048576:.1f} MB, over the {self.settings.max_file_mb} MB limit",
                path=str(path),
            )
        if not os.access(path, os.R_OK):
            raise IngestError("没有读取权限", "permission denied", path=str(path))
        return file_sha256(path)

    def _prepare(
        self,
        documents: Sequence[Document],
        key: str,
        sha: str,
        state: dict[str, tuple[str, str, str]],
        local_only: bool,
    ) -> list[_Prepared]:
        prepared = []
        for document in documents:
            source = document.source if document.external_id else key
            content = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
            old = state.get(source)
            if old is not None and old[2] == content:
                continue
            doc_id = doc_id_for(source)
            record = DocumentRecord(
                doc_id=doc_id,
                source=source,
                sha256=content,
                format=document.format,
                title=document.title,
                pages=document.pages,
                status="pending",
                external_id=document.external_id,
                local_only=local_only or self.kb.local_only,
                ingested_at=now(),
            )
            chunks = self.chunker.split(describe_charts(document), doc_id)
            prepared.append(_Prepared(record, document, chunks))
        return prepared

    def _commit(self, prepared: Sequence[_Prepared], key: str, sha: str, run_id: str) -> list[str]:
        """Embed first (the slow, failure-prone part), then catalog, vectors (batched), hooks.

        Documents stay ``pending`` between their catalog commit and the vector write, so a
        crash in between is finished by the next open instead of leaving half an index.
        """
        all_chunks = [c for p in prepared for c in p.chunks]
        vectors = self.kb.embed_chunks(all_chunks, {p.record.doc_id: p.record.title for p in prepared})
        for item in prepared:
            self.kb.catalog.put_document(item.record, key, sha, item.chunks, run_id)
        self.kb.write_vectors([p.record for p in prepared], all_chunks, vectors)
        self.kb.catalog.set_status([p.record.doc_id for p in prepared], "ok")
        warnings = [str(w) for item in prepared for w in item.document.meta.get("warnings", ())]
        warnings.extend(self.kb.run_hooks([(p.record, p.document, p.chunks) for p in prepared]))
        return warnings


def _pii_masker(kb: KnowledgeBase) -> PiiMasker | None:
    """Ingestion-time PII masking (``safety.pii_mask_ingest``): raw values never reach any index."""
    safety = getattr(kb.settings, "safety", None)
    if safety is None or not safety.pii_mask_ingest:
        return None
    return PiiMasker(safety.pii_kinds)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
