"""Typed request and response bodies of the HTTP API (they make the published OpenAPI spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zhiku.config import KB_NAME


class KBCreate(BaseModel):
    name: str = Field(..., description="letters, digits, CJK, _ and -, at most 64", examples=["demo"])

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not KB_NAME.match(value):
            raise ValueError(
                "letters, digits, CJK, _ and - only, 1-64 characters / 只允许字母、数字、汉字、_ 和 -"
            )
        return value


class KBSummary(BaseModel):
    name: str
    access: Literal["read", "write", "admin"]


class TurnIn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskBody(BaseModel):
    question: str = Field(..., min_length=1, max_length=4000, examples=["2023年中国人工智能产业规模是多少？"])
    language: Literal["auto", "zh", "en"] = "auto"
    top_k: int | None = Field(None, ge=1, le=100)
    history: list[TurnIn] = Field(default_factory=list, max_length=50)
    doc_ids: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=list)
    policy: str | None = None


class SearchBody(BaseModel):
    query: str = Field(..., min_length=1, max_length=4000)
    top_k: int | None = Field(None, ge=1, le=100)
    doc_ids: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=list)


class AnswerOut(BaseModel):
    """``Answer.to_dict()``: extras such as ``chart``, ``computation``, ``safety`` ride along."""

    model_config = ConfigDict(extra="allow")

    question: str
    answer: str
    found: bool
    short_answer: str | None = ""
    answer_kind: str = ""  # short | quote | none ("" for routes other than the small reader)
    probability: float = 0.0
    confidence: float = 0.0
    citations: list[dict[str, Any]] = Field(default_factory=list)
    route: str
    latency_ms: float = 0.0
    language: str = "zh"
    trace: dict[str, Any] = Field(default_factory=dict)


class JobOut(BaseModel):
    id: str
    kb: str
    state: Literal["queued", "running", "done", "failed"]
    done: int
    total: int
    created_at: float
    finished_at: float | None = None
    error: str | None = None
    files: list[dict[str, Any]]


class KeyCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=100)
    grants: list[str] = Field(default_factory=list, description='e.g. ["demo:read", "*:admin"]')


class KeyOut(BaseModel):
    key_id: str
    name: str
    created_at: float
    revoked: bool
    grants: list[str]
    key: str | None = Field(None, description="the full key; returned once, at creation")


class GrantBody(BaseModel):
    kb: str
    level: Literal["read", "write", "admin"] = "read"
