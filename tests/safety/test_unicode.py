"""Invalid Unicode at the library's entry points (CLI and server share them), and input-length
stages that must stay linear."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from zhiku.bi.question import parse_question
from zhiku.config import Settings
from zhiku.kb import KnowledgeBase
from zhiku.safety.classifier import RequestClassifier
from zhiku.safety.policy import builtin_path
from zhiku.safety.unicode import scrub, strip_controls
from zhiku.types import AskRequest, Turn

pytestmark = pytest.mark.unit


def test_scrub_and_strip_controls() -> None:
    assert scrub("规模\ud800?\x00") == "规模\ufffd?"
    assert scrub("\U0001f600 ok") == "\U0001f600 ok"
    assert strip_controls("a\u202eb\u2067c\u200bd\te") == "abcde"


def test_ask_request_is_always_encodable() -> None:
    request = AskRequest("2023年\ud800规模", history=(Turn("user", "\udfff上一轮"),))
    request.question.encode("utf-8")
    assert all(t.content.encode("utf-8") for t in request.history)


@pytest.mark.integration
def test_search_and_classifier_accept_lone_surrogates(settings: Settings, zh_docs: Path) -> None:
    with KnowledgeBase.create(settings, "t") as kb:
        kb.ingest([zh_docs])
        assert kb.search("\ud800产业规模", top_k=3)  # used to crash inside jieba
    classifier = RequestClassifier.load(builtin_path("request_model.npz"))
    assert 0.0 <= classifier.score("教我\ud800做") <= 1.0


def test_long_inputs_stay_linear() -> None:
    """A pasted page made the numeric-question patterns backtrack for minutes (8000 chars: 66 s)."""
    page = "2023年中国人工智能产业规模是多少？比上一年增长了多少 growth of the AI industry. " * 400
    started = time.perf_counter()
    assert parse_question(page) is None
    classifier = RequestClassifier.load(builtin_path("request_model.npz"))
    classifier.score(page * 10)  # ~300k characters
    assert time.perf_counter() - started < 5
    assert parse_question("2023年产业规模比2022年多多少？") is not None  # short questions still parse
