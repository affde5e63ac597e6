"""A self-contained HTML report: no script, no external file, opens anywhere (and offline).

Sections: the recommendation, the per-configuration table with 95 % intervals, two inline SVG
plots (accuracy against cost per question and against p50 latency), accuracy per question
kind, the paired tests, and every failure with the evidence the answer cited.

>>> Path("report.html").write_text(render_html(report.to_dict()), encoding="utf-8")
"""

from __future__ import annotations

from html import escape
from typing import Any

_COLORS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4d7c0f", "#be185d")
_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}td{white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{background:#f5f5f5}.rec{background:#ecfdf5;border:1px solid #10b981;padding:10px 14px;border-radius:6px}
.plots{display:flex;gap:24px;flex-wrap:wrap}.fail{border:1px solid #eee;border-radius:6px;padding:8px 12px;margin:8px 0;font-size:13px}
.fail blockquote{margin:4px 0 4px 12px;color:#444;border-left:3px solid #ddd;padding-left:8px}.muted{color:#666;font-size:12px}
.best{font-weight:bold}
"""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _ci(ci: Any) -> str:
    lo, hi = ci
    return f"[{lo * 100:.1f}, {hi * 100:.1f}]"


def _scatter(configs: list[dict[str, Any]], key: str, title: str, unit: str) -> str:
    """An SVG scatter of accuracy (y, with its interval) against ``key`` (x)."""
    w, h, pad = 440, 280, 48
    xs = [float(c[key]) for c in configs]
    x_max = max(xs) * 1.15 if xs and max(xs) > 0 else 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{w}" height="{h}" fill="#fff"/>',
        f'<text x="{w / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="#333"/>',
        f'<line x1="{pad}" y1="24" x2="{pad}" y2="{h - pad}" stroke="#333"/>',
        f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle" font-size="11">{escape(unit)}</text>',
    ]
    for tick in (0, 25, 50, 75, 100):
        y = h - pad - (h - pad - 36) * tick / 100
        parts.append(f'<text x="{pad - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{tick}%</text>')
        parts.append(f'<line x1="{pad}" y1="{y:.1f}" x2="{w - 10}" y2="{y:.1f}" stroke="#eee"/>')
    for i in range(3):
        value = x_max * i / 2
        x = pad + (w - pad - 20) * i / 2
        parts.append(
            f'<text x="{x:.1f}" y="{h - pad + 14}" text-anchor="middle" font-size="10">{value:.4g}</text>'
        )
    placed: list[tuple[float, float]] = []

    def y_of(v: float) -> float:
        return h - pad - (h - pad - 36) * v

    for i, c in enumerate(configs):
        color = _COLORS[i % len(_COLORS)]
        x = pad + (w - pad - 20) * (float(c[key]) / x_max)
        label_y = y_of(c["accuracy"]) - 6
        while any(abs(x - px) < 60 and abs(label_y - py) < 11 for px, py in placed):
            label_y += 12  # points that coincide get their labels stacked, not overprinted
        placed.append((x, label_y))
        right = x + 8 + 6.5 * len(str(c["name"])) <= w  # near the right edge the label goes left
        label_x, anchor = (x + 8, "start") if right else (x - 8, "end")

        lo, hi = c["accuracy_ci"]
        parts.append(
            f'<line x1="{x:.1f}" y1="{y_of(lo):.1f}" x2="{x:.1f}" y2="{y_of(hi):.1f}" stroke="{color}"/>'
        )
        parts.append(f'<circle cx="{x:.1f}" cy="{y_of(c["accuracy"]):.1f}" r="5" fill="{color}"/>')
        parts.append(
            f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" font-size="11" fill="{color}">'
            f"{escape(c['name'])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _summary_table(configs: list[dict[str, Any]], best: str) -> str:
    head = (
        "<tr><th>配置 / config</th><th>准确率 / accuracy</th><th>95% CI</th><th>引文或短答 / quote-or-short</th>"
        "<th>正确拒答 / correct refusals</th><th>错误拒答 / wrong refusals</th><th>引用精度 / citation precision</th>"
        "<th>无据数字 / unsupported numbers</th><th>p50 ms</th><th>p95 ms</th><th>tokens</th>"
        "<th>成本/题 / cost per q</th><th>本地 / local</th></tr>"
    )
    rows = []
    for c in configs:
        cls = ' class="best"' if c["name"] == best else ""
        rows.append(
            f"<tr{cls}><td>{escape(c['name'])}</td><td>{_pct(c['accuracy'])}</td><td>{_ci(c['accuracy_ci'])}</td>"
            f"<td>{_pct(c['quote_or_short'])}</td><td>{c['correct_refusals']}/{c['unanswerable']}</td>"
            f"<td>{c['wrong_refusals']}/{c['n'] - c['unanswerable']}</td><td>{_pct(c['citation_precision'])}</td>"
            f"<td>{c['unsupported_numbers']}</td><td>{c['latency_p50_ms']}</td><td>{c['latency_p95_ms']}</td>"
            f"<td>{c['prompt_tokens'] + c['completion_tokens']}</td><td>{c['cost_per_question']:.6f}</td>"
            f"<td>{_pct(c['share_local'])}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _kind_table(configs: list[dict[str, Any]]) -> str:
    kinds = sorted({k for c in configs for k in c["by_kind"]})
    head = "<tr><th>类型 / kind</th>" + "".join(f"<th>{escape(c['name'])}</th>" for c in configs) + "</tr>"
    rows = []
    for k in kinds:
        cells = []
        for c in configs:
            row = c["by_kind"].get(k)
            cells.append(
                f"<td>{_pct(row['accuracy'])} <span class=muted>n={int(row['n'])}</span></td>"
                if row
                else "<td>—</td>"
            )
        rows.append(f"<tr><td>{escape(k)}</td>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _paired_table(paired: list[dict[str, Any]]) -> str:
    if not paired:
        return "<p class=muted>只有一个配置 / one configuration only</p>"
    head = (
        "<tr><th>A − B</th><th>差 / diff</th><th>95% CI</th><th>p (bootstrap)</th>"
        "<th>仅A对 / only A</th><th>仅B对 / only B</th><th>p (McNemar)</th></tr>"
    )
    rows = [
        f"<tr><td>{escape(p['a'])} − {escape(p['b'])}</td><td>{p['diff'] * 100:+.1f}</td>"
        f"<td>[{p['ci_low'] * 100:+.1f}, {p['ci_high'] * 100:+.1f}]</td><td>{p['p_bootstrap']}</td>"
        f"<td>{p['only_a']}</td><td>{p['only_b']}</td><td>{p['p_mcnemar']}</td></tr>"
        for p in paired
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def _failures(items: list[dict[str, Any]], limit: int) -> str:
    failed = [r for r in items if not r["grade"]["strict"]]
    out = []
    for r in failed[:limit]:
        gold = " | ".join(r["gold"]) or ("（应拒答 / should refuse）" if not r["answerable"] else "—")
        cites = (
            "".join(
                f"<blockquote>[{c['index']}] {escape(c['document'])}: {escape(c['text'][:400])}</blockquote>"
                for c in r["citations"]
            )
            or "<p class=muted>无引用 / no citation</p>"
        )
        note = (
            f" · unsupported numbers: {escape(', '.join(r['grade']['unsupported']))}"
            if r["grade"]["unsupported"]
            else ""
        )
        err = f" · error: {escape(r['error'])}" if r["error"] else ""
        out.append(
            f"<div class=fail><b>{escape(r['config'])}</b> · {escape(r['id'])} · {escape(r['kind'])} · "
            f"route {escape(r['route'])}{note}{err}<br>Q: {escape(r['question'])}<br>"
            f"标准答案 / gold: {escape(gold)}<br>回答 / answer: {escape(r['short_answer'] or r['answer'][:300])}"
            f"{cites}</div>"
        )
    more = (
        f"<p class=muted>另有 {len(failed) - limit} 条 / {len(failed) - limit} more</p>"
        if len(failed) > limit
        else ""
    )
    return "".join(out) + more


def render_html(report: dict[str, Any], max_failures: int = 200) -> str:
    """The report (``EvalReport.to_dict()``) as one HTML page."""
    configs = report["configs"]
    rec = report.get("recommendation") or {}
    best = rec.get("config", "")
    rec_html = (
        f"<div class=rec><b>推荐 / recommended: {escape(best)}</b><br>{escape(rec.get('reason_zh', ''))}"
        f"<br>{escape(rec.get('reason_en', ''))}</div>"
        if rec
        else ""
    )
    plots = (
        "<div class=plots>"
        + _scatter(
            configs, "cost_per_question", "准确率 vs 成本 / accuracy vs cost", "每题成本 / cost per question"
        )
        + _scatter(configs, "latency_p50_ms", "准确率 vs 延迟 / accuracy vs latency", "p50 ms")
        + "</div>"
    )
    title = f"智库评测 / zhiku evaluation — {report['kb']}"
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p class=muted>{escape(report['created_at'])} · {report['questions']} 题 / questions · "
        f"{escape(report.get('qa', ''))} · seed {report['seed']} · margin {report['margin_points']:g} pts</p>"
        f"{rec_html}<h2>配置对比 / configurations</h2>{_summary_table(configs, best)}"
        f"<h2>准确率与成本、延迟 / accuracy, cost and latency</h2>{plots}"
        f"<h2>按题型 / by kind</h2>{_kind_table(configs)}"
        f"<h2>配对检验 / paired tests</h2>{_paired_table(report.get('paired', []))}"
        f"<h2>错题与证据 / failures with evidence</h2>{_failures(report['items'], max_failures)}"
        "</body></html>"
    )
