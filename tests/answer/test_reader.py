"""The extractive reader over hand-written hits: spans by type, citations, refusals, languages."""

from __future__ import annotations

import pytest

from zhiku.answer.reader import ExtractiveReader, clean_text
from zhiku.config import ReaderSettings
from zhiku.types import Answer, AskRequest, Hit, Trace
from zhiku.understand.sentences import split_sentences

pytestmark = pytest.mark.unit

REPORT = "2024年中国机器人产业研究报告"


def hit(chunk_id: str, text: str, *, page: int | None = 1, title: str = REPORT, score: float = 1.0) -> Hit:
    return Hit(
        chunk_id=chunk_id, doc_id="doc-1", text=text, score=score, title=title, page=page, source="r.pdf"
    )


MARKET = [
    hit(
        "c1",
        "根据研究院测算，2023年中国机器人产业规模已达到1958亿元，预计到2028年，"
        "中国机器人产业规模将达到7340亿元，五年复合增长率达到30.2%。",
        page=3,
    ),
    hit(
        "c2", "2023年中国服务机器人市场规模已达到4126亿元。2023年，中国伺服电机市场规模约为580亿元。", page=5
    ),
    hit(
        "c3",
        "2023年共有14家机器人公司进入IPO阶段，其中9家选择科创板上市。2023年新上市机器人公司共4家。",
        page=9,
    ),
    hit("c4", "2023年5月12日，新版协作机器人安全规范生效，为人机协作产线打开应用通道。", page=10),
    hit("c5", "星河科技发布的Orion模型包括3B、8B、27B和70B四种参数规模。", page=12),
    hit("c6", "在国内5家机器人独角兽中，晨曦智能估值最高，其次为远峰科技和启明动力。", page=14),
]


def ask(question: str, hits: list[Hit] | None = None, **settings: float) -> Answer:
    """The reader's best answer: these tests check which span ranks first, so every answer is
    asserted (``short_threshold=0``); when an answer is asserted is tested in reading/."""
    settings.setdefault("short_threshold", 0.0)
    reader = ExtractiveReader(ReaderSettings(**settings))  # type: ignore[arg-type]
    return reader.read(AskRequest(question), MARKET if hits is None else hits, Trace())


def test_number_question_gets_number_with_unit_and_citation() -> None:
    answer = ask("2023年中国机器人产业规模是多少？")
    assert answer.found
    assert answer.short_answer == "1958亿元"
    assert answer.route == "extractive"
    assert answer.language == "zh"
    assert "[1]" in answer.answer and "1958亿元" in answer.answer
    cite = answer.citations[0]
    assert (cite.index, cite.document, cite.page, cite.chunk_id, cite.doc_id) == (1, REPORT, 3, "c1", "doc-1")
    assert "1958亿元" in cite.text and cite.text in answer.answer
    assert 0.0 < answer.confidence <= 1.0


def test_number_follows_the_year_the_question_asks_about() -> None:
    assert ask("2028年中国机器人产业规模预计是多少？").short_answer == "7340亿元"


def test_percent_and_measure_word_questions_pick_matching_units() -> None:
    assert ask("中国机器人产业规模的五年复合增长率是多少？").short_answer == "30.2%"
    assert ask("2023年有多少家机器人公司进入IPO阶段？").short_answer == "14家"


def test_metric_in_question_selects_the_right_sentence() -> None:
    assert ask("2023年中国伺服电机市场规模是多少？").short_answer == "580亿元"


def test_date_question_returns_full_date() -> None:
    answer = ask("新版协作机器人安全规范是哪天生效的？")
    assert answer.short_answer == "2023年5月12日"
    assert answer.citations[0].page == 10


def test_list_question_returns_the_enumeration() -> None:
    answer = ask("星河科技发布的Orion模型包括哪几种参数规模？")
    for size in ("3B", "8B", "27B", "70B"):
        assert size in answer.short_answer


def test_entity_question_returns_a_name() -> None:
    answer = ask("国内机器人独角兽中估值最高的是哪家公司？")
    assert answer.found
    assert "晨曦" in answer.short_answer


