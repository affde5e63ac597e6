"""The one text normaliser: NFKC + lower case, offset-keeping for matching, full for indexing."""

from __future__ import annotations

import pytest

from zhiku.tokenize import Tokenizer
from zhiku.understand.normalise import fold, normalise

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("２０３０年ＡＢＣ公司", "2030年abc公司"),  # full-width digits and letters
        ("青岚市，人口１２万", "青岚市,人口12万"),  # full-width comma
        ("Aurora Lab", "aurora lab"),
        ("", ""),
    ],
)
def test_both_views_fold_width_and_case(text: str, expected: str) -> None:
    assert normalise(text) == expected
    assert fold(text) == expected


@pytest.mark.parametrize("text", ["面积１２０㎡的展厅", "第Ⅻ号展台", "等待……ＯＫ"])
def test_normalise_keeps_every_offset(text: str) -> None:
    out = normalise(text)
    assert len(out) == len(text)
    start = text.index("展") if "展" in text else 0
    assert out[start] == normalise(text[start])  # a span found in the copy cuts the original


def test_fold_expands_compatibility_characters() -> None:
    assert fold("面积１２０㎡") == "面积120m2"
    assert normalise("面积１２０㎡") == "面积120㎡"  # kept whole: the length would change


def test_the_tokenizer_indexes_and_queries_with_fold() -> None:
    tok = Tokenizer()
    assert tok.words("ＡＢＣ公司２０３０年") == tok.words("abc公司2030年")
