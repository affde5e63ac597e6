"""The streamed BM25 builder must score exactly like bm25s' own index, in Chinese and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bm25s
import numpy as np
import pytest

from zhiku.store import bm25_build
from zhiku.tokenize import Tokenizer

pytestmark = pytest.mark.unit

TEXTS = [
    "2023年中国人工智能核心产业规模达到5784亿元，同比增长13.9%。",
    "北京冬奥会于2022年2月4日开幕，张家口赛区承办雪上项目。",
    "The Beijing Winter Olympics opened on 4 February 2022.",
    "上海人工智能实验室发布书生大模型，参数规模达到千亿。",
    "",  # an empty document still occupies a row
    "GPT-4 and CVPR2022 papers discuss large language models; 大模型 推理 成本 下降。",
]


def _corpus(n: int) -> list[list[str]]:
    tokenizer = Tokenizer()
    return [tokenizer.tokens(f"{TEXTS[i % len(TEXTS)]} 样本{i} sample{i % 7}") for i in range(n)]


@pytest.mark.parametrize("n", [6, 9000])  # 9000 spans several blocks of the builder
def test_scores_match_bm25s_for_every_query(tmp_path: Path, n: int) -> None:
    corpus = _corpus(n)
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([tokens or [""] for tokens in corpus], show_progress=False)
    consumed = 0

    def stream() -> Iterator[list[str]]:  # a generator: the builder must need a single pass
        nonlocal consumed
        for tokens in corpus:
            consumed += 1
            yield tokens

    matrix = bm25_build.build_matrix(stream(), k1=1.2, b=0.75)
    assert consumed == n and matrix.num_docs == n
    bm25_build.save(matrix, tmp_path / "bm25")
    mine = bm25s.BM25.load(str(tmp_path / "bm25"), mmap=True)
    tokenizer = Tokenizer()
    for query in ("人工智能产业规模", "冬奥会 开幕", "winter olympics 2022", "gpt 4 大模型", "样本7"):
        terms = [t for t in tokenizer.tokens(query) if t in reference.vocab_dict]
        assert terms
        expected = reference.get_scores(terms)
        got = mine.get_scores(terms)
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-5), query
        assert got.max() > 0


def test_empty_corpus_builds_an_empty_matrix() -> None:
    matrix = bm25_build.build_matrix(iter([]), k1=1.2, b=0.75)
    assert matrix.num_docs == 0 and len(matrix.data) == 0 and matrix.avgdl == 1.0


def test_spilled_blocks_give_the_same_matrix_and_are_removed(tmp_path: Path) -> None:
    corpus = _corpus(9000)
    in_memory = bm25_build.build_matrix(iter(corpus), k1=1.2, b=0.75)
    spilled = bm25_build.build_matrix(iter(corpus), k1=1.2, b=0.75, spill=tmp_path / "blocks")
    assert spilled.vocab == in_memory.vocab
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(spilled, name), getattr(in_memory, name)), name
    assert not list((tmp_path / "blocks").glob("*.npy"))  # each block deleted once placed


def test_fulltext_scoring_equals_bm25s_get_scores(tmp_path: Path) -> None:
    from zhiku.store import fulltext

    corpus = _corpus(3000)
    matrix = bm25_build.build_matrix(iter(corpus), k1=1.2, b=0.75)
    bm25_build.save(matrix, tmp_path / "bm25")
    loaded = bm25s.BM25.load(str(tmp_path / "bm25"), mmap=True)
    tokenizer = Tokenizer()
    for query in ("人工智能 人工智能 产业", "winter olympics", "样本12 大模型"):  # repeated terms count twice
        ids = [loaded.vocab_dict[t] for t in tokenizer.tokens(query) if t in loaded.vocab_dict]
        assert np.allclose(fulltext._score(loaded, ids), loaded.get_scores(ids), rtol=1e-5, atol=1e-5)


def test_worker_processes_build_the_same_index(tmp_path: Path) -> None:
    """``workers=2`` (tokenised in spawned processes, blocks encoded there) scores like one process."""
    from zhiku.store.fulltext import FullTextIndex

    rows = [
        (f"d{i // 10}:{i % 10:05d}", f"{TEXTS[i % len(TEXTS)]} 样本{i} sample{i % 7}") for i in range(5000)
    ]
    one = FullTextIndex(tmp_path / "one", Tokenizer())
    one.build(iter(rows), version=1)
    two = FullTextIndex(tmp_path / "two", Tokenizer())
    two.build(iter(rows), version=1, workers=2)  # a generator: still a single pass
    assert two.ids() == one.ids() == [r[0] for r in rows]
    for query in ("人工智能产业规模", "冬奥会 开幕", "winter olympics 2022", "样本4321", "sample3 大模型"):
        a, b = one.search(query, 20), two.search(query, 20)
        assert a, query
        assert [c for c, _ in a] == [c for c, _ in b], query
        assert np.allclose([s for _, s in a], [s for _, s in b], rtol=1e-5), query


def test_arrays_filled_in_place_load_like_a_saved_index(tmp_path: Path) -> None:
    """``out=``: the big arrays are mapped files in the index folder; the result scores as before."""
    corpus = _corpus(9000)
    in_memory = bm25_build.build_matrix(iter(corpus), k1=1.2, b=0.75)
    bm25_build.save(in_memory, tmp_path / "a")
    mapped = bm25_build.build_matrix(iter(corpus), k1=1.2, b=0.75, out=tmp_path / "b")
    assert isinstance(mapped.data, np.memmap)
    bm25_build.save(mapped, tmp_path / "b")
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        p.name for p in (tmp_path / "a").iterdir()
    )
    a = bm25s.BM25.load(str(tmp_path / "a"), mmap=True)
    b = bm25s.BM25.load(str(tmp_path / "b"), mmap=True)
    for query in ("人工智能产业规模", "winter olympics 2022"):
        terms = [t for t in Tokenizer().tokens(query) if t in a.vocab_dict]
        assert terms and np.allclose(a.get_scores(terms), b.get_scores(terms)), query


def test_hashed_vocabulary_opens_without_the_json_and_old_indexes_still_load(tmp_path: Path) -> None:
    """A reopened index looks terms up in the mapped hash arrays; one saved before them (no
    ``vocab.hash.npy``) falls back to bm25s' JSON vocabulary with the same results."""
    from zhiku.store.fulltext import FullTextIndex

    rows = [(f"d{i}:00000", f"{TEXTS[i % len(TEXTS)]} 样本{i} sample{i % 7}") for i in range(600)]
    built = FullTextIndex(tmp_path / "ft", Tokenizer())
    built.build(iter(rows), version=1, seq=1)
    queries = ("人工智能产业规模", "冬奥会 开幕", "winter olympics 2022", "样本42", "完全没有的词 zzzz")
    expected = [built.search(q, 10) for q in queries]
    assert expected[0] and not expected[-1]
    reopened = FullTextIndex(tmp_path / "ft", Tokenizer())
    assert reopened.load()
    assert isinstance(reopened._vocab, bm25_build.HashedVocab)
    assert [reopened.search(q, 10) for q in queries] == expected
    for name in (bm25_build.HASHES, bm25_build.TERM_IDS):
        (tmp_path / "ft" / "bm25" / name).unlink()
    old = FullTextIndex(tmp_path / "ft", Tokenizer())
    assert old.load() and isinstance(old._vocab, dict)
    assert [old.search(q, 10) for q in queries] == expected
