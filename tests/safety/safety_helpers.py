"""A small, real assistant-like class for the guard tests (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from zhiku.answer.assistant import AnswerEvent
from zhiku.types import Answer, AskRequest, Citation, ModelCall


class ScriptedAssistant:
    """Answers every question with a fixed text (and optional citations), streamed in pieces.

    It is a real implementation of the ask/stream contract — the guard cannot tell it from the
    ``Assistant`` — so tests exercise the whole guard without any patching.
    """

    def __init__(
        self,
        text: str,
        *,
        route: str = "llm:large",
        citations: Sequence[Citation] = (),
        pieces: Sequence[str] | None = None,
        found: bool = True,
    ) -> None:
        self.text = text
        self.route = route
        self.citations = list(citations)
        self.pieces = list(pieces) if pieces is not None else [text]
        self.found = found
        self.asked: list[str] = []

    def ask(self, request: AskRequest) -> Answer:
        self.asked.append(request.question)
        answer = Answer(
            question=request.question,
            answer=self.text,
            found=self.found,
            citations=list(self.citations),
            route=self.route,
            language=request.language,
        )
        answer.trace.calls.append(ModelCall(model="scripted-llm", role="generate"))
        return answer

    def stream(self, request: AskRequest) -> Iterator[AnswerEvent]:
        for piece in self.pieces:
            yield AnswerEvent("delta", text=piece)
        yield AnswerEvent("answer", answer=self.ask(request))


def citation(text: str, index: int = 1) -> Citation:
    return Citation(index=index, document="doc", doc_id="d1", chunk_id=f"c{index}", page=1, text=text)
