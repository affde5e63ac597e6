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
from functools import lru_cache
from typing import Literal

from zhiku.answer.citations import (
    citations_in,
    normalise_citations,
    split_sentences,
    strip_citations,
)
from zhiku.answer.claim_binding import (
    counts_something_else,
    name_bound_elsewhere,
    number_bound_elsewhere,
)
from zhiku.answer.evidence_numbers import (
    Binding,
    NumberMention,
    binding,
    date_supported,
    dates_in,
    extract_numbers,
    mentions,
    number_supported,
    prepare,
    same_number,
    years_in,
)
from zhiku.types import Language

ViolationKind = Literal["empty", "no_citation", "bad_citation", "unsupported", "number"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[a-z][a-z\-]+|\d+(?:\.\d+)?")
_STOP = frozenset(
    "the a an of in on at to for and or is are was were be by with as from that this it its which what "
    "how many much when where who whom whose than about according answer evidence figure asked".split()
)
# Words that glue an answer together ("答案是…", "这正是…所问的", "单位：") and say nothing a
# source must back; they split the answer into the runs that must be found in the evidence.
_GLUE_WORDS = re.compile(r"答案|结论|根据资料|所问的?|这正是|如下|分别")
_GLUE = re.compile(
    r"答案|结论|根据|资料|显示|单位|所问的?|这正是|正是|分别|如下|其中|大约|约|即|为|是|的|了|和|与|及|在|有|"
    r"人民币|元|yuan|rmb|usd|dollars?|"
    r"[^\w]|_"
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
    return prepare(text)


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


def _mostly_chinese(text: str) -> bool:
    """Chinese carries the text (an English sentence quoting "121亿" is still English)."""
    return len(_CJK.findall(text)) >= len(re.findall(r"[A-Za-z]{2,}", text)) and bool(_CJK.search(text))


def _same_script(a: str, b: str) -> bool:
    return _mostly_chinese(a) == _mostly_chinese(b)


def _without_numbers(text: str) -> str:
    """The sentence with its numbers (and their scale words) blanked: those are checked as values."""
    prepared = prepare(text)
    for n in sorted(mentions(prepared, infer_units=False), key=lambda m: -m.start):
        prepared = prepared[: n.start] + " " + prepared[n.end :]
    return prepared


def _numbers_as_digits(text: str) -> str:
    """Numbers written in words or other scales restated as digits ("六百二十亿" → "620亿"),
    so a paraphrased figure scores like the evidence's own writing in the word-support check."""
    prepared = prepare(text)
    if not _mostly_chinese(prepared):
        return prepared
    for n in sorted(mentions(prepared, infer_units=False), key=lambda m: -m.start):
        if n.raw[:1].isdigit() and (n.scaled is None or not re.search(r"[A-Za-z]", n.raw)):
            continue
        value = f"{n.scaled / 1e8:g}亿" if n.scaled is not None and n.scaled >= 1e8 else f"{n.value:g}"
        prepared = prepared[: n.start] + value + ("%" if n.percent else "") + prepared[n.end :]
    return prepared


def _bound_elsewhere(num: NumberMention, sentence: str, scope_parts: Sequence[str]) -> bool:
    """True when every occurrence of the number in the evidence belongs to another year or row.

    "2023年…327亿元" with a table whose 327 sits under 2022 cites a real number for the wrong
    year (the neighbouring cell); a number the evidence does not tie to anything passes.
    """
    prepared = prepare(sentence)
    if num.scaled is None and not num.percent and num.value.is_integer() and 1900 <= num.value <= 2100:
        return False  # the claimed number is itself a year ("哪一年最低？" → 2020)
    asked_years = years_in(prepared, skip=num)
    same_script = _same_script(sentence, " ".join(scope_parts))
    occurrences = 0
    squeezed = re.sub(r"\s+", "", prepared)
    for part in scope_parts:
        ev = prepare(part)
        found = [(e, binding(ev, e)) for e in mentions(ev) if same_number(num, e)]
        labelled = any(b.years or b.label for _, b in found)
        for e, bound in found:
            if labelled and _plot_label(ev, e, bound):
                continue  # the chart's plotted labels restate its data table, which says the year
            occurrences += 1
            year_ok = not bound.years or not asked_years or bool(bound.years & asked_years)
            label = bound.label
            # A claim naming one row of a table must not take its number from another row; a
            # claim naming no row of it (a paraphrased label) cannot be judged and passes.
            label_ok = (
                label is None
                or not same_script
                or re.sub(r"\s+", "", label) in squeezed
                or not any(lb in squeezed for lb in _row_labels(ev))
            )
            if year_ok and label_ok:
                return same_script and _outcompeted(num, sentence, part)
    return occurrences > 0


_BARE_LINE = re.compile(r"[\d.,%\s]+")


def _plot_label(prepared: str, e: NumberMention, bound: Binding) -> bool:
    """An unbound number on a line of bare numbers ("29 27 31", "47"): a chart's value labels,
    extracted without the axis they stand over."""
    if bound.years or bound.label:
        return False
    start = prepared.rfind("\n", 0, e.start) + 1
    end = prepared.find("\n", e.end)
    return bool(_BARE_LINE.fullmatch(prepared[start : end if end >= 0 else len(prepared)]))


def _row_labels(prepared: str) -> list[str]:
    """First cells of the table rows in a passage: what a claim names when it names a row."""
    labels = []
    for line in prepared.split("\n"):
        if "|" in line:
            cell = re.sub(r"\s+", "", line.split("|")[0])
            if cell and not re.fullmatch(r"[\d.%]+", cell):
                labels.append(cell)
    return labels


def _content(text: str) -> str:
    """The sentence as the word-support check reads it: numbers as digits, glue words dropped."""
    return _GLUE_WORDS.sub(" ", _numbers_as_digits(text))


_CLAUSE = re.compile(r"[^，,。；;！？!?\n]+")


def _same_kind(a: NumberMention, b: NumberMention) -> bool:
    if a.percent or b.percent:
        return a.percent == b.percent
    return (a.scaled is not None and b.scaled is not None) or (bool(a.suffix) and a.suffix == b.suffix)


def _outcompeted(num: NumberMention, sentence: str, part: str) -> bool:
    """The evidence clause closest to the claim states a different number of the same kind.

    "2023年有12家AI公司进入IPO阶段" against "共有18家AI公司进入IPO阶段，而其中12家选择港股上市":
    12 is in the passage, but the clause that says what the answer says has 18家.  Table and
    chart rows are left to the column/row binding.
    """
    claim = _grams(_without_numbers(sentence))
    if not claim:
        return False
    ev = prepare(part)
    best_score, best_has, best_other, own = 0.0, False, False, 0.0
    for m in _CLAUSE.finditer(ev):
        if "|" in m.group(0):
            continue
        grams = _grams(_without_numbers(m.group(0)))
        if len(grams) < 2:
            continue
        score = len(grams & claim) / len(grams)
        nums = mentions(m.group(0), infer_units=False)
        has = any(same_number(num, e) for e in nums)
        if has:
            own = max(own, score)
        if score > best_score:
            best_score, best_has = score, has
            best_other = any(_same_kind(num, e) and not same_number(num, e) for e in nums)
    return best_score >= 0.5 and not best_has and best_other and own < 0.5 * best_score


def _novel_runs(sentence: str, question: str) -> list[str]:
    """Stretches of a Chinese answer that are neither the question's words, glue nor numbers."""
    text = unicodedata.normalize("NFKC", _without_numbers(strip_citations(sentence))).lower()
    asked = _grams(question)
    glue = [False] * len(text)
    for m in _GLUE.finditer(text):
        for i in range(m.start(), m.end()):
            glue[i] = True
    covered = [False] * len(text)
    for i, (x, y) in enumerate(itertools.pairwise(text)):
        if x + y in asked:
            covered[i] = covered[i + 1] = True
    runs, run = [], ""
    for c, cov, g in zip(text, covered, glue, strict=True):
        if cov or g:
            if len(run) >= 2:
                runs.append(run)
            run = ""
        else:
            run += c
    if len(run) >= 2:
        runs.append(run)
    return runs


def _lone_characters(sentence: str, question: str) -> list[str]:
    """Single added characters fused with a word of the question, each with its neighbours.

    "泰国家主办了…" for "哪个国家主办了…": the answer's name "泰国" shares its "国" with the
    question's "国家", so only "泰" is new, too short a run to be checked alone; read with its
    neighbour it is "泰国", which the evidence must hold.  A character next to a number ("前"
    of "前108年", "约") qualifies the number, which is checked as a value, and is left alone.
    So is a character the question holds (its own word cut apart by the answer: "…有人（单位：万）"
    for "…有多少人").
    Returns the two-character readings ("泰国" and any "X泰") of each such character, joined
    by "|" per character.
    """
    text = unicodedata.normalize("NFKC", _without_numbers(strip_citations(sentence))).lower()
    asked = _grams(question)
    glue = [False] * len(text)
    for m in _GLUE.finditer(text):
        for i in range(m.start(), m.end()):
            glue[i] = True
    covered = [False] * len(text)
    for i, (x, y) in enumerate(itertools.pairwise(text)):
        if x + y in asked:
            covered[i] = covered[i + 1] = True
    out = []
    for i, c in enumerate(text):
        if covered[i] or glue[i] or not _CJK.match(c) or c in question:
            continue  # a character of the question's own ("有人" of "有多少人" restated) is no claim
        left = i > 0 and not covered[i - 1] and not glue[i - 1]
        right = i + 1 < len(text) and not covered[i + 1] and not glue[i + 1]
        if left or right:
            continue  # part of a longer run, checked as a run
        near = [text[i - 1 : i + 1]] if i > 0 and _CJK.match(text[i - 1]) else []
        near += [text[i : i + 2]] if i + 1 < len(text) and _CJK.match(text[i + 1]) else []
        numbered = (i > 0 and text[i - 1] == " ") or (i + 1 < len(text) and text[i + 1] == " ")
        if near and not numbered:
            out.append("|".join(near))
    return out


def _unbacked_stretch(run: str, evidence: str) -> bool:
    """Two or more characters in a row of which no bigram stands in the evidence: a word the
    evidence lacks inside a run it otherwise backs ("黑胸鸣官鸟" against "又名鸣官鸟", "北京市昌宁"
    against a passage on another Beijing company).  One odd character (a transliteration's
    variant, "德拉邦特" for "达拉邦特") is tolerated."""
    chars = [c for c in run if c.isalnum()]
    backed = [False] * len(chars)
    for i, (x, y) in enumerate(itertools.pairwise(chars)):
        if x + y in evidence:
            backed[i] = backed[i + 1] = True
    longest = 0
    for flag in backed:
        longest = 0 if flag else longest + 1
        if longest >= 2 and any(backed):
            return True
    return False


def _novel_words_unsupported(sentence: str, question: str, scope: str) -> str:
    """The words the answer adds to the question must come from the cited evidence.

    A sentence built from the question's own words plus a name shares most of its bigrams with
    any on-topic passage; what must be backed is the name it adds: as a whole, or at least half
    of its bigrams with no two characters in a row unbacked.  Glue ("答案是", "所问的") and
    numbers (checked as values) are not counted.  Returns the unsupported words, or ''.
    """
    if _CJK.search(sentence):
        evidence = re.sub(r"\s+", "", unicodedata.normalize("NFKC", scope).lower())
        missing = [
            r
            for r in _novel_runs(sentence, question)
            if r not in evidence and (support_score(r, evidence) < 0.5 or _unbacked_stretch(r, evidence))
        ]
        missing += [
            pairs
            for pairs in _lone_characters(sentence, question)
            if not any(pair in evidence for pair in pairs.split("|"))
        ]
        return "、".join(missing)
    body = _without_numbers(strip_citations(sentence))
    words = {w for w in _EN_WORD.findall(body.lower()) if w not in _STOP and not w[0].isdigit()}
    novel = words - _grams(question)
    have = _grams(scope) if not _CJK.search(scope) else set()
    missing_en = sorted(novel - have) if have or not _CJK.search(scope) else []
    return ", ".join(missing_en) if len(missing_en) * 2 > len(novel) and missing_en else ""


def _check_sentence(
    sentence: str,
    refs: list[int],
    evidence: Mapping[int, str],
    allowed_numbers: Sequence[NumberMention],
    min_support: float,
    question: str = "",
    allowed_texts: Sequence[str] = (),
) -> tuple[list[Violation], dict[int, float]]:
    violations: list[Violation] = []
    support: dict[int, float] = {}
    known = [n for n in refs if n in evidence]
    for n in refs:
        if n not in evidence:
            violations.append(Violation("bad_citation", f"[{n}] does not exist", sentence))
    scope = " ".join(evidence[n] for n in known)
    plain = _content(sentence)
    if known and len(_grams(plain)) >= 3 and _same_script(sentence, scope):
        best = max(support_score(plain, evidence[n]) for n in known)
        for n in known:
            support[n] = support_score(plain, evidence[n])
        if best < min_support:
            violations.append(
                Violation("unsupported", f"cited {known} share {best:.2f} of its words", sentence)
            )
        elif question and (missing := _novel_words_unsupported(sentence, question, scope)):
            violations.append(
                Violation("unsupported", f"「{missing}」 is not in the cited evidence", sentence)
            )

    passages = [evidence[n] for n in known]
    violations.extend(_date_violations(sentence, scope, allowed_texts))
    violations.extend(_era_violations(sentence, scope))
    violations.extend(_number_violations(sentence, passages, allowed_numbers, question))
    if question and not violations and _CJK.search(sentence):
        for run in _novel_runs(sentence, question):
            if name_bound_elsewhere(run, passages, question):
                violations.append(
                    Violation(
                        "unsupported", f"「{run}」 is said of something else than what was asked", sentence
                    )
                )
                break
    return violations, support


def _date_violations(sentence: str, scope: str, allowed_texts: Sequence[str]) -> list[Violation]:
    """Dates the cited evidence (or the question) does not state, and dates no calendar has."""
    out = []
    allowed_dates = [d for c in allowed_texts for d in dates_in(prepare(c))]
    for date in dates_in(prepare(sentence)):
        if not date_supported(date, dates_in(prepare(scope)) + allowed_dates):
            y, m, d = date
            out.append(
                Violation(
                    "number", f"{y or ''}{'年' if y else ''}{m}月{d}日 is not in the cited evidence", sentence
                )
            )
    if impossible := _impossible_date(sentence):
        out.append(Violation("number", f"{impossible} is not a date", sentence))
    return out


# a reign or era year glossed with its calendar year: "大宝二年（551年）", "太清三年(549)"
_ERA_GLOSS = re.compile(
    r"([\u4e00-\u9fff]{2}(?:元|[一二三四五六七八九十]{1,3})年)\s*[（(]\s*(?:公元)?(前)?\s*(\d{1,4})\s*年?\s*[)）]"
)


_ERA_GLOSS_EN = re.compile(r"\b([A-Z][a-z]+ (?:era )?\d{1,2})\s*\((?:AD |CE )?()(\d{3,4})\)")


def _era_violations(sentence: str, scope: str) -> list[Violation]:
    """An era year glossed with another calendar year than the evidence gives it ("大宝二年
    （549年）" where the evidence has "大宝二年（551年）" and 549 glosses another era year): the
    year is real, but of a neighbouring date.  The same for "Meiji 5 (1872)" in English."""
    given: dict[str, set[str]] = {}
    scope, sentence = unicodedata.normalize("NFKC", scope), unicodedata.normalize("NFKC", sentence)
    glosses = (_ERA_GLOSS, _ERA_GLOSS_EN)
    for m in (m for rx in glosses for m in rx.finditer(scope)):
        given.setdefault(m.group(1), set()).add((m.group(2) or "") + m.group(3))
    out = []
    for m in (m for rx in glosses for m in rx.finditer(sentence)):
        year = (m.group(2) or "") + m.group(3)
        if m.group(1) in given and year not in given[m.group(1)]:
            detail = (
                f"{m.group(1)} is {'/'.join(sorted(given[m.group(1)]))} in the cited evidence, not {year}"
            )
            out.append(Violation("number", detail, sentence))
    return out


def _number_violation(num: NumberMention, sentence: str, passages: Sequence[str], question: str) -> str:
    """Why a number found in the cited evidence is still not what the evidence says, or ''."""
    if _bound_elsewhere(num, sentence, passages):
        return f"{num.raw} belongs to another year or row of the cited evidence"
    if counts_something_else(num, prepare(sentence), passages):
        return f"{num.raw} counts something else in the cited evidence"
    if question and number_bound_elsewhere(num, passages, question):
        return f"{num.raw} is said of something else than what was asked"
    return ""


def _number_violations(
    sentence: str, passages: Sequence[str], allowed: Sequence[NumberMention], question: str
) -> list[Violation]:
    """Every number must be in the cited evidence, as often as it is said, and bound there to
    what the sentence (and the question) ties it to."""
    out = []
    pool = extract_numbers(" ".join(passages))
    claimed = extract_numbers(sentence)
    for num in claimed:
        if number_supported(num, allowed):
            continue
        said = sum(1 for c in claimed if same_number(num, c))
        if said > 1 and said > sum(1 for e in pool if same_number(num, e)):
            detail = f"{num.raw} is given {said} times, the evidence states it fewer"
        elif not number_supported(num, pool):
            detail = f"{num.raw} is not in the cited evidence"
        else:
            detail = _number_violation(num, sentence, passages, question)
        if detail:
            out.append(Violation("number", detail, sentence))
    return out


_BAD_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,4})\s*[日号]|(?<!\d)(\d{3,})\s*月")


