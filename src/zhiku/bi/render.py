"""Render an answer's chart spec to PNG and SVG with matplotlib, with a CJK font when one exists.

The spec is the one the web UI draws (``{"type": "bar"|"line", "x": [...], "series": [{"name",
"values"}], "unit", "title"}``), so CLI and UI show the same numbers.  Without a CJK font,
Chinese labels would render as boxes: we look for Noto/Source Han/WenQuanYi/SimHei fonts and,
failing that, still draw the chart (labels may show as boxes) rather than fail the answer.

>>> render_chart(answer.extra["chart"], Path("out.png"))
[PosixPath('out.png'), PosixPath('out.svg')]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
)


def cjk_font() -> str | None:
    """The first installed CJK font family, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


def render_chart(spec: dict[str, Any], out: Path) -> list[Path]:
    """Write ``out`` (PNG) and the same chart as SVG next to it; returns the written paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    params: dict[str, Any] = (
        {"font.sans-serif": [font, "DejaVu Sans"], "axes.unicode_minus": False} if font else {}
    )
    with plt.rc_context(params):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
        x = [str(v) for v in spec.get("x", [])]
        series = spec.get("series", [])
        if spec.get("type") == "bar":
            width = 0.8 / max(1, len(series))
            for i, s in enumerate(series):
                pos = [j + i * width for j in range(len(x))]
                ax.bar(pos, [v or 0 for v in s["values"]], width=width, label=s.get("name", ""))
            ax.set_xticks([j + width * (len(series) - 1) / 2 for j in range(len(x))], x)
        else:
            for s in series:
                ax.plot(x, s["values"], marker="o", label=s.get("name", ""))
        ax.set_title(spec.get("title", ""))
        ax.set_ylabel(spec.get("unit", ""))
        if len(series) > 1 or spec.get("type") == "line":
            ax.legend()
        fig.tight_layout()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        svg = out.with_suffix(".svg")
        fig.savefig(out.with_suffix(".png") if out.suffix.lower() != ".png" else out)
        fig.savefig(svg)
        plt.close(fig)
    png = out if out.suffix.lower() == ".png" else out.with_suffix(".png")
    return [png, svg]
