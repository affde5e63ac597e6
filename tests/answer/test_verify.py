"""Post-checks of generated answers: citations, support and grounded numbers."""

from __future__ import annotations

import pytest

from zhiku.answer.citations import citations_in, split_sentences
from zhiku.answer.verify import (
    attach_citations,
    describe_violations,
    extract_numbers,
    verify_answer,
)

pytestmark = pytest.mark.unit

EVIDENCE = {
    1: "2023年中国人工智能产业规模为2,137亿元，预计2028年达到8110亿元。",
    2: "港交所18C条款于2023年3月31日正式生效。",
    3: "China's AI chip market will grow at a CAGR of 44.7% from 2023 to 2028.",
}


def kinds(text: str, **kw: object) -> list[str]:
    return [v.kind for v in verify_answer(text, EVIDENCE, **kw).violations]  # type: ignore[arg-type]


def test_grounded_answer_passes() -> None:
    assert verify_answer("2023年中国人工智能产业规模为2137亿元[1]。", EVIDENCE).ok


@pytest.mark.parametrize("written", ["2137", "2,137", "２１３７", "２,１３７"])
def test_number_forms_are_the_same_value(written: str) -> None:
    assert verify_answer(f"2023年中国人工智能产业规模为{written}亿元[1]。", EVIDENCE).ok


def test_unit_scale_matches_across_languages() -> None:
    assert verify_answer("The AI industry will reach 811 billion yuan in 2028 [1].", EVIDENCE).ok
    assert kinds("The AI industry will reach 812 billion yuan in 2028 [1].") == ["number"]


def test_invented_number_is_a_violation() -> None:
    assert kinds("2023年中国人工智能产业规模为3000亿元[1]。") == ["number"]


def test_number_must_be_in_the_cited_chunk_not_just_any_chunk() -> None:
    assert kinds("AI芯片复合增长率为44.7%[2]。") == ["unsupported", "number"]
    assert verify_answer("The AI chip market grows at a CAGR of 44.7% [3].", EVIDENCE).ok


def test_numbers_from_question_or_computation_are_allowed() -> None:
    text = "2028年规模是2023年的3.8倍[1]。"
    assert kinds(text) == ["number"]
    assert verify_answer(text, EVIDENCE, computed=["8110 / 2137 = 3.8"]).ok


def test_identifiers_are_not_quantities() -> None:
    assert [n.raw for n in extract_numbers("港交所18C条款、5G和H100芯片，共80GB")] == ["80"]


def test_missing_and_unknown_citations() -> None:
    assert kinds("2023年规模为2137亿元。") == ["no_citation"]
    assert kinds("2023年中国人工智能产业规模为2137亿元[7]。")[0] == "bad_citation"
    assert kinds("") == ["empty"]


def test_unsupported_sentence() -> None:
    assert kinds("北京今天天气晴朗适合出游[2]。") == ["unsupported"]


def test_citation_forms_and_marker_after_full_stop() -> None:
    assert citations_in("见[1]和[2, 3]及【4】") == [1, 2, 3, 4]
    assert split_sentences("规模为2137亿元。[1] 生效于3月31日。[2]") == [
        "规模为2137亿元。[1]",
        "生效于3月31日。[2]",
    ]
    assert verify_answer("港交所18C条款于2023年3月31日生效。[2]", EVIDENCE).ok


def test_uncited_sentence_numbers_are_checked_against_the_cited_evidence() -> None:
    assert "number" in kinds("根据报告，规模为2137亿元[1]。另外还有9999家企业。")


def test_violation_feedback_names_the_problem_in_both_languages() -> None:
    result = verify_answer("规模为3000亿元[1]。", EVIDENCE)
    assert "数字不在所引资料中" in describe_violations(result.violations, "zh")
    assert "3000" in describe_violations(result.violations, "en")


def test_uncited_but_supported_sentences_get_the_best_citation() -> None:
    assert attach_citations("2137亿元。", EVIDENCE) == "2137亿元[1]。"
    assert attach_citations("已有引用[2]。", EVIDENCE) == "已有引用[2]。"
    assert attach_citations("北京天气晴朗。", EVIDENCE) == "北京天气晴朗。"
    assert verify_answer(attach_citations("规模为2137亿元", EVIDENCE), EVIDENCE).ok


def test_garbage_around_a_citation_is_rejected() -> None:
    assert not verify_answer("pϨz is[1] Ǳpp\x00 is\tِo\x06", EVIDENCE).ok
    assert kinds("[1]") == ["empty"]
    assert verify_answer("2137亿元[1]", EVIDENCE).ok
