from __future__ import annotations

import pytest

from zhiku.graph.extract_small import SmallExtractor, split_sentences
from zhiku.types import Chunk

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def ex() -> SmallExtractor:
    return SmallExtractor()


def triples(ex: SmallExtractor, text: str, kind: str = "paragraph") -> set[tuple[str, str, str]]:
    out = ex.extract([Chunk("c1", "d1", 0, text, kind=kind)])  # type: ignore[arg-type]
    return {(r.src, r.type, r.dst) for r in out.relations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年3月16日，星海科技发布天枢大模型。", ("星海科技", "released", "天枢大模型")),
        ("OpenAI于2024年2月发布的Sora模型引起关注。", ("OpenAI", "released", "Sora模型")),
        ("阿里巴巴收购了饿了么。", ("阿里巴巴", "acquired", "饿了么")),
        ("腾讯领投了月之暗面的B轮融资。", ("腾讯", "invested_in", "月之暗面")),
        ("言犀是京东推出的大模型。", ("京东", "released", "言犀")),
        ("通义千问由阿里云推出。", ("阿里云", "released", "通义千问")),
        ("IBM发布的《2023年全球AI采用指数》显示。", ("IBM", "released", "《2023年全球AI采用指数》")),
        ("3月15日，OpenAI 发布了多模态预训练大模型 GPT-4，直接开放API。", ("OpenAI", "released", "GPT-4")),
    ],
)
def test_chinese_patterns(ex: SmallExtractor, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in triples(ex, text)


def test_coordinated_objects(ex: SmallExtractor) -> None:
    found = triples(ex, "智谱AI开源了ChatGLM-6B和CodeGeeX。")
    assert {("智谱AI", "released", "ChatGLM-6B"), ("智谱AI", "released", "CodeGeeX")} <= found


@pytest.mark.parametrize(
    "text",
    [
        "国内互联网巨头厂商相继发布大模型。",  # generic subject and object
        "以极快的速度相继推出和迭代。",  # a description, not a name
        "英伟达发布了目前世界最强的AI芯片。",  # generic object
        "2021-2023年中国人工智能股权投资种子轮融资数显著增加。",  # 投资 as a noun
        "其核心能力是智算资源的纳管。",
    ],
)
def test_no_relation_from_generic_phrases(ex: SmallExtractor, text: str) -> None:
    assert triples(ex, text) == set()


def test_english_active_and_passive(ex: SmallExtractor) -> None:
    text = (
        "In March 2023, Baidu released ERNIE Bot. Alibaba Cloud launched Tongyi Qianwen in April. "
        "ChatGLM is a bilingual model developed by Zhipu AI. Microsoft acquired GitHub."
    )
    found = triples(ex, text)
    assert ("Baidu", "released", "ERNIE Bot") in found
    assert ("Alibaba Cloud", "released", "Tongyi Qianwen") in found
    assert ("Zhipu AI", "released", "ChatGLM") in found
    assert ("Microsoft", "acquired", "GitHub") in found


def test_listing_with_header_spaced_and_markdown(ex: SmallExtractor) -> None:
    spaced = "公司 模型\n星海科技 天枢\n\n云帆智能 云帆GPT\n\n某公司 未公布\n"
    found = triples(ex, spaced, kind="chart")
    assert ("星海科技", "released", "天枢") in found and ("云帆智能", "released", "云帆GPT") in found
    assert not any(t[2] == "未公布" for t in found)
    md = "| Company | Model |\n|---|---|\n| Baidu | ERNIE Bot |\n| Zhipu AI | GLM-4 |"
    assert ("Zhipu AI", "released", "GLM-4") in triples(ex, md, kind="table")


def test_glued_listing_rows_are_split_on_known_names(ex: SmallExtractor) -> None:
    # A PDF cleaner may glue the two cells ("京东 言犀" → "京东言犀"); prose elsewhere names 京东.
    prose = Chunk("c0", "d1", 0, "京东是一家零售企业，京东在2023年布局人工智能。")
    listing = Chunk("c1", "d1", 1, "公司模型\n京东言犀\n百度文心一言", kind="chart")
    found = {(r.src, r.type, r.dst) for r in ex.extract([prose, listing]).relations}
    assert ("京东", "released", "言犀") in found


def test_aliases_and_evidence(ex: SmallExtractor) -> None:
    out = ex.extract([Chunk("c9", "d9", 0, "北京智谱华章科技有限公司（以下简称“智谱”）发布了GLM-4。")])
    assert ("智谱", "北京智谱华章科技有限公司") in out.aliases
    rel = next(r for r in out.relations if r.dst == "GLM-4")
    assert rel.evidence.chunk_id == "c9" and "GLM-4" in rel.evidence.sentence


def test_pos_entities_skip_common_words(ex: SmallExtractor) -> None:
    out = ex.extract([Chunk("c1", "d1", 0, "Sora在美国发布后，深度学习与上市公司都受到关注。")])
    names = {m.name for m in out.mentions}
    assert "Sora" in names and "美国" in names
    assert "深度" not in names and "上市" not in names


def test_split_sentences_rejoins_broken_lines() -> None:
    assert split_sentences("2023年6月，火\n\n山引擎推出大模\n\n型服务平台火山方舟。下一句。") == [
        "2023年6月，火山引擎推出大模型服务平台火山方舟。",
        "下一句。",
    ]


def test_listing_continues_into_the_next_chunk(ex: SmallExtractor) -> None:
    first = Chunk("c1", "d1", 0, "公司 模型\n星海科技 天枢", kind="chart")
    second = Chunk("c2", "d1", 1, "云帆智能 云帆GPT\n北辰数据 北辰问答", kind="chart")
    found = {(r.src, r.dst, r.evidence.chunk_id) for r in ex.extract([first, second]).relations}
    assert ("云帆智能", "云帆GPT", "c2") in found and ("北辰数据", "北辰问答", "c2") in found


def test_dropped_subject_comes_from_the_sentence_topic(ex: SmallExtractor) -> None:
    text = "星海科技是一家人工智能公司，服务金融客户。在多年积累的基础上，推出了金融大模型StarFin。"
    assert ("星海科技", "released", "StarFin") in triples(ex, text)


def test_beneficiary_is_not_the_subject(ex: SmallExtractor) -> None:
    found = triples(ex, "2020年11月，苹果发布了首款专为 Mac 打造的芯片 M1。华为为客户打造盘古大模型。")
    assert not any(src == "Mac" for src, _, _ in found)
    assert ("华为", "released", "盘古大模型") in found


def test_transliterated_names_stay_whole(ex: SmallExtractor) -> None:
    out = ex.extract(
        [Chunk("c1", "d1", 0, "澳大利亚队守门员马修·瑞恩在比赛后接受采访，美国众议院议长佩洛希称赞了他。")]
    )
    names = {m.name for m in out.mentions}
    assert "马修·瑞恩" in names and "佩洛希" in names
    assert "马修" not in names and "佩洛" not in names
