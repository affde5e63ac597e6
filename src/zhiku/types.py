"""Typed records passed between stages: files → Document → Chunk → Hit → Answer.

They are frozen dataclasses so a stage cannot mutate what another stage produced;
use ``dataclasses.replace`` to derive a changed copy.

>>> Block(kind="paragraph", text="2023年中国人工智能产业规模为2137亿元。", page=3)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table", "chart", "list", "code"]
Language = Literal["zh", "en"]
AnswerKind = Literal["number", "date", "person", "place", "entity", "list", "other"]
DateGrain = Literal["", "year", "month", "day"]


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
class ChunkView:
    """What a hit needs to show about its chunk (from the catalog)."""

    doc_id: str
    text: str
    title: str
    source: str
    page: int | None
    heading_path: tuple[str, ...]
    kind: str
    format: str


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


# -- the question, analysed once (``zhiku.understand.analyse`` builds it) -----------------


@dataclass(frozen=True)
class QuestionType:
    """The expected answer shape.

    ``unit`` is the measure word the question names (家, 倍, %, 人 …) or "" when any unit fits;
    ``grain`` says how precise a date must be; ``cue`` is the matched question word, which the
    reader removes from the query terms.
    """

    kind: AnswerKind
    unit: str = ""
    grain: DateGrain = ""
    cue: str = ""
    language: Language = "zh"
    units: tuple[str, ...] = ()  # units the measured quantity usually takes (体长 → 厘米, 米 …)
    alias: bool = False  # "又称什么/叫什么": the answer follows 又称/又名/简称
    head: str = ""  # the noun after 哪个/什么 ("哪个组" → 组): the answer is often "…组"
    category: str = ""  # the noun the question asks about ("超级碗冠军是谁" → 冠军): "NFL冠军" restates it
    counted: str = ""  # the noun counted by 多少 when it is no measure word ("多少语种" → 语种)

    @property
    def typed(self) -> bool:
        """Typed questions need a span of their kind; free-text ones only a good sentence."""
        return self.kind in ("number", "date")


@dataclass(frozen=True)
class Term:
    """A query term; it matches a sentence when any alternative occurs in it.

    ``critical`` terms (years, places, people, organisations, Latin names) qualify the question:
    evidence about 中国 does not answer a question about 美国.  ``ngram`` terms are Chinese
    character pairs and triples, a segmentation-proof view of the question that also rewards
    phrases kept together (智能算力市场 rather than 人工智能 … 市场).
    """

    alternatives: tuple[str, ...]
    critical: bool = False
    ngram: int = 0  # 0 for a word; 2 or 3 for a Chinese character n-gram
    role: str = ""  # "year", "place", "name", "latin", "focus" for critical terms


@dataclass(frozen=True)
class Question:
    """Everything the pipeline needs to know about a question, worked out once.

    ``text`` is the question as asked; ``clean`` its NFKC form without edge spaces (what the
    rules read); ``folded`` the NFKC + lower-case form the tokenizer indexes with.  ``lexical``
    is the text BM25 searches (an English question plus the Chinese renderings of its glossary
    words) and ``search_kind`` the answer kind the lexical reranker reads from it: the shipped
    rerank weights were fitted on that view, so it is kept apart from ``qtype.kind``.
    ``parts`` holds one ``Question`` per coordinated item ("A和B分别…"), empty for a simple one.

    >>> q = analyse("广州和深圳2022年的GDP分别是多少？")
    >>> [p.text for p in q.parts], q.years
    (['广州2022年的GDP是多少？', '深圳2022年的GDP是多少？'], ('2022',))
    """

    text: str
    clean: str
    language: Language
    qtype: QuestionType
    terms: tuple[Term, ...]
    years: tuple[str, ...]
    folded: str = ""
    nouns: tuple[str, ...] = ()  # nouns of the question: the topics the evidence must mention
    lexical: str = ""
    search_kind: AnswerKind = "other"
    parts: tuple[Question, ...] = ()

    @property
    def question(self) -> str:
        """The clean text (the name the reader's rules use)."""
        return self.clean

    @property
    def items(self) -> tuple[Question, ...]:
        """The coordinated parts, or the question itself when it has none."""
        return self.parts or (self,)

    @property
    def tokens(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.ngram)

    def ngrams(self, n: int) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.ngram == n)

    @property
    def critical(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.critical)

    @property
    def places(self) -> tuple[str, ...]:
        """The places the question names (中国, 北京; "China" → 中国): evidence must share them."""
        at = 1 if self.language == "en" else 0  # an English term lists its Chinese renderings after it
        return tuple(
            t.alternatives[min(at, len(t.alternatives) - 1)] for t in self.terms if t.role == "place"
        )

    @property
    def units(self) -> tuple[str, ...]:
        """The unit asked for ("多少家" → 家) followed by the units the measured quantity takes."""
        return tuple(dict.fromkeys(u for u in (self.qtype.unit, *self.qtype.units) if u))


# -- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters on scalar fields (never JSON fields: milvus-lite is slow on those)."""

    doc_ids: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class AskRequest:
    question: str
    language: Language = "zh"
    history: tuple[Turn, ...] = ()
    top_k: int | None = None
    filters: SearchFilters = field(default_factory=SearchFilters)
    policy: str | None = None  # cascade policy override (issue: LLM cascade)
    key_id: str | None = None  # API key that asked (audit)
    # the question analysed once (``zhiku.understand.analyse``); ``Assistant`` fills it in
    analysis: Question | None = field(default=None, compare=False)
    # what an OpenAI client sends besides the question; only the LLM path reads them
    instructions: str = ""  # the client's system prompt, given to the LLM after ours
    temperature: float | None = None  # None: the model's configured sampling
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        # Every entry point builds one of these: invalid Unicode stops here (see safety.unicode).
        from zhiku.safety.unicode import scrub

        object.__setattr__(self, "question", scrub(self.question))
        if any(scrub(t.content) != t.content for t in self.history):
            history = tuple(replace(t, content=scrub(t.content)) for t in self.history)
            object.__setattr__(self, "history", history)


# -- ingestion results ------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file (one row of the per-file table)."""

    path: str
    status: Literal["added", "updated", "unchanged", "failed", "removed"]
    documents: int = 0
    chunks: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    ms: float = 0.0


@dataclass
class IngestReport:
    run_id: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files)


@dataclass(frozen=True)
class IngestEvent:
    """Progress callback payload: ``done`` of ``total`` files, the current file and its result."""

    done: int
    total: int
    path: str
    result: FileResult | None = None
    page: int = 0  # page of the current file being read (PDF and images; 0 for other formats)
    pages: int = 0


ProgressFn = Callable[[IngestEvent], None]
