"""BI commands: ``zhiku facts list|search`` and ``zhiku sql "SELECT ..."`` (read-only)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhiku.bi.store import FactStore
from zhiku.config import load_settings

console = Console()
KbOpt = Annotated[
    str | None,
    typer.Option(
        "--kb", help="知识库名称（省略时用唯一的那个）/ knowledge base name (default: the only one there is)"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]


def register(app: typer.Typer) -> None:
    facts_app = typer.Typer(help="数值事实 / numeric facts", no_args_is_help=True)
    facts_app.command("list")(facts_list)
    facts_app.command("search")(facts_search)
    app.add_typer(facts_app, name="facts")
    app.command("sql")(sql)


def _store(kb: str | None) -> FactStore:

    from zhiku.cli.core import kb_name

    s = load_settings()
    return FactStore(s.kb_dir(kb_name(kb, s)) / "facts.duckdb")


def _print_facts(text: str | None, period: str | None, limit: int, as_json: bool, kb: str | None) -> None:
    facts = _store(kb).facts(period=period, text=text, limit=limit)
    if as_json:
        for f in facts:
            print(
                json.dumps(
                    {
                        k: getattr(f, k)
                        for k in ("label", "period", "value", "unit", "raw", "source", "chunk_id")
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table("label", "period", "value", "source", "chunk")
    for f in facts:
        table.add_row(
            f.label,
            f.period,
            f.raw + ("" if f.source == "prose" else f"{f.scale}{f.unit}"),
            f.source,
            f.chunk_id,
        )
    console.print(table)


def facts_list(
    kb: KbOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="年份 / year, e.g. 2023")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数 / show at most this many")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """列出数值事实 / list numeric facts."""
    _print_facts(None, period, limit, as_json, kb)


def facts_search(
    text: Annotated[str, typer.Argument(help="关键词 / keyword")],
    kb: KbOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="年份 / year, e.g. 2023")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数 / show at most this many")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """按关键词搜索事实 / search facts by keyword."""
    _print_facts(text, period, limit, as_json, kb)


def sql(
    query: Annotated[str, typer.Argument(help="SELECT 语句 / a SELECT statement")],
    kb: KbOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="最多返回行数 / return at most this many rows")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """只读 SQL 查询 / read-only SQL over the KB's facts and tables."""
    from zhiku.bi.sql import SqlRunner

    s = load_settings()
    result = SqlRunner(
        _store(kb),
        limit=min(limit, s.bi.sql_limit),
        timeout_s=s.bi.sql_timeout_s,
        memory_mb=s.bi.sql_memory_mb,
        threads=s.bi.sql_threads,
    ).run(query)
    if as_json:
        for row in result.rows:
            print(json.dumps(dict(zip(result.columns, row, strict=True)), ensure_ascii=False, default=str))
        return
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)
