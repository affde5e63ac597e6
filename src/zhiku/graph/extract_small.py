"""Small-path extraction: entities and relations without an LLM.

Three cheap sources, in order of precision:

1. **Listings and tables** — a header row naming an organisation column and a product column
   ("公司 模型", "| Company | Model |") turns each following two-cell row into an edge
   (京东 —released→ 言犀).  Other header pairs give ``attribute`` edges labelled by the header.
2. **Patterns** around trigger verbs: "X（于2023年3月）发布/推出/开源/收购/投资Y", "Y由X推出",
   "X是Y推出的…", "X是Y的Z", and English "X released/launched/acquired Y", "Y … developed by X".
   Arguments must look like names: not generic nouns, not too long.
3. **Part-of-speech tags** (rjieba, ~1 MB/s — fast enough to tag every sentence): organisation
   tags, person/place/other-proper-noun tags when the word is not in the dictionary (the HMM
   found a new name) or is a known place, and ASCII names that are not common acronyms.

Co-occurrence (``mentions_with``) is computed later from these mentions, per sentence, once
names are normalised (``zhiku.graph.build``).

>>> ex = SmallExtractor().extract([Chunk("c1", "d1", 0, "2023年3月16日，百度发布文心一言。")])
>>> [(r.src, r.type, r.dst) for r in ex.relations]
[('百度', 'released', '文心一言')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from zhiku.graph import lexicon as lx
from zhiku.graph.listings import ListingReader
from zhiku.graph.model import (
    EntityMention,
    EntityType,
    Evidence,
    Extraction,
    RawRelation,
    name_key,
    raw_relation,
)
from zhiku.graph.names import (
    CJK_BEFORE_NAME,
    CJK_NAME,
    CLAUSE_BREAK,
    HAS_CJK,
    LEAD_NOISE,
    NAME_TAGS,
    NT_ENDINGS,
    ORG_SUFFIXES,
    TAIL_NOISE,
    TITLE_SPAN,
    TRADITIONAL,
    distinctive,
    en_name_in_chinese,
    en_name_ok,
    en_name_spans,
    en_trim,
    find_aliases,
    merge_org_tokens,
    merge_person_tokens,
)
from zhiku.graph.tables import Header
from zhiku.types import Chunk

_SENT_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.])\s+(?=[A-Z\u4e00-\u9fff])")
_OBJ_STOP = r"(?=[，。；、,;：:！？!?（()）\s]|和|与|及|以及|等|的|并|后|之后|以来|时|上线|发布|推出|$)"
_OBJ_BODY = r"(《[^》]{1,40}》|“[^”]{1,30}”|[^，。；、,;：:！？!?（()）\s“”《》]{1,24}?)"
_ZH_TRIGGER = re.compile("|".join(sorted(map(re.escape, lx.ZH_TRIGGERS), key=len, reverse=True)))
_OBJ_PREFIX = re.compile("^(?:" + "|".join(map(re.escape, lx.ZH_OBJECT_PREFIX)) + ")+")
_OBJ = re.compile(_OBJ_BODY + _OBJ_STOP)
_QUOTED = re.compile(r"《[^》]{1,40}》|“[^”]{1,30}”")
_PAREN_TAIL = re.compile(r"[（(][^（()）]{0,30}[）)]\s*$")
_BENEFICIARY = re.compile(r"(?<![华作成认因以行称])(?:为|向|给)[^为向给]+$")
_CONJ = re.compile(r"^(?:、|和|与|及|以及)")
_SUBJ_TIME = re.compile(lx.ZH_SUBJECT_TAIL[0] + "$")
_SUBJ_ADV = re.compile(lx.ZH_SUBJECT_TAIL[1])
_SERIES = re.compile(r"(?:系列模型|系列产品|系列|等)$")
_IS_OF = re.compile(
    r"^(?P<x>[^，,。是]{2,16})是(?P<y>[^，,。的]{2,16}?)(?:旗下)?(?P<v>推出|发布|研发|开发|打造)?的(?P<z>[^，,。]{1,16})"
)
_EN_NP = r"((?:[A-Z0-9\u4e00-\u9fff]|[a-z]{1,2}[A-Z])[\w.\-+\u4e00-\u9fff]*(?:\s+(?:[A-Z0-9][\w.\-+]*))*)"
_EN_ADV = r"(?:\s+(?:has|have|had|officially|recently|also|first|quietly|publicly|then|later))*"
_EN_DET = r"(?:(?:its|their|the|a|an|new|latest|first|own|open-source|flagship|model|models)\s+)*"
_EN_ACTIVE = re.compile(
    _EN_NP
    + _EN_ADV
    + r"\s+("
    + "|".join(map(re.escape, sorted(lx.EN_TRIGGERS, key=len, reverse=True)))
    + r")\s+"
    + _EN_DET
    + _EN_NP
)
_EN_PASSIVE = re.compile(
    _EN_NP
    + r",?\s+(?:is|was)\s+(?:a|an|the)\s+[\w\s\-]{0,40}?(?:developed|released|launched|built|made|created)"
    r"\s+by\s+" + _EN_NP
)
_EN_MADE = r"(?:released|launched|unveiled|introduced|announced|debuted|open-sourced|developed)"
# "Qualcomm's Snapdragon 8 Gen 3, announced on …": the possessor made the product named after it.
_EN_POSSESSIVE = re.compile(
    _EN_NP
    + r"['’]s\s+"
    + _EN_DET
    + _EN_NP
    + r",?\s+(?:(?:which|that)\s+(?:was|were)\s+|(?:was|were)\s+)?(?:first\s+|officially\s+)?"
    + _EN_MADE
    + r"\b(?P<by>\s+by\b)?"
)
# "Baidu's newly launched ERNIE 4.0": the participle before the product.
_EN_POSSESSIVE_PRE = re.compile(
    _EN_NP + r"['’]s\s+(?:(?:newly|recently|just|latest|new)\s+)*" + _EN_MADE + r"\s+" + _EN_DET + _EN_NP
)
# Possessors that are places, not makers ("China's ERNIE Bot, launched by Baidu").
_EN_PLACES = frozenset(
    "china us u.s. usa america europe eu japan korea india uk britain france germany singapore israel "
    "beijing shanghai shenzhen hangzhou world asia".split()
)
_APPOSITION = re.compile(
    r"^[^，。；,;A-Za-z]{0,16}?(?:芯片|大模型|模型|平台|产品|系统|应用|助手)\s*"
    r"(?P<name>[\u4e00-\u9fff]{0,6}[A-Za-z0-9][A-Za-z0-9.\-+]*(?:\s[A-Z0-9][A-Za-z0-9.\-+]*)*)"
)
_EN_CUE = re.compile(r"\b(?:" + "|".join(map(re.escape, lx.EN_TRIGGERS)) + r"|by)\b")
_TOPIC = re.compile(r"^([^，,。；（(“\s]{2,12}?)(?:是一家|是|作为|凭借|通过|已经|已|也|还|将|于)")
_ZERO_SUBJECT = re.compile(r"(?:也|还|又|并|同时|此外|随后|已|已经|正式|先后|陆续|相继|还将|将)*")
_BAD_OBJECT = re.compile(r"^专为|^为|融资|[A-E]轮|天使轮|金额|数量|规模|显著|增长|下降")
# Tags of an unknown word glued to a name that make it part of a longer name ("中关村/科金 n").
_FRAGMENT_TAGS = frozenset({"n", "ng", "q", "j"})
_POS_MEMO_MAX = 200_000  # distinct (word, tag) pairs remembered, ~30 MB at most
_PRODUCT_WORDS = re.compile(r"模型|产品|品牌|平台|应用|助手|系统|芯片|model|product|assistant", re.I)


class SmallExtractor:
    """Entities and relations from patterns, listings and POS tags.

    ``lexicon`` adds names the user knows (a user dictionary); they are found by the graph
    builder wherever they occur and also taught to the tokenizer.
    """

    def __init__(self, lexicon: Iterable[str] = (), max_name_chars: int = 24) -> None:
        import rjieba

        self._jieba: Any = rjieba.Jieba()
        self.lexicon = tuple(w for w in lexicon if w.strip())
        for word in self.lexicon:
            self._jieba.add_word(word, None, "nz")
        self.max_name_chars = max_name_chars
        # _pos_type depends on (word, tag) and the dictionary, which is fixed after __init__; a
        # corpus repeats its words, so the 10 tests per token run once per distinct pair.
        self._pos_memo: dict[tuple[str, str], EntityType | None] = {}
        self.listings = ListingReader(self._jieba, max_name_chars, self._name_like)

    def cut(self, text: str) -> list[str]:
        """Word segmentation with the extractor's dictionary (the builder aligns matches to it)."""
        return list(self._jieba.cut(text))

    def extract(self, chunks: Sequence[Chunk]) -> Extraction:
        """Sentences first; then listings, whose glued rows are split using the names found."""
        out = Extraction()
        for chunk in chunks:
            if chunk.kind == "chart":  # flattened chart/table residue: fragments, not sentences
                continue
            topic = ""  # the chunk's current sentence-initial subject, for subject-less clauses
            for sentence in split_sentences(chunk.text, join_lines=chunk.kind != "table"):
                out.extend(self._sentence(sentence, Evidence(chunk.chunk_id, chunk.doc_id, sentence), topic))
                topic = self._topic(sentence) or topic
        known = {m.name for m in out.mentions} | set(self.lexicon) | self.listings.proper_words(chunks)
        prose = "\n".join(c.text for c in chunks if c.kind != "chart")
        carry: Header | None = None  # a listing may continue into the next chunk
        for chunk in chunks:
            listing, carry = self.listings.read(chunk, known, prose, carry)
            for rel in listing.relations:
                listing.mentions.append(EntityMention(rel.src, rel.src_type, rel.evidence, "table"))
                listing.mentions.append(EntityMention(rel.dst, rel.dst_type, rel.evidence, "table"))
            out.extend(listing)
        return out

    def extract_chunk(self, chunk: Chunk) -> Extraction:
        return self.extract([chunk])

    # -- sentences ---------------------------------------------------------------------------

    def _sentence(self, sentence: str, ev: Evidence, topic: str = "") -> Extraction:
        out = Extraction()
        for alias, full in find_aliases(sentence):
            alias, full = self._alias_name(alias), self._alias_name(full)
            if alias and full:
                out.aliases.append((alias, full))
        if HAS_CJK.search(sentence):
            out.relations.extend(self._zh_relations(sentence, ev, topic))
            out.relations.extend(self._is_of(sentence, ev))
        out.relations.extend(self._en_relations(sentence, ev))
        out.mentions.extend(self._pos_entities(sentence, ev))
        for rel in out.relations:
            strong = self._has_name_evidence(rel.src)
            out.mentions.append(EntityMention(rel.src, rel.src_type, ev, "pattern" if strong else "weak"))
            out.mentions.append(EntityMention(rel.dst, rel.dst_type, ev, "pattern"))
        return out

    def _alias_name(self, name: str) -> str:
        """An alias pattern's Chinese side without the words glued before it: "由智谱AI（Zhipu AI）"
        gives "智谱AI", not "由智谱AI"; "" when what is left is not name-like or reads as a clause
        ("百度与腾讯合作，又称…": a preposition or conjunction inside)."""
        if not HAS_CJK.search(name):
            return name.strip()
        tokens = self._jieba.tag(name.strip())
        while len(tokens) > 1 and (
            tokens[0][1][:1] in ("p", "c", "d", "v", "r") or tokens[0][0] in lx.GENERIC
        ):
            tokens = tokens[1:]
        first = tokens[0][0] if tokens else ""
        if len(first) > 2 and first.startswith(LEAD_NOISE) and not self._jieba.has_word(first):
            tokens = [(first[1:], tokens[0][1]), *tokens[1:]]  # "由智谱" is 由 + 智谱, one unknown word
        if any(t in ("p", "c") for _, t in tokens[1:]) or any(w in ("的", "了") for w, _ in tokens):
            return ""
        trimmed = "".join(w for w, _ in tokens)
        return trimmed if self._name_like(trimmed, subject=True) else ""

    def _has_name_evidence(self, name: str) -> bool:
        """Something beyond syntax says this is a name: Latin letters, a name tag, a word the
        dictionary does not know, an organisation suffix, a known place or a user-lexicon entry."""
        if re.search(r"[A-Za-z]", name) or name in self.lexicon or name in lx.PLACES:
            return True
        if name.endswith(ORG_SUFFIXES) and len(name) > 2:
            return True
        return any(t in NAME_TAGS or not self._jieba.has_word(w) for w, t in self._jieba.tag(name))

    def _topic(self, sentence: str) -> str:
        """ "百融云创是一家…" → 百融云创: a name opening a sentence stays the topic of the next ones."""
        match = _TOPIC.match(sentence)
        if not match:
            return ""
        subject = self._subject(match.group(1))
        return subject if subject == match.group(1).strip() else ""

    def _zh_relations(self, sentence: str, ev: Evidence, topic: str = "") -> list[RawRelation]:
        found: list[RawRelation] = []
        bounds = _token_bounds(self._jieba.cut(sentence)) if _ZH_TRIGGER.search(sentence) else set()
        for match in _ZH_TRIGGER.finditer(sentence):
            if match.start() not in bounds or match.end() not in bounds:
                continue  # part of a compound word ("股权投资", "研发费用")
            rtype = lx.ZH_TRIGGERS[match.group(0)]
            left = _clause_left(_PAREN_TAIL.sub("", sentence[: match.start()]))
            left = _BENEFICIARY.sub("", left)  # "专为Mac打造": Mac is who it is for, not who made it
            passive = left.rfind("由")
            if passive >= 0:
                subject = self._subject(left[passive + 1 :])
                target = left[:passive].strip()
                objects = [target] if self._name_like(target, subject=False) else []
            else:
                subject = self._subject(left)
                if not subject and _ZERO_SUBJECT.fullmatch(left.strip()):
                    # "中关村科金率先布局…，发布了…": the subject opens an earlier clause; else
                    # "（百融云创…。）在…基础上，推出了BR-LLM": it opened an earlier sentence
                    subject = self._earlier_subject(sentence[: match.start()]) or topic
                objects = self._objects(sentence[match.end() :], subject)
            if not subject:
                continue
            for obj in objects:
                if obj and name_key(obj) != name_key(subject):
                    found.append(raw_relation(subject, obj, rtype, ev))
        return found

    def _earlier_subject(self, before: str) -> str:
        """The name opening the nearest earlier clause of the sentence that opens with a noun run
        followed by its predicate ("中关村科金/率先/布局…").  Clauses opening with a preposition,
        verb or number ("作为…提供商", "2023年10月") are passed over; a noun run that is not a
        name ("报告显示") stops the search."""
        for clause in reversed(CLAUSE_BREAK.split(before)[:-1]):
            tokens = self._jieba.tag(clause.strip())
            run: list[str] = []
            for word, tag in tokens:
                if not _nounish(word, tag) or len("".join(run)) + len(word) > 16:
                    break
                run.append(word)
            if not run:
                continue
            rest = tokens[len(run)] if len(run) < len(tokens) else ("", "")
            name = "".join(run)
            if rest[1] in ("d", "v", "vd", "ad") and self._name_like(name, subject=True) and self._named(run):
                return name
            return ""
        return ""

    def _named(self, words: list[str]) -> bool:
        """Every piece is a name to the tokenizer (a name tag, an unknown word, Latin letters) or the
        run ends in an organisation suffix: "中关村/科金" is, "又称/深度" and "报告" are not."""
        name = "".join(words)
        if (name.endswith(ORG_SUFFIXES) and len(name) > 2) or name in self.lexicon:
            return True
        for word in words:
            tags = {t for _, t in self._jieba.tag(word)}
            known = self._jieba.has_word(word)
            if known and not tags & NAME_TAGS and not re.search(r"[A-Za-z]", word):
                return False
        return True

    def _subject(self, left: str) -> str:
        text = left.strip()
        for _ in range(4):
            trimmed = _SUBJ_ADV.sub("", _SUBJ_TIME.sub("", text)).strip()
            if trimmed == text:
                break
            text = trimmed
        if "的" in text:
            return ""  # "以极快的速度推出": a description, not a name
        tokens = self._jieba.tag(text)
        names: list[str] = []
        for word, tag in reversed(tokens):
            if not _nounish(word, tag) or len("".join(names)) + len(word) > 16:
                break
            names.insert(0, word)
        while names and names[0] in lx.GENERIC:
            names.pop(0)
        if names and names[-1] in lx.HEAD_GENERIC:
            return ""
        name = "".join(names)
        return name if self._name_like(name, subject=True) else ""

    def _objects(self, right: str, subject: str) -> list[str]:
        objects: list[str] = []
        rest = right
        for _ in range(6):
            rest = _OBJ_PREFIX.sub("", rest.lstrip())
            appos = _APPOSITION.match(rest)
            match = appos or _QUOTED.match(rest) or _OBJ.match(rest)
            if not match:
                break
            name = appos.group("name") if appos else match.group(0)
            name = _clean_object(self._cut_at_verb(_clean_object(name, subject)), subject)
            if (
                self._name_like(name, subject=False)
                and not self._starts_with_verb(name)
                and not _BAD_OBJECT.search(name)
            ):
                objects.append(name)
            rest = rest[match.end() :]
            conj = _CONJ.match(rest)
            if not conj:
                break
            rest = rest[conj.end() :]
        return objects

    def _starts_with_verb(self, name: str) -> bool:
        if name.startswith(("《", "“")) or not HAS_CJK.match(name[0]):
            return False
        if name[0] in "和与及并或将被把对在":
            return True
        first, tag = self._jieba.tag(name)[0]
        return tag in ("v", "vd", "p", "c", "d") and len(first) >= 2

    def _cut_at_verb(self, span: str) -> str:
        """An object ends where a verb or preposition starts: "Sora模型为视频生成…" → "Sora模型"."""
        if span.startswith(("《", "“")) or len(span) <= 6:
            return span
        kept: list[str] = []
        for word, tag in self._jieba.tag(span):
            if kept and tag in ("v", "p", "d", "c", "r", "vd", "ad", "uj", "ul"):
                break
            kept.append(word)
        return "".join(kept)

    def _is_of(self, sentence: str, ev: Evidence) -> list[RawRelation]:
        """Copula patterns: "言犀是京东推出的大模型" → 京东 released 言犀; "X是Y的Z" → X —Z→ Y."""
        match = _IS_OF.match(_clause_left(sentence, keep_tail=True))
        if not match:
            return []
        x = self._subject(match.group("x"))
        y_span = match.group("y").strip()
        y = self._subject(y_span)
        if y != y_span or y_span.startswith(("一", "以", "在", "为")):
            return []
        z = match.group("z")
        if not x or not y or name_key(x) == name_key(y):
            return []
        if match.group("v") or _PRODUCT_WORDS.search(z):
            return [raw_relation(y, x, "released", ev)]
        label = z.strip()[:8]
        return [raw_relation(x, y, "attribute", ev, label=label)] if label and label not in lx.GENERIC else []

    def _en_relations(self, sentence: str, ev: Evidence) -> list[RawRelation]:
        found: list[RawRelation] = []
        if not _EN_CUE.search(sentence):
            return found
        for match in _EN_ACTIVE.finditer(sentence):
            subject, verb, obj = en_trim(match.group(1)), match.group(2), en_trim(match.group(3))
            if self._name_like(subject, True) and self._name_like(obj, False):
                found.append(raw_relation(subject, obj, lx.EN_TRIGGERS[verb], ev))
        for match in _EN_PASSIVE.finditer(sentence):
            obj, subject = en_trim(match.group(1)), en_trim(match.group(2))
            if self._name_like(subject, True) and self._name_like(obj, False):
                found.append(raw_relation(subject, obj, "released", ev))
        for pattern in (_EN_POSSESSIVE, _EN_POSSESSIVE_PRE):
            for match in pattern.finditer(sentence):
                if pattern is _EN_POSSESSIVE and match.group("by"):
                    continue  # "X's Y, launched by Z": the maker follows; the passive pattern's job
                subject, obj = en_trim(match.group(1)), en_trim(match.group(2))
                if subject.casefold() in _EN_PLACES:
                    continue
                if self._name_like(subject, True) and self._name_like(obj, False):
                    found.append(raw_relation(subject, obj, "released", ev))
        return found

    # -- POS entities ------------------------------------------------------------------------

    def _pos_entities(self, sentence: str, ev: Evidence) -> list[EntityMention]:
        found: list[EntityMention] = []
        seen: set[str] = set()
        tokens = [] if TRADITIONAL.search(sentence) else self._jieba.tag(sentence)  # tags fail on 繁体
        merged = merge_org_tokens(merge_person_tokens(tokens))
        memo = self._pos_memo
        if len(memo) > _POS_MEMO_MAX:
            memo.clear()
        for i, (word, tag) in enumerate(merged):
            key = (word, tag)
            etype = memo[key] if key in memo else memo.setdefault(key, self._pos_type(word, tag))
            if etype and word not in seen and not self._inside_longer_name(merged, i, etype):
                seen.add(word)
                found.append(EntityMention(word, etype, ev, "pos"))
        chinese = len(HAS_CJK.findall(sentence)) > len(sentence) // 4
        titles = [m.span() for m in TITLE_SPAN.finditer(sentence)]
        for start, end in en_name_spans(sentence):
            if any(a <= start < b for a, b in titles):
                continue  # words of a quoted title or an expansion in brackets, not names
            before = sentence[start - 1] if start > 0 else ""
            if chinese and before and HAS_CJK.match(before) and before not in CJK_BEFORE_NAME:
                continue  # "孟子GPT": the end of a mixed name
            name = en_trim(sentence[start:end])
            if not name or name in seen or not en_name_ok(name, start == 0):
                continue
            if not chinese and start == 0 and " " not in name and not distinctive(name):
                continue  # "Delivering …": capitalised because it starts the sentence
            if chinese and not en_name_in_chinese(name, sentence[end : end + 2]):
                continue
            seen.add(name)
            found.append(EntityMention(name, "other", ev, "pos"))
        return found

    def _inside_longer_name(self, tokens: list[tuple[str, str]], i: int, etype: EntityType) -> bool:
        """The tagged name is only a piece of a longer name the tokenizer did not know:

        * a place or organisation followed, with nothing between, by an unknown noun
          ("中关村/科金", "德国/之声") — but not by a known word ("中关村/高端") or another name
          ("国家税务总局/青海省税务局");
        * an unknown place right after a noun or numeral ("九章/云极") — but not after a place
          ("成都市/郫都区"); never a person or other name after a title ("总统/尹锡悦",
          "评论员/竹田恒泰").
        """
        word, tag = tokens[i]
        after = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if (
            etype in ("place", "org")
            and len(after[0]) >= 2
            and CJK_NAME.fullmatch(after[0])
            and after[1] in _FRAGMENT_TAGS
            and not self._jieba.has_word(after[0])
        ):
            return True
        before = tokens[i - 1] if i > 0 else ("", "")
        return (
            tag == "ns"
            and bool(before[0])
            and HAS_CJK.match(before[0][-1]) is not None
            and before[0][-1] not in CJK_BEFORE_NAME
            and before[1] in _FRAGMENT_TAGS | {"m"}
            and not self._jieba.has_word(word)
        )

    def _pos_type(self, word: str, tag: str) -> EntityType | None:
        if len(word) < 2 or word in lx.GENERIC or not CJK_NAME.fullmatch(word):
            return None
        if len(word) > 6 and "·" not in word:
            return None  # a run the HMM glued together ("是一家致力于高科技"), not a name
        if word.startswith(LEAD_NOISE) or word.endswith(TAIL_NOISE):
            return None
        if tag == "eng":
            return None
        if word in self.lexicon:
            return "other"
        if tag == "ntm":
            return "org"
        if tag == "nt":
            # the dictionary tags some abstract nouns nt ("国际化"); an organisation ends like one
            return "org" if word.endswith(NT_ENDINGS) or not self._jieba.has_word(word) else None
        if tag == "ns" and word in lx.PLACES:
            return "place"
        oov = not self._jieba.has_word(word)
        if tag == "nrm":  # a merged multi-part name
            return "person"
        if oov and tag in ("nr", "nrt", "nrfg"):
            return "person" if len(word) <= 3 else "other"
        if oov and tag in ("ns", "nz"):
            return "place" if tag == "ns" else "other"
        return None

    def _name_like(self, name: str, subject: bool) -> bool:
        """A span that could be a name: not empty, not generic, not a clause."""
        name = name.strip()
        if not name or len(name) > self.max_name_chars or name in lx.GENERIC:
            return False
        if len(name) < 2 or (HAS_CJK.search(name) and len(HAS_CJK.findall(name)) < 2 and len(name) < 3):
            return False
        if name.casefold() in lx.EN_STOP or name.isdigit() or re.fullmatch(r"[\d.%年月日]+", name):
            return False
        if name.startswith(("《", "“")):
            return not subject
        if not HAS_CJK.search(name):
            return bool(re.search(r"[A-Za-z]", name)) and len(name) >= 2
        tokens = [w for w, _ in self._jieba.tag(name)]
        if all(t in lx.GENERIC or not t.strip() for t in tokens):
            return False
        if subject:
            return len(name) >= 2
        return _looks_coined(tokens, self._jieba)


