"""The learned cross-check: a logistic model over the reader's opinion refuses a generated answer
that states another span of the evidence than the one that answers the question, and lets right
answers (in any format) through.  Examples are invented; no rule may know them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhiku.answer.claim_check import FEATURES, ClaimModel, default_dir
from zhiku.answer.generate import GroundedGenerator
from zhiku.answer.reader import ExtractiveReader
from zhiku.answer.reader_check import ReaderCrossCheck, ReaderOpinion
from zhiku.config import ReaderSettings
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
def reader() -> ExtractiveReader:
    return ExtractiveReader(ReaderSettings())


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


@pytest.mark.parametrize(
    ("question", "text", "right", "lie"),
    [
        (Q_REVENUE, REVENUE_ZH, "2023年星火公司营业收入为80亿元[1]。", "2023年星火公司营业收入为12亿元[1]。"),
        (Q_BRIDGE, BRIDGE_ZH, "该桥由远帆建设集团承建[1]。", "该桥由蓝图设计院承建[1]。"),
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
def test_right_answer_passes_and_the_other_span_of_the_sentence_is_refused(
    check: ReaderCrossCheck, question: str, text: str, right: str, lie: str
) -> None:
    request = AskRequest(question)
    assert check(request, hits(text), right) is None
    opinion = check.opinion(request, hits(text), lie)
    assert opinion is not None and not opinion.agrees
    assert len(opinion.features) == len(FEATURES)
    found = check(request, hits(text), lie)
    assert found is not None and found.kind == "unsupported"


def test_hand_mode_ignores_the_model_and_either_mode_refuses_what_either_refuses(
    reader: ExtractiveReader,
) -> None:
    request = AskRequest(Q_REVENUE)
    lie = "2023年星火公司营业收入为12亿元[1]。"
    lax = ReaderCrossCheck(reader, mode="hand", sure=1.01)  # the hand rule never sure enough
    assert lax.model is None and lax(request, hits(REVENUE_ZH), lie) is None
    either = ReaderCrossCheck(reader, mode="either", sure=1.01)
    assert either(request, hits(REVENUE_ZH), lie) is not None  # the model alone refuses it


def test_generator_falls_back_when_the_learned_check_refuses_twice(
    reader: ExtractiveReader, check: ReaderCrossCheck
) -> None:
    lie = "该桥由蓝图设计院承建[1]。"
    llm = ScriptedLLM([lie, lie], name="large", remote=True)
    request = AskRequest(Q_BRIDGE)
    evidence = hits(BRIDGE_ZH)
    gen = GroundedGenerator(NamedModel("large", llm), cross_check=check)
    answer = gen.answer(request, evidence, Trace(), fallback=lambda: reader.read(request, evidence, Trace()))
    assert len(llm.calls) == 2
    assert answer.extra.get("fallback") == "extractive" and "蓝图设计院" not in answer.answer
