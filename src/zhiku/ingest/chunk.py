"""Heading-aware, sentence-packing chunker with a CJK-correct size budget.

Why this shape: retrieval works best on chunks that are one topic (never two sections), end on
sentence boundaries, and carry where they came from (heading path, page, character span).  Tables
and chart residue are kept whole and apart so that prose chunks stay readable and the numeric
expert can find them by ``kind``.

Budget: ``settings.chunk_chars`` units of the ``count`` function.  The default, :func:`cjk_units`,
counts one unit per CJK character or punctuation mark and one unit per ~4 characters of a Latin
word or number (``"intelligence"`` = 3, ``"2137"`` = 1), whitespace free: roughly one unit per
token of a Chinese-aware tokenizer.  Pass any tokenizer's length function as ``count`` to budget in
real tokens.  A chunk exceeds the budget only when a tiny tail (< ``min_chunk_chars`` units) is
merged into the chunk before it.

>>> chunker = Chunker(IngestSettings(chunk_chars=200))
>>> chunks = chunker.split(document, doc_id="d1")
>>> chunks[0].chunk_id
'd1:00000'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from zhiku.config import IngestSettings
from zhiku.errors import ConfigError
from zhiku.types import Block, BlockKind, Chunk, Document
from zhiku.understand.sentences import sentence_spans

CountFn = Callable[[str], int]
_ALNUM = re.compile(r"[A-Za-z0-9]+")
_NOT_OTHER = re.compile(r"[\sA-Za-z0-9]+")
_STANDALONE: frozenset[str] = frozenset({"table", "chart"})


def cjk_units(text: str) -> int:
    """Length in budget units: CJK char = 1, Latin/digit run = ceil(len / 4), whitespace = 0."""
    runs = _ALNUM.findall(text)
    others = len(_NOT_OTHER.sub("", text))
    return others + sum((len(run) + 3) // 4 for run in runs)


@dataclass(frozen=True)
class _Piece:
    """A sentence (or table row) with its span in ``Document.text``."""

    start: int
    end: int
    page: int | None
    kind: BlockKind
    units: int


@dataclass
class _Group:
    """Consecutive pieces packed together: one section's prose, or one table/chart block."""

    pieces: list[_Piece]
    heading_path: tuple[str, ...]
    standalone: bool


@dataclass
class _Draft:
    start: int
    end: int
    page: int | None
    kind: BlockKind
    new_units: int  # units of the pieces that are not overlap


