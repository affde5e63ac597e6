"""Scripted model families: what they say, that the verifier takes the right and refuses the wrong,
and the cascade with a noisy large model (no mocks: real generator, real cascade, real verifier)."""

from __future__ import annotations

import pytest

from zhiku.answer.base import AskRequest
from zhiku.answer.cascade import Cascade, Plan
from zhiku.answer.generate import Evidence, GroundedGenerator, build_messages
from zhiku.config import LLMSettings
from zhiku.models.llm import LLM
from zhiku.models.registry import ModelRegistry, NamedModel
from zhiku.models.scripted_families import (
    LIAR_KINDS,
    NO_ANSWER,
    PARAPHRASE_STYLES,
    AnswerKey,
    FamilySpec,
    Gold,
    LiarLLM,
    NoisyLLM,
    OracleLLM,
    ParaphraserLLM,
    read_prompt,
)
from zhiku.types import Answer, Hit, Trace

pytestmark = pytest.mark.unit

PASSAGES = [
    "某国服务机器人细分市场规模（亿元）\n细分领域 | 2022 | 2023 | 2024E\n清洁机器人 | 41 | 58 | 77\n配送机器人 | 12 | 19 | 30",
    "2023年，某国无人机市场规模达到86亿元，较2022年的64亿元增长明显。该市场的龙头企业是飞鸢科技，其次是云隼航空。",
    "与本题无关的段落：某市地铁网络总长度为500公里，日均客流量为900万人次。",
]
QUESTIONS = {
    "2023年清洁机器人市场规模是多少？": Gold((("58亿元",),)),
    "2023年某国无人机市场规模是多少？": Gold((("86亿元",),)),
    "某国无人机市场的龙头企业是哪家？": Gold((("飞鸢科技",),)),
}
KEY = AnswerKey(QUESTIONS)


def hits() -> list[Hit]:
    return [Hit(f"c{i}", f"d{i}", text, 1.0, title=f"doc{i}", page=1) for i, text in enumerate(PASSAGES)]


def messages(question: str, passages: list[Hit] | None = None) -> list:  # type: ignore[type-arg]
    evidence = [Evidence(i, h, h.text) for i, h in enumerate(passages or hits(), start=1)]
    return build_messages(question, evidence, "zh")


def generate(llm: LLM, question: str, passages: list[Hit] | None = None) -> Answer:
    gen = GroundedGenerator(NamedModel("large", llm))

    def fallback() -> Answer:
        return Answer(question=question, answer="extractive", found=True, route="extractive")

    return gen.answer(AskRequest(question, language="zh"), passages or hits(), Trace(), fallback=fallback)


def shown(answer: Answer) -> bool:
    return answer.route.startswith("llm:") and "fallback" not in answer.extra


def test_prompt_is_read_back_from_the_real_messages() -> None:
    prompt = read_prompt(messages("2023年清洁机器人市场规模是多少？"))
    assert prompt.question == "2023年清洁机器人市场规模是多少？"
    assert sorted(prompt.evidence) == [1, 2, 3] and "清洁机器人 | 41" in prompt.evidence[1]
    assert prompt.attempt == 0 and prompt.language == "zh"


def test_oracle_cites_the_passage_with_the_answer_and_refuses_without_one() -> None:
    llm = OracleLLM(KEY)
    assert isinstance(llm, LLM)
    text = llm.chat(messages("某国无人机市场的龙头企业是哪家？")).text
    assert "飞鸢科技" in text and text.endswith("[2]。")
    assert llm.chat(messages("某国无人机市场的龙头企业是哪家？", hits()[2:])).text == NO_ANSWER
    assert llm.chat(messages("一个不在答案表里的问题？")).text == NO_ANSWER


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_oracle_and_every_paraphrase_pass_the_verifier(question: str) -> None:
    assert shown(generate(OracleLLM(KEY), question))
    for style in PARAPHRASE_STYLES:
        llm = ParaphraserLLM(KEY, style=style)
        answer = generate(llm, question)
        if llm.produced[0].startswith("n/a"):
            continue  # the style does not fit this answer (a name has no Chinese numeral)
        assert shown(answer), (style, llm.produced, answer.extra.get("violations"))


def test_paraphrases_really_differ() -> None:
    q = "2023年清洁机器人市场规模是多少？"
    texts = {ParaphraserLLM(KEY, style=s).chat(messages(q)).text for s in PARAPHRASE_STYLES}
    assert len(texts) == len(PARAPHRASE_STYLES)
    assert any("五十八" in t for t in texts) and any("billion" in t for t in texts)
    assert any("【1】" in t for t in texts) and any("[^1]" in t for t in texts)


@pytest.mark.parametrize("kind", LIAR_KINDS)
def test_every_liar_kind_is_refused_by_the_verifier(kind: str) -> None:
    refused = 0
    for question in QUESTIONS:
        passages = hits()
        if kind == "unanswerable":  # the evidence without the passage that holds the answer
            passages = [
                h for h in passages if not any(a in h.text for p in QUESTIONS[question].parts for a in p)
            ]
        llm = LiarLLM(KEY, kind=kind)
        answer = generate(llm, question, passages)
        if llm.produced[0].startswith("n/a"):
            continue
        assert llm.produced[0] == f"liar:{kind}"
        assert not shown(answer), (question, llm.produced, answer.answer)
        refused += 1
    assert refused >= 1  # the kind occurred at least once