def _impossible_date(sentence: str) -> str:
    """A month past 12 or a day past 31 ("7月660日"): a figure spliced into a date."""
    for m in _BAD_DATE.finditer(prepare(sentence)):
        month, day, big = m.group(1), m.group(2), m.group(3)
        if big or int(month) > 12 or int(day) > 31 or int(day) == 0:
            return m.group(0)
    return ""


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
        share = support_score(_content(text), scope)
        if share < min_support:
            return [
                Violation("unsupported", f"only {share:.2f} of the answer's words are in the cited evidence")
            ]
        return []
    # Across languages words cannot be compared; a real answer still shares a number or a name.
    pool = extract_numbers(scope)
    latin = set(re.findall(r"[a-z]{2,}", unicodedata.normalize("NFKC", scope).lower()))
    shares_name = bool(latin & set(re.findall(r"[a-z]{2,}", unicodedata.normalize("NFKC", text).lower())))
    if not shares_name and not any(number_supported(n, pool) for n in extract_numbers(text)):
        return [Violation("unsupported", "the answer shares no number or name with the cited evidence")]
    return []


def _uncited_claim(sentence: str, cited: Sequence[str], min_support: float) -> Violation | None:
    """An uncited sentence that says something the cited evidence does not back is a claim
    without a source ("这一数字位居全球首位。" after a cited answer)."""
    plain = _content(sentence)
    grams = _grams(plain)
    if len(grams) < (3 if _mostly_chinese(sentence) else 2) or not cited:
        return None
    scope = " ".join(cited)
    if not _same_script(sentence, scope):  # across languages: it must at least share a number or name
        return (
            _whole_answer(sentence, cited, min_support)
            and Violation(
                "no_citation",
                "a claim without a citation that shares nothing with the cited evidence",
                sentence,
            )
        ) or None
    if support_score(plain, scope) < max(min_support, 0.5):
        return Violation(
            "no_citation", "a claim without a citation, not backed by the cited evidence", sentence
        )
    return None


