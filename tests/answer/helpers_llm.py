"""Shared records for the generation/cascade tests (hits, a small answer) — no mocks."""

from __future__ import annotations

from zhiku.types import Answer, Citation, Hit

TEXTS = {
    "c1": ("d1", "2023年中国人工智能产业规模为2137亿元，预计2028年达到8110亿元。"),
    "c2": ("d2", "港交所18C条款于2023年3月31日正式生效，为特专科技公司上市打开通道。"),
    "c3": ("d3", "内部资料：公司2024年研发预算为9.5亿元，仅限本地查阅。"),
}


def hit(chunk_id: str, score: float = 1.0) -> Hit:
    doc_id, text = TEXTS[chunk_id]
    return Hit(chunk_id, doc_id, text, score, title=f"doc-{doc_id}", page=3)


def small_answer(question: str, *, found: bool = True, confidence: float = 0.9) -> Answer:
    cite = Citation(1, "doc-d1", "d1", "c1", 3, TEXTS["c1"][1])
    return Answer(
        question=question,
        answer="2137亿元 [1]" if found else "知识库中未找到相关信息。",
        found=found,
        citations=[cite] if found else [],
        route="extractive",
        confidence=confidence,
        short_answer="2137亿元" if found else "",
    )
