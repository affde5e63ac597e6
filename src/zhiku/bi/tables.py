"""Tables from CSV/XLSX files and from table blocks, normalised for DuckDB and for fact lookup.

Spreadsheets from analysts have a title row above the header, merged header cells, units in
headers ("市场规模（亿元）") and numbers typed as text ("1,219", "30.6%").  ``read_tables`` finds
the header row, fills merged cells, parses numbers, and keeps the cell range of every row so a
number quoted from a table can be cited.  ``table_facts`` turns a table whose rows or columns
are years into ``Fact`` records the numeric expert can use like facts from prose.

>>> [t.name for t in read_tables(Path("examples/ai_market.xlsx"))]
['segments', 'regions']
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from zhiku.bi.charts_recover import _UNIT_PAREN
from zhiku.bi.facts import Fact, split_metric
from zhiku.bi.numbers import EN_MAGNITUDES, ZH_MAGNITUDES, parse_number

_YEAR_HEADER = re.compile(r"^\s*((?:19|20)\d{2})\s*([EeF]|年)?\s*$")


@dataclass(frozen=True)
class TableData:
    """A rectangular table: ``header`` names, ``rows`` of cells (numbers parsed where possible)."""

    name: str
    source: str
    sheet: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    ranges: tuple[str, ...]  # provenance of each row: "Sheet1!A3:F3" or "row 3"
    title: str = ""

    def column_unit(self, index: int) -> tuple[str, str]:
        """(unit, scale) from a header such as "市场规模（亿元）" → ("元", "亿")."""
        return unit_of_header(self.header[index]) if index < len(self.header) else ("", "")


def unit_of_header(header: str) -> tuple[str, str]:
    m = _UNIT_PAREN.search(header)
    if not m:
        return ("%", "") if header.endswith("%") else ("", "")
    text = m.group("unit").strip()
    if text in ("%", "％"):
        return "%", ""
    for scale in sorted((*ZH_MAGNITUDES, *EN_MAGNITUDES), key=len, reverse=True):
        if text.startswith(scale):
            return text[len(scale) :].strip(), scale
    return text, ""


def _cell(value: Any, scale: str = "") -> Any:
    """A cell as a number where it is one; "3.4万亿" in a column headed （亿元） becomes 34000."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if not text:
        return None
    number = parse_number(text)
    if number is None:
        return text
    if re.search(r"[万亿千]|illion|thousand", text):
        factor = ZH_MAGNITUDES.get(scale, EN_MAGNITUDES.get(scale.lower(), 1.0)) if scale else 1.0
        return number / factor
    return number


def _header_index(grid: list[list[Any]]) -> int:
    """The first row whose cells are mostly non-empty text and that is followed by data."""
    width = max((len(r) for r in grid), default=0)
    for i, row in enumerate(grid[:10]):
        filled = [c for c in row if c not in (None, "")]
        if len(filled) > 1 and len({str(c) for c in filled}) == 1:
            continue  # a merged title cell spread over the row
        texts = [c for c in filled if isinstance(c, str) or _YEAR_HEADER.match(_year_text(c))]
        if len(filled) >= max(2, width // 2) and len(texts) >= len(filled) * 0.6:
            return i
    return 0


def _grid_to_table(
    grid: list[list[Any]], name: str, source: str, sheet: str, prefix: str
) -> TableData | None:
    grid = [r for r in grid if any(c not in (None, "") for c in r)]
    if len(grid) < 2:
        return None
    width = max(len(r) for r in grid)
    grid = [list(r) + [None] * (width - len(r)) for r in grid]
    h = _header_index(grid)
    title = " ".join(dict.fromkeys(str(c) for c in grid[0] if c)) if h > 0 else ""
    header = _names([grid[h]] + ([grid[h + 1]] if _is_subheader(grid, h) else []))
    body_start = h + (2 if _is_subheader(grid, h) else 1)
    scales = [unit_of_header(h)[1] for h in header]
    rows = tuple(
        tuple(_cell(c, scales[j] if j < len(scales) else "") for j, c in enumerate(r))
        for r in grid[body_start:]
    )
    ranges = tuple(f"{prefix}{body_start + i + 1}" for i in range(len(rows)))
    return TableData(name, source, sheet, header, rows, ranges, title)


def _is_subheader(grid: list[list[Any]], h: int) -> bool:
    """A merged header cell leaves blanks that a second header row fills (two-level header)."""
    if h + 2 >= len(grid):
        return False
    top, second = grid[h], grid[h + 1]
    blanks = sum(1 for c in top if c in (None, ""))
    second_text = sum(1 for c in second if isinstance(c, str) and parse_number(c) is None)
    return blanks > 0 and second_text >= 2


def _names(rows: list[list[Any]]) -> tuple[str, ...]:
    names: list[str] = []
    for j in range(len(rows[0])):
        parts = [str(r[j]).strip() for r in rows if r[j] not in (None, "")]
        if isinstance(rows[0][j], float) and float(rows[0][j]).is_integer():
            parts = [str(int(rows[0][j])), *parts[1:]]
        name = " ".join(parts) or f"col{j + 1}"
        while name in names:
            name += "_"
        names.append(name)
    return tuple(names)


def read_xlsx(path: Path) -> list[TableData]:
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    out: list[TableData] = []
    for ws in wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            value = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                        grid[r - 1][c - 1] = value
        table = _grid_to_table(grid, ws.title, str(path), ws.title, f"{ws.title}!row ")
        if table is not None:
            out.append(table)
    return out


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[TableData]:
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030")
    grid: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text))]
    table = _grid_to_table(grid, path.stem, str(path), "", "row ")
    return [table] if table else []


