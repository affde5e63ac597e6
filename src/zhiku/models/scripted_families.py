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
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from zhiku.answer.numwords import to_chinese
from zhiku.models.llm import (
    ChatMessage,
    Completion,
    GenerationParams,
    StreamEvent,
    estimate_tokens,
    messages_tokens,
)

NO_ANSWER = "NO_ANSWER"  # the refusal token of zhiku.answer.generate's prompt

PARAPHRASE_STYLES: tuple[str, ...] = (
    "spaced",
    "zh_numerals",
    "en_scale",
    "rescaled",
    "unit_moved",
    "reordered",
    "cross_language",
    "markdown_list",
    "cite_lenticular",
    "cite_footnote",
    "cite_paren",
)
LIAR_KINDS: tuple[str, ...] = (
    "digit",
    "unit",
    "neighbour_year",
    "wrong_entity",
    "no_citation",
    "wrong_citation",
    "unanswerable",
)

_EVIDENCE = re.compile(r'<evidence n="(\d+)"[^>]*>\n?(.*?)\n?</evidence>', re.S)
_QUESTION = re.compile(r"(?:问题：|Question: )(.*)\Z", re.S)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_NUM_TOKEN = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]?\d)")
_SCALE_UNIT = re.compile(r"^(\d+(?:\.\d+)?)\s*(万亿|亿|万)(.*)$")
_UNIT_TAIL = re.compile(r"^[\s万亿千百元美人民币家个位款项种次倍%％年月日]*$")
_WH = (
    "什么时候",
    "多少钱",
    "哪一年",
    "哪一天",
    "哪天",
    "哪些",
    "哪里",
    "多少",
    "什么",
    "哪个",
    "哪位",
    "哪家",
    "哪",
    "谁",
    "几",
)
_EMBELLISH = {
    "zh": ("这一数字位居全球首位。", "该数据已由国家统计局正式发布。", "预计次年还将增长约15%。"),
    "en": (
        "This is the highest figure in the world.",
        "The figure was officially confirmed by the national statistics bureau.",
        "It is expected to grow by about 15% next year.",
    ),
}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+|(?<=\d),(?=\d{3})", "", text)


@dataclass(frozen=True)
class Gold:
    """Acceptable answers of one question: every part must be given, each by one alternative."""

    parts: tuple[tuple[str, ...], ...]
    unanswerable: bool = False


class AnswerKey:
    """Gold answers by question text (whitespace and width folded), built by a benchmark or test."""

    def __init__(self, entries: Mapping[str, Gold] | None = None) -> None:
        self._entries = {_norm(q): g for q, g in (entries or {}).items()}

    def get(self, question: str) -> Gold | None:
        return self._entries.get(_norm(question))

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class Prompt:
    """What a family reads from the messages: the question, the numbered evidence, the attempt."""

    question: str
    evidence: dict[int, str]
    language: str
    attempt: int


def read_prompt(messages: Sequence[ChatMessage]) -> Prompt:
    """Parse the grounded-generation prompt (evidence blocks and the question) back out."""
    first = next((i for i, m in enumerate(messages) if m.role == "user" and "<evidence" in m.content), None)
    if first is None:
        user = next((m.content for m in reversed(messages) if m.role == "user"), "")
        return Prompt(user.strip(), {}, "zh" if _CJK.search(user) else "en", 0)
    content = messages[first].content
    evidence = {int(n): text for n, text in _EVIDENCE.findall(content)}
    found = _QUESTION.search(content.split("</evidence>")[-1])
    question = (found.group(1) if found else "").strip()
    attempt = sum(1 for m in messages[first:] if m.role == "assistant")
    return Prompt(question, evidence, "zh" if _CJK.search(question) else "en", attempt)


def _contains(passage: str, alt: str) -> bool:
    """The passage states ``alt``, literally or as its number with the unit elsewhere (a table)."""
    p, a = _norm(passage), _norm(alt)
    if a and a in p:
        return True
    m = _NUM.match(a)
    if m and _UNIT_TAIL.match(a[m.end() :]):
        return m.group(0) in {t for t in _NUM_TOKEN.findall(p)}
    return False


@dataclass(frozen=True)
class Grounding:
    """The gold answer as the evidence supports it: the text to say and the passages to cite."""

    answer: str
    cites: tuple[int, ...]


