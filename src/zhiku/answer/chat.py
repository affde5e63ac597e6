"""Multi-turn chat: keep the conversation, turn follow-ups into stand-alone questions.

Retrieval needs a full question: "那2028年呢？" alone finds nothing.  On the small path, rules
rewrite the common follow-up shapes (a new year, a new place, "what about X") by swapping the
matching slot of the previous stand-alone question; with an LLM configured, the model rewrites
instead and the rules remain the fallback.  Only earlier *questions* are sent to the rewriting
model, never answers, because answers may quote chunks of local-only documents.

>>> conv = Conversation(assistant)
>>> conv.ask("2023年中国人工智能产业规模是多少？").answer
>>> conv.ask("那2028年呢？").question
'2028年中国人工智能产业规模是多少？'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from zhiku.errors import ZhikuError
from zhiku.models.llm import LLM, ChatMessage, GenerationParams
from zhiku.types import Answer, AskRequest, ModelCall, Turn
from zhiku.understand.lang import detect_language

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_ZH_FOLLOW = re.compile(
    r"^(?:那么?|还有|另外|再问一下[，,]?)?\s*(?P<x>.{1,20}?)\s*(?:呢|怎么样|如何|情况呢)?\s*[？?。]?$"
)
_EN_FOLLOW = re.compile(r"^(?:and|what about|how about|and what about|what of)\s+(?P<x>.+?)\s*[?.]?$", re.I)
_ZH_PLACES = (
    "中国", "美国", "日本", "韩国", "欧洲", "欧盟", "英国", "德国", "法国", "印度", "全球", "世界",
    "北京", "上海", "深圳", "广州", "杭州", "香港", "台湾",
)  # fmt: skip
_EN_PLACES = ("China", "the US", "the United States", "US", "Japan", "Korea", "Europe", "the EU", "the UK",
              "Germany", "France", "India", "the world", "global", "Beijing", "Shanghai")  # fmt: skip


class Asks(Protocol):
    def ask(self, request: AskRequest) -> Answer: ...


def is_follow_up(question: str) -> bool:
    """Short questions shaped like "那X呢？" / "X呢？" / "what about X?"."""
    q = question.strip()
    if detect_language(q) == "en":
        return bool(_EN_FOLLOW.match(q))
    core = q.rstrip("？?。 ")
    return len(core) <= 16 and (core.endswith("呢") or core.startswith(("那", "还有", "另外")))


def _swap_place(previous: str, fragment: str, places: tuple[str, ...]) -> str | None:
    target = next((p for p in places if p.lower() == fragment.lower()), None)
    if target is None:
        return None
    for place in sorted(places, key=len, reverse=True):
        pattern = re.compile(rf"(?<![A-Za-z]){re.escape(place)}(?![A-Za-z])", re.I)
        if pattern.search(previous) and place.lower() != fragment.lower():
            return pattern.sub(fragment, previous, count=1)
    return None


def rule_rewrite(question: str, previous: str | None) -> str:
    """Rewrite a follow-up into a stand-alone question using the previous stand-alone question.

    >>> rule_rewrite("那2028年呢？", "2023年中国人工智能产业规模是多少？")
    '2028年中国人工智能产业规模是多少？'
    >>> rule_rewrite("What about 2028?", "What was the size of China's AI industry in 2023?")
    "What was the size of China's AI industry in 2028?"
    """
    if not previous or not is_follow_up(question):
        return question
    q = question.strip()
    en = detect_language(q) == "en"
    m = (_EN_FOLLOW if en else _ZH_FOLLOW).match(q)
    fragment = (m.group("x") if m else q).strip(" ，,？?")
    year = _YEAR.fullmatch(fragment)
    if year and _YEAR.search(previous):
        new_year = year.group(1)
        return _YEAR.sub(lambda y: new_year + ("年" if "年" in y.group(0) else ""), previous, count=1)
    swapped = _swap_place(previous, fragment, _EN_PLACES if en else _ZH_PLACES)
    if swapped:
        return swapped
    if en:
        return f"{previous.rstrip('?. ')} (regarding {fragment})?"
    return f"关于{fragment}：{previous}"


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


class Conversation:
    """A chat session over an assistant: history, follow-up rewriting, answers with traces."""

    def __init__(self, assistant: Asks, *, rewriter: LLM | None = None, max_turns: int = 10) -> None:
        self.assistant = assistant
        self.rewriter = rewriter
        self.max_turns = max_turns
        self.history: list[Turn] = []
        self.questions: list[str] = []  # stand-alone versions of the user's questions

    def reset(self) -> None:
        self.history.clear()
        self.questions.clear()

    def rewrite(self, question: str) -> Rewrite:
        previous = self.questions[-1] if self.questions else None
        if previous is None or not is_follow_up(question):
            return Rewrite(question, "none")
        if self.rewriter is not None:
            llm_rewrite = self._llm_rewrite(question)
            if llm_rewrite is not None:
                return llm_rewrite
        return Rewrite(rule_rewrite(question, previous), "rules")

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
        lang = detect_language(question)
        return AskRequest(rewrite.question, language=lang, history=history, **kwargs)  # type: ignore[arg-type]

    def _record(self, question: str, rewrite: Rewrite, answer: Answer) -> Answer:
        if rewrite.method != "none":
            answer.trace.notes.append(
                f"follow-up rewritten ({rewrite.method}): {question} → {rewrite.question}"
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


__all__ = ["Conversation", "Rewrite", "is_follow_up", "rule_rewrite"]
