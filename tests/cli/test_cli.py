"""The CLI as a user runs it (typer's CliRunner on a fresh app; real KB underneath)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhiku.cli import build_app
from zhiku.config import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "hashing")
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(build_app(), list(args))
        return result.exit_code, result.output

    return invoke


def test_kb_ingest_search_ask_remove(run, zh_docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("kb", "create", "docs")
    assert code == 0 and "docs" in out
    (zh_docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    code, out = run("ingest", str(zh_docs), "--kb", "docs", "--json")
    report = json.loads(out)
    assert code == 4  # one file failed, the others were kept
    status = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert status["broken.pdf"] == "failed" and status["market.md"] == "added"

    code, out = run("search", "国家数据局", "--kb", "docs", "--json")
    assert code == 0 and "国家数据局" in json.loads(out)[0]["text"]

    code, out = run("ask", "国家数据局是哪天挂牌成立的？", "--kb", "docs", "--json")
    answer = json.loads(out)
    assert code == 0
    assert {"question", "answer", "found", "citations", "route", "latency_ms"} <= set(answer)
    assert answer["found"] and "10月25日" in answer["answer"]
    assert answer["citations"][0]["chunk_id"] and answer["citations"][0]["document"]

    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "国家数据局是哪天挂牌成立的？"}\n{"question": "How many parameters can the phone NPU run?"}\n',
        encoding="utf-8",
    )
    code, out = run("ask", "--questions", str(questions), "--kb", "docs", "--json")
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    assert code == 0 and len(lines) == 2 and lines[1]["language"] == "en"

    code, out = run("kb", "info", "docs", "--json")
    assert json.loads(out)["documents"] == 4
    code, out = run("kb", "remove", str((zh_docs / "policy.txt").resolve()), "--kb", "docs")
    assert code == 0
    code, out = run("kb", "info", "docs", "--json")
    assert json.loads(out)["documents"] == 3


def test_a_failed_file_makes_the_command_exit_non_zero_and_keeps_the_others(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the real entry point (``zhiku`` on the PATH), not only the test runner."""
    from zhiku.cli import main

    good = tmp_path / "good.md"
    good.write_text("# 星河\n\n星河大模型于2030年发布。The Star model shipped in 2030.\n", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", str(good), str(broken), "--kb", "exitcode", "--create"])
    assert exit_info.value.code == 4
    out = capsys.readouterr().out
    assert "good.md" in out and "broken.pdf" in out
    main(["kb", "info", "exitcode", "--json"])  # the good file was kept
    assert json.loads(capsys.readouterr().out)["documents"] == 1


def test_errors_have_exit_codes_and_messages(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from zhiku.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["kb", "info", "nope"])
    assert exit_info.value.code == 3
    assert "知识库不存在" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["kb", "create", "bad/name"])
    assert exit_info.value.code == 2
    assert "invalid knowledge base name" in capsys.readouterr().err.replace("\n", " ")
