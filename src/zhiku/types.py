"""Typed records passed between stages: files → Document → Chunk → Hit → Answer.

They are frozen dataclasses so a stage cannot mutate what another stage produced;
use ``dataclasses.replace`` to derive a changed copy.

>>> Block(kind="paragraph", text="2023年中国人工智能产业规模为2137亿元。", page=3)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table", "chart", "list", "code"]
Language = Literal["zh", "en"]


@dataclass(frozen=True)
class Block:
    """One structural piece of a document as a loader saw it.

    ``chart`` blocks hold residue of flattened charts (bare numbers, axis labels); they
    are kept for the numeric expert but never glued into prose.  ``table`` blocks hold a
    readable text rendering plus ``rows`` (first row = header when ``header`` is true).
    """

    kind: BlockKind
    text: str
    page: int | None = None
    level: int = 0  # heading level (1 = top), 0 for non-headings
    rows: tuple[tuple[str, ...], ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Document:
    """A loaded, cleaned document before chunking.

    ``external_id`` is the id a corpus row carried (JSON Lines import); ``source`` is the
    file path (plus ``#id`` for corpus rows) and identifies the document for re-ingestion.
    """

    source: str
    title: str
    format: str
    blocks: tuple[Block, ...]
    pages: int = 1
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Chunk:
    """A retrievable unit of text with its provenance."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    page: int | None = None
    heading_path: tuple[str, ...] = ()
    char_start: int = 0
    char_end: int = 0
    kind: BlockKind = "paragraph"


@dataclass(frozen=True)
class DocumentRecord:
    """A document row of the catalog."""

    doc_id: str
    source: str
    sha256: str
    format: str
    title: str
    pages: int
    status: Literal["ok", "failed", "pending"]
    error: str | None = None
    chunks: int = 0
    external_id: str | None = None
    local_only: bool = False
    ingested_at: str = ""


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk; ``scores`` keeps each retriever's score (bm25, dense, graph …)."""

    chunk_id: str
    doc_id: str
    text: str
    score: float
    scores: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    ranks: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    title: str = ""
    source: str = ""
    page: int | None = None
    heading_path: tuple[str, ...] = ()
    kind: BlockKind = "paragraph"


@dataclass(frozen=True)
class Citation:
    """Where an answer came from: numbered as ``[n]`` in the answer text."""

    index: int
    document: str  # document title
    doc_id: str
    chunk_id: str
    page: int | None
    text: str  # the quoted span (the supporting sentence or passage)
    source: str = ""


@dataclass
class StageTiming:
    stage: str
    ms: float


@dataclass
class ModelCall:
    """One call of a model in the answer path, for the trace and cost accounting."""

    model: str
    role: str  # "embed", "generate", "rerank", "classify", ...
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ms: float = 0.0
    cost: float = 0.0
    remote: bool = False


@dataclass
class Trace:
    """Why an answer took the route it took, and what it cost."""

    stages: list[StageTiming] = field(default_factory=list)
    gate: dict[str, float] = field(default_factory=dict)
    route_reason: str = ""
    calls: list[ModelCall] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_stage(self, stage: str, ms: float) -> None:
        self.stages.append(StageTiming(stage, round(ms, 3)))

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)

    @property
    def cost(self) -> float:
        return sum(c.cost for c in self.calls)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost=round(self.cost, 6),
        )
        return data


@dataclass
class Answer:
    """The result of ``ask``: text with [n] citations, evidence, route and trace.

    ``route`` names the expert/path that produced it (``extractive``, ``llm:large``,
    ``numeric``, ``graph``, ``refusal``, ``safety`` …).  ``extra`` holds what later experts add
    (``chart`` spec, ``computation``, ``safety`` verdict, ``labels``) without changing this type.
    """

    question: str
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    route: str = "extractive"
    latency_ms: float = 0.0
    language: Language = "zh"
    short_answer: str = ""
    confidence: float = 0.0
    trace: Trace = field(default_factory=Trace)
    extra: dict[str, Any] = field(default_factory=dict)
    # the small reader's verdict: "short" (a sure short answer), "quote" (evidence but no sure
    # span; short_answer is null), "none" (refused); "" when another route answered
    answer_kind: str = ""
    probability: float = 0.0  # calibrated probability that the short answer is right

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "short_answer": None if self.answer_kind == "quote" else self.short_answer,
            "answer_kind": self.answer_kind,
            "probability": round(self.probability, 4),
            "confidence": round(self.confidence, 4),
            "citations": [asdict(c) for c in self.citations],
            "route": self.route,
            "latency_ms": round(self.latency_ms, 2),
            "language": self.language,
            "trace": self.trace.to_dict(),
        }
        data.update(self.extra)
        return data
