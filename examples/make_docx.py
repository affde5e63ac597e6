"""Build examples/model_landscape.docx, the sample Word document of the demo knowledge base.

Why a script: the document is generated from text we wrote, so it can be rebuilt and reviewed as
plain code.  It has styled headings, a table (company → model → first release) and a list, which
the DOCX loader turns into heading, table and list blocks.

Usage:  .venv/bin/python examples/make_docx.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "model_landscape.docx"
TITLE = "国内主要大模型及其发布方（2023—2024）"

MODELS = (
    ("厂商", "大模型", "首次发布", "说明"),
    ("百度", "文心一言", "2023年3月16日", "国内最早面向公众的对话式大模型之一，2023年8月31日向全社会开放"),
    ("智谱AI", "ChatGLM", "2023年3月14日", "开源ChatGLM-6B，面向用户的产品为智谱清言"),
    ("商汤科技", "日日新", "2023年4月10日", "包含语言、图像生成等多个模型"),
    ("阿里巴巴", "通义千问", "2023年4月11日", "由阿里云发布，后续开源Qwen系列模型"),
    ("科大讯飞", "讯飞星火认知大模型", "2023年5月6日", "重点面向教育、办公和医疗场景"),
    ("华为", "盘古大模型3.0", "2023年7月7日", "强调面向行业的大模型"),
    ("京东", "言犀大模型", "2023年7月13日", "京东云发布，面向零售、物流、金融等产业场景"),
    ("字节跳动", "云雀大模型（豆包）", "2023年8月", "面向用户的应用为豆包"),
    ("腾讯", "混元大模型", "2023年9月7日", "已接入腾讯会议、腾讯文档等业务"),
    ("月之暗面", "Kimi智能助手", "2023年10月9日", "以长文本处理能力著称"),
)

INTRO = (
    "2023年被业内称为中国大模型的“百模大战”之年。互联网巨头、人工智能企业和创业公司相继发布自己的"
    "通用或行业大模型。本文整理了其中影响较大的产品与发布方，供示例知识库回答“哪家公司发布了哪个"
    "模型”一类的问题。"
)
FILING = (
    "根据《生成式人工智能服务管理暂行办法》，面向公众提供服务的大模型需要完成备案。2023年8月31日起，"
    "首批通过备案的大模型陆续向公众开放服务，其中包括百度文心一言和智谱清言。到2024年初，已有40余家"
    "大模型持证上岗，行业大模型在医疗和金融领域落地最快。"
)
TRENDS = (
    "开源与闭源并行：智谱ChatGLM、阿里通义千问和百川智能Baichuan都发布了开源版本，降低了企业私有化部署的门槛。",
    "大小模型协同：企业常用大模型处理复杂推理，用小模型承担分类、抽取和检索等高频任务，以控制成本。",
    "多模态与MoE架构：多模态模型与混合专家（MoE）架构被认为将共同拓展大模型的产业空间。",
)


def build(output: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = TITLE
    document.core_properties.author = "zhiku examples"
    document.core_properties.created = dt.datetime(2024, 6, 1)
    document.core_properties.modified = dt.datetime(2024, 6, 1)
    document.add_heading(TITLE, level=1)
    document.add_paragraph(INTRO)
    document.add_heading("一、厂商与模型一览", level=2)
    table = document.add_table(rows=0, cols=len(MODELS[0]))
    table.style = "Table Grid"
    for row in MODELS:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_heading("二、备案与上线", level=2)
    document.add_paragraph(FILING)
    document.add_heading("三、发展趋势", level=2)
    for item in TRENDS:
        document.add_paragraph(item, style="List Bullet")
    document.save(str(output))


def main() -> None:
    build(OUTPUT)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
