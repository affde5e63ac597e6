"""Listings and tables: "公司 模型" headers turn the rows below into company → product edges.

A header row naming an organisation column and a product column ("公司 模型", "| Company |
Model |") makes each following row an edge (京东 —released→ 言犀); other short name cells of the
row become ``attribute`` edges labelled by their header.  PDF extraction damages listings in
two ways this module repairs: a long cell wrapped over two lines ("中科院自动化研究" / "所") and
two cells glued into one ("京东言犀").

>>> reader = ListingReader(jieba, 24, name_like)
>>> extraction, header = reader.read(chunk, known={"京东"})
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from zhiku.graph import lexicon as lx
from zhiku.graph.model import (
    EntityMention,
    EntityType,
    Evidence,
    Extraction,
    RawRelation,
    name_key,
    raw_relation,
)
from zhiku.graph.names import CLAUSE_BREAK, DATE_OR_NUMBER, HAS_CJK, NAME_TAGS, ORG_SUFFIXES, SENT_PUNCT
from zhiku.graph.tables import Header, cell_alias, cell_name, cells_of, find_header, is_rule
from zhiku.types import Chunk

# Last characters of organisation names a wrapped table cell may leave alone on a line.
_CELL_TAIL_ENDINGS = (*"所室院局司会部厂行社馆处校", "中心")


class ListingReader:
    """Reads the listings of one chunk with the extractor's tokenizer and name test."""

    def __init__(self, jieba: Any, max_name_chars: int, name_like: Callable[[str, bool], bool]) -> None:
        self._jieba = jieba
        self.max_name_chars = max_name_chars
        self._name_like = name_like

    def read(
        self, chunk: Chunk, known: set[str], prose: str = "", carry: Header | None = None
    ) -> tuple[Extraction, Header | None]:
        out = Extraction()
        header = carry
        lines = self.rejoin_cells([ln.strip() for ln in chunk.text.splitlines()], known)
        pending = ""  # a wrapped organisation cell waiting for its product cell on the next line
        for line, wrapped in lines:
            if not line or is_rule(line):
                continue
            cells = cells_of(line)
            found = find_header(cells)
            if found:
                header, pending = found, ""
                continue
            if header is None:
                continue
            if pending and len(cells) == 1 and len(header.names) == 2:
                cells, pending = [pending, cells[0]], ""
                line = " ".join(cells)
            elif wrapped and len(cells) == 1 and len(header.names) == 2 and header.org == 0:
                pending = cells[0]  # "中科院自动化研究" + "所", then "紫东太初" on its own line
                continue
            elif len(cells) == 1 and len(header.names) == 2 and not CLAUSE_BREAK.search(line):
                cells = self._split_glued(cells[0], known, prose)
            bare = " ".join(cell_name(c) for c in cells)  # "言犀（ChatRhino）" is a cell, not a clause
            if len(cells) != len(header.names) or (len(cells) == 2 and CLAUSE_BREAK.search(bare)):
                header = None if len(line) > 40 else header
                continue
            rows = self._row(header, cells, Evidence(chunk.chunk_id, chunk.doc_id, line))
            out.relations.extend(rows)
            if rows:  # "云雀大模型（豆包）": the bracketed name is the same thing's other name
                columns: tuple[tuple[int, EntityType], ...] = (
                    (header.org, "org"),
                    (header.product, "product"),
                )
                for j, etype in columns:
                    alias = self._cell_alias(cells[j])
                    if alias:
                        out.aliases.append((alias, cell_name(cells[j])))
                        out.mentions.append(EntityMention(alias, etype, rows[0].evidence, "table"))
        return out, header

    def _cell_alias(self, cell: str) -> str:
        """A cell's bracketed name when it looks like a name, not a note: "豆包" and "ChatRhino"
        are kept; "开源", "2023年", "70亿参数" and clauses are not."""
        alias = cell_alias(cell)
        if not alias or len(alias) > self.max_name_chars or alias.casefold() in lx.CELL_NOTES:
            return ""
        if alias in lx.GENERIC or alias in lx.NULL_VALUES or DATE_OR_NUMBER.search(alias):
            return ""
        if CLAUSE_BREAK.search(alias) or (re.search(r"\d", alias) and HAS_CJK.search(alias)):
            return ""  # "70亿参数", "2023年": figures, not names
        if not HAS_CJK.search(alias):
            return alias if self._name_like(alias, True) and alias[0].isalnum() else ""
        tags = self._jieba.tag(alias)
        if any(t[0] in "vadpcmqru" and not t.startswith(("vn", "nr", "ns", "nt", "nz")) for _, t in tags):
            return ""  # "已开源", "支持多模态": a remark, not a name
        return alias if self._name_like(alias, True) else ""

    def rejoin_cells(self, lines: list[str], known: set[str]) -> list[tuple[str, bool]]:
        """Lines with a cell's wrapped tail joined back: (line, whether a tail was joined).

        PDF extraction breaks a long cell over lines ("中科院自动化研究" / "所").  A line of one or
        two Chinese characters is a tail when it completes the previous line's last word — the
        join forms one dictionary word across the break — into an organisation ending
        ("研究所", "实验室") or into a name seen elsewhere in the document.
        """
        out: list[tuple[str, bool]] = []
        for line in lines:
            prev = next((i for i in range(len(out) - 1, -1, -1) if out[i][0]), -1)
            if prev >= 0 and self._is_cell_tail(out[prev][0], line, known):
                out[prev] = (out[prev][0] + line, True)
                continue
            out.append((line, False))
        return out

    def _is_cell_tail(self, before: str, line: str, known: set[str]) -> bool:
        if not 1 <= len(line) <= 2 or not all(HAS_CJK.match(ch) for ch in line) or not before:
            return False
        if not HAS_CJK.match(before[-1]) or SENT_PUNCT.search(before):
            return False
        last = cells_of(before)[-1]
        joined = last + line
        if joined in known:
            return True
        if not line.endswith(_CELL_TAIL_ENDINGS):
            return False
        tokens = self._jieba.cut(joined)
        return len(tokens) > 1 and len(tokens[-1]) > len(line)  # the tail glues to the word before

    def proper_words(self, chunks: Sequence[Chunk]) -> set[str]:
        """Dictionary words tagged as names in the document's prose — seams for glued rows."""
        words: set[str] = set()
        for chunk in chunks:
            if chunk.kind != "chart":
                words.update(w for w, t in self._jieba.tag(chunk.text) if len(w) >= 2 and t in NAME_TAGS)
        return words

    def _split_glued(self, row: str, known: set[str], prose: str) -> list[str]:
        """Split a row whose two cells a cleaner glued ("京东言犀" under "公司 模型"): find the seam.

        The left cell is preferred to be a name seen elsewhere in the document, else one ending
        in an organisation suffix, else the first dictionary word of two or more characters.
        """
        if not 3 <= len(row) <= 2 * self.max_name_chars or not HAS_CJK.search(row) or SENT_PUNCT.search(row):
            return [row]
        tokens = self._jieba.cut(row)
        best: tuple[int, int] = (0, 0)
        pos = 0
        for i, token in enumerate(tokens[:-1]):
            pos += len(token)
            left, right = row[:pos], row[pos:]
            if len(left) < 2 or len(left) > 12 or (len(right) < 2 and not right.isalnum()):
                continue
            score = 3 if left in known else 2 if left.endswith(ORG_SUFFIXES) and len(left) > 2 else 0
            score = score or (1 if i == 0 else 0)
            score += (2 if right in known else 0) + (2 if len(left) >= 3 and left in prose else 0)
            if score >= best[0]:
                best = (score, pos)
        return [row[: best[1]], row[best[1] :]] if best[0] >= 2 else [row]

    def _row(self, header: Header, cells: list[str], ev: Evidence) -> list[RawRelation]:
        """One table row: org column —released→ product column; other short name cells become
        ``attribute`` edges of the product labelled by their header."""
        left, right = cell_name(cells[header.org]), cell_name(cells[header.product])
        if left in lx.NULL_VALUES or right in lx.NULL_VALUES or name_key(left) == name_key(right):
            return []
        if not self._name_like(left, True) or not self._name_like(right, True):
            return []
        if len(left) > self.max_name_chars or len(right) > self.max_name_chars:
            return []
        out = [raw_relation(left, right, "released", ev, source="table")]
        for j, cell in enumerate(cells):
            value = cell_name(cell)
            if j in (header.org, header.product) or len(value) > 12 or DATE_OR_NUMBER.search(value):
                continue
            if header.names[j] in lx.FREE_TEXT_HEADERS or CLAUSE_BREAK.search(value) or "，" in value:
                continue
            if (
                value not in lx.NULL_VALUES
                and self._name_like(value, True)
                and name_key(value) != name_key(right)
            ):
                out.append(
                    raw_relation(right, value, "attribute", ev, label=header.names[j][:12], source="table")
                )
        return out
