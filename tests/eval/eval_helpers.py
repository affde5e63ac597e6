"""Shared data and helpers of the evaluation tests (texts invented for these tests)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from zhiku.config import Settings, load_settings

DOCS = {
    "market.md": (
        "# 市场规模\n\n2023年，某国机器人产业规模达到2137亿元。预计到2028年，机器人产业规模将达到8110亿元。\n\n"
        "## 算力\n\n2023年智能算力市场规模为5097亿元，2024年智能算力市场规模为6230亿元。"
        "传感器市场规模约为620亿元。\n"
    ),
    "policy.txt": (
        "政策时间线\n\n《数据服务管理试行办法》自2023年8月15日起施行。\n\n"
        "数据管理中心于2023年10月25日在临江挂牌成立。\n\n"
        "星河科技发布了启明大模型，为6亿用户提供智能咨询服务。张伟在青州创办了云帆数据公司。\n"
    ),
    "edge.md": (
        "# Edge AI\n\nIn 2024 the chip vendor Norvale Systems shipped an NPU that runs models with up to "
        "10 billion parameters on a phone. Revenue of Norvale Systems reached $3.5 billion in 2023.\n"
    ),
}


def write_docs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def eval_settings(home: Path) -> Settings:
    return load_settings(home=home, index={"embedder": "hashing"})


def tree_digest(path: Path) -> dict[str, str]:
    """sha256 of every file under ``path`` (what "the KB is unchanged" means, byte for byte)."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }
