"""Graders, metrics, intervals, paired tests, the recommendation and the QA-file formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhiku.errors import QueryError
from zhiku.eval.graders import grade, quote_or_short_correct, strict_correct
from zhiku.eval.metrics import citation_contains_answer, unsupported_numbers
from zhiku.eval.results import ConfigSummary, recommend
from zhiku.eval.scoring import QAItem, load_qa
from zhiku.eval.stats import bootstrap_ci, compare, exact_mcnemar, paired_bootstrap
from zhiku.types import Answer, Citation

pytestmark = pytest.mark.unit


def _answer(text: str, short: str = "", found: bool = True, cited: str = "", **extra: object) -> Answer:
    cites = [Citation(1, "doc", "d1", "c1", 1, cited)] if cited else []
    return Answer("q", text, found, citations=cites, short_answer=short, extra=dict(extra))


def _item(**row: object) -> QAItem:
    return QAItem.from_row({"id": "x", "question": "问题？", **row})


def test_strict_grades_the_short_answer_and_quote_or_short_the_whole_reply() -> None:
    item = _item(answers=["580亿"])
    wrong_short = _answer("答案：320亿元。原文：…规模为580亿元。", short="320亿元")
    assert not strict_correct(item, wrong_short)
    assert quote_or_short_correct(item, wrong_short)
    assert strict_correct(item, _answer("约580亿元 [1]", short="约580亿元"))


def test_refusals_are_right_only_on_unanswerable_questions() -> None:
    refusal = _answer("知识库中未找到相关信息。", found=False)
    unanswerable = _item(answers=[], answerable=False)
    answerable = _item(answers=["7"])
    g = grade(unanswerable, refusal)
    assert g.strict and g.correct_refusal and g.wrong_refusal is None
    g = grade(answerable, refusal)
    assert not g.strict and g.wrong_refusal and g.correct_refusal is None
    assert not grade(unanswerable, _answer("It is 7.", short="7")).strict


def test_feedback_rows_mark_repeated_rejected_answers_wrong() -> None:
    row = {
        "question": "Which river?",
        "answers": [],
        "rejected_answers": ["Amber River"],
        "origin": "feedback",
    }
    item = _item(**row)
    assert not strict_correct(item, _answer("The Amber River.", short="Amber River"))
    assert grade(item, _answer("The Amber River.", short="Amber River")).rejected
    assert strict_correct(item, _answer("The Silver River.", short="Silver River"))
    with_gold = _item(answers=["Silver"], rejected_answers=["Silver Amber"])
    assert not strict_correct(with_gold, _answer("Silver Amber", short="Silver Amber"))


def test_numbers_must_come_from_citations_computations_or_the_question() -> None:
    cited = "2023年产量为1250万台。"
    assert unsupported_numbers(_answer("产量为1250万台 [1]", cited=cited)) == []
    assert unsupported_numbers(_answer("产量为1300万台 [1]", cited=cited)) == ["1300"]
    computed = _answer("增长了12.5% [1]", cited=cited, computation={"computed_numbers": [12.5]})
    assert unsupported_numbers(computed) == []
    assert unsupported_numbers(_answer("In 2031 none [1]", cited=cited), "What about 2031?") == []
    assert unsupported_numbers(_answer("In 2031 none [1]", cited=cited)) == ["2031"]


def test_citation_precision_checks_the_cited_passage() -> None:
    item = _item(answers=["青州"])
    assert citation_contains_answer(item, _answer("青州", short="青州", cited="张伟在青州创办公司。"))
    assert not citation_contains_answer(item, _answer("青州", short="青州", cited="另一段无关文字。"))
    assert grade(item, _answer("青州", short="青州", cited="无关。")).citation_ok is False


def test_bootstrap_interval_is_seeded_and_contains_the_mean() -> None:
    values = [1.0] * 30 + [0.0] * 20
    lo, hi = bootstrap_ci(values, seed=3)
    assert (lo, hi) == bootstrap_ci(values, seed=3)
    assert lo < 0.6 < hi and hi - lo < 0.35
    assert bootstrap_ci([], seed=0) == (0.0, 0.0)


def test_paired_tests_detect_a_consistent_difference_and_not_a_tie() -> None:
    a = [True] * 40 + [False] * 10
    b = [True] * 25 + [False] * 25
    result = compare("a", a, "b", b, seed=1)
    assert result.only_a == 15 and result.only_b == 0
    assert result.p_mcnemar < 0.001 and result.p_bootstrap < 0.01 and result.ci_low > 0
    same = compare("a", a, "b", a, seed=1)
    assert same.diff == 0 and same.p_mcnemar == 1.0 and same.p_bootstrap == 1.0
    assert exact_mcnemar(5, 0) == pytest.approx(0.0625)
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [1.0, 0.0])


def _summary(name: str, acc: float, cost: float, p50: float = 10.0) -> ConfigSummary:
    return ConfigSummary(
        name, 100, acc, (acc - 0.05, acc + 0.05), acc, (0, 1), 0, 0, 0, None, 0, 0, 0, p50, p50,
        0, 0, cost * 100, cost, 1.0, 0, 0,
    )  # fmt: skip


def test_recommendation_is_the_cheapest_within_the_margin() -> None:
    configs = [_summary("large", 0.82, 0.01), _summary("cascade", 0.81, 0.002), _summary("small", 0.70, 0.0)]
    rec = recommend(configs, margin_points=2)
    assert rec is not None and rec.config == "cascade" and rec.best == "large"
    assert "cascade" in rec.reason_zh and "cascade" in rec.reason_en
    assert recommend(configs, margin_points=0.5).config == "large"  # type: ignore[union-attr]
    assert recommend(configs, margin_points=15).config == "small"  # type: ignore[union-attr]
    assert recommend([]) is None


def test_load_qa_reads_every_format(tmp_path: Path) -> None:
    rows = [
        {"question": "手写题？", "answers": ["甲"], "type": "fact"},
        {"id": "g1", "question": "生成题？", "answers": [], "kind": "unanswerable", "answerable": False,
         "source_chunk": "c1", "doc": "d", "origin": "generated"},
        {"id": "f1", "question": "反馈题？", "answers": [], "rejected_answers": ["乙"], "origin": "feedback"},
        {"id": "r1", "question": "dev?", "answers": ["A、B"], "answer_parts": [["A"], ["B"]], "answer_type": "all_of"},
    ]  # fmt: skip
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    items = load_qa(path)
    assert [i.id for i in items] == ["L1", "g1", "f1", "r1"]
    assert items[1].unanswerable and items[1].type == "unanswerable" and items[1].origin == "generated"
    assert items[2].rejected == ("乙",) and items[2].origin == "feedback"
    assert items[3].matches("B and A") and not items[3].matches("A only")
    path.write_text('{"question": "ok"}\n{"answers": ["no question"]}\n', encoding="utf-8")
    with pytest.raises(QueryError, match="line 2"):
        load_qa(path)


def test_a_tie_at_the_top_goes_to_the_cheaper_then_faster_and_says_so() -> None:
    rec = recommend([_summary("slow", 0.8, 0.0, p50=900), _summary("fast", 0.8, 0.0, p50=500)])
    assert rec is not None and rec.config == "fast" and "ties" in rec.reason_en and "并列" in rec.reason_zh
