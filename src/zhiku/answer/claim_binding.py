"""Is the claimed value bound to what was asked, or merely present somewhere in the cited passage?

Why a check of its own: a grounded model that lies rarely invents a number — the number check
catches those — it takes a *real* figure or name from the passage it cites: the growth rate
instead of the share, the enterprise count instead of the industry size, the next clause's
name.  Each is "in the evidence", so presence proves nothing.  What separates the right answer
is *where* it stands: the right value sits in the sentence (or the table row and column) that
speaks of the question's subject and measure; the lie sits in a sentence about something else.

So every occurrence of a claimed value in the cited evidence gets a context — its sentence and
the one before it (the subject is often named just before), or for a table cell its row, its
column header and the table's caption — and the context is scored by the share of the question's
key terms (words and years from ``zhiku.understand``) it contains.  A claim is *bound elsewhere*
when a rival stands in a context that covers clearly more of the question: for a number, another
number of the same kind; for a name, any sentence of the cited passages.  Coordinated questions
("A和B分别…") are scored per part, so each item may be bound to its own part.  When the question
shares no key term with the evidence (another language, a paraphrased subject) nothing is judged.

>>> ev = "2023年全国共有12家工厂。其中新建工厂的占地面积为45公顷，员工人数为300人。"
>>> claim_bound_elsewhere_number("占地面积", "12公顷", ev, "新建工厂的占地面积是多少？")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from zhiku.answer.evidence_numbers import NumberMention, mentions, prepare, same_number

# How much more of the question a rival's context must cover before the claim counts as bound
# elsewhere; set from the large-path bench (oracle and paraphraser false rejects ≤ 2 %).
NUMBER_MARGIN = 0.34
NAME_MARGIN = 0.67
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WEAK = frozenset({"规模", "市场", "数量", "情况", "时间", "地点", "国家", "中国"})


@dataclass(frozen=True)
class KeyTerms:
    """Key terms of the question, one group per part (the whole question first)."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]

    @property
    def empty(self) -> bool:
        return not any(self.groups)


@lru_cache(maxsize=256)
def key_terms(question: str) -> KeyTerms:
    """Words and years of the question (not character n-grams), per coordinated part."""
    if not question.strip():
        return KeyTerms(())
    from zhiku.understand.question import analyse

    q = analyse(question)
    records = [q, *q.parts]
    groups = []
    for rec in records:
        words = tuple(
            tuple(_fold(a) for a in t.alternatives)
            for t in rec.terms
            if not t.ngram and len(t.alternatives[0]) >= 2 and t.alternatives[0] not in _WEAK
        )
        if words:
            groups.append(words)
    return KeyTerms(tuple(dict.fromkeys(groups)))


def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).lower())


def _matches(term: tuple[str, ...], context: str) -> bool:
    for alt in term:
        if alt in context:
            return True
        if _CJK.search(alt) and len(alt) >= 4:  # a long word said in other words: half its pairs
            pairs = [alt[i : i + 2] for i in range(len(alt) - 1)]
            if sum(p in context for p in pairs) * 2 >= len(pairs):
                return True
    return False


def coverage(context: str, terms: KeyTerms) -> tuple[float, ...]:
    """Per group, the share of its key terms the context contains."""
    folded = _fold(context)
    return tuple(sum(_matches(t, folded) for t in group) / len(group) for group in terms.groups)


# -- contexts ----------------------------------------------------------------------------------


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() - start > 1:
            bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def _is_header(line: str) -> bool:
    """A table line of labels: no cell after the first is a plain value (years may be)."""
    return not any(
        re.fullmatch(r"[\d.,%\s]+", c) and not re.fullmatch(r"\s*(?:19|20)\d{2}\s*", c)
        for c in line.split("|")[1:]
    )


def _table_context(text: str, pos: int) -> str | None:
    """Caption, header cell and row label of the table cell at ``pos`` (``None`` outside a
    table line): a cell is about its row and its column, not its neighbours."""
    lines = text.split("\n")
    index = text.count("\n", 0, pos)
    if "|" not in lines[index]:
        return None
    row = lines[index]
    cells = row.split("|")
    col = row[: pos - (text.rfind("\n", 0, pos) + 1)].count("|")
    header, top, caption = "", "", ""
    for line in reversed(lines[:index]):
        if "|" in line:
            top = line
            if not header and _is_header(line):
                head = line.split("|")
                header = head[col] if col < len(head) else ""
        elif line.strip():
            caption = line
            break
    label = cells[0] if col > 0 else row
    return f"{caption}\n{top}\n{header}\n{label}"


def context_at(text: str, pos: int, bounds: Sequence[tuple[int, int]] | None = None) -> str:
    """What the value at ``pos`` is said about: its table row/column/caption, or its sentence
    with the sentence before it; the passage's opening sentence (its topic: "X，字…，号…")
    is part of every context."""
    table = _table_context(text, pos)
    if table is not None:
        return table
    bounds = bounds if bounds is not None else _sentence_bounds(text)
    lead = text[bounds[0][0] : bounds[0][1]] if bounds else ""
    for i, (a, b) in enumerate(bounds):
        if a <= pos < b:
            return lead + "\n" + text[bounds[i - 1][0] if i else a : b]
    return text


