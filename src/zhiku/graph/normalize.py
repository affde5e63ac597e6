"""Entity names → canonical ids: one node for 智谱AI / 智谱 / ＺＨＩＰＵ / 智譜.

Chinese reports name the same company many ways (full legal name, short name, with or without
"AI", traditional characters, full-width letters).  A canonical *key* folds those variants:
NFKC (全角 → 半角), traditional → simplified (OpenCC), case folding, no spaces or joining
punctuation, then legal-form and generic suffixes removed ("有限公司", "科技", a trailing "AI"
after Chinese characters, "大模型").  Explicit aliases learned from the text ("X（简称Y）")
map one key onto another.

>>> norm = Normalizer()
>>> norm.entity_id("智谱AI") == norm.entity_id("智谱") == norm.entity_id("智譜")
True
>>> norm.entity_id("OpenAI") == norm.entity_id("open")
False
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_JOINERS = re.compile(r"[\s·•・\-_.,，、'\"“”‘’《》〈〉「」『』()（）\[\]【】]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Longest first; removed repeatedly from the end while something meaningful remains.
_SUFFIXES: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份",
    "有限公司",
    "集团公司",
    "公司",
    "集团",
    "科技",
    "大模型",
    "模型",
    "corporation",
    "limited",
    "co.ltd",
    "coltd",
    "group",
    "corp",
    "inc",
    "ltd",
    "llc",
)


class Normalizer:
    """Folds surface names into keys and ids; holds the aliases learned so far.

    One instance per graph build (it caches conversions); ``add_alias`` makes the alias's key
    resolve to the full name's key, so both spellings become the same node.
    """

    def __init__(self) -> None:
        import opencc

        self._t2s: Any = opencc.OpenCC("t2s")
        self._cache: dict[str, str] = {}
        self._alias: dict[str, str] = {}

    def fold(self, name: str) -> str:
        """The spelling-insensitive form of a name (no suffix stripping)."""
        cached = self._cache.get(name)
        if cached is None:
            text = unicodedata.normalize("NFKC", name)
            if _CJK.search(text):
                text = self._t2s.convert(text)
            cached = _JOINERS.sub("", text).casefold()
            self._cache[name] = cached
        return cached

    def key(self, name: str) -> str:
        """Canonical key: folded, suffixes stripped, aliases followed."""
        key = strip_suffixes(self.fold(name))
        seen: set[str] = set()
        while key in self._alias and key not in seen:
            seen.add(key)
            key = self._alias[key]
        return key

    def entity_id(self, name: str) -> str:
        return "e:" + self.key(name)

    def add_alias(self, alias: str, full: str) -> bool:
        """Make ``alias`` resolve to ``full``; refuses aliases too short to be safe."""
        a, f = strip_suffixes(self.fold(alias)), self.key(full)
        if a == f or len(a) < 2 or not f:
            return False
        self._alias[a] = f
        return True

    def load_aliases(self, aliases: dict[str, str]) -> None:
        """Restore aliases saved by a previous build (keys already folded)."""
        self._alias.update(aliases)

    def aliases(self) -> dict[str, str]:
        return dict(self._alias)


def strip_suffixes(key: str) -> str:
    """Remove legal-form and generic suffixes while at least two characters remain."""
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) - len(suffix) >= 2:
                key = key[: -len(suffix)]
                changed = True
                break
        # "智谱ai" → "智谱", but "openai" stays: only after a Chinese character.
        if key.endswith("ai") and len(key) >= 4 and _CJK.match(key[-3]):
            key = key[:-2]
            changed = True
    return key


def display_name(names: list[str]) -> str:
    """The name to show for a node: the most frequent surface form, shorter on ties."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return min(counts, key=lambda n: (-counts[n], len(n), n))
