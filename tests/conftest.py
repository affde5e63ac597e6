"""Shared fixtures: an isolated ZHIKU_HOME per test and small documents written by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zhiku.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED_BENCH = REPO.parent / "shared" / "bench"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings rooted in a temporary home; BM25 + a model-free embedder unless a test asks for more."""
    monkeypatch.setenv("ZHIKU_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZHIKU_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    yield load_settings(home=tmp_path / "home", index={"embedder": "hashing"})


@pytest.fixture
def shared_bench() -> Path:
    if not SHARED_BENCH.is_dir():
        pytest.skip("../shared/bench is not available")
    return SHARED_BENCH


@pytest.fixture
def zh_docs(tmp_path: Path) -> Path:
    """Three small documents (Markdown, TXT, GBK TXT) written for these tests."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "market.md").write_text(
        "# 市场规模\n\n2023年，某国人工智能产业规模达到2137亿元。预计到2028年，产业规模将达到8110亿元。\n\n"
        "## 算力\n\n2023年智能算力市场规模为5097亿元，AI芯片市场规模约为620亿元。\n",
        encoding="utf-8",
    )
    (folder / "policy.txt").write_text(
        "政策时间线\n\n《生成式人工智能服务管理暂行办法》自2023年8月15日起施行。\n\n国家数据局于2023年10月25日挂牌成立。\n",
        encoding="utf-8",
    )
    (folder / "gbk.txt").write_bytes(
        "企业案例\n\n京东发布了言犀大模型，为6亿用户提供智能咨询服务。百度发布了文心一言。\n".encode("gbk")
    )
    (folder / "english.md").write_text(
        "# Edge AI\n\nIn 2024 the chip vendor shipped an NPU that runs models with up to 10 billion parameters on a phone.\n",
        encoding="utf-8",
    )
    return folder
