"""A deterministic stand-in for a large model: quotes the evidence sentence closest to the question.

Evaluations in tests and benchmarks need a "large model" that costs tokens, cites evidence and is
sometimes right, without a GPU or a network.  ``evidence_echo`` is a reply function for the
shipped ``ScriptedLLM``: it reads the numbered evidence of a grounded-generation prompt and answers
with the sentence sharing the most character bigrams with the question, cited as ``[n]``.

>>> llm = ScriptedLLM(evidence_echo, name="large", remote=True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zhiku.models.llm import ChatMessage
from zhiku.understand.sentences import split_sentences

_BLOCK = re.compile(r'<evidence n="(\d+)"[^>]*>\n(.*?)\n</evidence>', re.S)
_QUESTION = re.compile(r"(?:问题：|Question: )(.*)\s*$", re.S)


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text.lower())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def evidence_echo(messages: Sequence[ChatMessage]) -> str:
    """The closest evidence sentence with its citation marker; NO_ANSWER when there is none."""
    prompt = messages[-1].content if messages else ""
    found = _QUESTION.search(prompt)
    question = _bigrams(found.group(1) if found else prompt)
    best, best_score = "", 0.0
    for number, text in _BLOCK.findall(prompt):
        for sentence in split_sentences(text):
            score = len(question & _bigrams(sentence)) / (1 + len(_bigrams(sentence)) ** 0.5)
            if score > best_score:
                best, best_score = f"{sentence.strip()}[{number}]", score
    return best or "NO_ANSWER"
