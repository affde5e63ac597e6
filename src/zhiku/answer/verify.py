"""Post-checks of a generated answer: citations exist, cited text supports, numbers are grounded.

Principle 2 of the design ("numbers are computed, never generated") is enforced here: every
number in an answer must appear in the evidence its sentence cites (or in a computed result
the numeric expert handed over, or in the question).  Numbers are compared as values, so
``2,137`` = ``2137`` = ``２１３７``, and with their unit scale, so ``811 billion`` = ``8110亿``.
Support is a lexical check (character bigrams for Chinese, content words for English); it is
skipped across languages, where only the number check applies.

>>> verify_answer("2023年规模为2137亿元[1]。", {1: "2023年中国人工智能产业规模为2,137亿元。"}).ok
True
>>> verify_answer("规模为3000亿元[1]。", {1: "规模为2137亿元。"}).violations[0].kind
'number'
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from zhiku.types import Language

ViolationKind = Literal["empty", "no_citation", "bad_citation", "unsupported", "number"]

_CITE = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# A number after a Latin letter or before a lone one is an identifier (H100, 18C, 5G), not a quantity.
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)(?![0-9]|[A-Za-z](?![A-Za-z]))\s*(万亿|亿|万|千|百万|trillion|billion|million|thousand|bn|%)?",
    re.I,
)
_LIST_MARK = re.compile(r"^\s*\d{1,2}[.、)]\s+", re.M)
_SENT_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s+(?=[A-Z\[\u4e00-\u9fff])")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[a-z][a-z\-]+|\d+(?:\.\d+)?")
_SCALE = {
    "万亿": 1e12,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "百万": 1e6,
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "thousand": 1e3,
}
_STOP = frozenset(
    "the a an of in on at to for and or is are was were be by with as from that this it its which what "
    "how many much when where who whom whose than about according".split()
)


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    detail: str
    sentence: str = ""


@dataclass(frozen=True)
class VerifyResult:
    violations: tuple[Violation, ...]
    cited: tuple[int, ...] = ()
    support: dict[int, float] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ok(self) -> bool:
        return not self.violations


def normalise_numbers(text: str) -> str:
    """``２，１３７`` / ``2,137`` → ``2137`` (full-width folded, thousands separators dropped)."""
    return _THOUSANDS.sub("", unicodedata.normalize("NFKC", _THOUSANDS.sub("", text)))


@dataclass(frozen=True)
class NumberMention:
    raw: str
    value: float
    scaled: float | None  # value × unit (亿, billion …); None when unitless or a percentage


def extract_numbers(text: str) -> list[NumberMention]:
    text = _LIST_MARK.sub(" ", normalise_numbers(strip_citations(text)))
    out: list[NumberMention] = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(1))
        unit = (m.group(2) or "").lower()
        scale = _SCALE.get(unit)
        out.append(NumberMention(m.group(0).strip(), value, value * scale if scale else None))
    return out


def strip_citations(text: str) -> str:
    return _CITE.sub(" ", text)


def citations_in(text: str) -> list[int]:
    found: list[int] = []
    for m in _CITE.finditer(text):
        found.extend(int(n) for n in re.split(r"\s*[,，、]\s*", m.group(1)))
    return found


def split_sentences(text: str) -> list[str]:
    """Sentences with their citation markers; a marker after the full stop joins its sentence."""
    parts = [p for p in _SENT_END.split(text) if p and p.strip()]
    out: list[str] = []
    for part in parts:
        lead = re.match(r"^\s*((?:[\[【]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】]\s*)+)", part)
        if lead and out:
            out[-1] = out[-1].rstrip() + lead.group(1).strip()
            part = part[lead.end() :]
        if part.strip():
            out.append(part.strip())
    return out


def _grams(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", strip_citations(text)).lower()
    if _CJK.search(text):
        chars = [c for c in text if c.isalnum()]
        return {a + b for a, b in itertools.pairwise(chars)}
    return {w for w in _EN_WORD.findall(text) if w not in _STOP}


def support_score(sentence: str, evidence: str) -> float:
    """Share of the sentence's bigrams (zh) or content words (en) found in the evidence."""
    grams = _grams(sentence)
    if not grams:
        return 1.0
    return len(grams & _grams(evidence)) / len(grams)


def _same_script(a: str, b: str) -> bool:
    return bool(_CJK.search(a)) == bool(_CJK.search(b))


def _number_supported(n: NumberMention, pool: Sequence[NumberMention]) -> bool:
    for e in pool:
        if abs(e.value - n.value) <= 1e-9 * max(1.0, abs(n.value)):
            return True
        if n.scaled is not None and e.scaled is not None and abs(e.scaled - n.scaled) <= 1e-6 * abs(n.scaled):
            return True
    return False