_ANY_YEAR = re.compile(
    r"(?<!\d)(?:1\d{3}|20\d{2}|21\d{2})(?!\d)|\d{1,4}\s*年|[一二三四五六七八九十〇零元]+年|\b\d{1,4}\s*(?:BC|AD|BCE|CE)\b"
)


@lru_cache(maxsize=256)
def _asks_year(question: str) -> bool:
    from zhiku.understand.question import analyse

    qt = analyse(question).qtype
    return qt.kind == "date" and qt.grain == "year"


def _year_missing(text: str, question: str) -> Violation | None:
    """A question asking which year ("哪一年", "in which year") is not answered by a sentence
    without any year: a figure of the right row is still no year."""
    if not question or not _asks_year(question):
        return None
    if _ANY_YEAR.search(prepare(strip_citations(text))):
        return None
    return Violation("unsupported", "the question asks for a year; the answer states none")


@lru_cache(maxsize=256)
def _parts_asked(question: str) -> int:
    """How many things the question asks for ("A和B分别…", two questions in one)."""
    from zhiku.answer.reader import split_parts
    from zhiku.understand.question import analyse

    parts = len(split_parts(analyse(question)))
    if m := _COUNTED.search(question):
        return max(parts, _COUNT_WORDS[next(g for g in m.groups() if g).lower()])
    return max(parts, 2) if _RESPECTIVELY.search(question) else parts


