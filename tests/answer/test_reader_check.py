"""The reader cross-check: a generated answer the calibrated reader is sure is another span is
refused (and the product falls back to the small answer); right answers in any format pass."""

from __future__ import annotations

import pytest

from zhiku.answer.generate import GroundedGenerator
from zhiku.answer.reader import ExtractiveReader
from zhiku.answer.reader_check import ReaderCrossCheck, ReaderOpinion, states
from zhiku.models.registry import NamedModel
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import AskRequest, Hit, Trace

pytestmark = pytest.mark.unit

# invented companies and figures: no rule may know them
REVENUE_ZH = "2023年，星火公司的营业收入为80亿元，净利润为12亿元。公司创始人是林晚舟。"
Q_ZH = "2023年星火公司的营业收入是多少？"


def hits(*texts: str) -> list[Hit]:
    return [Hit(f"c{i}", "d1", t, 1.0, title="年报 annual report") for i, t in enumerate(texts, 1)]


@pytest.fixture(scope="module")
def check(reader: ExtractiveReader) -> ReaderCrossCheck:
    return ReaderCrossCheck(
        reader, mode="hand"
    )  # the two thresholds (the learned decision: test_claim_check)


def test_thresholds_mean_sure_of_another_span_and_doubtful_of_the_claim() -> None:
    other = ReaderOpinion("80亿元", 0.9, "12亿元", 0.3, agrees=False)
    assert other.rejects(sure=0.8, doubt=0.5)
    assert not other.rejects(sure=0.95, doubt=0.5)  # the reader is not sure enough
    assert not other.rejects(sure=0.8, doubt=0.25)  # the claim is not doubtful enough
    assert not ReaderOpinion("80亿元", 0.99, "80亿元", 0.99, agrees=True).rejects(0.5, 1.0)


