"""The learned cross-check: a logistic model over the reader's opinion refuses a generated answer
that states another span of the evidence than the one that answers the question, and lets right
answers (in any format) through.  Examples are invented; no rule may know them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from zhiku.answer.claim_check import FEATURES, ClaimModel, default_dir
from zhiku.answer.generate import GroundedGenerator
from zhiku.answer.reader import ExtractiveReader
from zhiku.answer.reader_check import ReaderCrossCheck, ReaderOpinion, novel_stretches
from zhiku.errors import ConfigError
from zhiku.models.registry import NamedModel
from zhiku.models.scripted import ScriptedLLM
from zhiku.types import AskRequest, Hit, Trace

pytestmark = pytest.mark.unit

REVENUE_ZH = "2023年，星火公司的营业收入为80亿元，净利润为12亿元。公司创始人是林晚舟。"
Q_REVENUE = "2023年星火公司的营业收入是多少？"
BRIDGE_ZH = "青禾市第一座跨海大桥于2031年5月动工，由远帆建设集团承建，设计单位为蓝图设计院。"
Q_BRIDGE = "青禾市第一座跨海大桥由哪家公司承建？"
BRIDGE_EN = "The Harbor Bridge was built by Seaway Construction and designed by Blueprint Studio."
Q_BRIDGE_EN = "Which company built the Harbor Bridge?"
MONEY_EN = (
    "In 2023, Northwind Labs reported revenue of 45 million dollars and a net profit of 6 million dollars."
)
Q_MONEY_EN = "What was Northwind Labs' revenue in 2023?"


def hits(*texts: str) -> list[Hit]:
    return [Hit(f"c{i}", "d1", t, 1.0, title="年报 annual report") for i, t in enumerate(texts, 1)]


@pytest.fixture(scope="module")
def check(reader: ExtractiveReader) -> ReaderCrossCheck:
    return ReaderCrossCheck(reader, mode="learned")


def test_shipped_model_matches_the_features_and_records_its_training() -> None:
    model = ClaimModel.load()
    assert len(model.weights) == len(FEATURES) == len(model.mean) == len(model.scale)
    assert 0.0 < model.threshold < 1.0
    record = model.record
    assert record["data"]["rows_fitted"] > 100
    assert set(record["data"]["files"]) <= {"mrc_train_zh.jsonl", "mrc_train_en.jsonl"}
    assert record["cv"]["at_threshold"]["false_reject"] <= record["cv"]["target_false_reject"]


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads((default_dir() / "model.json").read_text("utf-8"))
    data["features"] = [*data["features"][:-1], "something_else"]
    (tmp_path / "model.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError) as err:
        ClaimModel.load(tmp_path)
    assert "refit" in str(err.value) or "重新训练" in str(err.value)
    with pytest.raises(ConfigError):
        ClaimModel.load(tmp_path / "missing")


def test_unknown_mode_is_an_error(reader: ExtractiveReader) -> None:
    with pytest.raises(ValueError, match="mode"):
        ReaderCrossCheck(reader, mode="vote")


def test_answer_stating_the_readers_pick_is_never_refused(check: ReaderCrossCheck) -> None:
    features = tuple(1.0 for _ in FEATURES)
    assert check.model is not None
    assert not check.refuses(ReaderOpinion("80亿元", 0.99, "80亿元", 0.0, True, features), threshold=0.0)
    assert check.refuses(ReaderOpinion("80亿元", 0.99, "12亿元", 0.0, False, features), threshold=0.0)


def test_probability_of_being_wrong_rises_when_the_reader_is_sure_of_another_span() -> None:
    model = ClaimModel.load()
    names = list(FEATURES)

    def row(p_pick: float, p_claim: float) -> tuple[float, ...]:
        values = dict(zip(names, model.mean, strict=True))
        values.update(p_pick=p_pick, p_claim=p_claim, p_pick_x_doubt=p_pick * (1 - p_claim))
        return tuple(values[n] for n in names)

    assert model.p_wrong(row(0.95, 0.02)) > model.p_wrong(row(0.3, 0.6))
    assert 0.0 <= model.p_wrong(row(0.5, 0.5)) <= 1.0


FILM_ZH = "电影《星河》由青木执导，2031年在北岸市上映，票房达到3亿元。"
Q_FILM_ZH = "电影《星河》的导演是谁"


@pytest.mark.parametrize(
    ("question", "text", "right", "lie"),
    [
        (Q_REVENUE, REVENUE_ZH, "2023年星火公司营业收入为80亿元[1]。", "2023年星火公司营业收入为12亿元[1]。"),
        (Q_BRIDGE, BRIDGE_ZH, "该桥由远帆建设集团承建[1]。", "该桥由蓝图设计院承建[1]。"),
        (Q_FILM_ZH, FILM_ZH, "电影《星河》的导演是青木[1]。", "电影《星河》的导演是北岸[1]。"),
        (
            Q_BRIDGE_EN,
            BRIDGE_EN,
            "It was built by Seaway Construction [1].",
            "It was built by Blueprint Studio [1].",
        ),
        (
            Q_MONEY_EN,
            MONEY_EN,
            "Its 2023 revenue was 45 million dollars [1].",
            "Its 2023 revenue was 6 million dollars [1].",
        ),
    ],
)
def test_the_other_span_of_the_sentence_is_likelier_wrong_than_the_right_answer(
    check: ReaderCrossCheck, question: str, text: str, right: str, lie: str
) -> None:
    request = AskRequest(question)
    assert check(request, hits(text), right) is None  # the shipped threshold passes right answers
    good = check.opinion(request, hits(text), right)
    bad = check.opinion(request, hits(text), lie)
    assert good is not None and bad is not None and not bad.agrees
    assert len(bad.features) == len(FEATURES)
    assert check.model is not None
    p_good, p_bad = check.model.p_wrong(good.features), check.model.p_wrong(bad.features)
    assert p_bad > p_good
    between = (p_good + p_bad) / 2
    assert check.refuses(bad, threshold=between) and not check.refuses(good, threshold=between)


def test_a_claim_no_generator_proposed_is_judged_as_a_candidate(reader: ExtractiveReader) -> None:
    assert novel_stretches("电影《星河》的导演是北岸。", Q_FILM_ZH) == ["北岸"]
    stretches = novel_stretches("Starfall was directed by Mara Quill.", "Starfall was directed by whom?")
    assert stretches == ["Mara Quill"]
    request = AskRequest(Q_FILM_ZH)
    learned = ReaderCrossCheck(reader, mode="learned").opinion(
        request, hits(FILM_ZH), "电影《星河》的导演是北岸[1]。"
    )
    assert learned is not None and learned.claim == "北岸" and not learned.agrees
    hand = ReaderCrossCheck(reader, mode="hand").opinion(
        request, hits(FILM_ZH), "电影《星河》的导演是北岸[1]。"
    )
    assert hand is not None and not hand.agrees
    if hand.claim == "":  # no generator proposed it: only the learned check made it a candidate
        assert learned.features[FEATURES.index("claim_forced")] == 1.0


def _lie_model(check: ReaderCrossCheck, request: AskRequest, text: str, lie: str) -> ClaimModel:
    """The shipped model with its threshold just under the lie's probability of being wrong."""
    opinion = check.opinion(request, hits(text), lie)
    assert opinion is not None and check.model is not None
    return replace(check.model, threshold=check.model.p_wrong(opinion.features) - 1e-6)


