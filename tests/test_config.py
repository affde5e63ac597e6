from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import check_kb_name, load_settings
from zhiku.errors import ConfigError

pytestmark = pytest.mark.unit


def test_sources_and_priority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZHIKU_CONFIG", raising=False)
    (tmp_path / "zhiku.toml").write_text(
        '[retrieval]\ntop_k = 7\ndense_weight = 0.5\n[index]\nembedder = "hashing"\n', encoding="utf-8"
    )
    monkeypatch.setenv("ZHIKU_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("ZHIKU_RETRIEVAL__TOP_K", "9")
    monkeypatch.setenv("ZHIKU_MILVUS_URI", "http://127.0.0.1:19530")
    s = load_settings()
    assert s.home == tmp_path / "h"
    assert s.retrieval.top_k == 9  # env beats the file
    assert s.retrieval.dense_weight == 0.5  # the file beats defaults
    assert s.index.embedder == "hashing"
    assert s.index.milvus_uri == "http://127.0.0.1:19530"
    assert load_settings(retrieval={"top_k": 2}).retrieval.top_k == 2  # arguments beat everything


def test_invalid_values_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "word2vec")
    with pytest.raises(ConfigError, match="配置无效"):
        load_settings()
    monkeypatch.delenv("ZHIKU_INDEX__EMBEDDER")
    monkeypatch.setenv("ZHIKU_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings()


def test_secrets_never_print(tmp_path: Path) -> None:
    s = load_settings(home=tmp_path, index={"embedder_api_key": "sk-secret-value"})
    assert "sk-secret-value" not in repr(s) and "sk-secret-value" not in str(s.model_dump())
    assert s.index.embedder_api_key.get_secret_value() == "sk-secret-value"


@pytest.mark.parametrize("name", ["demo", "研究报告", "kb_2024-v1"])
def test_good_kb_names(name: str) -> None:
    assert check_kb_name(name) == name


@pytest.mark.parametrize("name", ["", "../etc", "a/b", "x" * 65, "has space"])
def test_bad_kb_names(name: str) -> None:
    with pytest.raises(ConfigError):
        check_kb_name(name)