def split_sentences(text: str, join_lines: bool = True) -> list[str]:
    """Sentences of prose: lines broken mid-sentence are re-joined, then split on 。！？；."""
    out: list[str] = []
    lines = _join_broken(text.splitlines()) if join_lines else text.splitlines()
    for line in lines:
        for piece in _SENT_END.split(line):
            piece = piece.strip()
            if len(piece) >= 2:
                out.append(piece)
    return out


def _token_bounds(tokens: list[str]) -> set[int]:
    bounds = {0}
    pos = 0
    for token in tokens:
        pos += len(token)
        bounds.add(pos)
    return bounds


def _join_broken(lines: list[str]) -> list[str]:
    """Re-join PDF lines broken inside a Chinese sentence ("火" + "山引擎推出大模" + "型服务平台"),
    also after an enumeration comma, whatever follows ("…大模型、" + "AgentGraph…")."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and (
            (HAS_CJK.match(line[0]) and HAS_CJK.match(out[-1][-1]))
            or out[-1][-1] == "、"  # "…大模型、" + "AgentGraph应用…": a list goes on
        ):
            out[-1] += line
        else:
            out.append(line)
    return out


def _clause_left(text: str, keep_tail: bool = False) -> str:
    """The clause containing the end of ``text`` (after the last comma-like break)."""
    if keep_tail:
        return text
    parts = CLAUSE_BREAK.split(text)
    return parts[-1] if parts else text


def _nounish(word: str, tag: str) -> bool:
    if not word.strip() or word in ("是", "由", "被", "和", "与", "及", "等", "在", "对", "将", "把"):
        return False
    return tag.startswith(("n", "eng", "j", "x")) and not re.fullmatch(r"[^\w]+", word)


def _clean_object(raw: str, subject: str) -> str:
    name = raw.strip()
    if subject and name.startswith(subject) and len(name) - len(subject) >= 2:
        name = name[len(subject) :]
    if name.startswith(("《", "“")):
        return name
    return _SERIES.sub("", name).strip()


def _looks_coined(tokens: list[str], jieba: Any) -> bool:
    """Coined names split into pieces the dictionary does not know ("文心/一/言", "言/犀")."""
    content = [t for t in tokens if t not in lx.GENERIC and not re.fullmatch(r"[\d.]+", t)]
    if not content:
        return False
    for token in content:
        if re.search(r"[A-Za-z]", token) and token.casefold() not in lx.EN_STOP:
            return True
        if not jieba.has_word(token) or len(token) == 1:
            return True
    return False
