"""``zhiku feedback``: the verdicts users gave in the web UI and API, as test cases.

zhiku feedback export --kb demo --out failures.jsonl   # thumbs-down items as QA JSON Lines
zhiku feedback list --kb demo
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from zhiku.server.feedback import FeedbackStore

console = Console()


def register(app: typer.Typer) -> None:
    feedback_app = typer.Typer(
        help="用户反馈（点赞/点踩）/ user feedback (thumbs up/down)", no_args_is_help=True
    )
    feedback_app.command("export")(export)
    feedback_app.command("list")(list_items)
    app.add_typer(feedback_app, name="feedback")


def _store() -> FeedbackStore:
    from zhiku.config import load_settings
    from zhiku.server.conversations import db_path
    from zhiku.server.feedback import FeedbackStore

    return FeedbackStore(db_path(load_settings().home))


def export(
    out: Annotated[Path, typer.Option("--out", help="输出的 JSONL 文件 / output JSON Lines file")],
    kb: Annotated[str, typer.Option("--kb", help="知识库名称 / knowledge base name")],
) -> None:
    """把点踩的回答导出为问答测试集 / export thumbs-down answers as a QA test set (JSONL)."""
    from zhiku.server.feedback import export_qa

    count = export_qa(_store(), kb, out)
    console.print(f"已导出 {count} 条 / exported {count} items → {out}")


def list_items(
    kb: Annotated[str | None, typer.Option("--kb", help="知识库名称 / knowledge base name")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """列出反馈 / list feedback."""
    items = _store().list(kb=kb)
    if as_json:
        print(json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2))
        return
    for item in items:
        mark = "👍" if item.rating == "up" else "👎"
        note = f" — {item.comment}" if item.comment else ""
        console.print(f"{mark} [{item.kb}] {item.question}{note}")
