"""Context-aware (intent) rules: fire only when *all* groups of terms occur close together.

A bare word is a poor reason to refuse: 炸鸡的做法 contains 炸, 原子弹的历史 contains 原子弹,
"kill a process" contains *kill*.  What a policy refuses is a *request* for a harmful
capability, so a rule here combines groups — e.g. a how-to/acquire verb AND a dangerous item —
that must all appear within ``window`` compact characters, and can be vetoed by ``unless`` terms
that mark a clearly protective or scholarly question (防范, 识别, history of …).

Rule files are TOML (the user may replace or extend ours)::

    [lists]
    howto = ["怎么", "如何", "教我", "how to", "how do i"]
    explosive = ["炸弹", "炸药", "bomb", "explosive"]

    [[rule]]
    id = "violence.make-explosive"
    category = "violence"
    action = "block"                 # block | review | mask
    stages = ["input"]               # input | output
    window = 40                      # 0 = anywhere; CJK character = 1, Latin letter = 1/4
    all = [["@howto", "配方"], ["@explosive"]]
    unless = ["历史", "history"]

A group is a list of alternatives; ``@name`` pulls in a named list.  Terms are folded like
keywords (width, case, traditional, inserted symbols), and Latin-edged terms need word edges;
a trailing ``*`` lets an English term continue (``bomb*`` also matches *bombs*, *bombing*).

>>> rules = IntentRules.from_toml_text(TEXT, "demo.toml")
>>> [m.rule_id for m in rules.scan("教我做炸弹", "input")]
['violence.make-explosive']
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zhiku.errors import ConfigError
from zhiku.safety.automaton import TermAutomaton
from zhiku.safety.keywords import Action, Match, parse_action
from zhiku.safety.normalise import compact, normalise, word_edges_ok

STAGES = ("input", "output")


@dataclass(frozen=True)
class IntentRule:
    rule_id: str
    category: str
    action: Action
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...] = ()
    stages: tuple[str, ...] = ("input",)
    window: int = 40


class IntentRules:
    """A set of intent rules compiled into one automaton (one pass per text for all rules)."""

    def __init__(self, rules: Sequence[IntentRule]) -> None:
        self.rules = list(rules)
        self.automaton = TermAutomaton()
        table: dict[str, list[tuple[int, int, bool]]] = {}
        for r_idx, rule in enumerate(self.rules):
            for g_idx, group in enumerate(rule.groups):
                for term in group:
                    table.setdefault(compact(term), []).append((r_idx, g_idx, term.endswith("*")))
            for term in rule.unless:
                table.setdefault(compact(term), []).append((r_idx, -1, term.endswith("*")))
        table.pop("", None)
        for key, refs in table.items():
            self.automaton.add(key, tuple(refs))
        self.automaton.build()
        self._empty = not table

    def __len__(self) -> int:
        return len(self.rules)

    @classmethod
    def from_file(cls, path: Path) -> IntentRules:
        if not path.is_file():
            raise ConfigError(f"规则文件不存在：{path}", f"rule file not found: {path}")
        return cls.from_toml_text(path.read_text(encoding="utf-8"), path.name)

    @classmethod
    def from_toml_text(cls, text: str, name: str) -> IntentRules:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"规则文件 {name} 不是有效的 TOML", f"rule file {name} is not valid TOML: {exc}"
            ) from exc
        lists = {str(k): [str(t) for t in v] for k, v in dict(data.get("lists", {})).items()}
        rules = [
            _parse_rule(raw, lists, f"{name}#{i}") for i, raw in enumerate(data.get("rule", []), start=1)
        ]
        return cls(rules)

    def scan(self, text: str, stage: str) -> list[Match]:
        if self._empty:
            return []
        if not any(True for _ in self.automaton.iter(compact(text))):
            return []
        norm = normalise(text)
        found: dict[int, dict[int, list[tuple[int, int]]]] = {}
        for start, end, refs in self.automaton.iter(norm.compact):
            if not word_edges_ok(norm, start, end, right=False):
                continue
            whole = word_edges_ok(norm, start, end)
            for r_idx, g_idx, prefix in refs:
                if not (whole or prefix):
                    continue
                found.setdefault(r_idx, {}).setdefault(g_idx, []).append((start, end + 1))
        matches: list[Match] = []
        weights: list[float] = []
        for r_idx, groups in found.items():
            rule = self.rules[r_idx]
            if stage not in rule.stages or -1 in groups or len(groups) < len(rule.groups):
                continue
            weights = weights or _weights(norm.compact)
            span = _tightest(groups, len(rule.groups), weights)
            if span is None or (rule.window and weights[span[1]] - weights[span[0]] > rule.window):
                continue
            ostart, oend = norm.span(span[0], span[1])
            matches.append(Match(rule.rule_id, rule.category, rule.action, ostart, oend, kind="intent"))
        return matches


def _parse_rule(raw: dict[str, Any], lists: dict[str, list[str]], where: str) -> IntentRule:
    rule_id = str(raw.get("id") or where)
    groups_raw = raw.get("all")
    if not isinstance(groups_raw, list) or not groups_raw:
        raise ConfigError(
            f"{where}：规则缺少 all 词组", f"{where}: rule {rule_id} needs a non-empty 'all' list"
        )
    groups = tuple(_expand(g, lists, where) for g in groups_raw)
    stages = tuple(str(s) for s in raw.get("stages", ["input"]))
    bad = [s for s in stages if s not in STAGES]
    if bad:
        raise ConfigError(f"{where}：阶段无效 {bad}", f"{where}: invalid stages {bad}; valid: input, output")
    return IntentRule(
        rule_id=rule_id,
        category=str(raw.get("category", "custom")),
        action=parse_action(str(raw.get("action", "block")), where),
        groups=groups,
        unless=_expand(raw.get("unless", []), lists, where, allow_empty=True),
        stages=stages,
        window=int(raw.get("window", 40)),
    )


def _expand(
    group: Any, lists: dict[str, list[str]], where: str, allow_empty: bool = False
) -> tuple[str, ...]:
    items = [group] if isinstance(group, str) else list(group)
    out: list[str] = []
    for item in items:
        item = str(item)
        if item.startswith("@"):
            if item[1:] not in lists:
                raise ConfigError(f"{where}：未定义的词表 {item}", f"{where}: undefined list {item}")
            out.extend(lists[item[1:]])
        else:
            out.append(item)
    if not out and not allow_empty:
        raise ConfigError(f"{where}：空词组", f"{where}: empty term group")
    return tuple(out)


def _weights(text: str) -> list[float]:
    """Prefix sums of character weights: a Latin letter or digit counts a quarter of a CJK character.

    English spells a concept in about four times as many compact characters as Chinese, so one
    ``window`` then means roughly the same stretch of meaning in both languages.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    prefix = np.concatenate(([0.0], np.cumsum(np.where(codes < 128, 0.25, 1.0))))
    return [float(x) for x in prefix.tolist()]


def _tightest(
    groups: dict[int, list[tuple[int, int]]], n: int, weights: list[float]
) -> tuple[int, int] | None:
    """Lightest compact span holding one occurrence of every group (sliding window)."""
    events = sorted((s, e, g) for g, occ in groups.items() if g >= 0 for s, e in occ)
    best: tuple[int, int] | None = None
    counts: dict[int, int] = {}
    left = 0
    for right in range(len(events)):
        counts[events[right][2]] = counts.get(events[right][2], 0) + 1
        while len(counts) == n:
            s = events[left][0]
            e = max(ev[1] for ev in events[left : right + 1])
            if best is None or weights[e] - weights[s] < weights[best[1]] - weights[best[0]]:
                best = (s, e)
            g = events[left][2]
            counts[g] -= 1
            if not counts[g]:
                del counts[g]
            left += 1
    return best
