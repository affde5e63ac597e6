"""LLM-side commands: ``zhiku gate train|eval|predict`` and the ``zhiku chat`` REPL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhiku.errors import QueryError

console = Console()

DataOpt = Annotated[Path | None, typer.Option("--data", help="样本目录（每类一个 JSONL）/ examples folder")]
ModelOpt = Annotated[Path | None, typer.Option("--model", help="门控模型文件 / gate model file (.npz)")]


def register(app: typer.Typer) -> None:
    gate_app = typer.Typer(help="意图门控（专家路由）/ intent gate (expert routing)", no_args_is_help=True)
    gate_app.command("train")(gate_train)
    gate_app.command("eval")(gate_eval)
    gate_app.command("predict")(gate_predict)
    app.add_typer(gate_app, name="gate")
    app.command("chat")(chat)


def _print_eval(data: dict[str, object]) -> None:
    table = Table("class", "precision", "recall", "support")
    per_class = data["per_class"]
    assert isinstance(per_class, dict)
    for name, row in per_class.items():
        table.add_row(name, f"{row['precision']:.2f}", f"{row['recall']:.2f}", str(row["support"]))
    console.print(table)
    console.print(
        f"准确率 / accuracy: {data['accuracy']:.3f} (n={data['n']}), 按语言 / by language: {data['per_language']}"
    )


def gate_train(
    data: DataOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出模型 / output model file")] = None,
    held_out: Annotated[float, typer.Option(help="留出比例 / held-out share")] = 0.2,
    seed: Annotated[int, typer.Option()] = 13,
    c: Annotated[float, typer.Option("--c", help="正则化强度倒数 / inverse regularisation")] = 10.0,
    report: Annotated[
        Path | None, typer.Option("--report", help="评估结果 JSON / write evaluation JSON")
    ] = None,
) -> None:
    """训练门控并报告留出准确率 / train the gate and report held-out accuracy."""
    from zhiku.models.gate import data_dir, load_examples, repeated_holdout, train_and_evaluate

    examples = load_examples(data)
    model, evaluation = train_and_evaluate(examples, held_out=held_out, seed=seed, c=c)
    target = out or data_dir() / "gate_model.npz"
    model.save(target)
    repeated = repeated_holdout(examples, held_out=held_out, c=c)
    result = {
        "examples": len(examples),
        "per_class": {label: sum(1 for e in examples if e.label == label) for label in model.classes},
        "held_out": evaluation.to_dict(),
        "repeated_held_out": repeated,
        "model": target.name,
        "c": c,
        "seed": seed,
    }
    _print_eval(evaluation.to_dict())
    console.print(f"{repeated['splits']} 次划分 / splits: {repeated['mean']:.3f} ± {repeated['std']:.3f}")
    console.print(f"模型已保存 / model saved: {target}")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def gate_eval(
    data: DataOpt = None,
    model: ModelOpt = None,
    held_out: Annotated[
        bool, typer.Option("--held-out/--all", help="重训并在留出集上评估 / retrain, score held-out split")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """评估门控 / evaluate the gate (held-out split by default; --all scores a model on a labelled set)."""
    from zhiku.models.gate import Gate, evaluate_gate, load_examples, train_and_evaluate

    examples = load_examples(data)
    if held_out:
        _, evaluation = train_and_evaluate(examples)
    else:
        evaluation = evaluate_gate(Gate.load(model).model, examples)
    if as_json:
        print(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_eval(evaluation.to_dict())


def gate_predict(question: Annotated[str, typer.Argument()], model: ModelOpt = None) -> None:
    """对一个问题给出类别概率 / class probabilities of one question."""
    from zhiku.models.gate import Gate

    result = Gate.load(model).predict(question)
    for label, p in sorted(result.probs.items(), key=lambda kv: -kv[1]):
        console.print(f"{label:>13} {p:.3f} {'█' * round(p * 30)}")


def chat(
    kb: Annotated[str | None, typer.Option("--kb", help="知识库名称 / knowledge base name")] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="small_only|large_only|cascade|local_first")
    ] = None,
    trace: Annotated[bool, typer.Option("--trace", help="显示路由与耗时 / show route and timings")] = False,
) -> None:
    """多轮对话（/reset 清空，/exit 退出）/ multi-turn chat (/reset, /exit)."""
    from zhiku.answer.cascade import POLICIES
    from zhiku.answer.chat import Conversation
    from zhiku.cli.core import print_answer
    from zhiku.config import load_settings
    from zhiku.errors import parse_choice
    from zhiku.wiring import build_assistant, open_kb

    s = load_settings()
    if policy is not None:
        parse_choice(policy, POLICIES, "--policy")
    with open_kb(s, kb or s.default_kb) as base:
        assistant = build_assistant(base, s)
        rewriter = assistant.registry.get(s.llm.small) or assistant.registry.get(s.llm.large)
        if rewriter is not None and rewriter.remote and (base.local_only or s.llm.local_only):
            rewriter = None
        conversation = Conversation(assistant, rewriter=rewriter.llm if rewriter else None)
        console.print("智库对话：输入问题，/reset 清空上下文，/exit 退出 / zhiku chat: /reset, /exit")
        while True:
            try:
                line = console.input("[bold]> [/bold]").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if line in ("/exit", "/quit", "exit", "quit"):
                break
            if line == "/reset":
                conversation.reset()
                continue
            if not line:
                continue
            try:
                answer = conversation.ask(line, policy=policy)
            except QueryError as exc:
                console.print(f"[red]{exc}[/red]")
                continue
            print_answer(answer, trace)
