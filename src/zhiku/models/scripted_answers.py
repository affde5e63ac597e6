"""What the scripted model families say: the prompt read back, the gold answer grounded in the
evidence, and the sentences — right, restated, or wrong in one named way — built from them.

Kept apart from the ``LLM`` classes in ``zhiku.models.scripted_families`` so each file has one job:
this one knows Chinese and English answer forms, that one knows how a chat model behaves.

>>> compose("2023年AI芯片市场规模是多少？", "620亿元", "zh", "[1]")
'2023年AI芯片市场规模是620亿元[1]。'
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zhiku.answer.numwords import to_chinese
from zhiku.models.llm import ChatMessage

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


def norm_question(text: str) -> str:
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
        self._entries = {norm_question(q): g for q, g in (entries or {}).items()}

    def get(self, question: str) -> Gold | None:
        return self._entries.get(norm_question(question))

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


def contains(passage: str, alt: str) -> bool:
    """The passage states ``alt``, literally or as its number with the unit elsewhere (a table)."""
    p, a = norm_question(passage), norm_question(alt)
    if a and a in p:
        return True
    m = _NUM.match(a)
    if m and _UNIT_TAIL.match(a[m.end() :]):
        return m.group(0) in {t for t in _NUM_TOKEN.findall(p)}
    return False


_SEPARATORS = re.compile(r"[\s·.・•‧\-－—_]")


def _transliterated(passage: str, name: str) -> bool:
    """The passage writes a foreign name of four or more Chinese characters with one of them
    (not the first) another character: "弗兰克达拉邦特" for "弗兰克德拉邦特", one sound
    transliterated two ways.  Shorter names are left alone: there one character makes another name."""
    if len(name) < 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
        return False
    for at in range(len(passage) - len(name) + 1):
        if passage[at] != name[0]:
            continue
        window = passage[at : at + len(name)]
        if sum(1 for x, y in zip(window, name, strict=True) if x != y) == 1:
            return True
    return False


def may_state(passage: str, alt: str) -> bool:
    """The passage may state ``alt`` in another writing: what a *lie* must rule out.

    A wrong citation or an answer "from memory" is a lie only where the cited passage surely
    does not hold the answer; a passage writing "阿兰.维斯特" for "阿兰·维斯特", the name
    without its last character ("青川雪豹" for "青川雪豹队"), a foreign name transliterated with
    one character another ("弗兰克·达拉邦特" for "弗兰克·德拉邦特"), or the figure rounded or in
    another scale ("62206.09亿" for "6.2万亿") holds it.  Stricter ``contains`` decides what the
    oracle says; this looser test decides where the liar may not cite.
    """
    if contains(passage, alt):
        return True
    p, a = _SEPARATORS.sub("", norm_question(passage)), _SEPARATORS.sub("", norm_question(alt))
    if len(a) >= 2 and a in p:
        return True
    keep = max(3, -(-len(a) * 4 // 5))  # a name with at most a fifth of it cut away
    if len(a) > keep and not _NUM.search(a) and (a[:keep] in p or a[-keep:] in p):
        return True
    if _transliterated(p, a):
        return True
    from zhiku.answer.evidence_numbers import extract_numbers, same_number

    wanted = extract_numbers(alt)
    return bool(wanted) and all(any(same_number(w, e) for e in extract_numbers(passage)) for w in wanted)


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
            ((alt, n) for alt in part for n, text in sorted(prompt.evidence.items()) if contains(text, alt)),
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
                if answer and tail[:1] == answer[-1:]:  # "多少倍" + "20倍": say the unit once
                    tail = tail[1:]
                return f"{head}{answer}{tail}{mark}。"
        return f"{q}：{answer}{mark}。"
    q = re.sub(r"^(what|which|who|when|where|how many|how much)\s+(is|are|was|were)?\s*", "", q, flags=re.I)
    subject = q[:1].upper() + q[1:] if q else "The answer"
    return f"{subject} is {answer} {mark}."


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


# -- lies -------------------------------------------------------------------------------------


def _numbers_of(text: str) -> list[tuple[int, str]]:
    return [
        (m.start(), m.group(0))
        for m in _NUM_TOKEN.finditer(unicodedata.normalize("NFKC", text).replace(",", ""))
    ]


def _is_year(token: str) -> bool:
    return token.isdigit() and 1900 <= int(token) <= 2100


def _last_number(answer: str) -> re.Match[str] | None:
    """The number a lie changes: the last one ("2031年5月17日" → the day), never a year if another exists."""
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

    asked, gold = norm_question(prompt.question), norm_question(answer)
    names = sorted(
        {
            w.word
            for w in pseg.cut(passage)
            if w.flag in ("nr", "ns", "nt", "nz", "eng")
            and len(w.word) >= 2
            and norm_question(w.word) not in asked
            and norm_question(w.word) not in gold
            and gold not in norm_question(w.word)
        }
    )
    return rng.choice(names) if names else None


def lie_of_kind(kind: str, prompt: Prompt, grounding: Grounding, rng: random.Random) -> str | None:
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
        parts = answer.split("、")  # a multi-part answer: no passage holding any part is "wrong"
        others = [
            n
            for n, text in prompt.evidence.items()
            if n not in cites and not any(may_state(text, part) for part in parts)
        ]
        return compose(q, answer, lang, cite([rng.choice(others)])) if others else None
    elif kind == "unanswerable":
        return None  # only where the evidence lacks the answer (handled before grounding)
    return compose(q, wrong, lang, cite(cites)) if wrong else None


__all__ = [
    "LIAR_KINDS",
    "NO_ANSWER",
    "PARAPHRASE_STYLES",
    "AnswerKey",
    "Gold",
    "Grounding",
    "Prompt",
    "cite",
    "compose",
    "contains",
    "first_answer",
    "ground",
    "in_language",
    "lie_of_kind",
    "may_state",
    "norm_question",
    "oracle_text",
    "paraphrase",
    "read_prompt",
]
