"""An evaluation whose large model is a real llama.cpp server (the tiny GGUF the tests write)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eval_helpers import tree_digest
from tiny_gguf import llama_server, write_tiny_gguf

from zhiku.config import Settings
from zhiku.eval.configs import EvalConfig, InjectedModel
from zhiku.eval.runner import run_eval
from zhiku.eval.scoring import QAItem
from zhiku.eval.stand_in import evidence_echo
from zhiku.models.scripted import ScriptedLLM

pytestmark = [pytest.mark.llama, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server")
    folder = tmp_path_factory.mktemp("eval-llama")
    with llama_server(write_tiny_gguf(folder / "tiny.gguf"), folder / "server.log") as base:
        yield base


def test_llama_server_and_scripted_configurations(kb_home: tuple[Settings, str], llama_url: str) -> None:
    settings, name = kb_home
    before = tree_digest(settings.kb_dir(name))
    items = [
        QAItem.from_row({"id": "a", "question": "2023年智能算力市场规模是多少？", "answers": ["5097亿"]}),
        QAItem.from_row({"id": "b", "question": "张伟在哪里创办了云帆数据公司？", "answers": ["青州"]}),
        QAItem.from_row(
            {"id": "c", "question": "2031年传感器市场规模是多少？", "answers": [], "answerable": False}
        ),
    ]
    tiny = {
        "backend": "openai", "base_url": llama_url, "model": "tiny", "remote": True, "max_tokens": 16,
        "temperature": 0.0, "max_retries": 0, "price_prompt_per_1k": 0.001, "price_completion_per_1k": 0.002,
    }  # fmt: skip
    echo = InjectedModel(ScriptedLLM(evidence_echo, name="large", remote=True), 0.004, 0.008)
    configs = [
        EvalConfig("small", {"llm": {"policy": "small_only"}}),
        EvalConfig("llama", {"llm": {"policy": "large_only", "models": {"large": tiny}}}),
        EvalConfig("scripted", {"llm": {"policy": "large_only"}}, {"large": echo}),
    ]
    report = run_eval(settings, name, items, configs, seed=0)
    by = {s.name: s for s in report.summaries}
    assert by["llama"].n == 3 and by["llama"].errors == 0
    assert by["llama"].prompt_tokens > 0 and by["llama"].completion_tokens > 0 and by["llama"].cost > 0
    assert by["llama"].unsupported_numbers == 0  # nonsense output falls back to the extractive answer
    assert by["llama"].settings["models"]["large"] == {"backend": "openai", "model": "tiny"}
    assert by["scripted"].cost > 0 and by["small"].cost == 0
    assert report.recommendation is not None
    assert tree_digest(settings.kb_dir(name)) == before
