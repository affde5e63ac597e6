"""Entity names → canonical ids: one node for 智谱AI / 智谱 / ＺＨＩＰＵ / 智譜.

Chinese reports name the same company many ways (full legal name, short name, with or without
"AI", traditional characters, full-width letters).  A canonical *key* folds those variants:
NFKC (全角 → 半角), traditional → simplified (OpenCC), case folding, no spaces or joining
punctuation, then legal-form and generic suffixes removed ("有限公司", "科技", a trailing "AI"
after Chinese characters, "大模型").  Explicit aliases learned from the text ("X（简称Y）")
map one key onto another.  Two more kinds are inferred over a whole knowledge base before a
rebuild: ``cross_script_aliases`` (an English and a Chinese name that alone, each in its script,
made the same product: "Zhipu AI" = "智谱AI") and ``prefix_aliases`` (a short organisation name
that begins exactly one longer one as a whole word: "阿里" = "阿里巴巴").

>>> norm = Normalizer()
>>> norm.entity_id("智谱AI") == norm.entity_id("智谱") == norm.entity_id("智譜")
True
>>> norm.entity_id("OpenAI") == norm.entity_id("open")
False
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
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


def _latin(key: str) -> bool:
    return not _CJK.search(key)


def cross_script_aliases(norm: Normalizer, made: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(maker, product) pairs → (Latin name, Chinese name) of one maker named in two scripts.

    An English text says "Zhipu AI developed ChatGLM", a Chinese table "智谱AI | ChatGLM": when a
    product has exactly one maker written in Latin letters and exactly one written in Chinese,
    the two are one organisation — unless either is paired that way with someone else for
    another product (then nothing is merged).  A product made by two Chinese-named makers
    (阿里巴巴 and 阿里云 for 通义千问) decides nothing.
    """
    makers: dict[str, dict[str, str]] = defaultdict(dict)  # product key → maker key → surface
    for maker, product in made:
        mk, pk = norm.key(maker), norm.key(product)
        if mk and pk and mk != pk:
            makers[pk].setdefault(mk, maker)
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for by_key in makers.values():
        latin = [k for k in by_key if _latin(k)]
        chinese = [k for k in by_key if not _latin(k)]
        if len(latin) == 1 and len(chinese) == 1:
            pairs[(latin[0], chinese[0])] = (by_key[latin[0]], by_key[chinese[0]])
    partners: dict[str, set[str]] = defaultdict(set)
    for lk, ck in pairs:
        partners[lk].add(ck)
        partners[ck].add(lk)
    return [names for (lk, ck), names in pairs.items() if len(partners[lk]) == 1 and len(partners[ck]) == 1]


def prefix_aliases(
    norm: Normalizer, orgs: Iterable[str], cut: Callable[[str], list[str]]
) -> list[tuple[str, str]]:
    """(short, long) organisation names where ``short`` is an abbreviation of ``long``: "阿里" of
    "阿里巴巴".

    ``long`` must begin with ``short`` inside one word — the tokenizer does not split it there
    ("阿里巴巴" is one word; "腾讯/音乐", "百度/地图" and "中关村/科金" are split, so Tencent Music
    and Baidu Maps stay apart from their parents) — and be the only such organisation.  Names
    that only add an organisation suffix ("阿里云", "华为集团") are the parent's units or the same
    key already; the relation answerer reaches those (``answer.org_family``).
    """
    keys: dict[str, str] = {}
    for name in orgs:
        key = norm.key(name)
        if len(key) >= 2 and not _latin(key):
            keys.setdefault(key, name)
    ordered = sorted(keys)
    out: list[tuple[str, str]] = []
    for short, surface in keys.items():
        longer = []
        for k in ordered[bisect.bisect_right(ordered, short) :]:  # the keys starting with ``short``
            if not k.startswith(short):
                break
            if len(short) not in _bounds(cut(k)):
                longer.append(k)
        if len(longer) == 1:
            out.append((surface, keys[longer[0]]))
    return out


def _bounds(tokens: list[str]) -> set[int]:
    out, pos = set(), 0
    for token in tokens:
        pos += len(token)
        out.add(pos)
    return out
