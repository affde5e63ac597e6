"""The ``zhiku`` command as a new user meets it, run as a separate process through the real entry
point: usage errors, ``--version``, help texts, which knowledge base a command uses, charts.

Each case checks the exit code and the message a person reads (Chinese and English).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from zhiku.cli import build_app
from zhiku.config import Settings
from zhiku.kbs import list_kbs

pytestmark = pytest.mark.integration

SERIES_DOC = """# NOVA市场

NOVA市场规模逐年扩大。

| 指标 | 2020 | 2021 | 2022 | 2023 | 2024 |
|---|---|---|---|---|---|
| NOVA市场规模（亿元） | 12 | 19 | 31 | 47 | 70 |

2023年NOVA市场规模为47亿元。
"""


def zhiku(*args: str, cwd: Path | None = None, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``zhiku`` script (the console entry point), else the same ``main``."""
    script = Path(sys.executable).with_name("zhiku")
    command = (
        [str(script)] if script.is_file() else [sys.executable, "-c", "from zhiku.cli import main; main()"]
    )
    env = {**os.environ, "ZHIKU_INDEX__EMBEDDER": "hashing", "COLUMNS": "200", "NO_COLOR": "1"}
    if home is not None:
        env["ZHIKU_HOME"] = str(home)
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False
    )


def ingest_doc(folder: Path, kb: str, home: Path | None = None) -> None:
    doc = folder / f"{kb}.md"
    doc.write_text(SERIES_DOC, encoding="utf-8")
    done = zhiku("ingest", str(doc), "--kb", kb, "--create", "--json", home=home)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def chart_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One knowledge base with a yearly series, shared by the chart tests (ingesting costs seconds)."""
    folder = tmp_path_factory.mktemp("charts")
    ingest_doc(folder, "charts", home=folder / "home")
    return folder / "home"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("asdf",), "No such command 'asdf'"),
        (("ask", "--bogus", "问题"), "No such option: --bogus"),
        (("kb", "lst"), "No such command 'lst'"),
        (("search",), "Missing argument"),
    ],
)
def test_usage_errors_print_the_short_usage_and_exit_2(
    settings: Settings, args: tuple[str, ...], says: str
) -> None:
    done = zhiku(*args)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Usage: zhiku" in done.stderr and "--help" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_version(settings: Settings) -> None:
    done = zhiku("--version")
    assert done.returncode == 0
    assert re.fullmatch(r"zhiku \d+\.\d+\S*\n", done.stdout)


def test_every_option_and_argument_has_help_and_no_type_placeholders(settings: Settings) -> None:
    missing = []

    def walk(command: object, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
            return
        missing.extend(
            f"{' '.join(path)} {p.name}"
            for p in command.params  # type: ignore[attr-defined]
            if not getattr(p, "help", None)
        )

    walk(typer.main.get_command(build_app()), ["zhiku"])
    assert missing == []
    text = zhiku("ingest", "--help").stdout
    assert "--create" in text and "--json" in text and "<bool>" not in text, text
    runner = CliRunner()
    for args in (("ask",), ("gate", "eval"), ("kb", "info"), ()):
        text = runner.invoke(build_app(), [*args, "--help"]).output
        assert "--help" in text and "<bool>" not in text, text


def test_ingest_into_a_missing_kb_fails_and_lists_the_existing_ones(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_doc(tmp_path, "report")
    doc = tmp_path / "report.md"
    done = zhiku("ingest", str(doc), "--kb", "reprot")
    assert done.returncode == 3
    assert "知识库不存在：reprot" in done.stderr and "knowledge base not found: reprot" in done.stderr
    assert "report" in done.stderr.replace("reprot", "") and "--create" in done.stderr
    assert list_kbs(settings) == ["report"]  # the typo created nothing


def test_which_kb_a_command_uses_when_kb_is_left_out(settings: Settings, tmp_path: Path) -> None:
    none = zhiku("ask", "NOVA市场规模是多少？")
    assert none.returncode == 3
    assert (
        "还没有知识库" in none.stderr
        and "no knowledge bases yet" in none.stderr
        and "--create" in none.stderr
    )

    ingest_doc(tmp_path, "only")
    one = zhiku("ask", "2023年NOVA市场规模是多少？", "--json")
    assert one.returncode == 0, one.stderr
    assert "47" in json.loads(one.stdout)["answer"]

    ingest_doc(tmp_path, "second")
    several = zhiku("ask", "2023年NOVA市场规模是多少？")
    assert several.returncode == 2
    assert "请用 --kb 选择" in several.stderr and "choose one with --kb" in several.stderr
    assert "only" in several.stderr and "second" in several.stderr


@pytest.mark.parametrize(
    "question",
    [
        "2020年到2024年NOVA市场规模，请画图",
        "画出NOVA市场规模的趋势",
        "Draw a chart of the NOVA market size from 2020 to 2024",
        "Plot the NOVA market size over the years",
    ],
)
def test_a_chart_asked_for_in_words_is_drawn_and_its_path_reported(
    chart_home: Path, tmp_path: Path, question: str
) -> None:
    done = zhiku("ask", question, cwd=tmp_path, home=chart_home)
    assert done.returncode == 0, done.stderr
    match = re.search(r"chart saved: (\S+\.png)", done.stdout)
    assert match, done.stdout
    png = Path(match.group(1))
    assert png.parent == tmp_path.resolve()
    assert png.is_file() and png.read_bytes().startswith(b"\x89PNG") and png.with_suffix(".svg").is_file()
    for value in ("12", "19", "31", "47", "70"):
        assert value in done.stdout  # the answer lists the series it drew


def test_a_chart_that_cannot_be_drawn_says_why(chart_home: Path, tmp_path: Path) -> None:
    done = zhiku("ask", "NOVA市场规模逐年扩大吗？请画图", cwd=tmp_path, home=chart_home)
    assert done.returncode == 0
    assert "未生成图表" in done.stdout and "no chart" in done.stdout
    assert not list(tmp_path.glob("zhiku-chart-*"))

    out = tmp_path / "explicit.png"
    data = zhiku("ask", "2020年到2024年NOVA市场规模，请画图", "--chart", str(out), "--json", home=chart_home)
    assert json.loads(data.stdout)["chart_file"] == str(out.resolve()) and out.is_file()


def test_document_text_with_brackets_prints_as_written(settings: Settings, tmp_path: Path) -> None:
    """Answers and quotes are data: "[/b]" or "[red]" in a document is printed, not read as markup."""
    doc = tmp_path / "brackets.md"
    doc.write_text("# 标记\n\n星河编辑器的加粗结束标记是[/b]，颜色标记是[red]。\n", encoding="utf-8")
    assert zhiku("ingest", str(doc), "--kb", "marks", "--create").returncode == 0
    done = zhiku("ask", "星河编辑器的加粗结束标记是什么？", "--kb", "marks")
    assert done.returncode == 0, done.stderr
    assert "[/b]" in done.stdout and "[red]" in done.stdout
