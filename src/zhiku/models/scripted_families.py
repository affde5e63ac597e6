"""Scripted model families: an oracle, a paraphraser, a liar and a noisy model, all real ``LLM``s.

Why: the large path (grounded generation → citation and number checks → retry → extractive
fallback) and the cascade's escalation cannot be measured without a large model, and none is
available offline.  These families stand in for one with *known* behaviour, so the verifier's
false rejects (a right answer refused) and false accepts (a wrong answer shown as the model's)
can be counted on real questions and real retrieved evidence:

* ``OracleLLM``      — the gold answer, citing the evidence passage that contains it, or
  ``NO_ANSWER`` when no passage does (a perfect model does not guess);
* ``ParaphraserLLM`` — the same right answer restated the ways real models do (``620 亿元``,
  ``六百二十亿元``, ``62 billion yuan``, ``0.062万亿元``, the unit moved, the sentence reordered,
  another language, a markdown list, citation marks ``【1】``/``[^1]``/``(1)``);
* ``LiarLLM``        — one kind of error: a digit off, the unit off, a neighbouring year's value,
  another entity of the same passage, an uncited made-up claim, a citation of the wrong passage,
  an answer although the evidence holds none;
* ``NoisyLLM``       — right with probability ``p`` (seeded, per question and attempt), else a lie.

They read only what a real backend reads — the chat messages built by
``zhiku.answer.generate`` — plus an ``AnswerKey`` (question → gold answers) handed over by whoever
built the questions (a benchmark, a test).  The ``LLM`` protocol is unchanged.

>>> key = AnswerKey({"2023年AI芯片市场规模是多少？": Gold((("620亿元",),))})
>>> OracleLLM(key).chat(messages).text
'2023年AI芯片市场规模是620亿元[1]。'
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from zhiku.models.llm import (
    ChatMessage,
    Completion,
    GenerationParams,
    StreamEvent,
    estimate_tokens,
    messages_tokens,
)
from zhiku.models.scripted_answers import (
    LIAR_KINDS,
    NO_ANSWER,
    PARAPHRASE_STYLES,
    AnswerKey,
    Gold,
    Grounding,
    Prompt,
    cite,
    compose,
    contains,
    first_answer,
    ground,
    lie_of_kind,
    may_state,
    norm_question,
    oracle_text,
    paraphrase,
    read_prompt,
)


class FamilyLLM:
    """Base of the families: parses the prompt, asks ``reply``, reports usage like a backend."""

    family = "family"

    def __init__(self, key: AnswerKey, *, name: str = "", remote: bool = True, seed: int = 0) -> None:
        self.key = key
        self.name = name or self.family
        self.remote = remote
        self.seed = seed
        self.calls = 0
        self.produced: list[str] = []  # what each call said it did ("oracle", "liar:digit", "n/a:…")

    def rng(self, prompt: Prompt, salt: str = "") -> random.Random:
        digest = hashlib.sha256(f"{self.seed}|{salt}|{norm_question(prompt.question)}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def reply(self, prompt: Prompt) -> tuple[str, str]:
        raise NotImplementedError

    def chat(self, messages: Sequence[ChatMessage], params: GenerationParams | None = None) -> Completion:
        start = time.perf_counter()
        prompt = read_prompt(messages)
        text, kind = self.reply(prompt)
        self.calls += 1
        self.produced.append(kind)
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
        for i in range(0, len(completion.text), 4):
            yield StreamEvent(text=completion.text[i : i + 4])
        yield StreamEvent(completion=completion)


class OracleLLM(FamilyLLM):
    """The gold answer, citing the passage that contains it; ``NO_ANSWER`` when none does."""

    family = "oracle"

    def reply(self, prompt: Prompt) -> tuple[str, str]:
        grounding = ground(self.key.get(prompt.question), prompt)
        if grounding is None:
            return NO_ANSWER, "refuse"
        return oracle_text(prompt, grounding), "oracle"


class ParaphraserLLM(FamilyLLM):
    """The right answer in one restating ``style`` (fixed, or drawn per question when ``None``)."""

    family = "paraphraser"

    def __init__(self, key: AnswerKey, *, style: str | None = None, **kw: object) -> None:
        super().__init__(key, **kw)  # type: ignore[arg-type]
        if style is not None and style not in PARAPHRASE_STYLES:
            raise ValueError(f"unknown style {style!r}; valid: {', '.join(PARAPHRASE_STYLES)}")
        self.style = style

    def reply(self, prompt: Prompt) -> tuple[str, str]:
        grounding = ground(self.key.get(prompt.question), prompt)
        if grounding is None:
            return NO_ANSWER, "refuse"
        styles = [self.style] if self.style else list(PARAPHRASE_STYLES)
        if not self.style:
            self.rng(prompt, f"style{prompt.attempt}").shuffle(styles)
        for style in styles:
            text = paraphrase(prompt, grounding, style)
            if text is not None:
                return text, f"paraphrase:{style}"
        return oracle_text(prompt, grounding), f"n/a:{self.style}"


class LiarLLM(FamilyLLM):
    """One kind of wrong answer (fixed, or drawn per question when ``kind`` is ``None``).

    Where the evidence holds no gold answer the liar answers anyway (``unanswerable``); a kind
    that cannot apply to a question falls back to the next applicable one and says so in
    ``produced`` ("n/a:…"), so a benchmark counts each kind only where it really occurred.
    """

    family = "liar"

    def __init__(self, key: AnswerKey, *, kind: str | None = None, **kw: object) -> None:
        super().__init__(key, **kw)  # type: ignore[arg-type]
        if kind is not None and kind not in LIAR_KINDS:
            raise ValueError(f"unknown liar kind {kind!r}; valid: {', '.join(LIAR_KINDS)}")
        self.kind = kind

    def reply(self, prompt: Prompt) -> tuple[str, str]:
        return lie(self, prompt, self.kind)


def lie(family: FamilyLLM, prompt: Prompt, kind: str | None) -> tuple[str, str]:
    gold = family.key.get(prompt.question)
    if gold is None or not gold.parts:
        return (
            "资料显示答案是42[1]。" if prompt.language == "zh" else "The evidence says 42 [1].",
            "liar:unanswerable",
        )
    grounding = ground(gold, prompt)
    if grounding is None:  # nothing to ground on: a liar answers from "memory" anyway
        said = compose(prompt.question, first_answer(gold), prompt.language, cite([1]))
        if _cited_may_state(prompt, gold):
            # the cited passage may state the answer in another writing: a right answer, no lie
            return said, "n/a:unanswerable"
        return said, "liar:unanswerable"
    rng = family.rng(prompt, f"lie{prompt.attempt}")
    kinds = [kind] if kind else [k for k in LIAR_KINDS if k != "unanswerable"]
    if not kind:
        rng.shuffle(kinds)
    for k in kinds:
        text = lie_of_kind(k, prompt, grounding, rng)
        if text is not None:
            return text, f"liar:{k}"
    return oracle_text(prompt, grounding), f"n/a:{kind}"


def _cited_may_state(prompt: Prompt, gold: Gold) -> bool:
    """Whether the passage an answer "from memory" cites ([1]) may state every part of the gold
    answer in some writing (``may_state``): then that answer is right, however it was reached."""
    passage = prompt.evidence.get(1, "")
    return bool(passage) and all(any(may_state(passage, alt) for alt in part) for part in gold.parts)


class NoisyLLM(FamilyLLM):
    """Right (an oracle answer or a paraphrase) with probability ``p``, else one of the liar's errors.

    The draw is seeded by the question and the attempt, so a retry is a fresh draw, like sampling
    a real model again, while every policy of a benchmark sees the same first answer.
    """

    family = "noisy"

    def __init__(self, key: AnswerKey, *, p: float = 0.7, **kw: object) -> None:
        super().__init__(key, **kw)  # type: ignore[arg-type]
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be within [0, 1], got {p}")
        self.p = p
        self.name = str(kw.get("name") or f"noisy{p:g}")

    def reply(self, prompt: Prompt) -> tuple[str, str]:
        rng = self.rng(prompt, f"draw{prompt.attempt}")
        if rng.random() < self.p:
            grounding = ground(self.key.get(prompt.question), prompt)
            if grounding is None:
                return NO_ANSWER, "refuse"
            styles = ["oracle", *PARAPHRASE_STYLES]
            rng.shuffle(styles)
            for style in styles:
                text = (
                    oracle_text(prompt, grounding)
                    if style == "oracle"
                    else paraphrase(prompt, grounding, style)
                )
                if text is not None:
                    return text, f"right:{style}"
        return lie(self, prompt, None)


@dataclass
class FamilySpec:
    """A family by name, for the CLI/bench: ``oracle``, ``paraphraser[:style]``, ``liar[:kind]``, ``noisy:p``."""

    family: str
    option: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, spec: str) -> FamilySpec:
        family, _, option = spec.partition(":")
        if family not in ("oracle", "paraphraser", "liar", "noisy"):
            raise ValueError(f"unknown family {family!r}; valid: oracle, paraphraser, liar, noisy")
        return cls(family, option)

    def build(self, key: AnswerKey, *, seed: int = 0, remote: bool = True, name: str = "") -> FamilyLLM:
        if self.family == "oracle":
            return OracleLLM(key, seed=seed, remote=remote, name=name)
        if self.family == "paraphraser":
            return ParaphraserLLM(key, style=self.option or None, seed=seed, remote=remote, name=name)
        if self.family == "liar":
            return LiarLLM(key, kind=self.option or None, seed=seed, remote=remote, name=name)
        return NoisyLLM(key, p=float(self.option or 0.7), seed=seed, remote=remote, name=name)


__all__ = [
    "LIAR_KINDS",
    "NO_ANSWER",
    "PARAPHRASE_STYLES",
    "AnswerKey",
    "FamilyLLM",
    "FamilySpec",
    "Gold",
    "Grounding",
    "LiarLLM",
    "NoisyLLM",
    "OracleLLM",
    "ParaphraserLLM",
    "Prompt",
    "compose",
    "contains",
    "ground",
    "paraphrase",
    "read_prompt",
]
