from __future__ import annotations

import pytest

from zhiku.bi.charts_recover import HIGH, LOW, recover_series, recover_shares, series_facts

pytestmark = pytest.mark.unit

CHART = """正文一段话。
2019-2023年中国示例市场规模
12 15 1,021
30
45
2019 2020 2021 2022E 2023E
中国示例市场规模（亿元）
0.0%
50.0%
100.0%
"""


def test_single_series_aligned_with_title_legend_unit() -> None:
    (s,) = recover_series(CHART)
    assert s.confidence == HIGH
    assert s.title == "2019-2023年中国示例市场规模"
    assert (s.unit, s.scale) == ("元", "亿")
    assert [(p.period, p.raw) for p in s.points] == [
        ("2019", "12"),
        ("2020", "15"),
        ("2021", "1,021"),
        ("2022E", "30"),
        ("2023E", "45"),
    ]
    assert s.points[2].value == pytest.approx(1021e8)
    assert CHART[s.start : s.end].startswith("12 15")


def test_year_like_values_are_values() -> None:
    text = "2020-2024年销量\n195 2042 2841\n3000\n3931\n2020 2021 2022 2023 2024\n销量（万台）"
    (s,) = recover_series(text)
    assert [p.raw for p in s.points] == ["195", "2042", "2841", "3000", "3931"]
    assert s.scale == "万" and s.unit == "台"


def test_axis_ticks_are_not_a_series() -> None:
    text = "标题：2022-2024年占比变化\n0.0%\n25.0%\n50.0%\n75.0%\n2022 2023 2024\n云端（%） 边缘（%）"
    assert recover_series(text) == []


def test_misaligned_counts_are_flagged_not_invented() -> None:
    text = "2020-2022年两类规模\n1 2 3 4\n2020 2021 2022\n甲（亿元） 乙（亿元）"
    (s,) = recover_series(text)
    assert s.confidence == LOW and s.points == ()
    assert "not aligned" in s.notes[0]


def test_two_legends_are_low_confidence() -> None:
    text = "2020-2022年两类规模\n1 2 3 4 5 6\n2020 2021 2022\n甲规模（亿元） 乙规模（亿元）"
    series = recover_series(text)
    assert len(series) == 2 and all(s.confidence == LOW for s in series)
    assert series[1].label == "乙规模"


def test_title_after_values() -> None:
    text = "5\n6\n7\n2021 2022 2023\n指数（点）\n2021-2023年示例指数变化"
    (s,) = recover_series(text)
    assert s.title == "2021-2023年示例指数变化"


def test_series_facts_carry_provenance() -> None:
    (s,) = recover_series(CHART)
    facts = series_facts(s, CHART)
    assert facts[3].period == "2022E" and facts[3].source == "chart"
    assert "中国示例市场规模" in facts[3].sentence


def test_pie_shares_pair_titles_in_order_and_split_glued_labels() -> None:
    text = (
        "2023年示例产业模态分布\n2028年示例产业模态分布\n其他内容\n"
        "60.0%\n30.0%\n10.0%\n视觉（图像）\n语言（文本）数据（表格）\n"
        "50.0%\n40.0%\n10.0%\n视觉（图像）\n语言（文本）\n数据（表格）\n来源：示例。"
    )
    facts = recover_shares(text)
    got = [(f.period, f.label, f.raw) for f in facts]
    assert got[0] == ("2023", "视觉的占比", "60.0%")
    assert got[3] == ("2028", "视觉的占比", "50.0%")
    assert len(got) == 6


def test_pie_without_title_is_skipped() -> None:
    assert recover_shares("60%\n40%\n甲\n乙") == []
