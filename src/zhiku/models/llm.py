"""The chat-model protocol every LLM backend implements, and the records it exchanges.

Backends (an OpenAI-compatible endpoint, an in-process GGUF model, the scripted model used by
tests) differ only in how they produce text; the cascade, the generator and the chat rewriter
talk to this protocol, so a backend is swapped by configuration and tests need no patching.

>>> from zhiku.models.scripted import ScriptedLLM
>>> llm = ScriptedLLM(["2023年规模为2137亿元[1]。"])
>>> llm.chat([ChatMessage("user", "规模？")]).text
'2023年规模为2137亿元[1]。'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationParams:
    """Sampling settings of one call; low temperature because answers must stay grounded."""

    max_tokens: int = 512
    temperature: float = 0.1
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completion:
    """A finished generation with its token usage (estimated when the backend gives none)."""

    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ms: float = 0.0
    finish_reason: str = "stop"


@dataclass(frozen=True)
class StreamEvent:
    """A streamed piece: ``text`` deltas, and a last event whose ``completion`` holds the total."""

    text: str = ""
    completion: Completion | None = None


@runtime_checkable
class LLM(Protocol):
    """A chat model.  ``remote`` is true when prompts leave this machine (privacy routing)."""

    name: str
    remote: bool

    def chat(self, messages: Sequence[ChatMessage], params: GenerationParams | None = None) -> Completion: ...

    def stream(
        self, messages: Sequence[ChatMessage], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]: ...


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_WORDISH = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")


def estimate_tokens(text: str) -> int:
    """Rough token count for backends that report no usage.

    CJK characters are about one token each in common BPE vocabularies, Latin words a bit
    more than one; counting characters for Chinese would be right, counting ``len(text)``
    for English would overcharge four-fold, so the two are counted separately.
    """
    cjk = len(_CJK.findall(text))
    rest = _CJK.sub(" ", text)
    pieces = _WORDISH.findall(rest)
    latin = sum(max(1, round(len(p) / 4)) if p.isalpha() else 1 for p in pieces)
    return cjk + latin


def messages_tokens(messages: Sequence[ChatMessage]) -> int:
    return sum(estimate_tokens(m.content) + 4 for m in messages)


__all__ = [
    "LLM",
    "ChatMessage",
    "Completion",
    "GenerationParams",
    "StreamEvent",
    "estimate_tokens",
    "messages_tokens",
]