def _best(scores: Sequence[tuple[float, ...]]) -> tuple[float, ...]:
    if not scores:
        return ()
    return tuple(max(s[g] for s in scores) for g in range(len(scores[0])))


def _elsewhere(own: tuple[float, ...], rival: tuple[float, ...], margin: float) -> bool:
    """Bound elsewhere when, for every part, a rival's context covers ``margin`` more of it."""
    if not own or not rival:
        return False
    return all(r - o >= margin - 1e-9 for o, r in zip(own, rival, strict=True))


# -- numbers -----------------------------------------------------------------------------------


def _same_kind(a: NumberMention, b: NumberMention) -> bool:
    if a.percent or b.percent:
        return a.percent == b.percent
    if a.scaled is not None and b.scaled is not None:
        return True
    return bool(a.suffix) and a.suffix == b.suffix


def number_bound_elsewhere(num: NumberMention, passages: Sequence[str], question: str) -> bool:
    """The claimed number stands only in contexts that cover clearly less of the question than
    another number of the same kind does (the share quoted instead of the growth rate)."""
    terms = key_terms(question)
    if terms.empty or _is_year(num):
        return False
    own: list[tuple[float, ...]] = []
    rivals: list[tuple[float, ...]] = []
    for part in passages:
        text = prepare(part)
        bounds = _sentence_bounds(text)
        for e in mentions(text):
            if same_number(num, e):
                own.append(coverage(context_at(text, e.start, bounds), terms))
            elif _same_kind(num, e) and not _is_year(e):
                rivals.append(coverage(context_at(text, e.start, bounds), terms))
    if not own or not rivals:
        return False
    best_own = _best(own)
    if not any(best_own) and not any(_best(rivals)):
        return False
    return _elsewhere(best_own, _best(rivals), NUMBER_MARGIN)


_COUNT_SKIP = re.compile(r"[\s+余多几]*")


def counted_word(text: str, end: int) -> str:
    """The character naming what the number at ``text[:end]`` counts ("50+语种" → 语, "16国" → 国),
    or '' when none follows."""
    rest = text[end:]
    rest = rest[_COUNT_SKIP.match(rest).end() :]  # type: ignore[union-attr]
    return rest[:1] if _CJK.match(rest[:1]) else ""


def counts_something_else(num: NumberMention, claim: str, passages: Sequence[str]) -> bool:
    """The claim counts one thing ("20+语种", "1年") but the evidence's same value counts another
    ("20国", "1枚"), while the thing claimed is what other numbers of the evidence count.

    ``claim`` is the ``prepare``d sentence ``num`` was read from.
    """
    word = counted_word(claim, num.end)
    if not word or num.scaled is not None or num.percent:
        return False
    own, other = [], False
    for part in passages:
        text = prepare(part)
        for e in mentions(text, infer_units=False):
            w = counted_word(text, e.end)
            if same_number(num, e):
                own.append(w)
            elif w == word:
                other = True
    return bool(own) and other and all(w != word for w in own)


def _is_year(n: NumberMention) -> bool:
    return n.scaled is None and not n.percent and n.value.is_integer() and 1900 <= n.value <= 2100


def claim_bound_elsewhere_number(_claim: str, raw: str, passage: str, question: str) -> bool:
    """Doctest helper: ``raw`` (a number as written) checked against one passage."""
    num = mentions(prepare(raw))[0]
    return number_bound_elsewhere(num, [passage], question)


# -- names -------------------------------------------------------------------------------------


def name_bound_elsewhere(name: str, passages: Sequence[str], question: str) -> bool:
    """A name the answer adds stands only in sentences far from the question's subject, while
    another sentence of the cited passages covers clearly more of it."""
    terms = key_terms(question)
    target = _fold(name)
    if terms.empty or len(target) < 2:
        return False
    own: list[tuple[float, ...]] = []
    every: list[tuple[float, ...]] = []
    for part in passages:
        text = unicodedata.normalize("NFKC", part).lower()
        bounds = _sentence_bounds(text)
        for a, _b in bounds:
            every.append(coverage(context_at(text, a, bounds), terms))
        squeezed = _fold(text)
        if target not in squeezed:
            continue
        for m in re.finditer(re.escape(name.lower()), text):
            own.append(coverage(context_at(text, m.start(), bounds), terms))
    if not own:
        return False
    return _elsewhere(_best(own), _best(every), NAME_MARGIN)


__all__ = [
    "KeyTerms",
    "context_at",
    "counted_word",
    "counts_something_else",
    "coverage",
    "key_terms",
    "name_bound_elsewhere",
    "number_bound_elsewhere",
]
