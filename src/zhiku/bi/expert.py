"""The numeric expert: answers numeric questions by looking up facts and computing in code.

A number in its answer is either quoted from a cited fact or computed from cited operands, and
the formula is shown.  It returns ``None`` (the extractive reader takes over) whenever the
question is not numeric, the parser does not recognise the operation, or the operands cannot be
resolved without ambiguity.

>>> expert = NumericExpert(kb)
>>> expert.try_answer(AskRequest("2022年华东区销售额比华南区销售额多多少万元？"), hits, Trace())
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from zhiku.bi.chart_intent import as_series_question
from zhiku.bi.charts_recover import recover_series, recover_shares, series_facts
from zhiku.bi.facts import Fact, extract_facts, split_metric
from zhiku.bi.numbers import ZH_MAGNITUDES, format_value
from zhiku.bi.question import QuestionSpec, Target, looks_numeric, parse_question
from zhiku.bi.resolve import FactPool, cagr_bounds
from zhiku.bi.store import FactStore
from zhiku.errors import ZhikuError
from zhiku.types import Answer, AskRequest, Citation, Hit, Trace

if TYPE_CHECKING:
    from zhiku.kb import KnowledgeBase


_HEDGE_ZH = {"约为": "约", "约": "约", "超过": "超过", "超": "超过", "逾": "超过", "突破": "超过",
             "近": "接近", "接近": "接近", "不足": "不足"}  # fmt: skip
_HEDGE_EN = {"约": "about ", "超过": "over ", "接近": "nearly ", "不足": "under "}


def hedged(f: Fact, language: str = "zh") -> str:
    """The value with the source's own hedge (约620亿元, 超过8000亿元): approximate stays approximate."""
    word = _HEDGE_ZH.get(f.qualifier, "")
    if language == "en":
        return f"{_HEDGE_EN.get(word, '')}{display(f)}"
    return f"{word}{display(f)}"


def display(f: Fact) -> str:
    """The value as the source printed it, with the unit a chart/table legend gave."""
    if f.source == "prose" or f.raw.endswith(f"{f.scale}{f.unit}"):
        return f.raw
    return f"{f.raw}{f.scale}{f.unit}"


def _scale_for(facts: Sequence[Fact]) -> str:
    scales = [f.scale for f in facts if f.scale in ZH_MAGNITUDES]
    return min(scales, key=lambda s: ZH_MAGNITUDES[s]) if scales else (facts[0].scale if facts else "")


class _Builder:
    """Collects cited operands and numbers while an answer is written."""

    def __init__(self, hits: Sequence[Hit], titles: Callable[[str], str]) -> None:
        self.hits = {h.chunk_id: h for h in hits}
        self.titles = titles
        self.citations: list[Citation] = []
        self.numbers: list[str] = []

    def cite(self, f: Fact) -> str:
        for c in self.citations:
            if c.chunk_id == f.chunk_id and c.text == f.sentence[:300]:
                return f"[{c.index}]"
        hit = self.hits.get(f.chunk_id)
        title = hit.title if hit else self.titles(f.doc_id)
        index = len(self.citations) + 1
        page = hit.page if hit else f.page
        self.citations.append(
            Citation(index, title, f.doc_id, f.chunk_id, page, f.sentence[:300], hit.source if hit else "")
        )
        return f"[{index}]"


