"""One thing, several names: stated aliases, bracketed cell names, a maker named in two scripts,
an organisation's abbreviation, its units — and the names that must stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import Settings
from zhiku.graph.answer import GraphExpert
from zhiku.graph.extract_small import SmallExtractor, split_sentences
from zhiku.graph.names import find_aliases
from zhiku.graph.normalize import Normalizer, cross_script_aliases, prefix_aliases
from zhiku.graph.service import KnowledgeGraph, graph_for, kb_documents
from zhiku.kb import KnowledgeBase
from zhiku.types import AskRequest, Chunk, Trace
from zhiku.wiring import open_or_create_kb


@pytest.fixture(scope="module")
def ex() -> SmallExtractor:
    return SmallExtractor()


def _extract(ex: SmallExtractor, text: str) -> tuple[set[tuple[str, str, str]], list[tuple[str, str]]]:
    out = ex.extract([Chunk("c1", "d1", 0, text)])
    return {(r.src, r.type, r.dst) for r in out.relations}, out.aliases


# -- stated aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "pair"),
    [
        ("星海科技（英文名Xinghai Tech）发布了天枢。", ("Xinghai Tech", "星海科技")),
        ("北辰数据（又称北辰）成立于2019年。", ("北辰", "北辰数据")),
        ("Orbit Labs，又称轨道实验室，总部位于深圳。", ("轨道实验室", "Orbit Labs")),
        ("Orbit Labs, also known as 轨道实验室, launched Nova Chat.", ("轨道实验室", "Orbit Labs")),
        ("The startup Vega Systems (also known as Vega) released Vega Coder.", ("Vega", "Vega Systems")),
    ],
)
def test_also_known_as_in_both_languages(sentence: str, pair: tuple[str, str]) -> None:
    assert pair in find_aliases(sentence)


def test_alias_name_loses_the_words_glued_before_it(ex: SmallExtractor) -> None:
    _, aliases = _extract(ex, "据报道，由星海科技（Xinghai Tech）推出的天枢正式上线。")
    assert ("Xinghai Tech", "星海科技") in aliases
    assert all(not full.startswith("由") for _, full in aliases)


@pytest.mark.parametrize(
    "text",
    [
        "南湖智能与云帆智能合作，又称双方合作。",  # a clause, not a name
        "这一阶段标志了DiT（Diffusion Transformer）的兴起。",  # the words before the bracket are a clause
    ],
)
def test_clauses_are_not_aliases(ex: SmallExtractor, text: str) -> None:
    _, aliases = _extract(ex, text)
    assert aliases == []


# -- bracketed names in table cells -----------------------------------------------------------


def test_bracketed_cell_name_is_an_alias_but_notes_are_not(ex: SmallExtractor) -> None:
    table = (
        "| 公司 | 模型 | 时间 |\n|---|---|---|\n"
        "| 北辰数据 | 北辰问答（小北） | 2023年 |\n"
        "| 星海科技（Xinghai） | 天枢（开源） | 2023年 |\n"
        "| 南湖智能 | 南湖灵犀（70亿参数） | 2024年 |\n"
        "| 云帆智能 | 云帆GPT（2023年） | 2024年 |\n"
    )
    edges, aliases = _extract(ex, table)
    assert ("北辰数据", "released", "北辰问答") in edges
    assert ("星海科技", "released", "天枢") in edges
    assert ("小北", "北辰问答") in aliases and ("Xinghai", "星海科技") in aliases
    assert {a for a, _ in aliases}.isdisjoint({"开源", "70亿参数", "2023年"})


def test_spaced_two_column_row_with_a_bracketed_name(ex: SmallExtractor) -> None:
    edges, aliases = _extract(ex, "公司 模型\n\n北辰数据 北辰问答（小北）\n")
    assert ("北辰数据", "released", "北辰问答") in edges
    assert ("小北", "北辰问答") in aliases


# -- coordinated objects over a broken line, subject from an earlier clause --------------------


def test_enumeration_continues_on_the_next_line() -> None:
    text = "星海科技发布了天枢大模型、\n\nOrion平台以及“超级助手”。"
    assert split_sentences(text) == ["星海科技发布了天枢大模型、Orion平台以及“超级助手”。"]
    assert split_sentences("第一章\n\nOrion平台") == ["第一章", "Orion平台"]  # no comma: stays apart


def test_list_of_objects_with_the_subject_in_an_earlier_clause(ex: SmallExtractor) -> None:
    text = "作为领先的服务商，星海科技率先布局大模型，发布了企业知识大模型、\n\nOrion应用开发平台以及“超级助手”系列应用。"
    edges, _ = _extract(ex, text)
    assert ("星海科技", "released", "Orion") in edges
    assert ("星海科技", "released", "“超级助手”") in edges


@pytest.mark.parametrize(
    "text",
    [
        "报告显示，推出了多款新品。",  # a noun that is not a name opens the clause
        "Orion，又称猎户星座，发布了R1。",  # "又称猎户" is no subject
    ],
)
def test_no_subject_borrowed_from_a_non_name(ex: SmallExtractor, text: str) -> None:
    edges, _ = _extract(ex, text)
    assert not any(r == "released" and "又称" in s for s, r, _ in edges)
    if text.startswith("报告"):
        assert edges == set()


# -- inferred aliases over a knowledge base ---------------------------------------------------


def test_maker_named_in_two_scripts_is_one_node() -> None:
    norm = Normalizer()
    made = [("Orbit Labs", "Nova Chat"), ("奥比特", "Nova Chat"), ("奥比特", "星图助手")]
    assert cross_script_aliases(norm, made) == [("Orbit Labs", "奥比特")]


@pytest.mark.parametrize(
    "made",
    [
        # two Chinese-named makers of one product: which one is "Orbit Labs" is undecided
        [("Orbit Labs", "Nova Chat"), ("奥比特", "Nova Chat"), ("奥比特云", "Nova Chat")],
        # 奥比特 would pair with two different Latin names
        [
            ("Orbit Labs", "Nova Chat"),
            ("奥比特", "Nova Chat"),
            ("Vega", "Vega Coder"),
            ("奥比特", "Vega Coder"),
        ],
        # both names in one script
        [("星海科技", "天枢"), ("北辰数据", "天枢")],
    ],
)
def test_cross_script_merge_needs_a_single_partner(made: list[tuple[str, str]]) -> None:
    assert cross_script_aliases(Normalizer(), made) == []


def _cut(words: set[str]) -> object:
    """A tokenizer knowing ``words`` as whole words; anything else splits after two characters."""
    return lambda text: [text] if text in words else [text[:2], text[2:]]


def test_abbreviation_of_one_organisation() -> None:
    cut = _cut({"星海湾"})  # "星海湾" is one word: "星海" cannot stand on its own inside it
    assert prefix_aliases(Normalizer(), ["星海", "星海湾"], cut) == [("星海", "星海湾")]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("orgs", "words"),
    [
        (["北辰", "北辰地图"], set()),  # "北辰/地图": a product or unit named after its maker
        (["北辰", "北辰湾", "北辰港"], {"北辰湾", "北辰港"}),  # two longer names: ambiguous
        (["Orbit", "Orbit Labs"], set()),  # Latin names are left to their own spelling rules
    ],
)
def test_no_abbreviation_merge_when_split_or_ambiguous(orgs: list[str], words: set[str]) -> None:
    assert prefix_aliases(Normalizer(), orgs, _cut(words)) == []  # type: ignore[arg-type]


def test_rebuild_merges_a_maker_named_in_english_and_chinese(tmp_path: Path) -> None:
    graph = KnowledgeGraph(tmp_path)
    docs = [
        ("en", [Chunk("en-0", "en", 0, "Orbit Labs released Nova Chat in 2023.")]),
        (
            "zh",
            [
                Chunk(
                    "zh-0",
                    "zh",
                    0,
                    "| 公司 | 模型 |\n|---|---|\n| 奥比特 | Nova Chat |\n| 奥比特 | 星图助手 |",
                )
            ],
        ),
    ]
    graph.rebuild(docs)
    assert graph.find_entities("Orbit Labs")[0][1] == graph.find_entities("奥比特")[0][1]
    assert graph.store.aliases()  # saved, so later incremental indexing agrees


# -- the answerer ------------------------------------------------------------------------------

UNITS_MD = """# 星海