def ground(gold: Gold | None, prompt: Prompt) -> Grounding | None:
    """The alternative of each part found in the evidence, and where; ``None`` if a part is missing."""
    if gold is None or gold.unanswerable or not gold.parts:
        return None
    said, cites = [], []
    for part in gold.parts:
        hit = next(
            ((alt, n) for alt in part for n, text in sorted(prompt.evidence.items()) if _contains(text, alt)),
            None,
        )
        if hit is None:
            return None
        said.append(hit[0])
        cites.append(hit[1])
    return Grounding("、".join(said), tuple(dict.fromkeys(cites)))


def first_answer(gold: Gold) -> str:
    return "、".join(part[0] for part in gold.parts if part)


def cite(indices: Sequence[int], style: str = "plain") -> str:
    marks = {
        "plain": "[{}]",
        "cite_lenticular": "【{}】",
        "cite_footnote": "[^{}]",
        "cite_paren": "({})",
    }
    return "".join(marks.get(style, "[{}]").format(n) for n in indices)


def compose(question: str, answer: str, language: str, mark: str) -> str:
    """One answer sentence: the question with its question word replaced by the answer."""
    q = question.strip().rstrip("？?。.！! ").removesuffix("吗")
    if language == "zh":
        for wh in _WH:
            if wh in q:
                head, _, tail = q.partition(wh)
                if answer and tail[:1] == answer[-1:]:  # "多少倍" + "1000倍": say the unit once
                    tail = tail[1:]
                return f"{head}{answer}{tail}{mark}。"
        return f"{q}：{answer}{mark}。"
    q = re.sub(r"^(what|which|who|when|where|how many|how much)\s+(is|are|was|were)?\s*", "", q, flags=re.I)
    subject = q[:1].upper() + q[1:] if q else "The answer"
    return f"{subject} is {answer} {mark}."


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
        digest = hashlib.sha256(f"{self.seed}|{salt}|{_norm(prompt.question)}".encode()).digest()
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


def in_language(answer: str, language: str) -> str:
    """An English reply states a Chinese-unit figure the English way ("121亿元" → "12.1 billion yuan")."""
    if language != "en" or not _CJK.search(answer):
        return answer
    english = _restate_number(answer, "en_scale", language)
    if english is not None:
        return english
    m = _NUM.fullmatch(re.sub(r"[\u4e00-\u9fff]+$", "", answer.strip()))
    return m.group(0) if m else answer


def oracle_text(prompt: Prompt, grounding: Grounding) -> str:
    answer = in_language(grounding.answer, prompt.language)
    return compose(prompt.question, answer, prompt.language, cite(grounding.cites))


class OracleLLM(FamilyLLM):
    """The gold answer, citing the passage that contains it; ``NO_ANSWER`` when none does."""

    family = "oracle"

    def reply(self, prompt: Prompt) -> tuple[str, str]:
        grounding = ground(self.key.get(prompt.question), prompt)
        if grounding is None:
            return NO_ANSWER, "refuse"
        return oracle_text(prompt, grounding), "oracle"


# -- paraphrases ------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


_SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4}


def _scaled_parts(answer: str) -> tuple[float, str, str] | None:
    """``620亿元`` → (620, "亿", "元"); ``None`` when the answer is not a scaled number."""
    m = _SCALE_UNIT.match(answer.strip())
    return (float(m.group(1)), m.group(2), m.group(3)) if m else None


def _restate_number(answer: str, style: str, language: str) -> str | None:
    """The answer's number in another written form, or ``None`` when the style does not apply."""
    m = _NUM.search(answer)
    if m is None or len(_NUM.findall(answer)) != 1 or _is_year(m.group(0)):
        return None
    head, tail, value = answer[: m.start()], answer[m.end() :], float(m.group(0))
    scaled = _scaled_parts(answer)
    if style == "spaced":
        return f"{head}{m.group(0)} {tail}".strip() if tail and _CJK.match(tail) else None
    if style == "zh_numerals":
        if language != "zh":
            return None
        words = to_chinese(value)
        return (
            f"{head}{words}{tail}".replace("%", "")
            if words and "%" not in tail
            else (f"{head}百分之{words}" if words and tail.strip() == "%" else None)
        )
    if scaled is None:
        return None
    number, unit, rest = scaled
    total = number * _SCALE[unit]
    currency = " yuan" if rest.startswith("元") else ""
    if style == "en_scale":
        if total >= 1e9:
            return f"{_fmt(total / 1e9)} billion{currency}"
        return f"{_fmt(total / 1e6)} million{currency}" if total >= 1e6 else None
    if style == "rescaled":
        if unit == "亿":
            return f"{_fmt(total / 1e12)}万亿{rest}"
        if unit == "万亿":
            return f"{_fmt(total / 1e8)}亿{rest}"
        return f"{_fmt(total)}{rest}"
    return None