def test_noisy_is_seeded_and_right_about_p_of_the_time() -> None:
    key = AnswerKey(
        {f"2023年清洁机器人市场规模是多少（第{i}问）？": Gold((("58亿元",),)) for i in range(200)}
    )
    noisy = NoisyLLM(key, p=0.7, seed=3)
    for q in [f"2023年清洁机器人市场规模是多少（第{i}问）？" for i in range(200)]:
        noisy.chat(messages(q))
    right = sum(k.startswith("right") for k in noisy.produced)
    assert 0.6 <= right / 200 <= 0.8
    again = NoisyLLM(key, p=0.7, seed=3)
    again.chat(messages("2023年清洁机器人市场规模是多少（第0问）？"))
    assert again.produced[0] == noisy.produced[0]
    with pytest.raises(ValueError):
        NoisyLLM(key, p=1.5)
    assert FamilySpec.parse("noisy:0.5").build(key).p == 0.5  # type: ignore[attr-defined]


@pytest.mark.parametrize("p", [0.0, 0.7, 1.0])
def test_cascade_with_a_noisy_large_model_never_shows_a_lie(p: float) -> None:
    """Escalated questions: what the noisy model gets right is shown, what it gets wrong is caught
    (retried once, then the small answer is kept); a lie is never shown as the model's answer."""
    registry = ModelRegistry()
    noisy = NoisyLLM(KEY, p=p, seed=11, name="large")
    registry.register("large", noisy)
    cascade = Cascade(LLMSettings(policy="cascade"), registry)
    shown_right = 0
    for question, gold in QUESTIONS.items():
        trace = Trace()
        plan = Plan("cascade", True, "low confidence 0.20 < 0.50", cascade.targets("cascade", trace))

        def small(q: str = question) -> Answer:
            return Answer(question=q, answer="小模型答案", found=True, route="extractive", confidence=0.2)

        answer = cascade.run(AskRequest(question, language="zh"), hits(), plan, trace, small)
        if shown(answer):
            assert gold.parts[0][0] in answer.answer, (p, noisy.produced, answer.answer)
            shown_right += 1
        else:
            assert answer.answer.endswith("小模型答案")
        assert 1 <= len(trace.calls) <= 2  # one try and at most one retry
    if p == 1.0:
        assert shown_right == len(QUESTIONS)
    if p == 0.0:
        assert shown_right == 0


@pytest.mark.parametrize(
    ("passage", "alt", "held"),
    [
        ("电影《青禾》的导演是林.晚舟。", "林·晚舟", True),
        ("决赛中，青禾海鸥以3比1获胜。", "青禾海鸥队", True),
        ("索赔金额为62206.09亿兹罗提。", "6.2万亿兹罗提", True),
        ("The film was directed by Clara-Vance.", "Clara Vance", True),
        ("The final was won by the Harbor Gulls.", "Harbor Gulls FC", True),
        ("《远航》由弗雷德·马丁尼斯执导。", "弗雷德·马丁内斯", True),  # one sound transliterated two ways
        (
            "The film was directed by Mike Doyle.",
            "Mark Doyle",
            False,
        ),  # Latin letters: another letter, another name
        ("《远航》由林岚远执导。", "林岚近", False),  # a short name: one character makes another name
        ("决赛中，青禾海鸥以3比1获胜。", "远帆猎鹰队", False),
        ("索赔金额为48亿兹罗提。", "6.2万亿兹罗提", False),
        ("The final was won by the Harbor Gulls.", "Seaway Falcons", False),
    ],
)
def test_a_lie_may_not_cite_a_passage_holding_the_answer_in_another_writing(
    passage: str, alt: str, held: bool
) -> None:
    from zhiku.models.scripted_answers import contains, may_state

    assert may_state(passage, alt) is held
    assert not contains(passage, alt) or held  # the oracle's own test stays the stricter one


def test_an_answer_from_memory_is_no_lie_where_the_cited_passage_writes_it_otherwise() -> None:
    """The liar's "unanswerable" answer is a lie only where the cited passage surely lacks it:
    "阿兰.维斯特" in the passage is the asked "阿兰·维斯特" written otherwise, not missing."""
    key = AnswerKey({"星岚乐队的主唱是谁？": Gold((("阿兰·维斯特",),))})
    other = [Hit("c0", "d0", "星岚乐队的主唱是阿兰.维斯特，鼓手是林舟。", 1.0, title="doc0", page=1)]
    liar = LiarLLM(key)
    liar.chat(messages("星岚乐队的主唱是谁？", other))
    assert liar.produced[0] == "n/a:unanswerable"
    missing = [Hit("c0", "d0", "星岚乐队成立于2031年，鼓手是林舟。", 1.0, title="doc0", page=1)]
    liar.chat(messages("星岚乐队的主唱是谁？", missing))
    assert liar.produced[1] == "liar:unanswerable"