2023年5月，星海发布天枢大模型。

| 公司 | 模型 |
|---|---|
| 星海云 | 北斗助手 |
| 星海音乐 | 乐听 |
| 北辰数据 | 北辰问答（小北） |
"""


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    folder = tmp_path / "aliasdocs"
    folder.mkdir()
    (folder / "units.md").write_text(UNITS_MD, encoding="utf-8")
    (folder / "en.md").write_text("# Orbit\n\nOrbit Labs released Nova Chat in 2023.\n", encoding="utf-8")
    (folder / "zh.md").write_text(
        "| 公司 | 模型 |\n|---|---|\n| 奥比特 | Nova Chat |\n| 奥比特 | 星图助手 |\n"
    )
    base = open_or_create_kb(settings, "aliases")
    assert not base.ingest([folder]).failed
    graph_for(base).rebuild(kb_documents(base))
    return base


@pytest.mark.integration
def test_organisation_answer_includes_its_units_only(kb: KnowledgeBase) -> None:
    answer = GraphExpert(kb, kb.settings.graph).try_answer(AskRequest("星海发布了哪些产品？"), [], Trace())
    assert answer is not None
    assert "天枢" in answer.short_answer and "北斗助手" in answer.short_answer  # 星海云 is a unit
    assert "乐听" not in answer.short_answer  # 星海音乐 is not "星海" + a unit suffix


@pytest.mark.integration
def test_answers_through_a_bracketed_and_a_cross_script_name(kb: KnowledgeBase) -> None:
    expert = GraphExpert(kb, kb.settings.graph)
    maker = expert.try_answer(AskRequest("小北是哪家公司的产品？"), [], Trace())
    assert maker is not None and "北辰数据" in maker.short_answer
    models = expert.try_answer(AskRequest("Which models has Orbit Labs released?"), [], Trace())
    assert models is not None
    assert "Nova Chat" in models.short_answer and "星图助手" in models.short_answer
