"""Build the one ``Question`` record of a question: language, type, terms, years, parts.

Why one builder: the gate, retrieval, the experts and the reader all need to know what a
question asks (its language, the answer kind, the years and places it names, the items of
"A和B分别…").  Working that out once, here, keeps every stage reading the same analysis and
keeps the rules in one package; the stages receive the record instead of the raw text.

>>> q = analyse("2022年美国人工智能产业规模是多少？")
>>> q.language, q.qtype.kind, q.years, q.places
('zh', 'number', ('2022',), ('美国',))
"""

from __future__ import annotations

import unicodedata

from zhiku.types import AskRequest, Language, Question
from zhiku.understand.coordinated import split_coordinated
from zhiku.understand.focus import focus_of
from zhiku.understand.lang import detect_language, glossary_expand
from zhiku.understand.normalise import fold
from zhiku.understand.qtypes import detect_question_type
from zhiku.understand.terms import question_terms, question_years

_NOUN_TAGS = frozenset({"n", "nz", "nt", "nw"})


def analyse(text: str, language: Language | None = None, *, split: bool = True) -> Question:
    """The analysis of ``text``; ``split=False`` skips the coordinated parts (a part itself).

    ``language`` overrides detection (a caller that already knows it); the parts of a
    coordinated question are full ``Question`` records of their own.
    """
    import rjieba

    clean = unicodedata.normalize("NFKC", text).strip()
    lang = language or detect_language(clean)
    folded = fold(text)
    lexical = glossary_expand(text)
    qtype = detect_question_type(clean, lang)
    parts: tuple[Question, ...] = ()
    if split:
        pieces = split_coordinated(text, lang)
        if len(pieces) > 1:
            parts = tuple(analyse(p, split=False) for p in pieces)
    return Question(
        text=text,
        clean=clean,
        language=lang,
        qtype=qtype,
        terms=question_terms(clean, lang, focus_of(clean, lang) if qtype.kind == "other" else ""),
        years=question_years(clean),
        folded=folded,
        nouns=tuple(w for w, tag in rjieba.tag(folded) if tag in _NOUN_TAGS),
        lexical=lexical,
        # the reranker's weights were fitted reading the type off the search text itself
        search_kind=qtype.kind if _same_reading(lexical, clean) else detect_question_type(lexical).kind,
        parts=parts,
    )


def _same_reading(text: str, clean: str) -> bool:
    """Whether the type rules read ``text`` as they read ``clean``: the two differ at most in the
    width of punctuation ("？" / "?"), which every rule accepts in both forms."""
    return len(text) == len(clean) and all(
        a == b or (unicodedata.normalize("NFKC", a) == b and not b.isalnum())
        for a, b in zip(text, clean, strict=True)
    )


def question_of(request: AskRequest) -> Question:
    """The analysis ``Assistant`` attached to ``request``, or a fresh one for a bare request.

    A request whose text no longer matches its analysis (a copy with another question) is
    analysed afresh rather than answered with a stale record.
    """
    found = request.analysis
    if found is not None and found.text == request.question:
        return found
    return analyse(request.question)