# "A和B分别是谁", "What were A and B's scores respectively": several things are asked, whatever
# the question's parts are called; "哪两个专业", "which three cities": as many as it counts
_RESPECTIVELY = re.compile(r"分别|\brespectively\b", re.IGNORECASE)
_COUNT_WORDS = {"两": 2, "二": 2, "2": 2, "三": 3, "3": 3, "two": 2, "three": 3}
_COUNTED = re.compile(
    r"哪(两|二|三|2|3)[个位家项种所条座名只部支]|\b(?:which|what) (two|three)\b", re.IGNORECASE
)


def _items(text: str, question: str) -> int:
    """The things an answer says beyond its question: runs of added Chinese text or of added
    English content words, and numbers the question does not hold."""
    body = strip_citations(text)
    asked = extract_numbers(question)
    numbers = [n for n in extract_numbers(body) if not any(same_number(n, q) for q in asked)]
    if _CJK.search(body):
        # "法学与知识产权" names two things though "法学" is the question's word: the joints the
        # answer adds to the question's own count items too
        joints = len(_JOINT.findall(body)) - len(_JOINT.findall(question))
        return max(len(_novel_runs(body, question)) + len(numbers), joints + 1)
    known = _grams(question)
    runs, inside = 0, False
    for word in re.findall(r"[a-z][a-z'’-]*|[^\sa-z]", _without_numbers(body).lower()):
        novel = (
            word[0].isalpha() and len(word) > 1 and word not in _STOP and word not in known
        )  # "m" of "10m": a unit
        runs += novel and not inside
        inside = novel
    return runs + len(numbers)


