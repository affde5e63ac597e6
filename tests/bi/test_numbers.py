from __future__ import annotations

import pytest

from zhiku.bi.numbers import find_quantities, format_value, parse_number, parse_zh_numeral, to_halfwidth

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,219", 1219.0),
        ("3.4万亿", 3.4e12),
        ("３．４万亿", 3.4e12),
        ("30.6%", 30.6),
        ("３０．６％", 30.6),
        ("百分之三十", 30.0),
        ("百分之十二点五", 12.5),
        ("2137亿元", 2.137e11),
        ("811 billion", 8.11e11),
        ("1.5 million", 1.5e6),
        ("两千三百", 2300.0),
        ("三十", 30.0),
        ("5,097 ", 5097.0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


def test_not_a_number() -> None:
    assert parse_number("人工智能") is None
    assert parse_number("") is None


def test_zh_numerals() -> None:
    assert parse_zh_numeral("一万零五百") == 10500
    assert parse_zh_numeral("二〇二三") == 2023
    assert parse_zh_numeral("三亿五千万") == 3.5e8


def test_find_quantities_units_and_spans() -> None:
    text = "2023年规模达到2137亿元，增长30.6%，服务超6亿用户，H100提升60%到90%，共1,219家"
    found = find_quantities(text)
    raws = [q.raw for q in found]
    assert raws == ["2023年", "2137亿元", "30.6%", "6亿", "60%", "90%", "1,219家"]
    q = found[1]
    assert (q.unit, q.scale, q.value) == ("元", "亿", 2.137e11)
    assert text[q.start : q.end] == "2137亿元"
    assert found[-1].unit == "家"


def test_identifier_digits_are_not_numbers() -> None:
    assert [q.raw for q in find_quantities("H100 and GPT4")] == []


def test_fullwidth_keeps_length() -> None:
    assert len(to_halfwidth("３．４万亿，好")) == len("３．４万亿，好")


def test_format_value() -> None:
    assert format_value(4.477e11, "亿", "元") == "4477亿元"
    assert format_value(44.7123, "", "%", digits=1) == "44.7%"
    assert format_value(8.11e11, "billion", "元") == "811 billion元"


def test_identifier_suffix_and_units_before_latin() -> None:
    assert [q.raw for q in find_quantities("港交所18C条款，5G网络")] == []
    assert [q.raw for q in find_quantities("共有18家AI公司")] == ["18家"]