class NumericExpert:
    """Expert named ``numeric``: lookup, difference, ratio, multiple, CAGR, max/min, series."""

    name = "numeric"

    def __init__(self, kb: KnowledgeBase | None = None, store: FactStore | None = None) -> None:
        self.kb = kb
        self.store = store or (FactStore(kb.path / "facts.duckdb") if kb is not None else None)
        self._cache: dict[tuple[str | None, bool], list[Fact]] = {}
        self._stamp: tuple[object, ...] = ()

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None:
        question = as_series_question(request.question)  # "…请画图" asks for the series behind it
        if question != request.question:
            trace.notes.append(f"numeric: chart requested; answering {question!r}")
        if not looks_numeric(question):
            return None
        spec = parse_question(question)
        if spec is None:
            trace.notes.append("numeric: question not parsed into an operation")
            return None
        pool = FactPool(self._facts(spec, hits))
        builder = _Builder(hits, self._title)
        handler = getattr(self, f"_op_{spec.op}")
        result: tuple[str, str, dict[str, Any]] | None = handler(spec, pool, builder)
        if result is None:
            trace.notes.append(f"numeric: {spec.op} operands not resolved; leaving it to the reader")
            return None
        text, short, extra = result
        trace.notes.append(f"numeric: {spec.op}")
        return Answer(
            question=request.question,
            answer=text,
            found=True,
            citations=builder.citations,
            route="numeric",
            language=spec.language,
            short_answer=short,
            confidence=0.9,
            extra=extra,
        )

    # ---- evidence -------------------------------------------------------------------------
    def _facts(self, spec: QuestionSpec, hits: Sequence[Hit]) -> list[Fact]:
        facts: list[Fact] = []
        for hit in hits:
            found = extract_facts(hit.text)
            for series in recover_series(hit.text):
                found.extend(series_facts(series, hit.text))
            found.extend(recover_shares(hit.text))
            facts.extend(replace(f, chunk_id=hit.chunk_id, doc_id=hit.doc_id, page=hit.page) for f in found)
        if self.store is not None:
            with contextlib.suppress(ZhikuError):  # no store yet: hits alone
                periods = {t.period for t in spec.targets} | set(spec.periods)
                if spec.op not in ("series", "max", "min", "compare") and "" not in periods:
                    for period in sorted(periods):
                        facts.extend(self._stored(period, False))
                else:
                    facts.extend(self._stored(None, spec.op in ("series", "max", "min", "compare")))
        return facts

    def _stored(self, period: str | None, series_only: bool) -> list[Fact]:
        """Store reads cached until the DuckDB file (or its WAL) changes: opening it costs ~20 ms."""
        assert self.store is not None
        files = (self.store.path, self.store.path.with_suffix(self.store.path.suffix + ".wal"))
        stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else None for f in files)
        if stamp != self._stamp or len(self._cache) > 64:
            self._cache, self._stamp = {}, stamp
        key = (period, series_only)
        if key not in self._cache:
            self._cache[key] = self.store.facts(period=period, series_only=series_only)
        return self._cache[key]

    def _title(self, doc_id: str) -> str:
        if self.kb is None:
            return doc_id
        try:
            return self.kb.document(doc_id).title
        except Exception:  # a missing catalog row must not break an answer
            return doc_id

    # ---- operations -----------------------------------------------------------------------
    def _op_lookup(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        target = spec.targets[0]
        found = pool.lookup(target, spec.unit_hint)
        if not found:
            return None
        f = found[0]
        shown = hedged(f, spec.language)
        est = "（预测值）" if f.estimate and spec.language == "zh" else (" (forecast)" if f.estimate else "")
        converted: list[str] = []
        if spec.language == "zh":
            joiner = "" if shown != display(f) else "为"  # 规模约620亿元 / 规模为620亿元
            text = f"{_year(f.period)}{f.label}{joiner}{shown}{est}{b.cite(f)}。"
        else:
            english = _in_billions(f)
            converted = [english] if english else []
            also = f" (= {english})" if english else ""
            text = f"{f.label} ({_year_en(f.period)}): {shown}{also}{est} {b.cite(f)}."
        comp = _computation("lookup", shown, [f], b, shown, f.value, extra_numbers=converted)
        return text, shown, {"computation": comp}

    def _op_multi(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        found = [pool.lookup(t, spec.unit_hint) for t in spec.targets]
        facts = [f[0] for f in found if f]
        if len(facts) != len(spec.targets) or len({id(f) for f in facts}) < len(facts):
            return None  # every item or nothing: a half answer would hide what is missing
        zh = spec.language == "zh"
        parts = [
            f"{_year(f.period)}{f.label}为{display(f)}{b.cite(f)}"
            if zh
            else f"{f.label} ({_year_en(f.period)}): {display(f)} {b.cite(f)}"
            for f in facts
        ]
        text = ("；".join(parts) + "。") if zh else ("; ".join(parts) + ".")
        short = "、".join(display(f) for f in facts)
        comp = _computation("multi", short, facts, b, short, None, extra_numbers=[display(f) for f in facts])
        extra: dict[str, Any] = {"computation": comp}
        if len({f.unit for f in facts}) == 1:
            extra["chart"] = _bar(facts, _scale_for(facts))
        return text, short, extra

    def _two(self, spec: QuestionSpec, pool: FactPool) -> tuple[Fact, Fact] | None:
        hint = spec.unit_hint if spec.op != "multiple" else ""
        a = pool.precise(spec.targets[0], hint)
        bb = pool.precise(spec.targets[1], hint)
        if a is None or bb is None or a is bb or a.unit != bb.unit:
            return None
        return a, bb

    def _op_difference(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        pair = self._two(spec, pool)
        if pair is None:
            return None
        fa, fb = pair
        diff = fa.value - fb.value
        scale = _scale_for(pair)
        res = format_value(diff, scale, fa.unit)
        formula = f"{display(fa)} − {display(fb)} = {res}"
        word = "多" if diff >= 0 else "少"
        shown_abs = format_value(abs(diff), scale, fa.unit)
        if spec.language == "zh":
            text = (
                f"{_year(fa.period)}{fa.label}比{_year(fb.period)}{fb.label}{word}{shown_abs}。"
                f"计算：{display(fa)}{b.cite(fa)} − {display(fb)}{b.cite(fb)} = {res}。"
            )
        else:
            text = (
                f"The difference is {res}: {fa.label} ({_year_en(fa.period)}) {display(fa)} {b.cite(fa)} − "
                f"{fb.label} ({_year_en(fb.period)}) {display(fb)} {b.cite(fb)} = {res}."
            )
        comp = _computation("difference", formula, [fa, fb], b, res, diff, extra_numbers=[shown_abs])
        return text, res, {"computation": comp, "chart": _bar([fa, fb], scale)}

    def _op_multiple(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        pair = self._two(spec, pool)
        if pair is None or pair[1].value == 0:
            return None
        fa, fb = pair
        ratio = fa.value / fb.value
        times = format_value(ratio, "", "倍" if spec.language == "zh" else "x")
        grown = format_value(ratio - 1, "", "倍" if spec.language == "zh" else "x")
        formula = f"{display(fa)} ÷ {display(fb)} = {times}"
        if spec.language == "zh":
            text = (
                f"{_year(fa.period)}{fa.label}是{_year(fb.period)}{fb.label}的{times}（增长了{grown}）。"
                f"计算：{display(fa)}{b.cite(fa)} ÷ {display(fb)}{b.cite(fb)} = {times}。"
            )
        else:
            text = (
                f"{display(fa)} {b.cite(fa)} ÷ {display(fb)} {b.cite(fb)} = {times} (an increase of {grown})."
            )
        comp = _computation("multiple", formula, [fa, fb], b, times, ratio, extra_numbers=[grown])
        return text, times, {"computation": comp, "chart": _bar([fa, fb], _scale_for(pair))}

    def _op_growth(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        target = spec.targets[0]
        subject = (
            re.sub(r"(?:的)?(?:市场|产业|行业)?(?:规模)?$", "", split_metric(target.text)[0]) or target.text
        )
        stated = pool.lookup(Target(f"{subject}同比增长", target.period), "%")
        if stated:
            return self._op_lookup(
                replace(spec, targets=(Target(f"{subject}同比增长", target.period),)), pool, b
            )
        spec = replace(spec, unit_hint="")
        pair = self._two(spec, pool)
        if pair is None or pair[1].value <= 0 or pair[0].unit == "%":
            return None
        now, before = pair
        rate = (now.value / before.value - 1) * 100
        res = format_value(rate, "", "%")
        formula = f"{display(now)} ÷ {display(before)} − 1 = {res}"
        extra_numbers: list[str] = []
        if spec.language == "zh":
            word = "增长" if rate >= 0 else "下降"
            shown = format_value(abs(rate), "", "%")
            text = (
                f"{_year(now.period)}{now.label}同比{word}{shown}。"
                f"计算：{display(now)}{b.cite(now)} ÷ {display(before)}{b.cite(before)} − 1 = {res}。"
            )
            extra_numbers.append(shown)
        else:
            text = f"Year-on-year growth {res}: {display(now)} {b.cite(now)} ÷ {display(before)} {b.cite(before)} − 1."
        comp = _computation("growth", formula, [now, before], b, res, rate, extra_numbers=extra_numbers)
        return text, res, {"computation": comp, "chart": _bar([before, now], _scale_for(pair))}

    def _op_ratio(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        one, two = spec.targets[0], spec.targets[1]
        stated = pool.lookup(Target(f"{one.text}占{two.text}", one.period), "%")
        if stated:
            return self._op_lookup(
                replace(spec, targets=(Target(f"{one.text}占{two.text}", one.period),), unit_hint="%"),
                pool,
                b,
            )
        spec = replace(spec, unit_hint="")
        pair = self._two(spec, pool)
        if pair is None or pair[1].value == 0 or pair[0].unit == "%":
            return None
        fa, fb = pair
        share = fa.value / fb.value * 100
        res = format_value(share, "", "%")
        formula = f"{display(fa)} ÷ {display(fb)} × 100% = {res}"
        if spec.language == "zh":
            text = f"{fa.label}占{fb.label}的{res}。计算：{display(fa)}{b.cite(fa)} ÷ {display(fb)}{b.cite(fb)} × 100% = {res}。"
        else:
            text = f"{fa.label} is {res} of {fb.label}: {display(fa)} {b.cite(fa)} ÷ {display(fb)} {b.cite(fb)} = {res}."
        comp = _computation("ratio", formula, [fa, fb], b, res, share)
        return text, res, {"computation": comp, "chart": _bar([fa, fb], _scale_for(pair))}

    def _endpoints(self, spec: QuestionSpec, pool: FactPool) -> tuple[Fact, Fact] | None:
        if len(spec.periods) != 2:
            return None
        t = spec.targets[0]
        a = pool.precise(Target(t.text, spec.periods[0]), "")
        z = pool.precise(Target(t.text, spec.periods[1]), "")
        if a is None or z is None or a.unit == "%" or a.unit != z.unit or a.value <= 0:
            return None
        return a, z

    def _op_cagr(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        stated = pool.stated(spec.targets[0], *spec.periods) if len(spec.periods) == 2 else None
        ends = self._endpoints(spec, pool)
        if stated is None and ends is None:
            return None
        parts: list[str] = []
        numbers: list[str] = []
        computed = None
        if ends is not None:
            fa, fz = ends
            n = int(spec.periods[1]) - int(spec.periods[0])
            computed = ((fz.value / fa.value) ** (1 / n) - 1) * 100
            shown = format_value(computed, "", "%", digits=1)
            numbers += [shown, str(n)]
            parts.append(f"({display(fz)}{b.cite(fz)} ÷ {display(fa)}{b.cite(fa)})^(1/{n}) − 1 = {shown}")
        if stated is not None:
            res = display(stated)
            lead = f"{spec.periods[0]}–{spec.periods[1]}年{stated.label}为{res}{b.cite(stated)}"
        else:
            res = format_value(computed or 0.0, "", "%", digits=1)
            lead = f"{spec.periods[0]}–{spec.periods[1]}年{spec.targets[0].text}的复合增长率为{res}"
        text = lead + ("。计算：" + parts[0] + "。" if parts else "。")
        if spec.language == "en":
            text = f"CAGR {spec.periods[0]}–{spec.periods[1]}: {res}" + (
                f"; computed: {parts[0]}." if parts else "."
            )
        operands = [f for f in (stated, *(ends or ())) if f is not None]
        comp = _computation(
            "cagr", parts[0] if parts else res, operands, b, res, computed, extra_numbers=numbers
        )
        return text, res, {"computation": comp}

    def _op_check_cagr(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        ends = self._endpoints(spec, pool)
        if ends is None or spec.stated is None:
            return None
        fa, fz = ends
        n = int(spec.periods[1]) - int(spec.periods[0])
        computed = ((fz.value / fa.value) ** (1 / n) - 1) * 100
        shown = format_value(computed, "", "%", digits=1)
        lo, hi = cagr_bounds(fa, fz, n)
        source = pool.stated(spec.targets[0], *spec.periods)
        ok = lo - 0.05 <= spec.stated <= hi + 0.05 or (
            source is not None and abs(source.value - spec.stated) < 0.05
        )
        stated = format_value(spec.stated, "", "%")
        formula = f"({display(fz)} ÷ {display(fa)})^(1/{n}) − 1 = {shown}"
        verdict = (
            ("正确" if ok else "不正确") if spec.language == "zh" else ("correct" if ok else "not correct")
        )
        text = (
            f"所述复合增长率{stated}{verdict}：按({display(fz)}{b.cite(fz)} ÷ {display(fa)}{b.cite(fa)})^(1/{n}) − 1 计算为{shown}。"
            if spec.language == "zh"
            else f"The stated CAGR {stated} is {verdict}: ({display(fz)} ÷ {display(fa)})^(1/{n}) − 1 = {shown} {b.cite(fz)}{b.cite(fa)}."
        )
        if source is not None:
            text += (
                f"原文所载为{display(source)}{b.cite(source)}。"
                if spec.language == "zh"
                else f" The source states {display(source)} {b.cite(source)}."
            )
        operands = [fa, fz, *([source] if source is not None else [])]
        comp = _computation(
            "check_cagr", formula, operands, b, shown, computed, extra_numbers=[stated, str(n)]
        )
        comp["verdict"] = ok
        return text, shown, {"computation": comp}

    def _op_series(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        points = pool.series(spec.targets[0], spec.unit_hint, spec.periods)
        if not points:
            return None
        cite = b.cite(points[0])
        items = "，".join(f"{_year(p.period)}{display(p)}" for p in points)
        label = points[0].label
        text = f"{label}：{items}{cite}。" if spec.language == "zh" else f"{label}: {items} {cite}."
        comp = _computation("series", items, points, b, items, None)
        return text, items, {"computation": comp, "chart": _line([points], _scale_for(points))}

    def _op_max(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder, lowest: bool = False
    ) -> tuple[str, str, dict[str, Any]] | None:
        points = pool.series(spec.targets[0], spec.unit_hint, spec.periods)
        if not points:
            return None
        pick = min(points, key=lambda p: p.value) if lowest else max(points, key=lambda p: p.value)
        word = (
            ("最低" if lowest else "最高") if spec.language == "zh" else ("lowest" if lowest else "highest")
        )
        text = (
            f"{pick.label}{word}的年份是{_year(pick.period)}，为{display(pick)}{b.cite(pick)}。"
            if spec.language == "zh"
            else f"{pick.label} is {word} in {_year_en(pick.period)}: {display(pick)} {b.cite(pick)}."
        )
        comp = _computation(
            "min" if lowest else "max", f"{word}: {pick.period}", points, b, display(pick), pick.value
        )
        return text, pick.period, {"computation": comp, "chart": _line([points], _scale_for(points))}

    def _op_min(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        return self._op_max(spec, pool, b, lowest=True)

    def _op_compare(
        self, spec: QuestionSpec, pool: FactPool, b: _Builder
    ) -> tuple[str, str, dict[str, Any]] | None:
        one = pool.series(spec.targets[0], spec.unit_hint, spec.periods)
        two = pool.series(spec.targets[1], spec.unit_hint, spec.periods)
        if not one or not two or one[0].label == two[0].label or one[0].unit != two[0].unit:
            return None
        lines = []
        for pts in (one, two):
            items = "，".join(f"{_year(p.period)}{display(p)}" for p in pts)
            lines.append(f"{pts[0].label}：{items}{b.cite(pts[0])}")
        text = "；".join(lines) + "。"
        comp = _computation("compare", text, [*one, *two], b, text, None)
        return text, text, {"computation": comp, "chart": _line([one, two], _scale_for([*one, *two]))}


def _in_billions(f: Fact) -> str:
    """8110亿元 → "811 billion yuan" for English answers (a unit conversion, shown as computed)."""
    if f.unit not in ("元", "美元") or abs(f.value) < 1e8:
        return ""
    currency = "yuan" if f.unit == "元" else "US dollars"
    return f"{format_value(f.value / 1e9, '', '', digits=2)} billion {currency}"


def _year(period: str) -> str:
    if not period:
        return ""
    core = period.rstrip("EF")
    return f"{core}年" + ("（E）" if period.endswith("E") else "")


def _year_en(period: str) -> str:
    return period.rstrip("EF") + (" (est.)" if period.endswith("E") else "")


def _computation(
    op: str,
    formula: str,
    operands: Sequence[Fact],
    b: _Builder,
    result_text: str,
    result: float | None,
    extra_numbers: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "operation": op,
        "formula": formula,
        "result": result,
        "result_text": result_text,
        "computed_numbers": [result_text, *extra_numbers],
        "operands": [
            {
                "label": f.label,
                "period": f.period,
                "value": f.value,
                "raw": display(f),
                "source": f.source,
                "chunk_id": f.chunk_id,
                "doc_id": f.doc_id,
            }
            for f in operands
        ],
    }


def _bar(facts: Sequence[Fact], scale: str) -> dict[str, Any]:
    factor = ZH_MAGNITUDES.get(scale, 1.0)
    unit = f"{scale}{facts[0].unit}" if facts else ""
    return {
        "type": "bar",
        "title": "",
        "unit": unit,
        "x": [f"{f.label} {f.period}".strip() for f in facts],
        "series": [{"name": unit or "value", "values": [round(f.value / factor, 4) for f in facts]}],
    }


def _line(groups: Sequence[Sequence[Fact]], scale: str) -> dict[str, Any]:
    factor = ZH_MAGNITUDES.get(scale, 1.0)
    periods = sorted({p.period for g in groups for p in g}, key=lambda s: s.rstrip("EF"))
    series = []
    for g in groups:
        by = {p.period: p.value / factor for p in g}
        series.append({"name": g[0].label, "values": [round(by[p], 4) if p in by else None for p in periods]})
    unit = f"{scale}{groups[0][0].unit}" if groups and groups[0] else ""
    return {
        "type": "line",
        "title": groups[0][0].label if groups else "",
        "unit": unit,
        "x": periods,
        "series": series,
    }
