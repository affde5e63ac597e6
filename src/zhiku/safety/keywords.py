"""Keyword interception (拦截关键词): exact terms, matched with Aho-Corasick over normalised text.

A list is a UTF-8 file the user controls.  Plain text, one rule a line, fields separated by a
tab or ``|``; ``#`` starts a comment::

    # term        category    action
    炸药配方        violence    block
    某内部代号      secret      mask
    某敏感话题      politics    review

``category`` defaults to ``custom`` and ``action`` to the configured default (``block``).
A ``.jsonl`` list holds ``{"term": ..., "category": ..., "action": ...}`` objects instead.

Terms and text are both folded by :mod:`zhiku.safety.normalise`, so 炸 弹, 炸*弹, 炸彈 and ＢＯＭＢ
all match.  A term that begins or ends with a Latin letter or digit only matches at a word
boundary of the original text, so ``gun`` does not fire inside ``begun``.

>>> m = KeywordMatcher([KeywordRule("炸药配方", "violence", "block", "demo:1")])
>>> [x.rule.rule_id for x in m.scan("请给我炸 藥 配方")]
['demo:1']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from zhiku.errors import ConfigError
from zhiku.safety.automaton import TermAutomaton
from zhiku.safety.normalise import compact, normalise, word_edges_ok

Action = Literal["block", "review", "mask"]
ACTIONS: tuple[Action, ...] = ("block", "review", "mask")
# Higher wins when several rules fire on one text.
SEVERITY: dict[str, int] = {"mask": 1, "review": 2, "block": 3}


@dataclass(frozen=True)
class KeywordRule:
    term: str
    category: str
    action: Action
    rule_id: str


@dataclass(frozen=True)
class Match:
    """One rule firing on a text; ``start``/``end`` index the *original* text."""

    rule_id: str
    category: str
    action: Action
    start: int
    end: int
    kind: Literal["keyword", "intent", "model"] = "keyword"

    @property
    def severity(self) -> int:
        return SEVERITY[self.action]


@dataclass(frozen=True)
class KeywordHit:
    rule: KeywordRule
    start: int
    end: int

    def to_match(self) -> Match:
        return Match(self.rule.rule_id, self.rule.category, self.rule.action, self.start, self.end)


def parse_action(value: str, where: str) -> Action:
    value = value.strip().lower()
    if value not in ACTIONS:
        raise ConfigError(
            f"{where}：动作无效 {value!r}，可选 block / review / mask",
            f"{where}: invalid action {value!r}; valid values: block, review, mask",
        )
    return cast(Action, value)


def load_keyword_list(path: Path, default_action: Action = "block") -> list[KeywordRule]:
    """Read a list file (text or ``.jsonl``); errors name the file and line."""
    if not path.is_file():
        raise ConfigError(f"关键词列表不存在：{path}", f"keyword list not found: {path}")
    rules: list[KeywordRule] = []
    for no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        rule = _parse_line(line, f"{path.name}:{no}", default_action, path.suffix == ".jsonl")
        if rule is not None:
            rules.append(rule)
    return rules


def _parse_line(line: str, where: str, default_action: Action, is_json: bool) -> KeywordRule | None:
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    if is_json:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}：JSON 无效", f"{where}: invalid JSON ({exc})") from exc
        term, category, action = str(obj.get("term", "")), obj.get("category"), obj.get("action")
    else:
        parts = [p.strip() for p in line.replace("|", "\t").split("\t")]
        parts = [p for p in parts if p]
        term = parts[0]
        category = parts[1] if len(parts) > 1 else None
        action = parts[2] if len(parts) > 2 else None
    if not compact(term):
        raise ConfigError(f"{where}：词条为空或只有符号", f"{where}: empty term (only spaces or symbols)")
    act = parse_action(action, where) if action else default_action
    return KeywordRule(term=term, category=str(category or "custom"), action=act, rule_id=where)


class KeywordMatcher:
    """All rules of all lists in one automaton; ``scan`` returns hits in the original text.

    Scanning first runs over the cheap compact form and only builds the position map when
    something matched, so clean text (the common case) costs one fold and one automaton pass.
    """

    def __init__(self, rules: Iterable[KeywordRule]) -> None:
        self.automaton = TermAutomaton()
        table: dict[str, list[KeywordRule]] = {}
        for rule in rules:
            table.setdefault(compact(rule.term), []).append(rule)
        for key, group in table.items():
            self.automaton.add(key, tuple(group))
        self.size = sum(len(g) for g in table.values())
        self.longest = max((len(k) for k in table), default=0)
        self.automaton.build()

    def __len__(self) -> int:
        return self.size

    def scan(self, text: str) -> list[KeywordHit]:
        if not self.size:
            return []
        if not any(True for _ in self.automaton.iter(compact(text))):
            return []
        norm = normalise(text)
        hits: list[KeywordHit] = []
        for start, end, group in self.automaton.iter(norm.compact):
            ostart, oend = norm.span(start, end + 1)
            if not word_edges_ok(norm, start, end):
                continue
            hits.extend(KeywordHit(rule, ostart, oend) for rule in group)
        return hits


def strongest(matches: Sequence[Match]) -> Match | None:
    """The match that decides: highest severity, then earliest."""
    if not matches:
        return None
    return max(matches, key=lambda m: (m.severity, -m.start))