def paraphrase(prompt: Prompt, grounding: Grounding, style: str) -> str | None:
    """The right answer restated in ``style``; ``None`` when the style cannot apply to it."""
    q, lang, cites = prompt.question, prompt.language, grounding.cites
    answer = in_language(grounding.answer, lang)
    if style in ("spaced", "zh_numerals", "en_scale", "rescaled"):
        restated = _restate_number(answer, style, lang)
        if restated is None:
            return None
        if style == "en_scale" and lang == "zh":
            return compose(q, restated, lang, cite(cites))
        return compose(q, restated, lang, cite(cites))
    if style in ("cite_lenticular", "cite_footnote", "cite_paren"):
        return compose(q, answer, lang, cite(cites, style))
    if style == "unit_moved":
        scaled = _scaled_parts(answer)
        if scaled is None:
            return None
        number, unit, rest = scaled
        stem = re.sub(r"(是|为|达到|有)$", "", compose(q, "", lang, "").rstrip("。.：:").strip())
        if lang == "zh":
            return f"{stem}（单位：{unit}{rest}）为{_fmt(number)}{cite(cites)}。"
        return f"{stem} ({unit}{rest}): {_fmt(number)} {cite(cites)}."
    if style == "reordered":
        stem = q.strip().rstrip("？?。.")
        if lang == "zh":
            return f"答案是{answer}{cite(cites)}——这正是“{stem}”所问的。"
        return f"{answer} {cite(cites)} — that is the answer to “{stem}”."
    if style == "cross_language":
        return _cross_language(prompt, grounding)
    if style == "markdown_list":
        body = compose(q, answer, lang, cite(cites)).rstrip("。.")
        head = "**结论**" if lang == "zh" else "**Answer**"
        return f"{head}\n\n- {body}\n"
    return None


def _cross_language(prompt: Prompt, grounding: Grounding) -> str | None:
    """A Chinese question answered in English (numbers only: names are not translated) and back."""
    answer = grounding.answer
    if prompt.language == "zh":
        english = _restate_number(answer, "en_scale", "zh")
        if english is None:
            m = _NUM.fullmatch(answer.strip().rstrip("%"))
            english = answer.strip() if m else None
        if english is None:
            return None
        return f"According to the evidence, the figure asked for is {english} {cite(grounding.cites)}."
    return f"根据资料，答案是{answer}{cite(grounding.cites)}。"


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


# -- lies -------------------------------------------------------------------------------------


def _numbers_of(text: str) -> list[tuple[int, str]]:
    return [
        (m.start(), m.group(0))
        for m in _NUM_TOKEN.finditer(unicodedata.normalize("NFKC", text).replace(",", ""))
    ]


def _is_year(token: str) -> bool:
    return token.isdigit() and 1900 <= int(token) <= 2100


def _last_number(answer: str) -> re.Match[str] | None:
    """The number a lie changes: the last one ("2023年3月31日" → the day), never a year if another exists."""
    found = list(_NUM.finditer(answer))
    plain = [m for m in found if not _is_year(m.group(0))]
    return (plain or found)[-1] if found else None


def _swap_number(answer: str, new: str) -> str:
    m = _last_number(answer)
    assert m is not None
    return answer[: m.start()] + new + answer[m.end() :]


