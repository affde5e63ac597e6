"""``zhiku chat`` and ``zhiku gate``: the REPL rewrites follow-ups on a real knowledge base."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from zhiku.config import Settings
from zhiku.wiring import open_or_create_kb

pytestmark = pytest.mark.integration


def run_cli(args: list[str]) -> None:
    from zhiku.cli import main

    try:
        main(args)
    except SystemExit as exc:
        assert exc.code in (0, None)


def test_chat_repl_answers_and_rewrites_follow_ups(
    settings: Settings, zh_docs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_or_create_kb(settings, "t") as kb:
        kb.ingest([zh_docs])
    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", settings.index.embedder)
    monkeypatch.setattr("sys.stdin", io.StringIO("2023年某国人工智能产业规模是多少？\n那2028年呢？\n/exit\n"))
    run_cli(["chat", "--kb", "t", "--trace"])
    out = capsys.readouterr().out
    assert "2137" in out and "8110" in out
    assert "2028年某国人工智能产业规模是多少" in out


@pytest.mark.unit
def test_gate_predict_prints_probabilities(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["gate", "predict", "为什么AI芯片国产化很难？"])
    out = capsys.readouterr().out
    assert "synthesis" in out.splitlines()[0]
