"""Turn PDF-extracted text into clean blocks: drop page furniture, re-join sentences, keep charts apart.

Why: text extracted from a designed report is a flat stream in which every visual line became a
line (often with blank lines between), running headers, footers and navigation bars repeat on
every page, and charts became runs of bare numbers and axis labels.  Indexed as is, a chunk
glues "2137亿元" to a footer and an axis label.  The cleaner works in four passes, all generic:

1. **Pages**: form feeds (pypdfium2 output joined by ``\\f``), else a line that starts with exactly
   one space followed by text, when the file has several (the page-title line many converters
   emit), else one page.
2. **Boilerplate**: a line (digits and spaces ignored) that recurs on many pages, or on most pages
   at the page edge, or is a copyright/page-number line, is page furniture and is dropped.
3. **Lines are classified** as prose, numeric (more digits than words: years, values, percents)
   or short labels; runs of numeric/label lines become ``chart`` blocks, and runs of lines with
   the same number of space-separated cells (a flattened table) become ``table`` blocks with rows.
4. **Prose lines are re-joined** when the earlier one does not end a sentence and either fills the
   line width or is part of a punctuated sentence: no space between CJK characters, one space
   between Latin words.  Page-title lines and numbered lines (第一章, 一、, 1.2 …) become headings.

>>> blocks = clean_text("第一章 概述\\n\\n2023年中国人工智能产业规模已达到\\n\\n2137亿元。")
>>> [(b.kind, b.text) for b in blocks]
[('heading', '第一章 概述'), ('paragraph', '2023年中国人工智能产业规模已达到2137亿元。')]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from zhiku.types import Block

LineKind = Literal["prose", "numeric", "label", "heading"]

_TERMINATORS = "。！？!?；;….．"
_CLOSERS = "\"'”’」』）)】》"
_CONNECTORS = "，、：:,（(“‘《【-—/的和与及或在对将把被从向于为是了等并且而"
_INNER_PUNCT = re.compile(r"[，、；：,;:。！？]")
_TITLE_LINE = re.compile(r"^ (?=\S)")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_COPYRIGHT = re.compile(r"(©|\(c\)\s*\d{4}|copyright|版权所有)", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"^(第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?|page\s+\d+(\s+of\s+\d+)?|[-–—]\s*\d+\s*[-–—]|\d+\s*/\s*\d+)$",
    re.IGNORECASE,
)
_HEADING_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^#{1,6}\s+\S"), 0),
    (re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章篇](\s|：|:|$)?"), 1),
    (re.compile(r"^第[一二三四五六七八九十百零〇\d]+部分"), 1),
    (re.compile(r"^(part|chapter)\s*\d+\b", re.IGNORECASE), 1),
    (re.compile(r"^第[一二三四五六七八九十百零〇\d]+节"), 2),
    (re.compile(r"^[一二三四五六七八九十]+[、.．]\s*\S"), 2),
    (re.compile(r"^\d+\.\d+\.\d+\s*[^\d\s.]"), 4),
    (re.compile(r"^\d+\.\d+\s*[^\d\s.%]"), 3),
    (re.compile(r"^\d{1,2}[.、．]\s*[^\d\s.%]"), 2),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*\S"), 3),
)
_STANDALONE_LINE = re.compile(r"^(来源|资料来源|数据来源|注|备注|sources?|notes?)\s*[：:]", re.IGNORECASE)
_COLUMNS = re.compile(r"[\u4e00-\u9fff）)] +[\u4e00-\u9fff（(]")
_NUMBERING = re.compile(
    r"^(#{1,6}\s+|第[一二三四五六七八九十百零〇\d]+[章节篇部]分?|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十]+[）)]|\d+(\.\d+)*[.、．]?)\s*"
)
_CLOSING_PUNCT = frozenset("。！？!?；;…，,、：:）)】》”’」』")
_TABLE_BREAK = re.compile(r"[，。；！？;!?]|,(?!\d)")
_SENTENCE_PUNCT = re.compile(r"[，。；！？、]")
_UNITS = frozenset("年月日亿万千百元个家倍位EeQqHhxXKkMmBb")
_CJK_PUNCT_SPACE = re.compile(r"\s+(?=[，。、；：！？）》」』】”])|(?<=[，。、；：！？（《「『【“])\s+")


@dataclass
class _Page:
    number: int
    title: str | None
    lines: list[str]


@dataclass
class _Para:
    """A paragraph being assembled from prose lines."""

    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class CleanerSettings:
    """Knobs of the boilerplate rule (defaults fit both 3-page memos and 100-page reports)."""

    repeat_min_pages: int = 3
    repeat_share: float = 0.1
    edge_share: float = 0.5
    edge_lines: int = 2
    min_meaningful_chars: int = 4
    max_heading_chars: int = 40
    max_label_chars: int = 10


class Cleaner:
    """Clean PDF-extracted text into blocks (see the module docstring).

    >>> Cleaner().clean(open("report.txt", encoding="utf-8").read())[:3]
    """

    def __init__(self, settings: CleanerSettings | None = None) -> None:
        self.s = settings or CleanerSettings()

    def clean(self, text: str, title: str | None = None) -> list[Block]:
        """Blocks of ``text``; ``title`` (e.g. PDF metadata) marks a matching first line as heading."""
        pages = split_pages(text)
        furniture = self._boilerplate(pages)
        wrap = _wrap_width(line for page in pages for line in page.lines)
        blocks: list[Block] = []
        for page in pages:
            blocks.extend(self._page_blocks(page, furniture, wrap, title))
        return _join_across_pages(blocks)

    # -- boilerplate -----------------------------------------------------------------------

    def _boilerplate(self, pages: list[_Page]) -> set[str]:
        if len(pages) < 2:
            return set()
        seen: Counter[str] = Counter()
        at_edge: Counter[str] = Counter()
        for page in pages:
            nonblank = [line for line in page.lines if line.strip()]
            edges = set(nonblank[: self.s.edge_lines] + nonblank[-self.s.edge_lines :])
            keys = {line_key(line) for line in nonblank}
            seen.update(keys)
            at_edge.update({line_key(line) for line in edges})
        by_freq = max(self.s.repeat_min_pages, math.ceil(self.s.repeat_share * len(pages)))
        by_edge = max(2, math.ceil(self.s.edge_share * len(pages)))
        found = set()
        for key, count in seen.items():
            if _meaningful(key) < self.s.min_meaningful_chars:
                continue
            sentence = len(key) >= 20 and _ends_sentence(key)
            if (count >= by_freq and not sentence) or (count >= by_edge and at_edge[key] >= 2):
                found.add(key)
        return found

    def _is_furniture(self, line: str, furniture: set[str]) -> bool:
        stripped = line.strip()
        if _PAGE_NUMBER.match(stripped):
            return True
        if _COPYRIGHT.search(stripped) and len(stripped) < 160:
            return True
        return line_key(stripped) in furniture

    # -- one page --------------------------------------------------------------------------

    def _page_blocks(
        self, page: _Page, furniture: set[str], wrap: float, known_title: str | None
    ) -> list[Block]:
        blocks: list[Block] = []
        lines = [fix_spacing(line) for line in page.lines if line.strip()]
        lines = [line for line in lines if line and not self._is_furniture(line, furniture)]
        title = self._page_title(page, lines, furniture, known_title)
        if title:
            blocks.append(Block(kind="heading", text=title, page=page.number, level=1))
        chart: list[str] = []
        para = _Para()
        i = 0
        while i < len(lines):
            rows = _table_rows(lines, i)
            if rows:
                self._flush_para(para, blocks, page.number)
                self._flush_chart(chart, blocks, page.number)
                blocks.append(
                    Block(
                        kind="table",
                        text="\n".join(lines[i : i + len(rows)]),
                        page=page.number,
                        rows=tuple(rows),
                        meta={"header": True},
                    )
                )
                i += len(rows)
                continue
            self._line(lines[i], para, chart, blocks, page.number, wrap)
            i += 1
        self._flush_para(para, blocks, page.number)
        self._flush_chart(chart, blocks, page.number)
        return blocks

    def _page_title(self, page: _Page, lines: list[str], furniture: set[str], known_title: str | None) -> str:
        """The page's title: its title line (or, when that line is furniture, a title-like first
        line); on page 1, a first line equal to the document's metadata title."""
        if page.title is not None:
            title = fix_spacing(page.title)
            if self._is_furniture(title, furniture):
                return lines.pop(0) if lines and self._title_like(lines[0]) else ""
            if self._heading_level(title) is not None or self._title_like(title):
                return title
            lines.insert(0, title)
            return ""
        if (
            page.number == 1
            and known_title
            and lines
            and _SPACE.sub("", lines[0]) == _SPACE.sub("", known_title)
        ):
            return lines.pop(0)
        return ""

    def _line(
        self, line: str, para: _Para, chart: list[str], blocks: list[Block], page: int, wrap: float
    ) -> None:
        kind = self._classify(line)
        if para.lines and not _ends_sentence(para.text):
            if kind == "numeric" and _ends_sentence(line):
                kind = "prose"  # "…模型SDXL" + "1.0。": the end of a sentence, not chart residue
            elif line[0] in _CLOSING_PUNCT:
                kind = "prose"  # "…兼容" + "。": the layout pushed the full stop to its own line
            elif kind == "label" and _same_box(para, line) and _continues(para, line, wrap):
                kind = "prose"  # a short line of a narrow text box, not an axis label
        if kind in ("numeric", "label"):
            self._flush_para(para, blocks, page)
            chart.append(line)
            return
        self._flush_chart(chart, blocks, page)
        if kind == "heading":
            self._flush_para(para, blocks, page)
            text = re.sub(r"^#{1,6}\s+", "", line)
            blocks.append(Block(kind="heading", text=text, page=page, level=self._heading_level(line) or 2))
            return
        if para.lines and not _continues(para, line, wrap):
            self._flush_para(para, blocks, page)
        para.lines.append(_glue(para.text, line))

    def _flush_para(self, para: _Para, blocks: list[Block], page: int) -> None:
        if para.lines:
            blocks.append(Block(kind="paragraph", text=para.text, page=page))
            para.lines = []

    def _flush_chart(self, chart: list[str], blocks: list[Block], page: int) -> None:
        if not chart:
            return
        has_number = any(self._classify(line) == "numeric" for line in chart)
        if has_number or len(chart) >= 3:
            caption = ""
            before = blocks[-1] if blocks else None
            if (
                has_number
                and before is not None
                and before.kind == "paragraph"
                and before.page == page
                and len(before.text) <= self.s.max_heading_chars
                and not _ends_sentence(before.text)
                and not _SENTENCE_PUNCT.search(before.text)
            ):
                caption = blocks.pop().text  # the chart's title line sits right above its numbers
            lines = [caption, *chart] if caption else chart
            blocks.append(Block(kind="chart", text="\n".join(lines), page=page, meta={"caption": caption}))
        else:
            blocks.extend(Block(kind="paragraph", text=line, page=page) for line in chart)
        chart.clear()

    # -- line classes ----------------------------------------------------------------------

    def _classify(self, line: str) -> LineKind:
        compact = _SPACE.sub("", line)
        if not compact:
            return "label"
        if _numeric(compact):
            return "numeric"
        if _only_marks(compact):
            return "label"
        if self._heading_level(line) is not None:
            return "heading"
        if _INNER_PUNCT.search(compact):
            return "prose"
        if len(compact) <= self.s.max_label_chars or _label_row(line):
            return "label"
        return "prose"

    def _heading_level(self, line: str) -> int | None:
        stripped = line.strip()
        if len(stripped) > self.s.max_heading_chars or _ends_sentence(stripped):
            return None
        body = _NUMBERING.sub("", stripped).rstrip("：:")
        if not body or _INNER_PUNCT.search(body) or stripped[-1] in _CONNECTORS or stripped[-1].isdigit():
            return None
        for pattern, level in _HEADING_PATTERNS:
            if pattern.match(stripped):
                return level or len(stripped) - len(stripped.lstrip("#"))
        return None

    def _title_like(self, line: str) -> bool:
        compact = _SPACE.sub("", line)
        if not compact or len(compact) > self.s.max_heading_chars or _ends_sentence(compact):
            return False
        if compact[-1] in _CONNECTORS or compact.count("，") + compact.count(",") > 1:
            return False
        return not _numeric(compact)


