"""Large-path extraction: one JSON-schema call per chunk, validated and grounded.

GraphRAG-style indexing is expensive because every chunk goes through a big model, again on
every rebuild.  Here the LLM only *adds* to the small path: the small path's entities are given
as hints (fewer tokens out, consistent names), every reply is validated against a schema, and
names that do not occur in the chunk are dropped (no invented entities).  Results are cached
per chunk by content digest, so a rebuild or re-ingest reuses them and only new or changed
chunks cost anything; ``estimate`` prints the bill before a run (``zhiku graph build --dry-run``).

>>> from zhiku.models.scripted import ScriptedLLM
>>> llm = ScriptedLLM('{"entities": [{"name": "京东", "type": "org"}], "relations": []}')
>>> LLMExtractor(llm).extract_chunk(Chunk("c1", "d1", 0, "京东发布言犀。"), ["京东"]).mentions[0].name
'京东'
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from zhiku.graph.model import EntityMention, Evidence, Extraction, RawRelation
from zhiku.models.llm import LLM, ChatMessage, GenerationParams, estimate_tokens, messages_tokens
from zhiku.types import Chunk

PROMPT_VERSION = "graph-extract-v1"

_SYSTEM = (
    "你是信息抽取器。从给定文本中抽取实体和关系，只输出一个 JSON 对象，不要解释。\n"
    "You extract entities and relations from the given text. Output one JSON object only.\n"
    'Schema: {"entities": [{"name": str, "type": "org|product|person|place|other"}], '
    '"relations": [{"source": str, "target": str, "type": '
    '"released|acquired|invested_in|partnered_with|provides|attribute", "label": str}]}\n'
    "规则 / rules: names copied exactly from the text; released = source (company) released/launched/"
    "open-sourced target (model/product); attribute uses label for the relation word; no relation "
    "that the text does not state."
)


class _LLMEntity(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    type: Literal["org", "product", "person", "place", "other"] = "other"


class _LLMRelation(BaseModel):
    source: str = Field(min_length=1, max_length=40)
    target: str = Field(min_length=1, max_length=40)
    type: Literal["released", "acquired", "invested_in", "partnered_with", "provides", "attribute"]
    label: str = Field("", max_length=20)


class LLMReply(BaseModel):
    """The schema the model must follow; anything else is rejected."""

    entities: list[_LLMEntity] = Field(default_factory=list, max_length=60)
    relations: list[_LLMRelation] = Field(default_factory=list, max_length=60)


@dataclass(frozen=True)
class CostEstimate:
    chunks: int
    prompt_tokens: int
    completion_tokens: int
    cost: float

    def describe(self) -> str:
        return (
            f"{self.chunks} 个片段 / chunks, ~{self.prompt_tokens} prompt + ~{self.completion_tokens} "
            f"completion tokens, ~{self.cost:.4f} 费用 / cost"
        )


class LLMExtractor:
    """Per-chunk JSON extraction through any ``zhiku.models.llm.LLM`` backend."""

    def __init__(
        self,
        llm: LLM,
        *,
        price_prompt_per_1k: float = 0.0,
        price_completion_per_1k: float = 0.0,
        max_tokens: int = 512,
    ) -> None:
        self.llm = llm
        self.price_prompt = price_prompt_per_1k
        self.price_completion = price_completion_per_1k
        self.params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
        self.failures = 0

    @property
    def key(self) -> str:
        return f"llm:{self.llm.name}"

    def messages(self, chunk: Chunk, hints: Sequence[str]) -> list[ChatMessage]:
        hint = "、".join(dict.fromkeys(hints)) if hints else "（无 / none）"
        user = f"已知实体提示 / entity hints: {hint}\n\n文本 / text:\n{chunk.text}"
        return [ChatMessage("system", _SYSTEM), ChatMessage("user", user)]

    def estimate(self, chunks: Sequence[Chunk], hints: dict[str, list[str]]) -> CostEstimate:
        prompt = sum(messages_tokens(self.messages(c, hints.get(c.chunk_id, []))) for c in chunks)
        # Replies are about a third of the chunk in practice; capped by max_tokens.
        completion = sum(min(self.params.max_tokens, 40 + estimate_tokens(c.text) // 3) for c in chunks)
        cost = prompt / 1000 * self.price_prompt + completion / 1000 * self.price_completion
        return CostEstimate(len(chunks), prompt, completion, round(cost, 6))

    def extract_chunk(self, chunk: Chunk, hints: Sequence[str]) -> Extraction:
        reply = self.llm.chat(self.messages(chunk, hints), self.params)
        parsed = parse_reply(reply.text)
        if parsed is None:
            self.failures += 1
            return Extraction()
        return grounded(parsed, chunk)


def parse_reply(text: str) -> LLMReply | None:
    """The first JSON object in the reply, validated; ``None`` when there is none or it is invalid."""
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return LLMReply.model_validate(json.loads(text[start : end + 1]))
    except (ValueError, ValidationError):
        return None


def grounded(reply: LLMReply, chunk: Chunk) -> Extraction:
    """Keep only names that occur in the chunk (compared after NFKC and case folding)."""
    folded = _fold(chunk.text)
    out = Extraction()

    def present(name: str) -> bool:
        return bool(name.strip()) and _fold(name) in folded

    ev_of = _sentence_finder(chunk)
    for ent in reply.entities:
        if present(ent.name):
            out.mentions.append(EntityMention(ent.name.strip(), ent.type, ev_of(ent.name), "llm"))
    for rel in reply.relations:
        if present(rel.source) and present(rel.target) and _fold(rel.source) != _fold(rel.target):
            ev = ev_of(rel.source, rel.target)
            out.relations.append(
                RawRelation(
                    rel.source.strip(), rel.target.strip(), rel.type, ev, label=rel.label, source="llm"
                )
            )
            out.mentions.append(EntityMention(rel.source.strip(), "other", ev, "llm"))
            out.mentions.append(EntityMention(rel.target.strip(), "other", ev, "llm"))
    return out


def chunk_digest(chunk: Chunk) -> str:
    return hashlib.sha1((PROMPT_VERSION + "\n" + chunk.text).encode("utf-8")).hexdigest()


def extraction_to_json(extraction: Extraction) -> str:
    data = {
        "mentions": [[m.name, m.type, m.evidence.sentence] for m in extraction.mentions],
        "relations": [[r.src, r.dst, r.type, r.label, r.evidence.sentence] for r in extraction.relations],
    }
    return json.dumps(data, ensure_ascii=False)


def extraction_from_json(payload: str, chunk: Chunk) -> Extraction:
    data = json.loads(payload)
    out = Extraction()
    for name, etype, sentence in data.get("mentions", []):
        out.mentions.append(
            EntityMention(name, etype, Evidence(chunk.chunk_id, chunk.doc_id, sentence), "llm")
        )
    for src, dst, rtype, label, sentence in data.get("relations", []):
        ev = Evidence(chunk.chunk_id, chunk.doc_id, sentence)
        out.relations.append(RawRelation(src, dst, rtype, ev, label=label, source="llm"))
    return out


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _sentence_finder(chunk: Chunk) -> Callable[..., Evidence]:
    from zhiku.graph.extract_small import split_sentences

    sentences = split_sentences(chunk.text)

    def find(*names: str) -> Evidence:
        for sentence in sentences:
            folded = _fold(sentence)
            if all(_fold(n) in folded for n in names):
                return Evidence(chunk.chunk_id, chunk.doc_id, sentence)
        return Evidence(chunk.chunk_id, chunk.doc_id, chunk.text[:300])

    return find
