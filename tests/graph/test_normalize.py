from __future__ import annotations

import pytest

from zhiku.graph.normalize import Normalizer, display_name, strip_suffixes

pytestmark = pytest.mark.unit


def test_variants_of_one_company_share_an_id() -> None:
    norm = Normalizer()
    ids = {norm.entity_id(n) for n in ("智谱AI", "智谱", "智譜", "智谱 AI", "智谱ＡＩ")}
    assert ids == {"e:智谱"}


def test_fullwidth_and_case_fold() -> None:
    norm = Normalizer()
    assert norm.entity_id("ＯｐｅｎＡＩ") == norm.entity_id("openai") == "e:openai"
    assert norm.entity_id("OpenAI") != norm.entity_id("Open")  # "ai" only stripped after Chinese


def test_legal_suffixes_and_generic_heads() -> None:
    assert strip_suffixes("阿里巴巴集团有限公司") == "阿里巴巴"
    assert strip_suffixes("言犀大模型") == "言犀"
    assert strip_suffixes("百川智能") == "百川智能"  # 智能 is part of names, never stripped
    assert strip_suffixes("baidu,inc".replace(",", "")) == "baidu"


def test_learned_alias_merges_nodes() -> None:
    norm = Normalizer()
    assert norm.add_alias("智谱", "北京智谱华章科技有限公司")
    assert norm.entity_id("智谱") == norm.entity_id("北京智谱华章科技")
    assert not norm.add_alias("A", "Alpha")  # too short to be a safe alias


def test_display_name_prefers_frequent_then_short() -> None:
    assert display_name(["京东言犀大模型", "言犀", "言犀"]) == "言犀"