def test_default_sure_is_the_readers_own_short_answer_threshold(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    assert check.sure == reader.threshold
    assert ReaderCrossCheck(reader, sure=0.9, doubt=0.3).sure == 0.9
    assert ReaderCrossCheck(reader).mode == "learned"  # the product's default (claim_check)


@pytest.mark.parametrize(
    ("answer", "span", "said"),
    [
        ("营业收入为80亿元[1]。", "80亿元", True),
        ("营业收入为 80 亿元。", "80亿元", True),
        ("营业收入为八十亿元。", "80亿元", True),
        ("Revenue was 8 billion yuan [1].", "80亿元", True),
        ("Revenue was 8,000 million yuan.", "80亿元", True),
        ("营业收入为12亿元。", "80亿元", False),
        ("The founder is Clara Vance.", "Clara Vance", True),
        ("The founder is Tomas Reyes.", "Clara Vance", False),
    ],
)
def test_states_reads_a_span_in_any_number_format(answer: str, span: str, said: bool) -> None:
    assert states(answer, span) is said


def test_right_figure_passes_and_its_paraphrase_too(check: ReaderCrossCheck) -> None:
    request = AskRequest(Q_ZH)
    for answer in ("2023年星火公司营业收入为80亿元[1]。", "星火公司2023年营收为八十亿元【1】。"):
        opinion = check.opinion(request, hits(REVENUE_ZH), answer)
        assert opinion is not None and opinion.agrees
        assert check(request, hits(REVENUE_ZH), answer) is None


def test_other_figure_of_the_same_sentence_is_refused_when_the_reader_is_sure(
    check: ReaderCrossCheck,
) -> None:
    request = AskRequest(Q_ZH)
    answer = "2023年星火公司营业收入为12亿元[1]。"
    opinion = check.opinion(request, hits(REVENUE_ZH), answer)
    assert opinion is not None and not opinion.agrees
    assert opinion.p_pick >= check.sure and opinion.p_claim < check.doubt
    found = check(request, hits(REVENUE_ZH), answer)
    assert found is not None and found.kind == "unsupported"
    assert "12" not in found.detail and "80" not in found.detail  # feedback names no figure
    # a reader asked to be surer than it is lets the same answer through
    assert ReaderCrossCheck(check.reader, sure=0.999, mode="hand")(request, hits(REVENUE_ZH), answer) is None


def test_answer_in_another_script_than_the_evidence_is_not_judged(check: ReaderCrossCheck) -> None:
    answer = "According to the evidence, the revenue was 1.2 billion yuan [1]."
    assert check.opinion(AskRequest(Q_ZH), hits(REVENUE_ZH), answer) is None
    english = "In 2023, Northwind Labs reported revenue of 45 million dollars."
    assert (
        check.opinion(AskRequest("Northwind Labs 2023年营收是多少？"), hits(english), "营收为45[1]。") is None
    )


def test_question_in_several_parts_is_not_judged(check: ReaderCrossCheck) -> None:
    request = AskRequest("2023年星火公司的营业收入是多少？净利润是多少？")
    assert check.opinion(request, hits(REVENUE_ZH), "营业收入为12亿元，净利润为80亿元[1]。") is None


def test_english_right_answers_are_never_refused(check: ReaderCrossCheck) -> None:
    text = "Northwind Labs was founded by Clara Vance in 2011; its first chief engineer was Tomas Reyes."
    request = AskRequest("Who founded Northwind Labs?")
    assert check(request, hits(text), "Northwind Labs was founded by Clara Vance [1].") is None
    money = "In 2023, Northwind Labs reported revenue of 45 million dollars and a net profit of 6 million dollars."
    request = AskRequest("What was Northwind Labs' revenue in 2023?")
    assert check(request, hits(money), "Its 2023 revenue was 45 million dollars [1].") is None


BRIDGE_ZH = "青禾市第一座跨海大桥于2031年5月动工，由远帆建设集团承建，设计单位为蓝图设计院。"
Q_BRIDGE = "青禾市第一座跨海大桥由哪家公司承建？"
LIE_BRIDGE = "青禾市第一座跨海大桥由蓝图设计院承建[1]。"


def test_other_name_of_the_same_sentence_is_refused(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    request = AskRequest(Q_BRIDGE)
    assert check(request, hits(BRIDGE_ZH), "青禾市第一座跨海大桥由远帆建设集团承建[1]。") is None
    opinion = check.opinion(request, hits(BRIDGE_ZH), LIE_BRIDGE)
    assert opinion is not None and not opinion.agrees and opinion.claim == "蓝图设计院"
    assert "远帆建设集团" in opinion.pick and opinion.p_pick > opinion.p_claim
    # refused once the reader is as sure as the check asks (the shipped model's own surety varies)
    sure = ReaderCrossCheck(reader, sure=min(check.sure, opinion.p_pick), mode="hand")
    assert sure(request, hits(BRIDGE_ZH), LIE_BRIDGE) is not None


def test_english_name_is_refused_at_the_surety_asked_for(reader: ExtractiveReader) -> None:
    text = "The Harbor Bridge was built by Seaway Construction and designed by Blueprint Studio."
    request = AskRequest("Which company built the Harbor Bridge?")
    lie = "The Harbor Bridge was built by Blueprint Studio [1]."
    opinion = ReaderCrossCheck(reader, mode="hand").opinion(request, hits(text), lie)
    assert opinion is not None and opinion.pick == "Seaway Construction" and not opinion.agrees
    loose = ReaderCrossCheck(reader, sure=opinion.p_pick, doubt=opinion.p_claim + 0.01, mode="hand")
    assert loose(request, hits(text), lie) is not None
    assert loose(request, hits(text), "It was built by Seaway Construction [1].") is None


def test_generator_refuses_the_other_name_and_falls_back_to_the_small_answer(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    llm = ScriptedLLM([LIE_BRIDGE, LIE_BRIDGE], name="large", remote=True)
    request = AskRequest(Q_BRIDGE)
    evidence = hits(BRIDGE_ZH)
    opinion = check.opinion(request, evidence, LIE_BRIDGE)
    assert opinion is not None
    sure = ReaderCrossCheck(reader, sure=min(check.sure, opinion.p_pick), mode="hand")
    gen = GroundedGenerator(NamedModel("large", llm), cross_check=sure)
    answer = gen.answer(request, evidence, Trace(), fallback=lambda: reader.read(request, evidence, Trace()))
    assert len(llm.calls) == 2  # one retry, naming the violation
    assert answer.route == "extractive" and answer.extra["fallback"] == "extractive"
    assert "远帆建设集团" in answer.answer and answer.answer.startswith("（大模型答案未通过")
    assert any("another span" in v for v in answer.extra["violations"])


def test_generator_without_the_check_shows_the_other_name(reader: ExtractiveReader) -> None:
    """The lexical verifier alone cannot tell two names of one sentence apart."""
    gen = GroundedGenerator(NamedModel("large", ScriptedLLM([LIE_BRIDGE], name="large")))
    request = AskRequest(Q_BRIDGE)
    answer = gen.answer(request, hits(BRIDGE_ZH), Trace(), fallback=lambda: reader.read(request, [], Trace()))
    assert answer.route == "llm:large" and "蓝图设计院" in answer.answer


def test_strict_second_answer_must_state_the_readers_pick(check: ReaderCrossCheck) -> None:
    """After a refused claim, a retry naming yet another span is a guess; the reader's pick passes."""
    unsure = ReaderOpinion("远帆建设集团", 0.3, "青禾港务局", 0.2, agrees=False)
    assert check.violation(unsure) is None  # on a first answer the reader is too unsure to refuse
    found = check.violation(unsure, strict=True)
    assert found is not None and "second answer" in found.detail
    agreeing = ReaderOpinion("远帆建设集团", 0.3, "远帆建设集团", 0.3, agrees=True)
    assert check.violation(agreeing, strict=True) is None
    english = ReaderOpinion("Seaway Construction", 0.3, "Blueprint Studio", 0.2, agrees=False)
    assert check.violation(english, strict=True) is not None
    assert check.violation(None, strict=True) is None  # no opinion: nothing to hold the retry to


def test_strict_second_answer_stating_only_a_piece_of_the_pick_is_a_guess(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    """After a refused claim, a retry naming a piece of the reader's pick ("远帆" of "远帆建设集团")
    merely lands inside it: only the whole pick passes.  A first answer cut so still agrees."""
    request = AskRequest(Q_BRIDGE)
    whole = check.opinion(request, hits(BRIDGE_ZH), RIGHT_BRIDGE)
    assert whole is not None and whole.agrees and not whole.cut
    assert check.violation(whole, strict=True) is None
    piece = ReaderOpinion("远帆建设集团", 0.3, "远帆建设集团", 0.3, agrees=True, cut=True)
    assert check.violation(piece) is None
    found = check.violation(piece, strict=True)
    assert found is not None and "second answer" in found.detail
    english = ReaderOpinion(
        "Seaway Construction Group", 0.3, "Seaway Construction Group", 0.3, agrees=True, cut=True
    )
    assert check.violation(english, strict=True) is not None


BRIDGE_THREE = BRIDGE_ZH + "监理单位为青禾港务局。"
LIE_BRIDGE_2 = "青禾市第一座跨海大桥由青禾港务局承建[1]。"
RIGHT_BRIDGE = "青禾市第一座跨海大桥由远帆建设集团承建[1]。"


def _two_lies(
    check: ReaderCrossCheck, request: AskRequest, evidence: list[Hit]
) -> tuple[str, str, float, float]:
    """The two lies, the one the reader doubts more first, and the reader's surety and a doubt
    threshold between them: the check refuses the first lie and, on its own, passes the second."""
    first, second = (check.opinion(request, evidence, lie) for lie in (LIE_BRIDGE, LIE_BRIDGE_2))
    assert first is not None and second is not None and first.p_claim != second.p_claim
    lies = [(first.p_claim, LIE_BRIDGE), (second.p_claim, LIE_BRIDGE_2)]
    lies.sort()
    return lies[0][1], lies[1][1], first.p_pick, (lies[0][0] + lies[1][0]) / 2


@pytest.mark.parametrize("mended", [False, True])
def test_generator_holds_a_retry_after_a_refused_claim_to_the_evidence(
    reader: ExtractiveReader, check: ReaderCrossCheck, mended: bool
) -> None:
    """A second guess is refused even where the reader alone would let it pass; a retry that
    states what the evidence says is shown."""
    request = AskRequest(Q_BRIDGE)
    evidence = hits(BRIDGE_THREE)
    lie, guess, p_pick, doubt = _two_lies(check, request, evidence)
    loose = ReaderCrossCheck(reader, sure=min(check.sure, p_pick), doubt=doubt, mode="hand")
    assert loose(request, evidence, lie) is not None and loose(request, evidence, guess) is None
    llm = ScriptedLLM([lie, RIGHT_BRIDGE if mended else guess], name="large", remote=True)
    gen = GroundedGenerator(NamedModel("large", llm), cross_check=loose)
    answer = gen.answer(request, evidence, Trace(), fallback=lambda: reader.read(request, evidence, Trace()))
    assert len(llm.calls) == 2
    assert (answer.route == "llm:large") is mended
    if not mended:
        assert any("second answer" in v for v in answer.extra["violations"])


def test_one_bare_word_for_a_description_is_refused_through_the_check(check: ReaderCrossCheck) -> None:
    """The answer's own words, not the reader's span, decide: all it adds to the question is one word."""
    zh = hits("青禾草是一种多年生草本植物。青禾草的叶片边缘有细密的锯齿，根系发达。")
    refused = check(AskRequest("青禾草的叶片有什么特点？", language="zh"), zh, "青禾草的叶片有根系特点[1]。")
    assert refused is not None and "description" in refused.detail
    en = hits(
        "The storm of 2031 closed the harbour of Westby for two weeks. "
        "The town council of Westby met in March to plan a new pier."
    )
    refused_en = check(
        AskRequest("What effect did the storm of 2031 have on Westby?", language="en"), en, "Pier [1]."
    )
    assert refused_en is not None and "description" in refused_en.detail
