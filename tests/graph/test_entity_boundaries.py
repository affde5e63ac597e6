"""Co-occurrence needs whole, real names: no title words or concepts capitalised in English,
no piece of a longer Chinese name ("云极" of 九章云极, "陈昀" of 陈昀彰, "中关村" of 中关村科金)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.graph.build import GraphBuilder, standalone
from zhiku.graph.extract_small import SmallExtractor
from zhiku.graph.names import en_common_phrase, en_name_ok, en_name_spans
from zhiku.graph.store import SqliteGraphStore
from zhiku.types import Chunk

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def ex() -> SmallExtractor:
    return SmallExtractor()


def _names(ex: SmallExtractor, text: str) -> set[str]:
    return {m.name for m in ex.extract([Chunk("c1", "d1", 0, text)]).mentions}


def _pairs(tmp_path: Path, ex: SmallExtractor, *texts: str) -> set[frozenset[str]]:
    store = SqliteGraphStore(tmp_path / "graph.sqlite")
    chunks = [Chunk(f"c{i}", "d1", i, t) for i, t in enumerate(texts)]
    GraphBuilder(store, cut=ex.cut).add_document("d1", chunks, ex.extract(chunks))
    pairs = {frozenset((e.src_name, e.dst_name)) for e in store.all_edges() if e.type == "mentions_with"}
    store.close()
    return pairs


# -- English: common words are not names --------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    ["Management", "Generative AI Services", "Scaling LAW", "Task Force", "Interim Measures", "Workshop"],
)
def test_phrases_of_common_words_are_not_names(phrase: str) -> None:
    assert en_common_phrase(phrase.split())
    assert not en_name_ok(phrase, sentence_start=False)


@pytest.mark.parametrize(
    "phrase",
    [
        "Cyberspace Administration",
        "Alibaba Cloud",
        "ERNIE Bot",
        "GPT-4",
        "SoC",
        "IBM",
        "Vega Systems",
        "Sora",
    ],
)
def test_a_proper_word_or_signal_keeps_a_name(phrase: str) -> None:
    assert not en_common_phrase(phrase.split())
    assert en_name_ok(phrase, sentence_start=False)


def test_dates_with_ordinals_are_not_names() -> None:
    assert not en_name_ok("December 7th", sentence_start=False)
    assert not en_name_ok("March 1st", sentence_start=False)


def test_head_of_name_is_one_name() -> None:
    text = "It was led by the Cyberspace Administration of China and the Bank of China, not the CEO of Acme today"
    spans = [text[a:b] for a, b in en_name_spans(text)]
    assert "Cyberspace Administration of China" in spans and "Bank of China" in spans
    assert "China" not in spans  # only ever inside an organisation's name here
    assert "CEO" in spans and "Acme" in spans  # "CEO" is no organisation head: not joined


def test_english_title_words_give_no_mentions(ex: SmallExtractor) -> None:
    names = _names(
        ex,
        "The Interim Measures for the Management of Generative AI Services were published on "
        "July 13, 2023 by the Cyberspace Administration of China.",
    )
    assert "Cyberspace Administration of China" in names
    assert not names & {"Management", "Generative AI Services", "Interim Measures", "China", "July 13"}


# -- Chinese: a piece of a longer name is not mentioned on its own ------------------------------


def test_standalone_drops_names_inside_longer_names() -> None:
    found = {"e:中关村": {"中关村"}, "e:中关村科金": {"中关村科金"}, "e:拓尔思": {"拓尔思"}}
    assert standalone("拓尔思、中关村科金等厂商", found) == {"e:中关村科金", "e:拓尔思"}


def test_standalone_keeps_a_name_that_also_occurs_alone() -> None:
    found = {"e:中关村": {"中关村"}, "e:中关村科金": {"中关村科金"}}
    assert standalone("中关村科金总部位于北京中关村", found) == {"e:中关村", "e:中关村科金"}


def test_standalone_keeps_overlaps_and_same_entity_forms() -> None:
    # "天枢" is a short form of the same entity; names that only overlap are both kept
    assert standalone("天枢大模型发布", {"e:天枢": {"天枢", "天枢大模型"}, "e:x": {"模型发"}}) == {
        "e:天枢",
        "e:x",
    }


def test_tagged_piece_of_an_unknown_longer_name_is_not_a_mention(ex: SmallExtractor) -> None:
    names = _names(ex, "艾瑞邀请了九章云极、拓尔思、中关村科金等厂商。（路透社，美联社） © 2023 德国之声")
    assert not names & {"云极", "中关村", "德国"}
    assert {"拓尔思", "美联社"} <= names


def test_names_next_to_known_words_and_titles_stay(ex: SmallExtractor) -> None:
    names = _names(ex, "他是北京市卓越工程师、中关村高端领军人才。韩国总统尹锡悦出席了会议。")
    assert {"北京市", "中关村", "尹锡悦", "韩国"} <= names
    names = _names(
        ex, "大会将在成都市郫都区举行。岗位是国家税务总局青海省税务局一级执法员。自媒体人毛慧斌疑因发帖被拘。"
    )
    # a place inside a place, two offices one after the other, a person followed by an unknown word
    assert {"郫都区", "国家税务总局", "青海省税务局", "毛慧斌"} <= names


def test_transliterated_name_after_a_dot_is_kept_whole(ex: SmallExtractor) -> None:
    names = _names(ex, "主演凯特·布兰切特和安娜·德·阿玛斯出席。")
    assert {"凯特·布兰切特", "安娜·德·阿玛斯"} <= names
    assert not any(n.endswith("·") for n in names)


def test_no_cooccurrence_edges_for_pieces_of_longer_names(tmp_path: Path, ex: SmallExtractor) -> None:
    pairs = _pairs(
        tmp_path,
        ex,
        "中关村科金发布了ZGCLab大模型。",  # makes 中关村科金 a known name
        "艾瑞邀请了拓尔思、中关村科金等厂商，九章云极也在北京参会。",
    )
    assert frozenset(("拓尔思", "中关村科金")) in pairs
    assert not any(p & {"中关村", "云极"} for p in pairs)


def test_cooccurrence_keeps_a_place_also_named_on_its_own(tmp_path: Path, ex: SmallExtractor) -> None:
    pairs = _pairs(tmp_path, ex, "中关村科金发布了ZGCLab大模型。", "中关村科金的总部位于北京中关村。")
    assert frozenset(("中关村", "北京")) in pairs and frozenset(("中关村科金", "北京")) in pairs


def test_stray_last_character_of_a_transliterated_name(ex: SmallExtractor) -> None:
    names = _names(
        ex, "马来西亚首相依斯迈沙比里、俄罗斯总统出席。澳大利亚队守门员马修·瑞恩在比赛后接受采访。"
    )
    assert "依斯迈沙比里" in names and "依斯迈沙比" not in names
    assert "马修·瑞恩" in names  # "在" is a preposition, not part of the name


def test_generic_team_nouns_are_not_organisations(ex: SmallExtractor) -> None:
    names = _names(ex, "被法国足总逐出国家队。")
    assert "国家队" not in names and "法国" in names


def test_owner_before_qixia_is_the_name_not_a_longer_phrase(ex: SmallExtractor) -> None:
    # "Y旗下的Z": the owner is Y; "Y旗下" would also swallow Y's own mentions as a longer name
    out = ex.extract([Chunk("c1", "d1", 0, "中国常州网是常州日报社旗下的综合性门户网站。")])
    assert {m.name for m in out.mentions} >= {"常州日报社"}
    assert not any(m.name.endswith("旗下") for m in out.mentions)


def test_proper_noun_after_a_title_is_kept(ex: SmallExtractor) -> None:
    assert "竹田恒泰" in _names(ex, "保守派评论员竹田恒泰(Tsuneyasu Takeda)指责了导演。")
