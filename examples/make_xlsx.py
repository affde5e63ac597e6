"""Write examples/ai_market.xlsx: sample BI data for zhiku (two sheets, units in headers, merged cells).

Segment figures for AI chips, intelligent computing and AI data services follow the public
iResearch 2024 estimates; the other rows and the regional sheet are illustrative numbers we
made up for the sample knowledge base.  Run: ``python examples/make_xlsx.py``.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

YEARS = ["2020", "2021", "2022", "2023", "2024E", "2025E", "2026E", "2027E", "2028E"]
SEGMENTS = {
    "AI芯片": [195, 327, 385, 620, 963, 1454, 2042, 2841, 3931],
    "智能算力": [776, 1219, 2092, 5097, 8690, 12560, 16832, 23930, 34174],
    "AI基础数据服务": [29, 27, 31, 37, 47, 58, 75, 94, 117],
    "对话式AI": [62, 78, 95, 121, 160, 210, 268, 335, 410],
    "知识图谱": [18, 22, 27, 33, 41, 50, 61, 73, 86],
}
REGIONS = [
    ("北京", 1048, 2150, 21.5),
    ("上海", 760, 1630, 16.3),
    ("广东", 920, 1880, 18.8),
    ("浙江", 540, 1120, 11.2),
    ("江苏", 480, 960, 9.6),
]


def build(out: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "segments"
    ws.append(["中国人工智能细分市场规模（亿元）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(YEARS) + 1)
    ws["A1"].font = Font(bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["细分领域", *YEARS])
    for name, values in SEGMENTS.items():
        ws.append([name, *values])
    ws2 = wb.create_sheet("regions")
    ws2.append(["2023年中国主要地区人工智能产业概况"])
    ws2.merge_cells("A1:D1")
    ws2.append(["地区", "核心企业数量（家）", "产业规模（亿元）", "占全国比重（%）"])
    for row in REGIONS:
        ws2.append(list(row))
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(__file__).resolve().parent / "ai_market.xlsx"))