def clean_text(text: str, title: str | None = None) -> list[Block]:
    """Clean PDF-extracted ``text`` into heading / paragraph / chart / table blocks with page numbers."""
    return Cleaner().clean(text, title)


def looks_like_pdf_extraction(text: str) -> bool:
    """True for text that has PDF-extraction layout: form feeds, page-title lines, or lines
    broken mid-sentence with blank lines between them.  The TXT loader uses this to decide
    whether to run the cleaner."""
    if "\f" in text:
        return True
    lines = text.replace("\r\n", "\n").split("\n")
    nonblank = [line for line in lines if line.strip()]
    if len(nonblank) < 6:
        return False
    titles = sum(1 for line in lines if _TITLE_LINE.match(line))
    if titles >= 3 and titles * 4 <= len(nonblank):
        return True
    blank_ratio = (len(lines) - len(nonblank)) / len(nonblank)
    long_lines = [line.rstrip() for line in nonblank if len(line.strip()) >= 15]
    if not long_lines:
        return False
    broken = sum(1 for line in long_lines if not _ends_sentence(line))
    return blank_ratio >= 0.5 and broken / len(long_lines) >= 0.5


def split_pages(text: str) -> list[_Page]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        parts = text.split("\f")
        if parts and not parts[-1].strip():
            parts.pop()
        return [_Page(i + 1, None, part.split("\n")) for i, part in enumerate(parts)]
    lines = text.split("\n")
    nonblank = sum(1 for line in lines if line.strip())
    starts = [i for i, line in enumerate(lines) if _TITLE_LINE.match(line)]
    if len(starts) < 2 or len(starts) * 4 > nonblank:
        return [_Page(1, None, lines)]
    pages: list[_Page] = []
    if any(line.strip() for line in lines[: starts[0]]):
        pages.append(_Page(1, None, lines[: starts[0]]))
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        pages.append(_Page(len(pages) + 1, lines[start].strip(), lines[start + 1 : end]))
    return pages


