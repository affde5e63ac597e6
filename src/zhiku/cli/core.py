"""Core commands: ``kb``, ``ingest``, ``search``, ``ask``, ``demo``."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhiku.bi.chart_intent import wants_chart
from zhiku.config import Settings, check_kb_name, load_settings
from zhiku.errors import ConfigError, NotFoundError, QueryError
from zhiku.kb import KnowledgeBase
from zhiku.kbs import delete_kb, list_kbs
from zhiku.types import Answer, AskRequest, IngestEvent, IngestReport, SearchFilters
from zhiku.understand.lang import detect_language

console = Console()
err = Console(stderr=True)

KbOpt = Annotated[
    str | None,
    typer.Option(
        "--kb", help="知识库名称（省略时用唯一的那个）/ knowledge base name (default: the only one there is)"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]


def settings() -> Settings:
    return load_settings()


def kb_name(name: str | None, s: Settings) -> str:
    """The knowledge base a command works on when ``--kb`` may be left out.

    ``--kb`` wins, then a configured ``default_kb``; otherwise the only knowledge base there is
    (or the one named ``default``).  With none, or several and no way to choose, the error lists
    what exists and what to type, rather than failing on a name the user never gave.
    """
    if name:
        return name
    if "default_kb" in s.model_fields_set:
        return s.default_kb
    names = list_kbs(s)
    if len(names) == 1:
        return names[0]
    if s.default_kb in names:
        return s.default_kb
    if not names:
        raise NotFoundError(
            "还没有知识库；先导入文档：zhiku ingest PATH --kb NAME --create",
            "no knowledge bases yet; ingest some documents first: zhiku ingest PATH --kb NAME --create",
        )
    listed = ", ".join(names)
    raise ConfigError(
        f"有多个知识库，请用 --kb 选择一个：{listed}",
        f"there are several knowledge bases; choose one with --kb: {listed}",
    )


def missing_kb_error(name: str, s: Settings) -> NotFoundError:
    """A missing knowledge base, with the ones that exist and how to create it."""
    names = list_kbs(s)
    listed = ", ".join(names)
    return NotFoundError(
        f"知识库不存在：{name}；现有知识库：{listed or '无'}；要新建请加 --create",
        f"knowledge base not found: {name}; existing knowledge bases: {listed or 'none'}; "
        "add --create to create it",
        name=name,
    )


def open_kb(name: str | None, *, create: bool = False) -> KnowledgeBase:
    """Open ``--kb`` (resolved as :func:`kb_name` says); ``create`` makes it when it is missing."""
    from zhiku import wiring

    s = settings()
    if create:
        first = not name and not list_kbs(s)  # the very first knowledge base: `default`
        return wiring.open_or_create_kb(s, s.default_kb if first else kb_name(name, s))
    kb = kb_name(name, s)
    if check_kb_name(kb) not in list_kbs(s):
        raise missing_kb_error(kb, s)
    return wiring.open_kb(s, kb)


def register(app: typer.Typer) -> None:
    kb_app = typer.Typer(help="管理知识库 / manage knowledge bases", no_args_is_help=True)
    kb_app.command("create")(kb_create)
    kb_app.command("list")(kb_list)
    kb_app.command("info")(kb_info)
    kb_app.command("delete")(kb_delete)
    kb_app.command("remove")(kb_remove)
    kb_app.command("rebuild")(kb_rebuild)
    kb_app.command("docs")(kb_docs)
    app.add_typer(kb_app, name="kb")
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("ask")(ask)
    app.command("demo")(demo)


# -- kb ------------------------------------------------------------------------
def kb_create(
    name: Annotated[str, typer.Argument(help="名称 / name")],
    local_only: Annotated[
        bool, typer.Option("--local-only", help="内容永不发送给远程模型 / never sent to remote models")
    ] = False,
) -> None:
    """创建知识库 / create a knowledge base."""
    from zhiku.wiring import create_kb

    with create_kb(settings(), name, local_only=local_only) as kb:
        console.print(f"已创建 / created: [bold]{kb.name}[/bold] ({kb.path})")


def kb_list(as_json: JsonOpt = False) -> None:
    """列出知识库 / list knowledge bases."""
    s = settings()
    names = list_kbs(s)
    if as_json:
        print(json.dumps(names, ensure_ascii=False))
        return
    if not names:
        console.print("还没有知识库 / no knowledge bases yet: zhiku kb create NAME")
    for name in names:
        console.print(name)


def kb_info(
    name: Annotated[
        str | None,
        typer.Argument(
            help="知识库名称（省略时见 --kb 的规则）/ knowledge base name (see --kb when left out)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """知识库概况 / knowledge base summary."""
    with open_kb(name) as kb:
        info = kb.info()
    if as_json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False)
    for key, value in info.items():
        table.add_row(key, str(value))
    console.print(table)


def kb_docs(
    name: Annotated[
        str | None,
        typer.Argument(
            help="知识库名称（省略时见 --kb 的规则）/ knowledge base name (see --kb when left out)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出文档 / list documents."""
    with open_kb(name) as kb:
        docs = kb.documents()
    if as_json:
        print(json.dumps([d.__dict__ for d in docs], ensure_ascii=False, indent=2))
        return
    table = Table("doc_id", "title", "format", "pages", "chunks", "status")
    for d in docs:
        table.add_row(d.doc_id, d.title[:40], d.format, str(d.pages), str(d.chunks), d.status)
    console.print(table)