_JOINT = re.compile(r"[、和与及]")


def _parts_missing(text: str, question: str) -> Violation | None:
    """A question asking for several things ("A和B分别是谁？") is not answered by one thing."""
    if not question:
        return None
    asked = _parts_asked(question)
    if asked < 2 or _items(text, question) >= asked:
        return None
    return Violation("unsupported", f"the question asks for {asked} things; the answer gives fewer")


_LIST = re.compile(r"[^、，,。；;：:！？!?\n]+(?:、[^、，,。；;：:！？!?\n]+)+")


def _edge(segment: str, question: str, head: bool) -> str:
    """The list item at the edge of a segment: what is left of it once the words it shares
    with the question at its other end are cut ("…模型包括7B" → "7B", "33B几种参数规模" → "33B")."""
    q = re.sub(r"\s+", "", unicodedata.normalize("NFKC", question)).lower()
    if head:
        k = 0
        while k < len(segment) and segment[k:] not in q:
            k += 1
        return segment[:k]
    k = len(segment)
    while k > 0 and segment[:k] not in q:
        k -= 1
    return segment[k:]


_EN_LIST = re.compile(r"[^,;:!?\n]+(?:(?:,\s*(?:and\s+)?|\s+and\s+)[^,;:!?\n]+)+")
_EN_SEP = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def _list_items(body: str, question: str) -> Iterable[list[str]]:
    """The items of each "、"-separated list in a Chinese answer, its edge items cut from the
    words they share with the question."""
    squeezed = re.sub(r"\s+", "", body)
    for m in _LIST.finditer(squeezed):
        segments = m.group(0).split("、")
        first, last = _edge(segments[0], question, head=False), _edge(segments[-1], question, head=True)
        yield [i for i in (first, *segments[1:-1], last) if i]