def line_key(line: str) -> str:
    """Identity of a line for repetition counting: digits and whitespace ignored, a line that is
    one segment printed twice (two-column layout) counts as the segment."""
    parts = [p for p in _SPACE.split(line.strip()) if p]
    if len(parts) >= 2 and len(parts) % 2 == 0 and parts[: len(parts) // 2] == parts[len(parts) // 2 :]:
        parts = parts[: len(parts) // 2]
    return _DIGITS.sub("#", "".join(parts))


def fix_spacing(line: str) -> str:
    """Collapse whitespace and undo PDF letter spacing ("性 能 提 升" → "性能提升")."""
    tokens = [t for t in _SPACE.split(line.strip()) if t]
    if not tokens:
        return ""
    out = tokens[0]
    prev = tokens[0]
    for token in tokens[1:]:
        single = (len(prev) == 1 and _is_cjk(prev)) or (len(token) == 1 and _is_cjk(token))
        if single:
            out += token
        else:
            out += " " + token
        prev = token
    return _CJK_PUNCT_SPACE.sub("", out)


def _glue(previous: str, line: str) -> str:
    """What to append to ``previous`` so that CJK joins tight and Latin words get one space."""
    if not previous:
        return line
    if _is_cjk(previous[-1]) or _is_cjk(line[0]) or previous.endswith("-"):
        return line
    if previous[-1].isdigit() and line[0].isdigit():
        before = previous.rstrip("0123456789.,")
        if not before or _is_cjk(before[-1]):
            return line  # "达到1" + "17亿元": a number the layout wrapped
    return " " + line


def _continues(para: _Para, line: str, wrap: float) -> bool:
    """Does ``line`` continue the paragraph (a sentence broken by the layout)?"""
    last = para.lines[-1].lstrip()
    text = para.text
    if _ends_sentence(text) or _STANDALONE_LINE.match(text):
        return False
    if text[-1] in _CONNECTORS or line[0] in _CLOSING_PUNCT:
        return True
    width = _width(last)
    if width >= 0.7 * wrap:
        return True
    if _STANDALONE_LINE.match(line) or _COLUMNS.search(line) or _COLUMNS.search(last):
        return False
    sentence_like = bool(_INNER_PUNCT.search(text) or _INNER_PUNCT.search(line))
    return sentence_like and width >= 0.75 * _width(line)


def _same_box(para: _Para, line: str) -> bool:
    """The last line of ``para`` and ``line`` have about the same width (one narrow text box)."""
    last = _width(para.lines[-1].strip())
    return last <= 1.3 * _width(line) and _width(line) <= 1.3 * last


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINATORS


def _join_across_pages(blocks: list[Block]) -> list[Block]:
    """A sentence cut by a page break: join the last paragraph of a page with the first of the
    next one, but only when the earlier clearly stops mid-sentence (ends with a connector such as
    ，/的/和 or a lowercase word)."""
    out: list[Block] = []
    previous: Block | None = None
    for block in blocks:
        if (
            previous is not None
            and out
            and block.kind == "paragraph"
            and previous.kind == "paragraph"
            and previous.page is not None
            and block.page == previous.page + 1
            and not _ends_sentence(previous.text)
            and (previous.text[-1] in _CONNECTORS or previous.text[-1].islower())
        ):
            merged = out.pop()
            out.append(
                Block(kind="paragraph", text=merged.text + _glue(merged.text, block.text), page=merged.page)
            )
        else:
            out.append(block)
        previous = block
    return out


def _wrap_width(lines: Iterable[str]) -> float:
    widths = sorted(w for w in (_width(line.strip()) for line in lines) if w >= 20)
    if not widths:
        return 80.0
    return float(widths[int(0.9 * (len(widths) - 1))])


def _width(text: str) -> int:
    return sum(2 if _is_cjk(ch) else 1 for ch in text)


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _meaningful(key: str) -> int:
    return sum(1 for ch in key if ch.isalpha())


def _table_rows(lines: list[str], start: int) -> list[tuple[str, ...]]:
    """Rows of a flattened table starting at ``lines[start]``: consecutive lines with the same
    number (2–12) of space-separated short cells and no sentence punctuation.  Two rows suffice
    when the cells hold numbers; label-only tables ("公司 模型" / "京东 言犀" …) need three."""
    rows: list[tuple[str, ...]] = []
    width = 0
    for line in lines[start:]:
        cells = tuple(line.split())
        if (
            not 2 <= len(cells) <= 12
            or (width and len(cells) != width)
            or _TABLE_BREAK.search(line)
            or max(len(c) for c in cells) > 24
        ):
            break
        width = len(cells)
        rows.append(cells)
    with_digits = sum(1 for row in rows if any(ch.isdigit() for ch in "".join(row)))
    if width >= 3 and len(rows) >= 2 and with_digits * 2 >= len(rows):
        return rows
    if (
        len(rows) >= 3
        and with_digits * 2 < len(rows)
        and all(max(len(c) for c in row) <= 16 for row in rows)
        and _mostly_cjk_rows(rows)
    ):
        return rows
    return []


def _mostly_cjk_rows(rows: list[tuple[str, ...]]) -> bool:
    """Label tables are CJK-led; a run of short English lines is more likely prose or labels."""
    firsts = [row[0][0] for row in rows]
    return sum(1 for ch in firsts if _is_cjk(ch) or ch.isdigit()) * 2 >= len(firsts)


def _label_row(line: str) -> bool:
    """Several short CJK labels side by side ("大模型技术进程 大模型落地应用进程 国家动态监管")."""
    parts = line.split()
    return len(parts) >= 2 and all(len(p) <= 12 and _is_cjk(p[0]) for p in parts)


def _numeric(compact: str) -> bool:
    """Chart residue: more digits than words (units such as 年/月/亿/E/Q do not count as words)."""
    if _SENTENCE_PUNCT.search(compact):
        return False
    digits = sum(1 for ch in compact if ch.isdigit())
    words = sum(1 for ch in compact if ch.isalpha() and ch not in _UNITS)
    return digits > 0 and digits > words


def _only_marks(compact: str) -> bool:
    return all(not ch.isalnum() for ch in compact)
