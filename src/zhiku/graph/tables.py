"""Tables and listings: header detection and cell splitting for the small extractor.

>>> find_header(["公司", "模型"]).product
1
>>> cell_name("云雀大模型（豆包）"), cell_alias("云雀大模型（豆包）")
('云雀大模型', '豆包')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhiku.graph import lexicon as lx


def cells_of(line: str) -> list[str]:
    if "|" in line:
        return [c.strip() for c in line.strip("|").split("|") if c.strip()]
    return [c for c in re.split(r"\t+|\s{2,}|\s", line) if c]


@dataclass(frozen=True)
class Header:
    """A table header: which column names the organisation and which the product."""

    org: int
    product: int
    names: tuple[str, ...]


def find_header(cells: list[str]) -> Header | None:
    if len(cells) == 1:
        glued = cells[0].casefold()
        for head in lx.ORG_HEADERS:
            if glued.startswith(head) and glued[len(head) :] in lx.PRODUCT_HEADERS:
                return Header(0, 1, (head, glued[len(head) :]))
        return None
    names = tuple(c.casefold() for c in cells)
    org = next((i for i, n in enumerate(names) if n in lx.ORG_HEADERS), None)
    product = next((i for i, n in enumerate(names) if n in lx.PRODUCT_HEADERS), None)
    if org is None or product is None or len(cells) > 12:
        return None
    return Header(org, product, names)


def cell_name(cell: str) -> str:
    """A table cell's name without its parenthetical: "云雀大模型（豆包）" → "云雀大模型"."""
    return re.sub(r"\s*[（(][^（()）]*[）)]\s*$", "", cell.strip()) or cell.strip()


def cell_alias(cell: str) -> str:
    """The parenthetical a cell's name carries, "" when none: "云雀大模型（豆包）" → "豆包".

    Whether it is another name of the same thing or a note ("（开源）", "（2023年）") is the
    caller's judgement (``ListingReader._cell_alias``)."""
    match = _CELL_PAREN.search(cell.strip())
    if not match or not cell_name(cell) or cell_name(cell) == cell.strip():
        return ""
    return match.group(1).strip()


_CELL_PAREN = re.compile(r"[（(]([^（()）]*)[）)]\s*$")


def is_rule(line: str) -> bool:
    return bool(re.fullmatch(r"[|\-:=+\s]+", line))
