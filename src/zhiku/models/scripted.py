"""A chat model that replies from a script: the test seam for everything that calls an LLM.

Like ``httpx.MockTransport`` it is a real implementation of the protocol, shipped in the
package, so cascade and verification logic is tested without patching anything.  Replies are
taken in order (strings, exceptions to raise, or a function of the messages); every call is
recorded in ``calls`` so a test can assert what was sent — for example that no chunk of a
local-only document ever reached a model marked ``remote``.

>>> llm = ScriptedLLM(["答案是42[1]。"], name="large", remote=True)
>>> llm.chat([ChatMessage("user", "问题？")]).text
'答案是42[1]。'
>>> len(llm.calls)
1
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from zhiku.errors import ModelError
from zhiku.models.llm import (
    ChatMessage,
    Completion,
    GenerationParams,
    StreamEvent,
    estimate_tokens,
    messages_tokens,
)

Reply = str | BaseException | Callable[[Sequence[ChatMessage]], str]


class ScriptedLLM:
    """Replies with the next scripted item; the last item repeats when ``repeat_last`` is set."""

    def __init__(
        self,
        replies: Sequence[Reply] | Reply,
        *,
        name: str = "scripted",
        remote: bool = False,
        repeat_last: bool = True,
        delay_s: float = 0.0,
    ) -> None:
        if isinstance(replies, (str, BaseException)) or callable(replies):
            replies = [replies]
        if not replies:
            raise ModelError("脚本模型没有任何回复", "ScriptedLLM needs at least one reply", model=name)
        self.replies: list[Reply] = list(replies)
        self.name = name
        self.remote = remote
        self.repeat_last = repeat_last
        self.delay_s = delay_s
        self.calls: list[list[ChatMessage]] = []
        self.params: list[GenerationParams | None] = []  # the sampling settings of each call

    def _next(self, messages: Sequence[ChatMessage]) -> str:
        index = len(self.calls)
        self.calls.append(list(messages))
        if index >= len(self.replies):
            if not self.repeat_last:
                raise ModelError("脚本模型的回复已用完", "ScriptedLLM ran out of replies", model=self.name)
            index = len(self.replies) - 1
        reply = self.replies[index]
        if self.delay_s:
            time.sleep(self.delay_s)
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply(messages)
        return reply

    def chat(self, messages: Sequence[ChatMessage], params: GenerationParams | None = None) -> Completion:
        start = time.perf_counter()
        self.params.append(params)
        text = self._next(messages)
        return Completion(
            text=text,
            model=self.name,
            prompt_tokens=messages_tokens(messages),
            completion_tokens=estimate_tokens(text),
            ms=(time.perf_counter() - start) * 1000,
        )

    def stream(
        self, messages: Sequence[ChatMessage], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]:
        completion = self.chat(messages, params)
        text = completion.text
        for i in range(0, len(text), 4):
            yield StreamEvent(text=text[i : i + 4])
        yield StreamEvent(completion=completion)

    @property
    def prompts(self) -> list[str]:
        """Every message content sent so far, flattened (for leak assertions)."""
        return [m.content for call in self.calls for m in call]
