"""Chart requests in plain words: "…请画图", "画出…趋势", "plot …", "draw a chart of …".

Why a module of its own: the request to draw is not part of what is asked.  The numeric expert
answers the question with the drawing words taken out (so "2020年到2028年…规模，请画图" is parsed
like "2020年到2028年…规模的趋势"), and the CLI and UI know to draw (or to say why they cannot)
whether or not ``--chart`` was given.

>>> wants_chart("2020年到2028年中国人工智能产业规模，请画图")
True
>>> as_series_question("画出中国AI芯片市场规模的趋势")
'中国AI芯片市场规模的趋势'
>>> as_series_question("Plot the AI chip market size from 2020 to 2028")
'the AI chip market size from 2020 to 2028 trend'
"""

from __future__ import annotations

import re

_CHART_NOUN_ZH = (
    r"(?:统计图|图表|柱状图|柱形图|条形图|折线图|曲线图|趋势图|饼图|曲线|图(?![像片形书谱纸层标]))"
)
_CHART_ZH = re.compile(
    r"(?:请|麻烦|帮我|帮忙|能否|可以|能不能)?\s*"
    rf"(?:(?:画|绘|作|做|生成|给出)(?:出|制|一下|个|一个|一张|一幅|张|幅)?{_CHART_NOUN_ZH}"
    r"|画出来?|绘出|绘制出?|画一下|描绘出?"
    r"|可视化(?:展示|呈现|一下|出来|(?=\s*[。.!！?？]?\s*$))"
    rf"|[用以]{_CHART_NOUN_ZH}(?:的?形式)?(?:来)?(?:表示|展示|显示|呈现|画出))"
)
_A_CHART = r"(?:\s+me)?\s+(?:a|an|the)?\s*(?:line\s+|bar\s+)?(?:chart|graph|plot)s?"
_CHART_EN = re.compile(
    r"(?:\b(?:please|can you|could you|would you)\s+)?"
    rf"(?:\b(?:plot|draw|visuali[sz]e)(?:{_A_CHART})?"
    rf"|^\s*(?:chart|graph)(?:{_A_CHART})?"
    rf"|\b(?:make|create|give|show)(?:{_A_CHART})"
    r"|\b(?:as|in|with)\s+a\s+(?:line\s+|bar\s+)?(?:chart|graph|plot))\b"
    r"(?:\s+(?:of|for|showing)\b)?",
    re.I,
)
# 请画一张…的折线图: the verb and its measure word come first, the chart noun after the subject
_DRAW_A_ZH = re.compile(r"(?:请|麻烦|帮我|帮忙)?\s*(?:画|绘制|绘|做|作|生成|给出)(?:一张|一幅|一个|张|幅|个)")
_DRAW_A_CHART_ZH = re.compile(rf"{_DRAW_A_ZH.pattern}[^，,。？?！!]{{0,40}}?{_CHART_NOUN_ZH}")
_TRAILING_NOUN_ZH = re.compile(rf"的?{_CHART_NOUN_ZH}(?=\s*[。.!！?？]?\s*$)")
# What counts as a request in English: the verbs plot/draw/visualise anywhere; chart/graph only
# as the first word (an imperative) or as "a chart" after make/show/as/in — "knowledge graph" is
# a topic, not a request.
_EN_REQUEST = re.compile(
    r"\b(?:plot|plotting|draw|visuali[sz]e)\b"
    r"|^\s*(?:(?:please|can you|could you)\s+)?(?:chart|graph)\b"
    r"|\b(?:as|in|with|make|create|give me|show me|show)\s+(?:a|an|the)\s+(?:line\s+|bar\s+)?(?:chart|graph|plot)\b",
    re.I,
)
_SERIES_CUES = re.compile(
    r"各年|历年|每年|逐年|趋势|走势|变化|列出|分别|对比|比较|each year|trend|over the years|compare|\band\b|和|与|、",
    re.I,
)
_SINGLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def wants_chart(question: str) -> bool:
    """Does the question ask for a chart, in Chinese or English?"""
    return bool(
        _CHART_ZH.search(question) or _DRAW_A_CHART_ZH.search(question) or _EN_REQUEST.search(question)
    )


def strip_chart_request(question: str) -> str:
    """The question without the words that ask for a drawing (and the punctuation left dangling)."""
    text = _CHART_EN.sub(" ", _CHART_ZH.sub(" ", question))
    if _DRAW_A_CHART_ZH.search(question):
        text = _DRAW_A_ZH.sub(" ", text)
    text = _TRAILING_NOUN_ZH.sub("", text)  # 画出…变化图 → …变化
    text = re.sub(r"\s*([，,。.;；!！?？])(?:\s*[，,。.;；!！?？])+", r"\1", text)
    text = re.sub(r"^[\s，,。.;；:：!！]+|[\s，,;；:：]+$", "", text)
    text = re.sub(r"^(?:并|并且|然后|再|and|then)\s*", "", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip()


def as_series_question(question: str) -> str:
    """A chart request rewritten as the question the numeric expert answers with a chart.

    A request naming a year range or no year at all asks for the series over time, so a trend
    cue is added when the words lack one; one year or a comparison is left as it is (a bar chart
    of the items compared).
    """
    if not wants_chart(question):
        return question
    text = strip_chart_request(question)
    years = _SINGLE_YEAR.findall(text)
    if _SERIES_CUES.search(text) or len(set(years)) == 1:
        return text
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    core = text.rstrip("？?。.！! ")
    return f"{core}的趋势" if cjk >= 2 else f"{core} trend"


__all__ = ["as_series_question", "strip_chart_request", "wants_chart"]