def _check_sentence(
    sentence: str,
    refs: list[int],
    evidence: Mapping[int, str],
    allowed_numbers: Sequence[NumberMention],
    min_support: float,
) -> tuple[list[Violation], dict[int, float]]:
    violations: list[Violation] = []
    support: dict[int, float] = {}
    known = [n for n in refs if n in evidence]
    for n in refs:
        if n not in evidence:
            violations.append(Violation("bad_citation", f"[{n}] does not exist", sentence))
    scope = " ".join(evidence[n] for n in known)
    if known and len(_grams(sentence)) >= 3 and _same_script(sentence, scope):
        best = max(support_score(sentence, evidence[n]) for n in known)
        for n in known:
            support[n] = support_score(sentence, evidence[n])
        if best < min_support:
            violations.append(
                Violation("unsupported", f"cited {known} share {best:.2f} of its words", sentence)
            )
    pool = list(allowed_numbers) + extract_numbers(scope)
    for num in extract_numbers(sentence):
        if not _number_supported(num, pool):
            violations.append(Violation("number", f"{num.raw} is not in the cited evidence", sentence))
    return violations, support


def _whole_answer(text: str, cited: Sequence[str], min_support: float) -> list[Violation]:
    """The answer as a whole must say something, and mostly what its evidence says.

    Catches what per-sentence checks let through: fragments too short to score one by one,
    and garbage (a model emitting symbols around a stray ``[1]``).
    """
    grams = _grams(text)
    if not grams:
        return [Violation("empty", "the answer has no words")]
    scope = " ".join(cited)
    if not scope:
        return []
    if _same_script(text, scope):
        share = support_score(text, scope)
        if share < min_support:
            return [
                Violation("unsupported", f"only {share:.2f} of the answer's words are in the cited evidence")
            ]
        return []
    # Across languages words cannot be compared; a real answer still shares a number or a name.
    pool = extract_numbers(scope)
    latin = set(re.findall(r"[a-z]{2,}", unicodedata.normalize("NFKC", scope).lower()))
    shares_name = bool(latin & set(re.findall(r"[a-z]{2,}", unicodedata.normalize("NFKC", text).lower())))
    if not shares_name and not any(_number_supported(n, pool) for n in extract_numbers(text)):
        return [Violation("unsupported", "the answer shares no number or name with the cited evidence")]
    return []


def verify_answer(
    text: str,
    evidence: Mapping[int, str],
    *,
    question: str = "",
    computed: Iterable[str] = (),
    min_support: float = 0.25,
) -> VerifyResult:
    """Check a generated answer against its numbered evidence; ``ok`` when nothing is violated."""
    if not text.strip():
        return VerifyResult((Violation("empty", "the answer is empty"),))
    all_refs = citations_in(text)
    if not all_refs:
        return VerifyResult((Violation("no_citation", "the answer cites no evidence [n]"),))
    allowed = extract_numbers(question) + [n for c in computed for n in extract_numbers(c)]
    cited_anywhere = [n for n in dict.fromkeys(all_refs) if n in evidence]
    violations: list[Violation] = []
    support: dict[int, float] = {}
    for sentence in split_sentences(text):
        refs = citations_in(sentence) or cited_anywhere
        found, scores = _check_sentence(sentence, refs, evidence, allowed, min_support)
        if not citations_in(sentence):  # uncited sentence: numbers only, against all cited evidence
            found = [v for v in found if v.kind == "number"]
        violations.extend(found)
        for n, s in scores.items():
            support[n] = max(support.get(n, 0.0), s)
    if not any(v.kind == "unsupported" for v in violations):
        violations.extend(_whole_answer(text, [evidence[n] for n in cited_anywhere], min_support))
    unique = tuple(dict.fromkeys(violations))
    return VerifyResult(unique, tuple(dict.fromkeys(all_refs)), support)


def attach_citations(text: str, evidence: Mapping[int, str], min_support: float = 0.5) -> str:
    """Give uncited sentences the ``[n]`` of the evidence that best supports them.

    Small local models often answer correctly but forget the markers; the check that follows
    still verifies every number against the chunk chosen here, so nothing unsupported passes.
    """
    if citations_in(text) or not evidence:
        return text
    out = []
    for sentence in split_sentences(text):
        best = max(evidence, key=lambda n: support_score(sentence, evidence[n]))
        if support_score(sentence, evidence[best]) >= min_support:
            body = sentence.rstrip()
            end = body[-1] if body and body[-1] in "。！？!?.；;" else ""
            sentence = (body[:-1] if end else body) + f"[{best}]" + end
        out.append(sentence)
    return ("" if _CJK.search(text) else " ").join(out) if len(out) > 1 else (out[0] if out else text)


def describe_violations(violations: Sequence[Violation], language: Language) -> str:
    """The feedback sent with the one retry, naming each violation."""
    lines = []
    for v in violations[:6]:
        where = f"「{v.sentence[:60]}」" if v.sentence else ""
        if language == "zh":
            label = {
                "empty": "答案为空",
                "no_citation": "没有引用任何资料编号 [n]",
                "bad_citation": "引用了不存在的资料编号",
                "unsupported": "所引资料不支持该句",
                "number": "数字不在所引资料中",
            }[v.kind]
        else:
            label = {
                "empty": "the answer is empty",
                "no_citation": "no evidence number [n] is cited",
                "bad_citation": "a cited evidence number does not exist",
                "unsupported": "the cited evidence does not support the sentence",
                "number": "a number is not in the cited evidence",
            }[v.kind]
        lines.append(f"- {label}: {v.detail} {where}".rstrip())
    return "\n".join(lines)
