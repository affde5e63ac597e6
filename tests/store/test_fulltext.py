from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.store.fulltext import FullTextIndex
from zhiku.tokenize import Tokenizer

pytestmark = pytest.mark.unit

ROWS = [
    ("a", "2023年中国人工智能产业规模已达到2137亿元"),
    ("b", "京东发布言犀大模型，服务6亿用户"),
    ("c", "The NPU runs generative models on the phone"),
]


def test_build_search_and_reload(tmp_path: Path) -> None:
    index = FullTextIndex(tmp_path / "ft", Tokenizer())
    index.build(ROWS, version=7)
    assert index.search("人工智能产业规模是多少", 2)[0][0] == "a"
    assert index.search("言犀", 3)[0][0] == "b"
    assert index.search("generative models", 3)[0][0] == "c"
    reloaded = FullTextIndex(tmp_path / "ft", Tokenizer())
    assert reloaded.load() and reloaded.version == 7 and len(reloaded) == 3
    assert reloaded.search("言犀", 1) == index.search("言犀", 1)


def test_filters_and_empty(tmp_path: Path) -> None:
    index = FullTextIndex(tmp_path / "ft", Tokenizer())
    assert index.search("anything", 3) == []
    index.build(ROWS, version=1)
    assert index.search("言犀", 3, allowed={"a"}) == []
    assert index.search("，。！", 3) == []


def test_full_width_query_matches_half_width_text(tmp_path: Path) -> None:
    index = FullTextIndex(tmp_path / "ft", Tokenizer())
    index.build(ROWS, version=1)
    assert index.search("２１３７亿元", 1)[0][0] == "a"


def test_user_dictionary_changes_segmentation(tmp_path: Path) -> None:
    words = tmp_path / "dict.txt"
    words.write_text("犀牛智算 10 nz\n", encoding="utf-8")
    assert "犀牛智算" not in Tokenizer().words("犀牛智算平台上线")
    assert "犀牛智算" in Tokenizer(words).words("犀牛智算平台上线")


@pytest.mark.parametrize(
    ("query", "text"),
    [("CVPR2022在哪举办", "CVPR 2022 会议在新奥尔良举行"), ("EMNLP 2023 举办地", "EMNLP2023将在新加坡举办")],
)
def test_letters_and_digits_match_with_or_without_a_space(tmp_path: Path, query: str, text: str) -> None:
    index = FullTextIndex(tmp_path / "ft", Tokenizer())
    index.build([*ROWS, ("d", text), ("e", "国际会议举办地一览与参会指南")], version=1)
    assert index.search(query, 2)[0][0] == "d"