def test_unanswerable_question_with_other_country_is_refused() -> None:
    answer = ask("2023年美国机器人产业规模是多少？")
    assert not answer.found
    assert answer.answer == "知识库中未找到相关信息。"
    assert answer.citations == []
    assert answer.route == "extractive"


def test_year_missing_from_evidence_is_refused() -> None:
    answer = ask("2019年中国机器人产业规模是多少？")
    assert not answer.found


def test_no_hits_is_refused_in_the_question_language() -> None:
    assert ask("2023年中国机器人产业规模是多少？", hits=[]).answer == "知识库中未找到相关信息。"
    english = ask("What was the size of China's robot industry in 2023?", hits=[])
    assert english.answer == "Not found in the knowledge base."
    assert english.language == "en"


def test_weak_evidence_is_refused() -> None:
    hits = [hit("x1", "今天天气晴朗，适合户外运动。"), hit("x2", "这家餐厅的招牌菜是红烧肉。")]
    answer = ask("2023年中国机器人产业规模是多少？", hits=hits)
    assert not answer.found


def test_number_question_without_any_number_is_refused() -> None:
    hits = [hit("x1", "中国机器人产业规模持续扩大，服务场景带来新的增长空间。")]
    assert not ask("中国机器人产业规模是多少？", hits=hits).found


def test_min_confidence_one_refuses_everything() -> None:
    assert not ask("2023年中国机器人产业规模是多少？", min_confidence=1.0).found


def test_english_question_over_chinese_evidence_gets_english_frame() -> None:
    answer = ask("What is the projected size of China's robot industry in 2028?")
    assert answer.found
    assert answer.language == "en"
    assert answer.short_answer == "7340亿元"
    assert "Evidence" in answer.answer
    assert "7340亿元" in answer.citations[0].text


def test_english_question_over_english_evidence() -> None:
    hits = [
        hit("e1", "Acme Robotics was founded in 2015 in Shenzhen. It employs 1,200 people.", title="Acme"),
        hit("e2", "The company opened its second factory on March 3, 2021.", title="Acme"),
    ]
    assert ask("How many people does Acme Robotics employ?", hits=hits).short_answer == "1,200 people"
    when = ask("When did the company open its second factory?", hits=hits)
    assert when.short_answer == "March 3, 2021"
    assert when.language == "en"


def test_free_text_question_quotes_the_best_sentence() -> None:
    hits = [
        hit(
            "m1",
            "混合调度系统由多个执行单元组成。调度器负责为每个任务选择执行单元并分配资源。",
            title="技术篇",
        ),
        hit("m2", "大模型训练需要大量算力。", title="技术篇"),
    ]
    answer = ask("混合调度系统中的调度器起什么作用？", hits=hits)
    assert answer.found
    assert "分配资源" in answer.answer
    assert answer.citations[0].chunk_id == "m1"
    # the sentence about the whole ("…由多个执行单元组成") shares more words; the part asked about wins
    assert "调度器负责" in answer.citations[0].text
    english = ask(
        "What does the scheduler do in the hybrid system?",
        hits=[
            hit(
                "n1",
                "The hybrid system consists of several execution units. The scheduler assigns each task to a unit.",
            ),
            hit("n2", "Training large models needs a lot of compute."),
        ],
    )
    assert "scheduler assigns" in english.citations[0].text


