"""Named chat models from settings — the "model square" the cascade picks from.

Several models may be configured at once, typically ``small`` = a local GGUF (device) and
``large`` = a remote endpoint (cloud), each with its own price per 1k tokens so every answer
can say what it cost.  Backends are built on first use: a configured but unused model costs
nothing at startup, yet a wrong backend name or missing file fails as soon as it is asked for.

>>> registry = ModelRegistry.from_settings(settings.llm)
>>> registry.get("large")            # NamedModel or None
>>> registry.register("large", ScriptedLLM(["…"], remote=True), price_prompt_per_1k=0.002)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zhiku.errors import ConfigError
from zhiku.models.llm import LLM, Completion, GenerationParams

if TYPE_CHECKING:
    from zhiku.config import LLMModelSettings, LLMSettings


@dataclass(frozen=True)
class NamedModel:
    """A model with its role name, price and locality."""

    name: str
    llm: LLM
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0

    @property
    def remote(self) -> bool:
        return bool(self.llm.remote)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.price_prompt_per_1k + completion_tokens * self.price_completion_per_1k
        ) / 1000.0

    def cost_of(self, completion: Completion) -> float:
        return self.cost(completion.prompt_tokens, completion.completion_tokens)


def build_llm(name: str, cfg: LLMModelSettings) -> LLM:
    """One backend from its settings (``openai`` endpoint or ``llama_cpp`` GGUF file)."""
    params = GenerationParams(max_tokens=cfg.max_tokens, temperature=cfg.temperature)
    if cfg.backend == "openai":
        from zhiku.models.openai_chat import OpenAIChatLLM

        return OpenAIChatLLM(
            name,
            base_url=cfg.base_url,
            model=cfg.model,
            api_key=cfg.api_key,
            timeout_s=cfg.timeout_s,
            max_retries=cfg.max_retries,
            remote=True if cfg.remote is None else cfg.remote,
            defaults=params,
        )
    if cfg.backend == "llama_cpp":
        if cfg.path is None:
            raise ConfigError(
                f"模型 {name} 缺少 GGUF 路径（path）", f"model {name} needs a GGUF path", model=name
            )
        if cfg.remote:
            raise ConfigError(
                f"模型 {name} 是本地 GGUF，不能标记为远程",
                f"model {name} is a local GGUF; remote must be false",
            )
        from zhiku.models.llama_local import LlamaLocalLLM

        return LlamaLocalLLM(name, cfg.path, n_ctx=cfg.n_ctx, n_threads=cfg.n_threads, defaults=params)
    raise ConfigError(f"未知的模型后端：{cfg.backend}", f"unknown model backend: {cfg.backend}", model=name)


class ModelRegistry:
    """Lazily built named models; ``register`` injects one (tests, benchmarks)."""

    def __init__(self, configs: dict[str, LLMModelSettings] | None = None) -> None:
        self._configs = dict(configs or {})
        self._built: dict[str, NamedModel] = {}

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> ModelRegistry:
        return cls(settings.models)

    def register(
        self,
        name: str,
        llm: LLM,
        *,
        price_prompt_per_1k: float = 0.0,
        price_completion_per_1k: float = 0.0,
    ) -> NamedModel:
        model = NamedModel(name, llm, price_prompt_per_1k, price_completion_per_1k)
        self._built[name] = model
        return model

    def names(self) -> list[str]:
        return sorted(set(self._configs) | set(self._built))

    def __contains__(self, name: object) -> bool:
        return name in self._configs or name in self._built

    def get(self, name: str) -> NamedModel | None:
        """The model called ``name``, built now if needed; ``None`` when not configured."""
        if name in self._built:
            return self._built[name]
        cfg = self._configs.get(name)
        if cfg is None:
            return None
        model = NamedModel(name, build_llm(name, cfg), cfg.price_prompt_per_1k, cfg.price_completion_per_1k)
        self._built[name] = model
        return model