def test_hand_mode_ignores_the_model_and_either_mode_refuses_what_either_refuses(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    request = AskRequest(Q_REVENUE)
    lie = "2023年星火公司营业收入为12亿元[1]。"
    lax = ReaderCrossCheck(reader, mode="hand", sure=1.01)  # the hand rule never sure enough
    assert lax.model is None and lax(request, hits(REVENUE_ZH), lie) is None
    model = _lie_model(check, request, REVENUE_ZH, lie)
    either = ReaderCrossCheck(reader, mode="either", sure=1.01, model=model)
    assert either(request, hits(REVENUE_ZH), lie) is not None  # the model alone refuses it
    assert either(request, hits(REVENUE_ZH), "2023年星火公司营业收入为80亿元[1]。") is None


def test_generator_falls_back_when_the_learned_check_refuses_twice(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    lie = "该桥由蓝图设计院承建[1]。"
    request = AskRequest(Q_BRIDGE)
    evidence = hits(BRIDGE_ZH)
    strict = ReaderCrossCheck(reader, mode="learned", model=_lie_model(check, request, BRIDGE_ZH, lie))
    llm = ScriptedLLM([lie, lie], name="large", remote=True)
    gen = GroundedGenerator(NamedModel("large", llm), cross_check=strict)
    answer = gen.answer(request, evidence, Trace(), fallback=lambda: reader.read(request, evidence, Trace()))
    assert len(llm.calls) == 2
    assert answer.extra.get("fallback") == "extractive" and "远帆建设集团" in answer.answer
    assert answer.answer.startswith("（大模型答案未通过")


def test_in_a_table_row_the_hand_rule_decides(reader: ExtractiveReader, check: ReaderCrossCheck) -> None:
    """The model was fitted on running text only; outside it, the two thresholds decide."""
    features = tuple(1.0 for _ in FEATURES)
    sure_other = ReaderOpinion("80亿元", 0.99, "12亿元", 0.1, False, features, prose=False)
    unsure = ReaderOpinion("80亿元", 0.3, "12亿元", 0.1, False, features, prose=False)
    assert check.refuses(sure_other, threshold=0.0)  # the hand rule refuses: sure and doubtful
    assert not check.refuses(unsure, threshold=0.0)  # the model would, the hand rule does not
    assert check.refuses(replace(unsure, prose=True), threshold=0.0)
    table = [
        Hit(
            "t1",
            "d1",
            "营业收入（亿元） | 2023 | 80\n净利润（亿元） | 2023 | 12",
            1.0,
            title="年报",
            kind="table",
        )
    ]
    opinion = check.opinion(AskRequest(Q_REVENUE), table, "2023年星火公司营业收入为12亿元[1]。")
    assert opinion is None or not opinion.prose