def test_corroborating_chunks_become_extra_citations() -> None:
    hits = [*MARKET, hit("c7", "报告指出，2023年中国机器人产业规模为1958亿元。", page=30)]
    answer = ask("2023年中国机器人产业规模是多少？", hits=hits, max_citations=3)
    assert len(answer.citations) >= 2
    assert [c.index for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert "[2]" in answer.answer


def test_max_citations_is_respected() -> None:
    hits = [hit(f"d{i}", "2023年中国机器人产业规模为1958亿元。", page=i) for i in range(6)]
    answer = ask("2023年中国机器人产业规模是多少？", hits=hits, max_citations=2)
    assert len(answer.citations) == 2


def test_trace_notes_record_refusal_reason() -> None:
    trace = Trace()
    reader = ExtractiveReader(ReaderSettings())
    reader.read(AskRequest("2023年美国机器人产业规模是多少？"), MARKET, trace)
    assert any(
        "美国" in note or "confidence" in note or "refus" in note or "拒答" in note for note in trace.notes
    )


def test_pdf_spacing_between_chinese_characters_is_removed() -> None:
    assert clean_text("支持多达100亿 个 参 数 的 生 成 式 AI 模 型") == "支持多达100亿个参数的生成式 AI 模型"
    assert split_sentences("规模达1958亿元。预计增长！Next one. Done.") == [
        "规模达1958亿元。",
        "预计增长！",
        "Next one.",
        "Done.",
    ]


def test_two_item_question_is_answered_item_by_item() -> None:
    hits = [
        hit("g1", "2022年广州全年GDP为31205.62亿元，同比增长3.4%。", title="统计公报"),
        hit("g2", "2022年深圳全年GDP为32387.4亿元，同比增长3.6%。", title="统计公报"),
    ]
    answer = ask("广州和深圳2022年的GDP分别是多少？", hits=hits)
    assert answer.found
    assert "31205.62亿元" in answer.short_answer and "32387.4亿元" in answer.short_answer
    assert [c.index for c in answer.citations] == [1, 2]
    assert "[1]" in answer.answer and "[2]" in answer.answer
    assert {c.chunk_id for c in answer.citations} == {"g1", "g2"}


def test_figure_of_another_year_is_not_given_for_the_asked_year() -> None:
    hits = [*MARKET, hit("c8", "2025年起，智算中心建设将进入加速期。", page=20)]
    answer = ask("2025年中国机器人产业规模是多少？", hits=hits, short_threshold=0.5)
    # another year's figure may rank first, but it is not asserted as the answer
    assert answer.answer_kind != "short" or "2025" in answer.citations[0].text


def test_chart_hits_count_less_than_prose() -> None:
    chart = Hit("k1", "doc-1", "2023年中国机器人产业规模 1624 1958 亿元", 1.0, title=REPORT, kind="chart")
    answer = ask("2023年中国机器人产业规模是多少？", hits=[chart, *MARKET])
    assert answer.citations[0].chunk_id == "c1"


def test_parts_of_one_question_get_different_answers() -> None:
    # read alone, both parts pick the sentence's first figure; the surer part keeps it
    hits = [hit("m1", "青川县2031年木耳产量为3600吨，比2030年的3200吨增长12.5%。", title="青川县统计公报")]
    answer = ask("青川县2030年和2031年的木耳产量分别是多少？", hits=hits)
    assert answer.short_answer is not None
    assert "3200吨" in answer.short_answer and "3600吨" in answer.short_answer


def test_a_thousands_comma_does_not_cut_a_clause() -> None:
    from zhiku.answer.spans import clause_spans

    clauses = [s.text for s in clause_spans("In 2031 the county harvested 3,600 tons, up from 3,200 tons.")]
    assert clauses[0] == "In 2031 the county harvested 3,600 tons" and "3,200 tons" in clauses[1]
    assert [s.text for s in clause_spans("会议于10:30开始，持续两小时。")] == [
        "会议于10:30开始",
        "持续两小时",
    ]


def test_a_quoted_table_row_is_shown_under_its_column_names() -> None:
    table = "指标 | 改造前 | 改造后\n日均客流 | 1.2万人次 | 1.8万人次\n平均候车时间 | 9分钟 | 6分钟"
    answer = ask("青川站改造后平均候车时间缩短到多少？", hits=[hit("t1", table, title="青川站改造总结")])
    assert "指标 | 改造前 | 改造后" in answer.answer
    assert answer.answer.index("指标 | 改造前 | 改造后") < answer.answer.index("平均候车时间 | 9分钟 | 6分钟")
    english = "Measure | Before | After\nDaily riders | 12,000 | 18,000\nAverage wait | 9 min | 6 min"
    answer = ask(
        "What was the average wait after the refit?", hits=[hit("t2", english, title="Refit report")]
    )
    assert "Measure | Before | After" in answer.answer
