"""Multi-turn chat: keep the conversation, turn follow-ups into stand-alone questions.

Retrieval needs a full question: "那2028年呢？" alone finds nothing.  On the small path, the rules
of ``zhiku.answer.followup`` rewrite the common follow-up shapes (a new year, a new place, another
measure, "what about X", a pronoun for the earlier subject) from the previous stand-alone
question; with an LLM configured, the model rewrites instead and the rules remain the fallback.
Only earlier *questions* are sent to the rewriting model, never answers, because answers may
quote chunks of local-only documents.  The CLI (``zhiku chat``), ``/v1/chat/completions``, the
web UI and ``/api/conversations`` all go through this class (``Conversation.resume`` rebuilds
one from the message history an API client sends).

>>> conv = Conversation(assistant)
>>> conv.ask("2023年中国人工智能产业规模是多少？").answer
>>> conv.ask("那2028年呢？").question
'2028年中国人工智能产业规模是多少？'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from zhiku.answer.followup import follow_up, needs_context, rewrite_follow_up
from zhiku.config import Settings
from zhiku.errors import ZhikuError
from zhiku.models.llm import LLM, ChatMessage, GenerationParams
from zhiku.types import Answer, AskRequest, ModelCall, Turn
from zhiku.understand.lang import detect_language

_EN_FOLLOW = re.compile(r"^(?:and|what about|how about|and what about|what of)\s+(?P<x>.+?)\s*[?.]?$", re.I)


class Asks(Protocol):
    def ask(self, request: AskRequest) -> Answer: ...


def is_follow_up(question: str, previous: str | None = None) -> bool:
    """Short questions shaped like "那X呢？" / "X呢？" / "what about X?", or (given the previous
    question) any question the follow-up rules would complete: a bare year, a pronoun."""
    q = question.strip()
    if previous is not None:
        return needs_context(q, previous)
    if detect_language(q) == "en":
        return bool(_EN_FOLLOW.match(q))
    core = q.rstrip("？?。 ")
    return len(core) <= 16 and (core.endswith("呢") or core.startswith(("那", "还有", "另外")))


def rule_rewrite(question: str, previous: str | None) -> str:
    """Rewrite a follow-up into a stand-alone question using the previous stand-alone question.

    >>> rule_rewrite("那2028年呢？", "2023年中国人工智能产业规模是多少？")
    '2028年中国人工智能产业规模是多少？'
    >>> rule_rewrite("What about 2028?", "What was the size of China's AI industry in 2023?")
    "What was the size of China's AI industry in 2028?"
    """
    return rewrite_follow_up(question, previous)


def rewriter_for(assistant: object, settings: Settings, *, kb_local_only: bool = False) -> LLM | None:
    """The model that rewrites follow-ups: the small LLM, else the large one, else none (rules).

    A remote model is never used for a local-only knowledge base, even for questions.
    """
    registry = getattr(assistant, "registry", None)
    if registry is None:
        return None
    named = registry.get(settings.llm.small) or registry.get(settings.llm.large)
    if named is None or (named.remote and (kb_local_only or settings.llm.local_only)):
        return None
    llm: LLM = named.llm
    return llm


_REWRITE_PROMPT = {
    "zh": "把用户最后的问题改写成一个不依赖上文、意思完整的问题。只输出改写后的问题，不要回答。",
    "en": "Rewrite the user's last question as a complete question that needs no context. "
    "Output only the rewritten question; do not answer it.",
}


@dataclass(frozen=True)
class Rewrite:
    question: str
    method: str  # "none", "rules", "llm"
    call: ModelCall | None = None
    rule: str = ""  # which follow-up rule: year, place, measure, subject, pronoun, topic


class Conversation:
    """A chat session over an assistant: history, follow-up rewriting, answers with traces."""

    def __init__(self, assistant: Asks, *, rewriter: LLM | None = None, max_turns: int = 10) -> None:
        self.assistant = assistant
        self.rewriter = rewriter
        self.max_turns = max_turns
        self.history: list[Turn] = []
        self.questions: list[str] = []  # stand-alone versions of the user's questions

    @classmethod
    def resume(cls, assistant: Asks, history: Sequence[Turn], *, rewriter: LLM | None = None) -> Conversation:
        """A conversation that already holds ``history`` (what an API client sends each time).

        Earlier user questions are made stand-alone by the rules only: an LLM call per past turn
        would cost more than the one rewrite of the last question is worth.
        """
        conv = cls(assistant, rewriter=rewriter)
        for turn in history:
            if turn.role == "user" and turn.content.strip():
                previous = conv.questions[-1] if conv.questions else None
                conv.questions.append(rewrite_follow_up(turn.content.strip(), previous))
        conv.history = list(history)
        return conv

    def reset(self) -> None:
        self.history.clear()
        self.questions.clear()

    def rewrite(self, question: str) -> Rewrite:
        previous = self.questions[-1] if self.questions else None
        by_rules = follow_up(question, previous)
        if by_rules.rule == "none":
            return Rewrite(question, "none")
        if self.rewriter is not None:
            llm_rewrite = self._llm_rewrite(question)
            if llm_rewrite is not None:
                return llm_rewrite
        return Rewrite(by_rules.question, "rules", rule=by_rules.rule)

    def _llm_rewrite(self, question: str) -> Rewrite | None:
        assert self.rewriter is not None
        lang = detect_language(question)
        context = "\n".join(f"- {q}" for q in self.questions[-3:])
        label = ("之前的问题" if lang == "zh" else "Earlier questions") + ":\n" + context
        last = ("最后的问题：" if lang == "zh" else "Last question: ") + question
        messages = [ChatMessage("system", _REWRITE_PROMPT[lang]), ChatMessage("user", f"{label}\n\n{last}")]
        try:
            done = self.rewriter.chat(messages, GenerationParams(max_tokens=96, temperature=0.0))
        except ZhikuError:
            return None
        text = done.text.strip().strip('"“”').splitlines()[0].strip() if done.text.strip() else ""
        if not text or len(text) > 200:
            return None
        call = ModelCall(
            self.rewriter.name, "rewrite", done.prompt_tokens, done.completion_tokens, round(done.ms, 3), 0.0,
            bool(self.rewriter.remote),
        )  # fmt: skip
        return Rewrite(text, "llm", call)

    def _request(self, question: str, rewrite: Rewrite, **kwargs: object) -> AskRequest:
        history = tuple(self.history[-2 * self.max_turns :])
        lang = kwargs.pop("language", None) or detect_language(question)
        return AskRequest(rewrite.question, language=lang, history=history, **kwargs)  # type: ignore[arg-type]

    def _record(self, question: str, rewrite: Rewrite, answer: Answer) -> Answer:
        if rewrite.method != "none":
            answer.trace.notes.append(
                f"follow-up rewritten ({rewrite.method}{':' + rewrite.rule if rewrite.rule else ''}): "
                f"{question} → {rewrite.question}"
            )
            answer.extra = {
                **answer.extra,
                "rewritten_question": rewrite.question,
                "original_question": question,
            }
        if rewrite.call is not None:
            answer.trace.calls.append(rewrite.call)
        self.history.extend([Turn("user", question), Turn("assistant", answer.answer)])
        self.questions.append(rewrite.question)
        return answer

    def ask(self, question: str, **kwargs: object) -> Answer:
        rewrite = self.rewrite(question)
        answer = self.assistant.ask(self._request(question, rewrite, **kwargs))
        return self._record(question, rewrite, answer)

    def stream(self, question: str, **kwargs: object) -> Iterator[object]:
        """Events of ``Assistant.stream``; the conversation records the final answer."""
        rewrite = self.rewrite(question)
        stream = getattr(self.assistant, "stream", None)
        if stream is None:
            answer = self.assistant.ask(self._request(question, rewrite, **kwargs))
            yield self._record(question, rewrite, answer)
            return
        for event in stream(self._request(question, rewrite, **kwargs)):
            final = getattr(event, "answer", None)
            if isinstance(final, Answer):
                yield type(event)("answer", answer=self._record(question, rewrite, final))
            else:
                yield event


__all__ = ["Conversation", "Rewrite", "is_follow_up", "rewriter_for", "rule_rewrite"]
