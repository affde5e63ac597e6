from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhiku.config import Settings
from zhiku.wiring import open_or_create_kb

pytestmark = pytest.mark.integration

DOC = "# 模型\n\n星海科技发布天枢大模型。云帆智能推出云帆GPT。星海科技与云帆智能在杭州签约合作。\n"


@pytest.fixture
def cli_app(monkeypatch: pytest.MonkeyPatch) -> object:
    import typer

    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "hashing")  # the CLI reads settings itself

    from zhiku.cli.graph import register

    app = typer.Typer()
    register(app)
    return app


def test_graph_commands(settings: Settings, tmp_path: Path, cli_app: object) -> None:
    (tmp_path / "m.md").write_text(DOC, encoding="utf-8")
    with open_or_create_kb(settings, settings.default_kb) as kb:
        kb.ingest([tmp_path / "m.md"])
    runner = CliRunner()
    build = runner.invoke(cli_app, ["graph", "build", "--json"])  # type: ignore[arg-type]
    assert build.exit_code == 0, build.output
    assert json.loads(build.output)["edges"] >= 2
    stats = runner.invoke(cli_app, ["graph", "stats", "--json"])  # type: ignore[arg-type]
    assert json.loads(stats.output)["by_relation"]["released"] >= 2
    show = runner.invoke(cli_app, ["graph", "show", "星海科技", "--json"])  # type: ignore[arg-type]
    data = json.loads(show.output)
    assert any(e["dst_name"] == "天枢大模型" and e["evidence"] for e in data["edges"])
    path = runner.invoke(cli_app, ["graph", "path", "天枢", "云帆GPT", "--json"])  # type: ignore[arg-type]
    assert json.loads(path.output)["path"][0] == "天枢大模型"
    out = tmp_path / "g.graphml"
    exported = runner.invoke(cli_app, ["graph", "export", "--format", "graphml", "-o", str(out)])  # type: ignore[arg-type]
    assert exported.exit_code == 0 and "<graphml" in out.read_text(encoding="utf-8")
    bad = runner.invoke(cli_app, ["graph", "export", "--format", "xml"])  # type: ignore[arg-type]
    assert bad.exit_code != 0
    missing = runner.invoke(cli_app, ["graph", "show", "不存在的实体"])  # type: ignore[arg-type]
    assert missing.exit_code != 0


def test_dry_run_needs_a_configured_llm(settings: Settings, tmp_path: Path, cli_app: object) -> None:
    (tmp_path / "m.md").write_text(DOC, encoding="utf-8")
    with open_or_create_kb(settings, settings.default_kb) as kb:
        kb.ingest([tmp_path / "m.md"])
    result = CliRunner().invoke(cli_app, ["graph", "build", "--dry-run"])  # type: ignore[arg-type]
    assert result.exit_code != 0  # ConfigError: no LLM configured for extraction
