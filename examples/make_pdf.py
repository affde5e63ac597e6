"""Build examples/ai_market_compute.pdf, the sample PDF of the demo knowledge base.

Why a script: the PDF must be reproducible from text we wrote, and it deliberately looks like a
real report (running header, page footer, a bar chart whose labels become "chart residue" in the
extracted text) so that the demo exercises the cleaner.

Usage:  .venv/bin/python examples/make_pdf.py  [--font /path/to/cjk-font.ttf|.ttc]
Needs fpdf2 (dev extra) and a font with Chinese glyphs, e.g. `apt-get install fonts-wqy-microhei`
or fonts-noto-cjk; set ZHIKU_CJK_FONT or pass --font to choose one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "ai_market_compute.pdf"
TITLE = "中国人工智能产业规模与智能算力（2023—2028）"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)

PAGES: list[list[tuple[str, str]]] = [
    [
        ("h1", TITLE),
        ("p", "本资料由智库示例知识库编写，数据引自公开的行业研究报告，用于演示文档问答。"),
        ("h2", "一、产业规模"),
        (
            "p",
            "根据公开研究报告的测算，2023年中国人工智能产业规模已达到2137亿元。随着大模型带来的底层技术"
            "革新，产业将同时获得存量重构与增量扩张。报告预计到2028年，中国人工智能产业规模将达到8110亿元，"
            "2023年至2028年的五年复合增长率为30.6%。",
        ),
        (
            "p",
            "与假设大模型没有出现的情形相比，大模型带来的产业加成比例在2028年或达到32.9%，其中语言与语音"
            "模态的加成最为明显。产业规模的统计口径包括AI芯片、AI基础数据服务、计算机视觉、对话式AI与智能"
            "语音、自然语言处理以及知识图谱等市场。",
        ),
        ("chart", "中国人工智能产业规模（亿元）"),
        (
            "p",
            "从结构看，大模型正在替代原有的部分小模型方案，实现存量扩张；同时为更多场景带来落地可能，"
            "形成生成式AI应用的增量。2024年以后，AI能力向边缘侧与端侧下放，对产业规模的拉动将更加明显。",
        ),
    ],
    [
        ("h2", "二、智能算力"),
        (
            "p",
            "在大模型训练与推理需求的带动下，2023年中国智能算力市场规模达到5097亿元，相较2022年出现大幅"
            "跃升。一方面AI芯片的单卡算力成倍提升，另一方面训练服务器的载卡数量从过去的2至4卡普遍升级到"
            "4至8卡。预计到2028年，中国智能算力市场规模或将达到3.4万亿元，五年复合增长率为46.3%。",
        ),
        (
            "p",
            "上层应用的需求也改变了AI基础数据服务。2023年中国AI基础数据服务市场规模为37亿元，预计2028年"
            "达到117亿元，五年复合增长率为26.1%。分词、词性标注等传统任务正在减少，训练数据集构建、RLHF"
            "微调数据、提示词生产和评测服务成为新的业务重心。",
        ),
        ("table", ""),
        (
            "p",
            "政策层面，工业和信息化部等六部门于2023年10月印发《算力基础设施高质量发展行动计划》，提出到"
            "2025年全国算力规模超过300 EFLOPS，智能算力占比达到35%。各地也在加快建设城市智算中心。",
        ),
    ],
    [
        ("h2", "三、AI芯片与供给"),
        (
            "p",
            "2023年10月17日，美国更新对华半导体出口管制规则，英伟达为中国市场推出的特供版H800和A800两款"
            "芯片也被纳入限制范围。2023年11月13日，英伟达发布H200芯片，其性能较H100提升60%到90%，并与"
            "H100兼容。",
        ),
        (
            "p",
            "供给受限促使国内厂商加快替代。华为昇腾系列AI芯片被多家大模型企业用于训练和推理，国产芯片在"
            "智算中心采购中的比重逐步上升。业内普遍认为，算力基础设施呈现“倒三角”特征：底层芯片与算力"
            "投入最重，上层应用的商业化仍处在探索阶段。",
        ),
        ("h2", "四、小结"),
        (
            "p",
            "产业规模、智能算力和数据服务三组数据共同指向同一个判断：2023年是中国生成式AI的元年，"
            "2024年起竞争重心将从模型训练转向应用落地与成本控制。",
        ),
    ],
]

CHART = (("2023", 2137), ("2028E", 8110))
TABLE = (
    ("指标", "2023年", "2028年（预计）", "五年复合增长率"),
    ("中国人工智能产业规模", "2137亿元", "8110亿元", "30.6%"),
    ("中国智能算力市场规模", "5097亿元", "3.4万亿元", "46.3%"),
    ("AI基础数据服务市场规模", "37亿元", "117亿元", "26.1%"),
)


def find_font(explicit: str | None) -> tuple[Path, int]:
    """A font file with Chinese glyphs: --font, $ZHIKU_CJK_FONT, well-known paths, then fc-list."""
    for raw in (explicit, os.environ.get("ZHIKU_CJK_FONT")):
        if raw:
            path = Path(raw).expanduser()
            if not path.is_file():
                sys.exit(f"CJK font not found: {path}")
            return path, 0
    for raw in CANDIDATES:
        if Path(raw).is_file():
            return Path(raw), 0
    if shutil.which("fc-list"):
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file", "index"], capture_output=True, text=True, check=False
        ).stdout
        for line in sorted(listing.splitlines()):
            file_part, _, index_part = line.partition(":")
            path = Path(file_part.strip())
            if path.suffix.lower() in (".ttf", ".otf", ".ttc") and path.is_file():
                digits = "".join(ch for ch in index_part if ch.isdigit())
                return path, int(digits or 0)
    sys.exit(
        "没有找到中文字体 / no CJK font found.\n"
        "Install one (Debian/Ubuntu: sudo apt-get install fonts-wqy-microhei, or fonts-noto-cjk),\n"
        "or pass --font /path/to/font.ttf, or set ZHIKU_CJK_FONT."
    )


def build(font: Path, index: int, output: Path) -> None:
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def header(self) -> None:
            self.set_font("cjk", size=9)
            self.set_text_color(120, 120, 120)
            self.cell(0, 8, "智库示例资料 · 产业规模与算力", align="R", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.cell(0, 10, f"第 {self.page_no()} 页 / 共 {len(PAGES)} 页", align="C")

    pdf = ReportPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    pdf.set_title(TITLE)
    pdf.set_author("zhiku examples")
    pdf.add_font("cjk", "", str(font), collection_font_number=index)
    pdf.set_auto_page_break(auto=True, margin=20)
    for page in PAGES:
        pdf.add_page()
        for kind, text in page:
            _element(pdf, kind, text)
    output.write_bytes(bytes(pdf.output()))


def _element(pdf: object, kind: str, text: str) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    if kind == "h1":
        pdf.set_font("cjk", size=17)
        pdf.multi_cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    elif kind == "h2":
        pdf.ln(2)
        pdf.set_font("cjk", size=13)
        pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
    elif kind == "p":
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    elif kind == "chart":
        _chart(pdf, text)
    elif kind == "table":
        _table(pdf)


def _chart(pdf: object, caption: str) -> None:
    """Two bars with value and year labels: extracts as bare numbers, like a real report chart."""
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 7, caption, align="C", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    base = top + 45
    biggest = max(value for _, value in CHART)
    for n, (label, value) in enumerate(CHART):
        x = 70 + n * 45
        height = 40 * value / biggest
        pdf.set_fill_color(70, 110, 170)
        pdf.rect(x, base - height, 20, height, style="F")
        pdf.set_xy(x - 5, base - height - 6)
        pdf.cell(30, 5, str(value), align="C")
        pdf.set_xy(x - 5, base + 1)
        pdf.cell(30, 5, label, align="C")
    pdf.set_xy(pdf.l_margin, base + 9)


def _table(pdf: object) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.set_font("cjk", size=10)
    from fpdf.fonts import FontFace

    heading = FontFace(emphasis="", fill_color=(225, 232, 242))
    with pdf.table(col_widths=(60, 35, 40, 40), text_align="CENTER", headings_style=heading) as table:
        for row in TABLE:
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.ln(4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", help="font file with Chinese glyphs (.ttf/.otf/.ttc)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    try:
        import fpdf  # noqa: F401
    except ImportError:
        sys.exit("fpdf2 is not installed: pip install fpdf2 (or pip install -e '.[dev]')")
    font, index = find_font(args.font)
    build(font, index, args.output)
    print(f"wrote {args.output} with font {font}")


if __name__ == "__main__":
    main()