def _digit_lie(answer: str, evidence: str, rng: random.Random) -> str | None:
    m = _last_number(answer)
    if m is None:
        return None
    token, known = m.group(0), {t for _, t in _numbers_of(evidence)}
    digits = [i for i, c in enumerate(token) if c.isdigit()]
    for _ in range(30):
        i = rng.choice(digits)
        new_digit = str((int(token[i]) + rng.randint(1, 9)) % 10)
        candidate = token[:i] + new_digit + token[i + 1 :]
        if (i == 0 and new_digit == "0" and len(token) > 1) or candidate in known:
            continue
        return _swap_number(answer, candidate)
    return None


_OTHER_UNIT = {"万亿": "亿", "亿": "万", "万": "亿"}


def _unit_lie(answer: str) -> str | None:
    scaled = _scaled_parts(answer)
    if scaled is None:
        return None
    number, unit, rest = scaled
    return f"{_fmt(number)}{_OTHER_UNIT[unit]}{rest}"


def _neighbour_lie(answer: str, evidence: str) -> str | None:
    """The value next to the gold one in its series (the previous or next year's cell)."""
    m = _last_number(answer)
    if m is None:
        return None
    values = [(pos, t) for pos, t in _numbers_of(evidence) if not _is_year(t)]
    where = [i for i, (_, t) in enumerate(values) if float(t) == float(m.group(0))]
    for i in where:
        for j in (i - 1, i + 1):
            if 0 <= j < len(values) and float(values[j][1]) != float(m.group(0)):
                return _swap_number(answer, values[j][1])
    return None


def _entity_lie(prompt: Prompt, grounding: Grounding, rng: random.Random) -> str | None:
    """Another entity of the same passage: a different name for a name, a far value for a number."""
    passage = prompt.evidence[grounding.cites[0]]
    answer = grounding.answer
    m = _last_number(answer)
    if m is not None:
        values = [t for _, t in _numbers_of(passage) if not _is_year(t) and float(t) != float(m.group(0))]
        near = _neighbour_lie(answer, passage)
        far = [t for t in values if near is None or t not in near]
        return _swap_number(answer, rng.choice(far)) if far else None
    import jieba.posseg as pseg

    asked, gold = _norm(prompt.question), _norm(answer)
    names = sorted(
        {
            w.word
            for w in pseg.cut(passage)
            if w.flag in ("nr", "ns", "nt", "nz", "eng")
            and len(w.word) >= 2
            and _norm(w.word) not in asked
            and _norm(w.word) not in gold
            and gold not in _norm(w.word)
        }
    )
    return rng.choice(names) if names else None


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
        return compose(prompt.question, first_answer(gold), prompt.language, cite([1])), "liar:unanswerable"
    rng = family.rng(prompt, f"lie{prompt.attempt}")
    kinds = [kind] if kind else [k for k in LIAR_KINDS if k != "unanswerable"]
    if not kind:
        rng.shuffle(kinds)
    for k in kinds:
        text = _lie_of_kind(k, prompt, grounding, rng)
        if text is not None:
            return text, f"liar:{k}"
    return oracle_text(prompt, grounding), f"n/a:{kind}"


def _lie_of_kind(kind: str, prompt: Prompt, grounding: Grounding, rng: random.Random) -> str | None:
    q, lang, answer, cites = prompt.question, prompt.language, grounding.answer, grounding.cites
    passage = prompt.evidence[cites[0]]
    wrong: str | None = None
    if kind == "digit":
        wrong = _digit_lie(answer, " ".join(prompt.evidence.values()), rng)
    elif kind == "unit":
        wrong = _unit_lie(answer)
    elif kind == "neighbour_year":
        wrong = _neighbour_lie(answer, passage)
    elif kind == "wrong_entity":
        wrong = _entity_lie(prompt, grounding, rng)
    elif kind == "no_citation":
        extra = rng.choice(_EMBELLISH["zh" if lang == "zh" else "en"])
        sep = "" if lang == "zh" else " "
        return compose(q, answer, lang, cite(cites)) + sep + extra
    elif kind == "wrong_citation":
        others = [n for n, text in prompt.evidence.items() if n not in cites and not _contains(text, answer)]
        return compose(q, answer, lang, cite([rng.choice(others)])) if others else None
    elif kind == "unanswerable":
        return None  # only where the evidence lacks the answer (handled before grounding)
    return compose(q, wrong, lang, cite(cites)) if wrong else None


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
    "ground",
    "paraphrase",
    "read_prompt",
]
