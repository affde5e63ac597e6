"""``zhiku reader train``: fit the small reader's scorer on machine-reading training files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

_DEFAULT_DATA = [
    Path("../shared/bench/train/mrc_train_zh.jsonl"),
    Path("../shared/bench/train/mrc_train_en.jsonl"),
]


def register(app: typer.Typer) -> None:
    reader = typer.Typer(help="小模型阅读器 / the small reader", no_args_is_help=True)
    reader.command("train")(reader_train)
    app.add_typer(reader, name="reader")


def reader_train(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data", help="训练文件 JSONL（可多次；勿用评测集）/ training file(s), never a dev set"
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="模型目录；缺省为包内模型 / model folder; default: the shipped one"),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, max=10, help="交叉验证折数 / CV folds")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 13,
    limit: Annotated[
        int | None, typer.Option("--limit", min=10, help="最多问题数 / at most N questions")
    ] = None,
    rounds: Annotated[
        int, typer.Option("--rounds", min=1, max=5000, help="提升轮数 / boosting rounds")
    ] = 500,
    picker: Annotated[
        str,
        typer.Option(
            "--picker",
            help="谁选简短答案：rules（规则，模型只判断）、learned（排序模型）、select（二者中可信者）/ "
            "who picks the short answer: rules (the model only judges), learned (the ranker), select",
        ),
    ] = "select",
    retrieval: Annotated[
        str,
        typer.Option(
            "--retrieval",
            help="训练段落的来源：retrieved（在全部训练段落的知识库中检索，如实际使用）或 article（同文章段落）/ "
            "passages shown per question: retrieved (searched in a KB of all training paragraphs, as "
            "served) or article (same-article paragraphs)",
        ),
    ] = "article",
    keyword_share: Annotated[
        float,
        typer.Option(
            "--keyword-share",
            min=0.0,
            max=1.0,
            help="改写为关键词查询的中文问题比例 / share of Chinese questions asked as keyword queries",
        ),
    ] = 0.0,
    kb_home: Annotated[
        Path | None,
        typer.Option("--kb-home", help="训练知识库目录（可复用）/ where the training KB is kept (reusable)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """训练阅读器评分模型 / train the reader's scorer (candidates → features → calibrated model)."""
    from zhiku.answer.reading.scorer import default_dir
    from zhiku.answer.reading.train import TrainConfig, train_reader

    if picker not in ("rules", "learned", "select"):
        err.print(
            f"--picker 只能是 rules、learned 或 select / --picker must be rules, learned or select: {picker}"
        )
        raise typer.Exit(2)
    if retrieval not in ("retrieved", "article"):
        err.print(
            f"--retrieval 只能是 retrieved 或 article / --retrieval must be retrieved or article: {retrieval}"
        )
        raise typer.Exit(2)
    paths = data or [p for p in _DEFAULT_DATA if p.is_file()]
    if not paths:
        err.print("没有训练文件（--data）/ no training file given (--data)")
        raise typer.Exit(2)
    cfg = TrainConfig(
        paths=paths,
        out=out or default_dir(),
        folds=folds,
        seed=seed,
        limit=limit,
        rounds=rounds,
        picker=picker,
        retrieval=retrieval,
        keyword_share=keyword_share,
        kb_home=kb_home,
    )
    record = train_reader(cfg, log=(lambda _: None) if as_json else (lambda m: err.print(m)))
    summary = {
        "out": str(cfg.out),
        "threshold": record["threshold"],
        "cv": record["cv"],
        "data": record["data"],
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    cv = record["cv"]
    console.print(
        f"模型已写入 / model written to {cfg.out}\n"
        f"交叉验证 / CV: top-1 {cv['top1_accuracy']:.3f}, short precision {cv['short_precision']:.3f} "
        f"at coverage {cv['short_coverage']:.3f}, ECE {cv['ece']:.3f}; threshold {record['threshold']:.3f}"
    )
