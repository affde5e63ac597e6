"""One tokenizer for indexing and querying (BM25 is only as good as this symmetry).

Words come from jieba's search-mode segmentation (``rjieba``: same tokens as ``jieba``,
~20× faster), normalised with NFKC and lower case (``zhiku.understand.normalise.fold``).  Runs
of CJK characters also emit character bigrams, because segmentation errors on names the dictionary does not know
("言犀为" instead of "言犀" + "为") would otherwise make a document unfindable.

>>> Tokenizer().tokens("京东言犀服务6亿用户")
['京东', '言', '犀', '服务', '6', '亿', '用户', '京东', '东言', '言犀', ...]
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import rjieba

from zhiku.errors import ConfigError
from zhiku.understand.normalise import fold

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MIXED = re.compile(r"(?=.*[a-z])(?=.*\d)[a-z0-9]+")
_ALNUM_PARTS = re.compile(r"[a-z]+|\d+")
_WORDISH = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff%.]+")
# Function words that carry no retrieval signal in either language.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 也 都 而 并 其 之 对 为 将 被 把 从 于 以 等 这 那 个 吗 呢 吧 啊 "
    "什么 哪些 哪个 哪家 哪 多少 几 如何 怎么 怎样 为什么 是否 有没有 请问 请 告诉 我 你 "
    "the a an of to in on for and or is are was were be by with as at from that this which what "
    "who whom when where how why does do did it its into than".split()
)


class Tokenizer:
    """Segment text into index terms; load a user dictionary to teach it domain names.

    The user dictionary uses jieba's format: ``word [freq] [tag]`` per line.
    """

    def __init__(self, user_dict: Path | None = None, *, bigrams: bool = True) -> None:
        self.bigrams = bigrams
        self.user_dict = user_dict  # kept so worker processes can build the same tokenizer
        self._jieba = rjieba.Jieba()
        # segment → the terms it yields (filtering and splitting, once per distinct segment):
        # vocabularies are Zipfian, so at ingest most segments are repeats; bounded by _MEMO_MAX
        self._memo: dict[str, tuple[str, ...]] = {}
        if user_dict is not None:
            self.load_user_dict(user_dict)

    def load_user_dict(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(
                f"无法读取用户词典：{path}（{exc}）", f"cannot read the user dictionary {path}: {exc}"
            ) from exc
        for line in lines:
            parts = line.strip().split()
            if not parts or parts[0].startswith("#"):
                continue
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[2] if len(parts) > 2 else None
            self._jieba.add_word(parts[0], freq, tag)

    def add_word(self, word: str) -> None:
        self._jieba.add_word(word, None, None)

    def words(self, text: str) -> list[str]:
        """Search-mode words without punctuation or stopwords (no bigrams)."""
        return self._words(fold(text))

    def _words(self, folded: str) -> list[str]:
        memo = self._memo
        out: list[str] = []
        for segment in self._jieba.cut_for_search(folded, True):
            terms = memo.get(segment)
            if terms is None:
                terms = _terms_of(segment)
                if len(memo) < _MEMO_MAX:
                    memo[segment] = terms
            if terms:
                out.extend(terms)
        return out

    def tokens(self, text: str) -> list[str]:
        """Index terms: words plus CJK character bigrams (prefixed so they never collide with words)."""
        folded = fold(text)
        terms = self._words(folded)
        if self.bigrams:
            for run in _CJK.findall(folded):
                terms.extend(["§" + a + b for a, b in pairwise(run)])
        return terms


_MEMO_MAX = 500_000  # distinct segments remembered per tokenizer (~50 MB at most)


def _terms_of(segment: str) -> tuple[str, ...]:
    """The index terms one jieba segment yields (none for punctuation and stopwords)."""
    token = segment.strip()
    if not token or not _WORDISH.fullmatch(token) or token in STOPWORDS or token == ".":
        return ()
    if _MIXED.fullmatch(token):  # "cvpr2022" also matches "CVPR 2022", "gpt4" "GPT-4"
        return (token, *_ALNUM_PARTS.findall(token))
    return (token,)
