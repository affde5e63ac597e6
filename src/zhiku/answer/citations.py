"""Citation marks in a generated answer: the styles models write, read as ``[n]``.

Why apart from the verifier: the generator, the cross-check and the verifier all read and strip
the marks, and none of them needs the rest of the other's checks to do so.
"""

from __future__ import annotations

import re

_CITE = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
# Citation marks models write besides [n]: 【n】, [^n], [资料n], [Evidence n], <sup>n</sup>, ^[n], (n)/（n）.
_CITE_STYLES = re.compile(
    r"\[\s*\^\s*(\d+)\s*\]|\^\[(\d+)\]|<sup>\s*\[?(\d+)\]?\s*</sup>"
    r"|[\[【]\s*(?:资料|来源|证据|引用|文献|evidence|source|doc|ref)\s*#?\s*(\d+)\s*[\]】]",
    re.I,
)
_PAREN_CITE = re.compile(r"(?<=[^\s(（])\s?[(（]\s*(\d{1,2})\s*[)）](?=\s*(?:[。！？!?.,，；;:：]|\[|$|\n))")
_FOOTNOTE_DEF = re.compile(r"^\s*\[\^?\d+\]\s*[:：].*$", re.M)
_SENT_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s+(?=[A-Z\[\u4e00-\u9fff])")


def normalise_citations(text: str, max_index: int | None = None) -> str:
    """Rewrite the citation styles models use (【1】, [^1], (1), [资料1] …) as ``[n]``.

    A parenthesised number counts as a citation only at a clause end and when it names
    evidence that exists (``max_index``), so "(2023)" or a list's "(1)" stays text.
    """
    text = _FOOTNOTE_DEF.sub("", text)
    text = _CITE_STYLES.sub(lambda m: f"[{next(g for g in m.groups() if g)}]", text)
    text = re.sub(r"【\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*】", r"[\1]", text)
    if max_index:

        def paren(m: re.Match[str]) -> str:
            n = int(m.group(1))
            return f"[{n}]" if 1 <= n <= max_index else m.group(0)

        text = _PAREN_CITE.sub(paren, text)
    return text.strip()


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