def _repeated_en(body: str) -> str:
    """An item an English list names twice ("Lin Lan, Zhou Yuan and Lin Lan"): an inner item
    again, or the last segment (the list's last item) repeating the words that close the first
    ("It is red, and red is rare" is no list); '' when none."""
    for sentence in re.split(r"(?<=[a-z\]\)])\.\s|\.$", body):
        for m in _EN_LIST.finditer(sentence):
            segments = [g.strip() for g in _EN_SEP.split(m.group(0))]
            inner, head, tail = segments[1:-1], segments[0].split(), segments[-1].split()
            for k in range(1, 4):
                edge_a, edge_b = " ".join(head[-k:]), " ".join(tail[:k])
                if len(head) >= k and len(tail) == k and edge_a == edge_b and edge_a not in _STOP:
                    return edge_a
            for i, item in enumerate(inner):
                if item in inner[i + 1 :] or " ".join(head[-len(item.split()) :]) == item:
                    return item
                if " ".join(tail[: len(item.split())]) == item:
                    return item
    return ""


def _repeated_item(text: str, question: str) -> Violation | None:
    """A list that names one item twice ("7B、13B、33B、33B", "6月18日、18日", "7B, 13B and
    13B"): the repeat stands where another item belongs, so the list is not what its evidence lists."""
    if question and _parts_asked(question) > 1:
        return None  # "甲和乙分别…": two parts may have one value (the number count rule checks it)
    body = unicodedata.normalize("NFKC", strip_citations(text)).lower()
    if not _mostly_chinese(body):
        item = _repeated_en(body)
        return Violation("unsupported", f"the answer names 「{item}」 twice in one list") if item else None
    for items in _list_items(body, question):
        for a, b in itertools.combinations(items, 2):
            short, long = sorted((a, b), key=len)
            carried = (
                short[0].isdigit()
                and long.endswith(short)
                and not long[: len(long) - len(short)][-1:].isdigit()
            )
            if short == long or carried:  # "18日" after "6月18日" is the same day, its month carried
                return Violation("unsupported", f"the answer names 「{short}」 twice in one list")
    return None


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
    text = normalise_citations(text, max(evidence, default=0))
    all_refs = citations_in(text)
    if not all_refs:
        return VerifyResult((Violation("no_citation", "the answer cites no evidence [n]"),))
    computed = list(computed)
    allowed = extract_numbers(question) + [n for c in computed for n in extract_numbers(c)]
    cited_anywhere = [n for n in dict.fromkeys(all_refs) if n in evidence]
    cited_texts = [evidence[n] for n in cited_anywhere]
    violations: list[Violation] = []
    support: dict[int, float] = {}
    for sentence in split_sentences(text):
        refs = citations_in(sentence) or cited_anywhere
        found, scores = _check_sentence(
            sentence, refs, evidence, allowed, min_support, question, [question, *computed]
        )
        if not citations_in(sentence):  # uncited: numbers against all cited evidence, and no new claim
            found = [v for v in found if v.kind == "number"]
            claim = _uncited_claim(sentence, cited_texts, min_support)
            if claim is not None:
                found.append(claim)
        violations.extend(found)
        for n, s in scores.items():
            support[n] = max(support.get(n, 0.0), s)
    if not any(v.kind == "unsupported" for v in violations):
        violations.extend(_whole_answer(text, cited_texts, min_support))
    if not violations and (missing := _year_missing(text, question)) is not None:
        violations.append(missing)
    if not violations and (missing := _parts_missing(text, question)) is not None:
        violations.append(missing)
    if not violations and (repeated := _repeated_item(text, question)) is not None:
        violations.append(repeated)
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