def kb_delete(
    name: Annotated[str, typer.Argument(help="要删除的知识库 / knowledge base to delete")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认 / do not ask")] = False,
) -> None:
    """删除整个知识库 / delete a whole knowledge base."""
    if not yes and not typer.confirm(f"删除知识库 {name}？/ delete knowledge base {name}?"):
        raise typer.Exit(1)
    delete_kb(settings(), name)
    console.print(f"已删除 / deleted: {name}")


def kb_remove(
    doc: Annotated[str, typer.Argument(help="文档 id、路径或标题 / document id, path or title")],
    kb: KbOpt = None,
) -> None:
    """从知识库删除一个文档（所有索引）/ remove a document everywhere."""
    with open_kb(kb) as base:
        removed = base.remove(doc)
    for record in removed:
        console.print(f"已删除 / removed: {record.doc_id} {record.title}")


def kb_rebuild(
    name: Annotated[
        str | None,
        typer.Argument(
            help="知识库名称（省略时见 --kb 的规则）/ knowledge base name (see --kb when left out)"
        ),
    ] = None,
) -> None:
    """从目录重建所有索引 / rebuild all indexes from the catalog."""
    started = time.perf_counter()
    with open_kb(name) as kb:
        kb.rebuild()
        console.print(
            f"已重建 / rebuilt {kb.name}: {kb.catalog.count_chunks()} chunks, {time.perf_counter() - started:.1f}s"
        )


# -- ingest --------------------------------------------------------------------
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文件或目录 / files or directories")],
    kb: KbOpt = None,
    create: Annotated[
        bool, typer.Option("--create", help="知识库不存在时新建 / create the knowledge base if it is missing")
    ] = False,
    local_only: Annotated[
        bool, typer.Option("--local-only", help="这些文档只用本地模型 / local models only")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """导入文档（增量；新知识库加 --create）/ ingest documents (incremental; --create for a new KB)."""
    with open_kb(kb, create=create) as base:
        report = _ingest_with_progress(base, paths, local_only, quiet=as_json)
    if as_json:
        print(json.dumps(_report_dict(report), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if report.failed:
        raise typer.Exit(4)


def _ingest_with_progress(
    kb: KnowledgeBase, paths: list[Path], local_only: bool, quiet: bool
) -> IngestReport:
    if quiet or not sys.stderr.isatty():
        return kb.ingest(paths, local_only=local_only)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("导入 / ingesting", total=None)

        def tick(event: IngestEvent) -> None:
            name = Path(event.path).name[:40]
            page = (
                f" 第 {event.page}/{event.pages} 页 / page {event.page}/{event.pages}" if event.pages else ""
            )
            progress.update(task, total=event.total, completed=event.done, description=name + page)

        return kb.ingest(paths, tick, local_only=local_only)


def _report_dict(report: IngestReport) -> dict[str, Any]:
    return {
        "run_id": report.run_id,
        "seconds": round(report.seconds, 3),
        "chunks": report.chunks,
        "files": [f.__dict__ for f in report.files],
    }


def _print_report(report: IngestReport) -> None:
    table = Table("file", "status", "docs", "chunks", "error / warnings")
    colours = {"failed": "red", "added": "green", "updated": "yellow", "unchanged": "dim"}
    for f in report.files:
        note = f.error or "; ".join(f.warnings)
        table.add_row(
            Path(f.path).name,
            f"[{colours.get(f.status, '')}]{f.status}",
            str(f.documents),
            str(f.chunks),
            escape(note[:120]),
        )
    console.print(table)
    console.print(
        f"{len(report.files)} 个文件 / files, {report.chunks} 个片段 / chunks, "
        f"{len(report.failed)} 个失败 / failed, {report.seconds:.1f}s"
    )


# -- search and ask ----------------------------------------------------------------
def search(
    query: Annotated[str, typer.Argument(help="检索词或问题 / search words or a question")],
    kb: KbOpt = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="返回片段数 / number of chunks to return")] = 5,
    fmt: Annotated[
        list[str] | None, typer.Option("--format", help="只搜这些格式 / only these formats")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """检索片段 / retrieve chunks."""
    with open_kb(kb) as base:
        hits = base.search(query, top_k=top_k, filters=SearchFilters(formats=tuple(fmt or ())))
    if as_json:
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
        return
    for rank, hit in enumerate(hits, start=1):
        scores = " ".join(f"{k}={v:.3f}" for k, v in hit.scores.items())
        console.print(
            f"[bold]{rank}. {escape(hit.title)}[/bold] p.{hit.page} [dim]{hit.chunk_id} {scores}[/dim]"
        )
        console.print("   " + escape(hit.text[:200].replace("\n", " ")))


def ask(
    question: Annotated[
        str | None, typer.Argument(help="问题（中文或英文）/ the question, Chinese or English")
    ] = None,
    kb: KbOpt = None,
    questions: Annotated[Path | None, typer.Option("--questions", help="JSONL 批量问题 / batch file")] = None,
    top_k: Annotated[
        int | None,
        typer.Option(
            "--top-k",
            "-k",
            help="检索的证据片段数（默认按配置）/ evidence chunks to retrieve (default: settings)",
        ),
    ] = None,
    trace: Annotated[bool, typer.Option("--trace", help="显示路由与耗时 / show route and timings")] = False,
    as_json: JsonOpt = False,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="图表保存到此文件（PNG，另存 SVG）；问题里说“画图/plot”时默认存到当前目录 / "
            "save the chart here (PNG, plus SVG); asking to 'plot' saves it in the current folder",
        ),
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="small_only|large_only|cascade|local_first")
    ] = None,
) -> None:
    """提问（带引用）/ ask a question (cited answer)."""
    from zhiku.wiring import build_assistant

    if question is None and questions is None:
        raise QueryError("请给出问题或 --questions 文件", "give a question or --questions FILE")
    s = settings()
    with open_kb(kb) as base:
        assistant = build_assistant(base, s)
        for q in [question] if question is not None else _read_questions(questions):
            answer = assistant.ask(AskRequest(q, language=detect_language(q), top_k=top_k, policy=policy))
            target = chart if chart is not None else (default_chart_path(q) if wants_chart(q) else None)
            drawn = draw_chart(answer, target) if target is not None else None
            if as_json:
                data = answer.to_dict()
                if target is not None:
                    data["chart_file"] = str(drawn) if drawn else None
                print(json.dumps(data, ensure_ascii=False), flush=True)
                continue
            print_answer(answer, trace)
            if target is not None:
                print_chart_result(answer, drawn)


def default_chart_path(question: str) -> Path:
    """Where a chart asked for in words goes without ``--chart``: the working folder, one per question."""
    digest = hashlib.sha1(question.encode("utf-8")).hexdigest()[:8]
    return Path.cwd() / f"zhiku-chart-{digest}.png"


def draw_chart(answer: Answer, target: Path) -> Path | None:
    """Render the answer's chart to ``target`` (PNG, plus SVG beside it); None when it has none."""
    spec = answer.extra.get("chart")
    if not spec:
        return None
    from zhiku.bi.render import render_chart

    return render_chart(spec, target)[0].resolve()


def print_chart_result(answer: Answer, drawn: Path | None) -> None:
    if drawn is not None:
        console.print(f"图表已保存 / chart saved: {drawn} (+ .svg)", soft_wrap=True)
        return
    why_zh, why_en = (
        ("没有找到可画的数据", "no data to draw was found")
        if not answer.found
        else (
            "答案不是一组可画的数字（例如 2020—2028 年各年的规模）",
            "the answer is not a series of numbers to plot (e.g. the size in each year 2020–2028)",
        )
    )
    console.print(f"[yellow]未生成图表 / no chart:[/yellow] {why_zh} / {why_en}", soft_wrap=True)


def _read_questions(path: Path | None) -> list[str]:
    assert path is not None
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise QueryError(
                f"第 {number} 行不是 JSON", f"line {number} is not JSON", file=str(path)
            ) from exc
        text = row.get("question") if isinstance(row, dict) else row
        if not isinstance(text, str) or not text.strip():
            raise QueryError(f"第 {number} 行缺少 question", f"line {number} has no question", file=str(path))
        out.append(text)
    return out


def print_answer(answer: Answer, trace: bool = False) -> None:
    colour = "green" if answer.found else "yellow"
    # document text is data, not markup: "[AI芯片]" in an answer must print as written
    console.print(f"[bold]问 / Q:[/bold] {escape(answer.question)}")
    console.print(f"[bold {colour}]答 / A:[/bold {colour}] {escape(answer.answer)}")
    for c in answer.citations:
        page = f" p.{c.page}" if c.page else ""
        quote = escape(f"[{c.index}] {c.document}{page} ({c.chunk_id}): {c.text[:120]}")
        console.print(f"  [dim]{quote}[/dim]")
    console.print(
        f"  [dim]route={answer.route} confidence={answer.confidence:.2f} {answer.latency_ms:.0f} ms[/dim]"
    )
    if trace:
        console.print_json(json.dumps(answer.trace.to_dict(), ensure_ascii=False))


# -- demo ------------------------------------------------------------------------
def demo(
    examples: Annotated[Path, typer.Option(help="示例文档目录 / examples folder")] = Path("examples"),
    kb: Annotated[
        str, typer.Option("--kb", help="示例知识库名称 / name of the sample knowledge base")
    ] = "demo",
    questions: Annotated[
        Path | None, typer.Option("--questions", help="示例问题 JSONL / sample questions")
    ] = None,
) -> None:
    """用 examples/ 构建示例知识库并提问 / build the sample KB from examples/ and ask questions."""
    from zhiku.wiring import build_assistant, open_or_create_kb

    s = settings()
    if not examples.is_dir():
        raise QueryError(f"示例目录不存在：{examples}", f"examples folder not found: {examples}")
    console.rule("智库 zhiku demo")
    with open_or_create_kb(s, kb) as base:
        report = _ingest_with_progress(base, [examples], False, quiet=False)
        _print_report(report)
        assistant = build_assistant(base, s)
        sample = _read_questions(questions or Path(str(files("zhiku") / "data" / "demo_questions.jsonl")))
        for q in sample:
            console.rule()
            print_answer(assistant.ask(AskRequest(q, language=detect_language(q))))
    console.rule()
    console.print(f'知识库位置 / KB at: {s.kb_dir(kb)} — 试试 / try: zhiku ask --kb {kb} "..."')