class Chunker:
    """Split a ``Document`` into ``Chunk``s (see the module docstring for the rules).

    >>> Chunker(IngestSettings(chunk_chars=300, overlap_sentences=1)).split(doc, "abc")
    """

    def __init__(self, settings: IngestSettings, count: CountFn | None = None) -> None:
        if settings.min_chunk_chars >= settings.chunk_chars:
            raise ConfigError(
                f"ingest.min_chunk_chars ({settings.min_chunk_chars}) 必须小于 chunk_chars ({settings.chunk_chars})",
                f"ingest.min_chunk_chars ({settings.min_chunk_chars}) must be below chunk_chars "
                f"({settings.chunk_chars})",
            )
        self.budget = settings.chunk_chars
        self.overlap = settings.overlap_sentences
        self.min_units = settings.min_chunk_chars
        self.count: CountFn = count or cjk_units
        self.additive = count is None

    def split(self, document: Document, doc_id: str) -> list[Chunk]:
        text = document.text
        drafts: list[tuple[_Draft, tuple[str, ...]]] = []
        for group in self._groups(document):
            packed = self._pack_standalone(text, group) if group.standalone else self._pack_prose(text, group)
            drafts.extend((draft, group.heading_path) for draft in packed)
        drafts = self._merge_fragments(text, drafts)
        return [
            Chunk(
                chunk_id=f"{doc_id}:{ordinal:05d}",
                doc_id=doc_id,
                ordinal=ordinal,
                text=text[draft.start : draft.end],
                page=draft.page,
                heading_path=path,
                char_start=draft.start,
                char_end=draft.end,
                kind=draft.kind,
            )
            for ordinal, (draft, path) in enumerate(drafts)
        ]

    # -- grouping ---------------------------------------------------------------------------

    def _groups(self, document: Document) -> Iterator[_Group]:
        headings: list[tuple[int, str]] = []
        prose: list[_Piece] = []
        offset = 0
        for block in document.blocks:
            start = offset
            offset += len(block.text) + 2  # Document.text joins blocks with "\n\n"
            if block.kind == "heading":
                if prose:
                    yield _Group(prose, _path(headings), standalone=False)
                    prose = []
                level = max(block.level, 1)
                while headings and headings[-1][0] >= level:
                    headings.pop()
                if block.text.strip():
                    headings.append((level, block.text.strip()))
                continue
            pieces = self._pieces(block, start)
            if block.kind in _STANDALONE:
                if prose:
                    yield _Group(prose, _path(headings), standalone=False)
                    prose = []
                if pieces:
                    yield _Group(pieces, _path(headings), standalone=True)
            else:
                prose.extend(pieces)
        if prose:
            yield _Group(prose, _path(headings), standalone=False)

    def _pieces(self, block: Block, start: int) -> list[_Piece]:
        if block.kind in _STANDALONE or block.kind == "code":
            spans = _line_spans(block.text)  # rows and code lines, never split at a "."
        else:
            spans = sentence_spans(block.text)
        return [
            _Piece(start + a, start + b, block.page, block.kind, self.count(block.text[a:b]))
            for a, b in spans
        ]

    # -- packing ----------------------------------------------------------------------------

    def _pack_prose(self, text: str, group: _Group) -> list[_Draft]:
        drafts: list[_Draft] = []
        current: list[_Piece] = []
        fresh = 0  # index in ``current`` where the non-overlap pieces start
        for piece in group.pieces:
            if piece.units > self.budget:
                if current[fresh:]:
                    drafts.append(self._draft(current, fresh))
                drafts.extend(self._hard_split(text, piece))
                current, fresh = [], 0
                continue
            if current and not self._fits(text, current, piece):
                if current[fresh:]:
                    drafts.append(self._draft(current, fresh))
                current = self._overlap_for(text, current, piece)
                fresh = len(current)
            current.append(piece)
        if current[fresh:]:
            drafts.append(self._draft(current, fresh))
        return self._merge_tail(text, drafts)

    def _pack_standalone(self, text: str, group: _Group) -> list[_Draft]:
        drafts: list[_Draft] = []
        current: list[_Piece] = []
        for piece in group.pieces:
            if piece.units > self.budget:
                if current:
                    drafts.append(self._draft(current, 0))
                drafts.extend(self._hard_split(text, piece))
                current = []
                continue
            if current and not self._fits(text, current, piece):
                drafts.append(self._draft(current, 0))
                current = []
            current.append(piece)
        if current:
            drafts.append(self._draft(current, 0))
        return self._merge_tail(text, drafts)

    def _overlap_for(self, text: str, current: list[_Piece], nxt: _Piece) -> list[_Piece]:
        keep = current[-self.overlap :] if self.overlap else []
        while keep and not self._fits(text, keep, nxt):
            keep = keep[1:]
        return list(keep)

    def _draft(self, pieces: list[_Piece], fresh: int) -> _Draft:
        kinds = {p.kind for p in pieces}
        kind: BlockKind = pieces[0].kind if len(kinds) == 1 else "paragraph"
        new_units = sum(p.units for p in pieces[fresh:])
        return _Draft(pieces[0].start, pieces[-1].end, pieces[0].page, kind, new_units)

    def _merge_fragments(
        self, text: str, drafts: list[tuple[_Draft, tuple[str, ...]]]
    ) -> list[tuple[_Draft, tuple[str, ...]]]:
        """Glue chart fragments (under a third of the budget) to their neighbours in the section.

        Designed reports scatter a chart's labels, values and caption over several tiny blocks
        ("智谱AI 光年之外 …" / "15.4 12.3 …" / "估值（亿美元）"); alone, none of them can be
        found or read, together they are one answerable chunk.  Only chart blocks and label runs
        (text without a sentence end) are glued, never tables or sentences, within the budget.
        """
        out: list[tuple[_Draft, tuple[str, ...]]] = []
        small = self.budget // 3
        for draft, path in drafts:
            if out:
                prev, prev_path = out[-1]
                pair = (prev, draft)
                chartish = all(d.kind == "chart" or _is_label_run(text, d) for d in pair)
                fragment = min(prev.new_units, draft.new_units) < small
                has_chart = any(d.kind == "chart" for d in pair)
                end = max(prev.end, draft.end)
                if (
                    chartish
                    and has_chart
                    and fragment
                    and prev_path == path
                    and self._units(text, prev.start, end) <= self.budget
                ):
                    merged = _Draft(prev.start, end, prev.page, "chart", prev.new_units + draft.new_units)
                    out[-1] = (merged, path)
                    continue
            out.append((draft, path))
        return out

    def _merge_tail(self, text: str, drafts: list[_Draft]) -> list[_Draft]:
        if len(drafts) < 2 or drafts[-1].new_units >= self.min_units:
            return drafts
        last, prev = drafts[-1], drafts[-2]
        if self._units(text, prev.start, last.end) > self.budget + self.min_units:
            return drafts
        merged_kind = prev.kind if prev.kind == last.kind else "paragraph"
        merged = _Draft(prev.start, last.end, prev.page, merged_kind, prev.new_units + last.new_units)
        return [*drafts[:-2], merged]

    def _hard_split(self, text: str, piece: _Piece) -> list[_Draft]:
        """A sentence longer than the budget: cut it at the largest prefix that fits."""
        out: list[_Draft] = []
        start = piece.start
        while start < piece.end:
            end = self._fit(text, start, piece.end)
            units = self._units(text, start, end)
            out.append(_Draft(start, end, piece.page, piece.kind, units))
            start = end
            while start < piece.end and text[start].isspace():
                start += 1
        return out

    def _fit(self, text: str, start: int, end: int) -> int:
        """Largest ``stop`` in (start, end] with ``count(text[start:stop]) <= budget`` (at least 1 char)."""
        lo, hi = start + 1, end
        if self._units(text, start, hi) <= self.budget:
            return hi
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._units(text, start, mid) <= self.budget:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _fits(self, text: str, pieces: list[_Piece], nxt: _Piece) -> bool:
        """Would ``pieces`` + ``nxt`` fit the budget?  The default counter is additive over
        whitespace-separated pieces, so it sums cached piece lengths; any other counter is
        asked about the exact span (tokenizers are not additive)."""
        if self.additive:
            return sum(p.units for p in pieces) + nxt.units <= self.budget
        return self._units(text, pieces[0].start, nxt.end) <= self.budget

    def _units(self, text: str, start: int, end: int) -> int:
        return self.count(text[start:end])


def _is_label_run(text: str, draft: _Draft) -> bool:
    """A paragraph that is a run of labels (no sentence end), such as a chart's legend."""
    body = text[draft.start : draft.end].strip()
    return draft.kind == "paragraph" and not re.search(r"[。！？!?；;]|\.(?:\s|$)", body)


def _path(headings: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(title for _, title in headings)


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return spans
