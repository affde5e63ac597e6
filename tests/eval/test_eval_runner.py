"""``zhiku eval run``: configurations with scripted models, a rebuilt copy, the CLI and its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import tree_digest
from typer.testing import CliRunner

from zhiku.cli import build_app
from zhiku.config import Settings
from zhiku.eval.configs import EvalConfig, InjectedModel
from zhiku.eval.runner import run_eval
from zhiku.eval.scoring import QAItem
from zhiku.eval.stand_in import evidence_echo
from zhiku.models.scripted import ScriptedLLM

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTIONS = [
    {"id": "a", "question": "2023年智能算力市场规模是多少？", "answers": ["5097亿"], "type": "fact"},
    {
        "id": "b",
        "question": "《数据服务管理试行办法》自什么时候起施行？",
        "answers": ["2023年8月15日"],
        "type": "date",
    },
    {"id": "c", "question": "张伟在哪里创办了云帆数据公司？", "answers": ["青州"], "type": "place"},
    {
        "id": "d",
        "question": "How many parameters can the NPU run?",
        "answers": ["10 billion"],
        "type": "fact",
    },
    {"id": "e", "question": "2031年智能算力市场规模是多少？", "answers": [], "answerable": False},
    {
        "id": "f",
        "question": "星河科技发布了什么？",
        "answers": [],
        "rejected_answers": ["启明大模型"],
        "origin": "feedback",
    },
]


def _items() -> list[QAItem]:
    return [QAItem.from_row(r) for r in QUESTIONS]


def test_scripted_configurations_are_compared_and_the_kb_is_untouched(kb_home: tuple[Settings, str]) -> None:
    settings, name = kb_home
    before = tree_digest(settings.kb_dir(name))
    large = InjectedModel(ScriptedLLM(evidence_echo, name="large", remote=True), 0.002, 0.006)
    wrong = InjectedModel(ScriptedLLM("规模为999亿元[1]。", name="large", remote=True), 0.002, 0.006)
    configs = [
        EvalConfig("small", {"llm": {"policy": "small_only"}}),
        EvalConfig("large", {"llm": {"policy": "large_only"}}, {"large": large}),
        EvalConfig("liar", {"llm": {"policy": "large_only"}}, {"large": wrong}),
        EvalConfig("chunks50", {"ingest": {"chunk_chars": 50}, "llm": {"policy": "small_only"}}),
    ]
    seen: list[tuple[str, int]] = []
    report = run_eval(settings, name, _items(), configs, seed=1, progress=lambda c, d, t: seen.append((c, d)))
    assert tree_digest(settings.kb_dir(name)) == before  # not one byte of the user's KB changed
    by = {s.name: s for s in report.summaries}
    assert set(by) == {"small", "large", "liar", "chunks50"}
    assert ("chunks50", len(QUESTIONS)) in seen
    assert by["chunks50"].settings["rebuild"] == "reingest"
    assert by["chunks50"].settings["kb_chunks"] > by["small"].settings["kb_chunks"]
    assert by["small"].cost == 0 and by["small"].share_local == 1.0
    assert by["large"].cost > 0 and by["large"].prompt_tokens > 0 and by["large"].share_local < 1.0
    assert by["large"].unsupported_numbers == 0
    assert by["small"].accuracy >= 0.5 and by["small"].correct_refusals == 1
    # an invented number fails verification: the extractive answer is shown, the tokens are paid
    assert by["liar"].unsupported_numbers == 0 and by["liar"].cost > 0
    assert not any("999" in r.answer for r in report.items if r.config == "liar")
    for s in report.summaries:
        lo, hi = s.accuracy_ci
        assert lo <= s.accuracy <= hi
    rec = report.recommendation
    assert rec is not None
    best = max(s.accuracy for s in report.summaries)
    assert by[rec.config].accuracy >= best - 0.02 - 1e-9
    cheaper = [s for s in report.summaries if s.accuracy >= best - 0.02 - 1e-9]
    assert by[rec.config].cost_per_question == min(s.cost_per_question for s in cheaper)
    assert {p.b for p in report.paired} == set(by) - {rec.best}
    feedback = [r for r in report.items if r.id == "f"]
    assert all(r.grade.strict != r.grade.rejected for r in feedback if r.found)


def test_cli_generate_then_run_writes_json_html_and_a_saved_report(
    kb_home: tuple[Settings, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, name = kb_home
    monkeypatch.setenv("ZHIKU_HOME", str(settings.home))
    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "hashing")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    qa = tmp_path / "qa.jsonl"
    result = runner.invoke(
        build_app(), ["eval", "generate", "--kb", name, "-n", "12", "--out", str(qa), "--seed", "2"]
    )
    assert result.exit_code == 0, result.output
    assert len(qa.read_text(encoding="utf-8").splitlines()) >= 8
    cheap = tmp_path / "cheap.toml"
    cheap.write_text('[retrieval]\ntop_k = 2\n[llm]\npolicy = "small_only"\n', encoding="utf-8")
    out, html = tmp_path / "r.json", tmp_path / "r.html"
    args = ["eval", "run", "--kb", name, "--qa", str(qa), "-c", str(cheap), "-c", "reader.min_confidence=0.6"]
    result = runner.invoke(build_app(), [*args, "--out", str(out), "--html", str(html), "--margin", "3"])
    assert result.exit_code == 0, result.output
    assert "推荐 / recommended" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["name"] for c in data["configs"]] == ["cheap", "reader.min_confidence=0.6"]
    assert data["margin_points"] == 3 and len(data["items"]) == 2 * data["questions"]
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    listed = runner.invoke(build_app(), ["eval", "list", "--kb", name, "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output)[0]["configs"] == [
        c["name"] for c in data["configs"]
    ]
    missing = runner.invoke(build_app(), ["eval", "run", "--kb", name, "--qa", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0