def read_tables(path: Path) -> list[TableData]:
    """Tables of a CSV/XLSX file (all sheets); other formats give []."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".csv":
        return read_csv(path)
    return []


def table_from_rows(
    rows: tuple[tuple[str, ...], ...], name: str, source: str, page: int | None, title: str = ""
) -> TableData | None:
    """A table block of a DOCX/HTML/Markdown/PDF document; ``title`` is the nearest heading above it."""
    grid: list[list[Any]] = [list(r) for r in rows]
    table = _grid_to_table(grid, name, source, f"page {page}" if page else "", "row ")
    if table is not None and title and not table.title:
        table = replace(table, title=title)
    return table


def table_facts(table: TableData) -> list[Fact]:
    """Facts of a table whose header cells or first column are years."""
    year_cols = [j for j, h in enumerate(table.header) if _YEAR_HEADER.match(h.split(" ")[0])]
    facts: list[Fact] = []
    context = table.title or (table.sheet if not table.sheet.startswith("page ") else "")
    if len(year_cols) >= 2:
        for row in table.rows:
            key = str(row[0]) if row and row[0] is not None else ""
            label = _UNIT_PAREN.sub("", key).strip()
            for j in year_cols:
                unit, scale = unit_of_header(key) if _UNIT_PAREN.search(key) else _unit_for(table, j)
                facts.extend(_fact(label, context, table.header[j].split(" ")[0], row[j], unit, scale, key))
        return facts
    first = [r[0] for r in table.rows if r]
    if first and sum(1 for v in first if _YEAR_HEADER.match(_year_text(v))) >= max(2, len(first) // 2):
        for row in table.rows:
            period = _year_text(row[0])
            for j in range(1, len(table.header)):
                unit, scale = table.column_unit(j)
                label = _UNIT_PAREN.sub("", table.header[j]).strip()
                facts.extend(_fact(label, context, period, row[j], unit, scale, period))
        return facts
    period_m = re.search(r"((?:19|20)\d{2})", context)
    period_col = _period_column(table)
    for row in table.rows:
        name = str(row[0]) if row and row[0] is not None else ""
        period = period_m.group(1) if period_m else ""
        if period_col is not None and period_col < len(row):
            period = _year_text(row[period_col]) or period
        for j in range(1, len(table.header)):
            if j == period_col:
                continue
            unit, scale = table.column_unit(j)
            label = f"{name}{_UNIT_PAREN.sub('', table.header[j]).strip()}"
            facts.extend(_fact(label, context, period, row[j], unit, scale, name))
    return facts


_PERIOD_HEADER = re.compile(r"^(?:年份|年度|年|时间|日期|期间|year|period|fy)$", re.I)


def _period_column(table: TableData) -> int | None:
    """A column after the first that says when each row is ("地区 | 年份 | 产业规模"): its cells
    are the rows' periods, not a measure."""
    for j in range(1, len(table.header)):
        if not _PERIOD_HEADER.match(_UNIT_PAREN.sub("", table.header[j]).strip()):
            continue
        cells = [_year_text(r[j]) for r in table.rows if j < len(r) and r[j] is not None]
        if cells and all(_YEAR_HEADER.match(c) for c in cells):
            return j
    return None


def _unit_for(table: TableData, j: int) -> tuple[str, str]:
    unit, scale = table.column_unit(j)
    if unit or scale:
        return unit, scale
    for text in (table.title, table.header[0]):
        u, s = unit_of_header(text or "")
        if u or s:
            return u, s
    return "", ""


def _year_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value or "").strip()


def _fact(label: str, context: str, period: str, value: Any, unit: str, scale: str, row: str) -> list[Fact]:
    if not isinstance(value, (int, float)) or not label:
        return []
    period = period.rstrip("年").upper()
    factor = ZH_MAGNITUDES.get(scale, EN_MAGNITUDES.get(scale.lower(), 1.0)) if scale else 1.0
    number = float(value)
    raw = str(int(number)) if number.is_integer() else str(number)
    subject, metric = split_metric(label)
    from zhiku.bi.charts_recover import strip_years

    whole = _UNIT_PAREN.sub("", strip_years(context)).strip()
    full_label = label if not whole or label in context else f"{label}（{whole}）"
    return [
        Fact(
            label=full_label,
            subject=subject,
            metric=metric,
            period=period,
            value=number * factor,
            unit=unit,
            scale=scale,
            raw=raw,
            qualifier="",
            sentence=f"{context}: {label} {period} = {raw}{scale}{unit}",
            source="table",
            row=row,
        )
    ]
