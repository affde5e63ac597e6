"""Possessive English releases, wrapped listing cells, and list questions answered from the
passage a listing sits in ("Which companies released models in the first batch of filings?")."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_helpers import kb_from_files

from zhiku.config import Settings
from zhiku.graph.answer import GraphExpert, RelationAsk, parse_relation_question, question_terms
from zhiku.graph.extract_small import SmallExtractor
from zhiku.graph.service import graph_for
from zhiku.kb import KnowledgeBase
from zhiku.types import AskRequest, Chunk, Trace
from zhiku.wiring import build_assistant


@pytest.fixture(scope="module")
def ex() -> SmallExtractor:
    return SmallExtractor()


def triples(ex: SmallExtractor, text: str, kind: str = "paragraph") -> set[tuple[str, str, str]]:
    out = ex.extract([Chunk("c1", "d1", 0, text, kind=kind)])  # type: ignore[arg-type]
    return {(r.src, r.type, r.dst) for r in out.relations if r.type != "mentions_with"}


# -- extraction --------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "On phones, Vega's Orion X1, announced on May 2, 2024, runs 7B models.",
            ("Vega", "released", "Orion X1"),
        ),
        (
            "Quasar AI's Helix 2, which was released in March, is multilingual.",
            ("Quasar AI", "released", "Helix 2"),
        ),
        (
            "Orbit Labs's newly launched Nova Chat 3 tops the chart.",
            ("Orbit Labs", "released", "Nova Chat 3"),
        ),
    ],
)
def test_english_possessive_release(ex: SmallExtractor, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in triples(ex, text)


@pytest.mark.unit
@pytest.mark.parametrize(
    "text",
    [
        "China's Nova Chat, launched by Orbit Labs, grew fast.",  # a place owns nothing; the maker follows "by"
        "Vega's revenue, announced on Monday, rose.",  # not a name after the possessive
    ],
)
def test_english_possessive_is_not_a_release(ex: SmallExtractor, text: str) -> None:
    found = triples(ex, text)
    assert not any(src in ("China", "Vega") for src, _, _ in found)


LISTING = """公司 模型

星海科技 天枢

北辰人工智能研究
院

北辰问答

南湖智能实验
室

南湖灵犀

云帆智能 云帆GPT
"""


@pytest.mark.unit
def test_listing_rejoins_a_wrapped_organisation_cell(ex: SmallExtractor) -> None:
    found = triples(ex, LISTING, kind="table")
    assert {
        ("星海科技", "released", "天枢"),
        ("北辰人工智能研究院", "released", "北辰问答"),
        ("南湖智能实验室", "released", "南湖灵犀"),
        ("云帆智能", "released", "云帆GPT"),
    } <= found
    assert not any(src.endswith(("研究", "实验")) for src, _, _ in found)  # no truncated names


@pytest.mark.unit
def test_listing_evidence_is_the_rejoined_row(ex: SmallExtractor) -> None:
    out = ex.extract([Chunk("c1", "d1", 0, LISTING, kind="table")])
    row = next(r for r in out.relations if r.dst == "北辰问答")
    assert row.evidence.sentence == "北辰人工智能研究院 北辰问答"


@pytest.mark.unit
def test_short_line_that_completes_no_name_is_not_joined(ex: SmallExtractor) -> None:
    text = "公司 模型\n\n星海科技 天枢\n\n好的\n\n云帆智能 云帆GPT\n"
    found = triples(ex, text, kind="table")
    assert ("星海科技", "released", "天枢") in found
    assert not any("好的" in src or "好的" in dst for src, _, dst in found)


# -- questions ---------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("谁开发了天枢大模型？", RelationAsk("released", "in")),
        ("星海科技的大模型产品有哪些？", RelationAsk("released", "out")),
        ("第一批备案中有哪些公司发布了大模型？", RelationAsk("released", "in")),
        ("Which company announced the Orion X1?", RelationAsk("released", "in")),
        ("What did Vega release in 2024?", RelationAsk("released", "out")),
        ("What has Orbit Labs launched?", RelationAsk("released", "out")),
    ],
)
def test_more_question_shapes(question: str, ask: RelationAsk) -> None:
    assert parse_relation_question(question) == ask


@pytest.mark.unit
def test_question_terms_in_both_languages(ex: SmallExtractor) -> None:
    en = question_terms("Which companies released models in the first batch of filings?", ex.cut)
    assert en == [("first batch", "第一批", "首批"), ("filings", "备案")]
    zh = question_terms("第一批备案中有哪些公司发布了大模型？", ex.cut)
    assert zh == [("第一批",), ("备案",)]
    assert question_terms("Which companies released models?", ex.cut) == []


FILINGS_MD = """# 大模型备案

2023年8月31日，第一批大模型企业获批，通过备案后可以向公众开放服务。

| 公司 | 模型 |
|---|---|
| 星海科技 | 天枢 |
| 北辰数据 | 北辰问答 |

# 芯片

2024年5月，南湖智能发布NH-1芯片，云帆智能推出云帆加速卡。
"""

EN_MD = """# Devices

On devices, Vega's Orion X1, announced on May 2, 2024, runs models with 7 billion parameters.
"""


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    files = {"filings.md": FILINGS_MD, "devices.md": EN_MD}
    return kb_from_files(settings, tmp_path / "sourcedocs", "sources", files)


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "Which companies released models in the first batch of filings?",
        "第一批备案中有哪些公司发布了大模型？",
    ],
)
def test_list_question_answered_from_the_listing_passage(kb: KnowledgeBase, question: str) -> None:
    answer = build_assistant(kb, kb.settings).ask(AskRequest(question))
    assert answer.route == "graph" and answer.found
    assert "星海科技" in answer.short_answer and "北辰数据" in answer.short_answer
    assert "南湖智能" not in answer.short_answer  # released edges outside the passage stay out
    assert answer.citations


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "Which companies released models in the fifth batch of filings?",  # no passage has every term
        "哪些公司发布了大模型？",  # nothing to match beyond the relation itself
        "Which companies released models in 2024?",  # a number alone is too weak a constraint
    ],
)
def test_list_question_without_a_matching_passage_is_not_answered(kb: KnowledgeBase, question: str) -> None:
    expert = GraphExpert(kb, kb.settings.graph)
    assert expert.try_answer(AskRequest(question), [], Trace()) is None


@pytest.mark.integration
def test_possessive_release_answers_a_reverse_question(kb: KnowledgeBase) -> None:
    edges = {(e.src_name, e.dst_name) for e in graph_for(kb).store.all_edges(("released",))}
    assert ("Vega", "Orion X1") in edges
    answer = build_assistant(kb, kb.settings).ask(AskRequest("Which company announced the Orion X1?"))
    assert answer.route == "graph" and "Vega" in answer.short_answer


@pytest.mark.integration
def test_coordinated_entities_are_answered_together(kb: KnowledgeBase) -> None:
    answer = build_assistant(kb, kb.settings).ask(AskRequest("南湖智能和云帆智能分别推出了什么？"))
    assert answer.route == "graph"
    assert "NH-1" in answer.short_answer and "云帆加速卡" in answer.short_answer
    joint = GraphExpert(kb, kb.settings.graph).try_answer(
        AskRequest("南湖智能和云帆智能合作推出了什么？"), [], Trace()
    )
    assert joint is not None and "云帆加速卡" not in joint.short_answer  # a joint release is not each one's
