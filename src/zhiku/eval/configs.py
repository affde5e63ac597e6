"""Evaluation configurations: partial Settings laid over the knowledge base's own settings.

A configuration is a TOML file with only the sections it changes, for example::

    # cheap.toml
    [llm]
    policy = "small_only"
    [retrieval]
    top_k = 3

or, on the command line, the same as ``section.key=value`` pairs separated by commas
(``--config "retrieval.top_k=3,llm.policy=small_only"``).  A configuration that changes
how the KB is chunked or embedded needs the KB rebuilt; ``rebuild_kind`` says which.

>>> parse_inline("retrieval.top_k=3,llm.policy=small_only")
{'retrieval': {'top_k': 3}, 'llm': {'policy': 'small_only'}}
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zhiku.config import Settings, read_settings_file
from zhiku.errors import ConfigError
from zhiku.models.llm import LLM

RebuildKind = Literal["none", "reindex", "reingest"]
_INDEX_KEYS = ("embedder", "embedder_model", "embedder_url", "dense")


@dataclass(frozen=True)
class InjectedModel:
    """A chat model handed to a configuration directly (tests, benchmarks): not from settings."""

    llm: LLM
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0


@dataclass(frozen=True)
class EvalConfig:
    """A named configuration: the settings it overrides, plus models injected by code."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict, hash=False)
    models: dict[str, InjectedModel] = field(default_factory=dict, hash=False)


def parse_inline(spec: str) -> dict[str, Any]:
    """``a.b=1,c.d=x`` → nested dict; values are read as TOML (numbers, booleans), else text."""
    out: dict[str, Any] = {}
    for pair in (p.strip() for p in spec.split(",")):
        if not pair:
            continue
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"配置项无效：{pair!r}（应为 节.键=值）",
                f"invalid setting {pair!r} (expected section.key=value)",
            )
        try:
            value: Any = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def load_config(spec: str) -> EvalConfig:
    """A TOML file (named by its ``name`` key or file stem) or an inline ``key=value`` list."""
    path = Path(spec)
    if path.suffix == ".toml" or path.is_file():
        data = read_settings_file(path)
        name = str(data.pop("name", "") or path.stem)
        return EvalConfig(name, data)
    if "=" in spec:
        return EvalConfig(spec, parse_inline(spec))
    if spec in ("base", "default"):
        return EvalConfig(spec, {})
    raise ConfigError(f"配置文件不存在：{spec}", f"config file not found: {spec}")


def unique_names(configs: list[EvalConfig]) -> list[EvalConfig]:
    """Suffix repeated names (#2, #3) so every configuration has its own column."""
    seen: dict[str, int] = {}
    out = []
    for cfg in configs:
        seen[cfg.name] = seen.get(cfg.name, 0) + 1
        name = cfg.name if seen[cfg.name] == 1 else f"{cfg.name}#{seen[cfg.name]}"
        out.append(EvalConfig(name, cfg.overrides, cfg.models))
    return out


def rebuild_kind(base: Settings, settings: Settings) -> RebuildKind:
    """Does ``settings`` need the KB re-chunked (ingest settings) or re-embedded (embedder)?"""
    if base.ingest != settings.ingest:
        return "reingest"
    if any(getattr(base.index, k) != getattr(settings.index, k) for k in _INDEX_KEYS):
        return "reindex"
    return "none"


def describe(settings: Settings) -> dict[str, Any]:
    """The settings a report shows next to a configuration (no secrets)."""
    llm = settings.llm
    return {
        "policy": llm.policy,
        "models": {
            n: {"backend": m.backend, "model": m.model or (m.path.name if m.path else "")}
            for n, m in llm.models.items()
        },
        "embedder": settings.index.embedder
        + (f":{settings.index.embedder_model}" if settings.index.embedder_model else ""),
        "dense": settings.index.dense,
        "chunk_chars": settings.ingest.chunk_chars,
        "top_k": settings.retrieval.top_k,
        "reader_min_confidence": settings.reader.min_confidence,
    }
