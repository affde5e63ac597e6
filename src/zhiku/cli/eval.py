"""``zhiku eval run|generate|list`` — measure configurations on your own documents."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhiku.cli.core import JsonOpt, KbOpt, kb_name, open_kb, settings
from zhiku.errors import NotFoundError, QueryError

console = Console()
err = Console(stderr=True)


class _QuietRecovery(logging.Filter):
    """pymilvus keeps pinging Milvus Lite servers of KB copies an evaluation already closed and
    logs each failed reconnect with a traceback; on a terminal that buries the table.  Only
    that message is dropped, and only by ``zhiku eval``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Connection recovery failed" not in record.getMessage()


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(help="评测 / evaluation: 选出够用且最便宜的配置", no_args_is_help=True)
    eval_app.command("run")(run)
    eval_app.command("generate")(generate)
    eval_app.command("list")(list_cmd)
    app.add_typer(eval_app, name="eval")


def run(
    qa: Annotated[Path, typer.Option("--qa", help="问答集 JSONL / QA set (JSON Lines)")],
    kb: KbOpt = None,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            "-c",
            help="配置：TOML 文件或 节.键=值,… / config: TOML file or section.key=value,… (repeat)",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="JSON 报告 / JSON report")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="HTML 报告 / HTML report")] = None,
    margin: Annotated[
        float, typer.Option("--margin", help="可接受的准确率差（百分点）/ accuracy margin in points")
    ] = 2.0,
    seed: Annotated[int, typer.Option("--seed", help="自助法随机种子 / bootstrap seed")] = 0,
    limit: Annotated[int | None, typer.Option("--limit", help="只评前 N 题 / first N questions only")] = None,
    as_json: JsonOpt = False,
) -> None:
    """用同一批问题评测多个配置 / run the same questions through each configuration."""
    from zhiku.eval.configs import load_config
    from zhiku.eval.runner import run_eval
    from zhiku.eval.scoring import load_qa
    from zhiku.eval.store import save_report

    s = settings()
    name = kb_name(kb, s)
    quiet = logging.getLogger("pymilvus.client.connection_manager")
    if not any(isinstance(f, _QuietRecovery) for f in quiet.filters):
        quiet.addFilter(_QuietRecovery())
    if not qa.is_file():
        raise NotFoundError(f"问答文件不存在：{qa}", f"QA file not found: {qa}")
    items = load_qa(qa)[:limit] if limit else load_qa(qa)
    if not items:
        raise QueryError(f"问答文件为空：{qa}", f"the QA file is empty: {qa}")
    configs = [load_config(c) for c in config or ["base"]]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(cfg: str, done: int, total: int) -> None:
            if cfg not in tasks:
                tasks[cfg] = bar.add_task(f"评测 / eval {cfg}", total=total)
            bar.update(tasks[cfg], completed=done)

        report = run_eval(
            s, name, items, configs, seed=seed, margin_points=margin, qa_name=qa.name, progress=progress
        )
    data = report.to_dict()
    rid = save_report(s.home, name, data)
    if out:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    if html:
        from zhiku.eval.report_html import render_html

        html.write_text(render_html(data), encoding="utf-8")
    if as_json:
        print(
            json.dumps(
                {k: v for k, v in data.items() if k != "items"} | {"id": rid}, ensure_ascii=False, indent=1
            )
        )
        return
    _print_table(data)
    console.print(f"[dim]报告 / report: {rid} ({s.home / 'eval' / name})[/dim]")


def _print_table(data: dict[str, object]) -> None:
    configs = data["configs"]
    assert isinstance(configs, list)
    table = Table(title=f"评测 / evaluation — {data['kb']} ({data['questions']} 题 / questions)")
    table.caption = (
        "acc=严格短答准确率 strict accuracy · refusals ok=不可答题正确拒答 · wrong refusal=可答题被拒 · "
        "citation=引用含答案 · unsupp.=无据数字 · local=本地作答 answered locally"
    )
    for col in ("config", "acc", "95% CI", "quote/short", "refusals ok", "wrong refusal", "citation",
                "unsupp.", "p50/p95 ms", "tokens", "cost/q", "local"):  # fmt: skip
        table.add_column(col, justify="left" if col == "config" else "right", overflow="fold")
    for c in configs:
        lo, hi = c["accuracy_ci"]
        cite = "—" if c["citation_precision"] is None else f"{c['citation_precision'] * 100:.1f}%"
        table.add_row(
            c["name"],
            f"{c['accuracy'] * 100:.1f}%",
            f"{lo * 100:.1f}–{hi * 100:.1f}",
            f"{c['quote_or_short'] * 100:.1f}%",
            f"{c['correct_refusals']}/{c['unanswerable']}",
            f"{c['wrong_refusals']}/{c['n'] - c['unanswerable']}",
            cite,
            str(c["unsupported_numbers"]),
            f"{c['latency_p50_ms']:.0f}/{c['latency_p95_ms']:.0f}",
            str(c["prompt_tokens"] + c["completion_tokens"]),
            f"{c['cost_per_question']:.6f}",
            f"{c['share_local'] * 100:.0f}%",
        )
    console.print(table)
    rec = data.get("recommendation")
    if isinstance(rec, dict):
        console.print(f"[bold green]推荐 / recommended: {rec['config']}[/bold green]")
        console.print(rec["reason_zh"])
        console.print(rec["reason_en"])


def generate(
    out: Annotated[Path, typer.Option("--out", help="输出 JSONL / output file")],
    kb: KbOpt = None,
    n: Annotated[int, typer.Option("-n", "--n", help="题目数 / number of questions", min=1)] = 200,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / seed")] = 0,
    llm: Annotated[
        str | None, typer.Option("--llm", help="也让该模型出题 / also let this named model write questions")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """从知识库生成问答集 / generate a QA set from the knowledge base."""
    from collections import Counter

    from zhiku.eval.generate import QAGenerator
    from zhiku.models.registry import ModelRegistry

    with open_kb(kb) as base:
        model = None
        if llm:
            named = ModelRegistry.from_settings(base.settings.llm).get(llm)
            if named is None:
                raise NotFoundError(f"未配置模型：{llm}", f"model not configured: {llm}", model=llm)
            model = named.llm
        with console.status("生成中 / generating…", spinner="dots") if not as_json else _null():
            items = QAGenerator(base, seed=seed, llm=model).run(n)
    out.write_text(
        "".join(json.dumps(i.to_dict(), ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
    )
    kinds = Counter(i.kind for i in items)
    if as_json:
        print(json.dumps({"out": str(out), "items": len(items), "kinds": dict(kinds)}, ensure_ascii=False))
        return
    console.print(f"已生成 / generated {len(items)} → {out}")
    console.print(", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    if len(items) < n:
        console.print(
            f"[yellow]知识库只够生成 {len(items)} 题 / the KB yields only {len(items)} items[/yellow]"
        )


def list_cmd(kb: KbOpt = None, as_json: JsonOpt = False) -> None:
    """列出已保存的评测报告 / list saved evaluation reports."""
    from zhiku.eval.store import list_reports

    s = settings()
    rows = list_reports(s.home, kb_name(kb, s))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table("id", "questions", "configs", "recommended")
    for r in rows:
        table.add_row(r["id"], str(r["questions"]), ", ".join(r["configs"]), r["recommended"])
    console.print(table)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
