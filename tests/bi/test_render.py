from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.bi.render import cjk_font, render_chart

pytestmark = pytest.mark.unit


def test_line_and_bar_png_svg(tmp_path: Path) -> None:
    line = {
        "type": "line",
        "title": "中国市场规模",
        "unit": "亿元",
        "x": ["2020", "2021"],
        "series": [{"name": "甲", "values": [1, 2]}],
    }
    written = render_chart(line, tmp_path / "line.png")
    assert [p.suffix for p in written] == [".png", ".svg"]
    assert written[0].read_bytes()[:4] == b"\x89PNG" and b"<svg" in written[1].read_bytes()
    bar = {
        "type": "bar",
        "unit": "亿元",
        "x": ["甲 2023", "乙 2023"],
        "series": [{"name": "亿元", "values": [5097, 620]}],
    }
    assert render_chart(bar, tmp_path / "bar.png")[0].stat().st_size > 1000


def test_cjk_font_lookup_does_not_fail() -> None:
    font = cjk_font()
    assert font is None or isinstance(font, str)
