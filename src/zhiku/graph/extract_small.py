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
from zhiku.graph.model import EntityMention, EntityType, Evidence, Extraction, RawRelation
from zhiku.graph.names import (
    CJK_BEFORE_NAME,
    CJK_NAME,
    LEAD_NOISE,
    NT_ENDINGS,
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
from zhiku.graph.tables import Header, cell_alias, cell_name, cells_of, find_header, is_rule
from zhiku.types import Chunk

_SENT_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.])\s+(?=[A-Z\u4e00-\u9fff])")
_CLAUSE_BREAK = re.compile(r"[，,、：:“”\"（）()《》【】\[\]]")
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
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
# Last characters of organisation names a wrapped table cell may leave alone on a line.
_CELL_TAIL_ENDINGS = (*"所室院局司会部厂行社馆处校", "中心")
_ORG_SUFFIXES = (
    "科技",
    "智能",
    "集团",
    "公司",
    "万维",
    "办公",
    "实验室",
    "研究院",
    "研究所",
    "云",
    "直聘",
    "招聘",
    "网络",
)
_APPOSITION = re.compile(
    r"^[^，。；,;A-Za-z]{0,16}?(?:芯片|大模型|模型|平台|产品|系统|应用|助手)\s*"
    r"(?P<name>[\u4e00-\u9fff]{0,6}[A-Za-z0-9][A-Za-z0-9.\-+]*(?:\s[A-Z0-9][A-Za-z0-9.\-+]*)*)"
)
_EN_CUE = re.compile(r"\b(?:" + "|".join(map(re.escape, lx.EN_TRIGGERS)) + r"|by)\b")
_TOPIC = re.compile(r"^([^，,。；（(“\s]{2,12}?)(?:是一家|是|作为|凭借|通过|已经|已|也|还|将|于)")
_ZERO_SUBJECT = re.compile(r"(?:也|还|又|并|同时|此外|随后|已|已经|正式|先后|陆续|相继|还将|将)*")
_SENT_PUNCT = re.compile(r"[？！。?!；;，,]")
_DATE_OR_NUMBER = re.compile(r"^[\d\s.,%年月日\-/—~～]+$|\d{4}年|\d+月")
_BAD_OBJECT = re.compile(r"^专为|^为|融资|[A-E]轮|天使轮|金额|数量|规模|显著|增长|下降")
# Tags of an unknown word glued to a name that make it part of a longer name ("中关村/科金 n").
_FRAGMENT_TAGS = frozenset({"n", "ng", "q", "j"})
_NAME_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg", "eng"})
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
        known = {m.name for m in out.mentions} | set(self.lexicon) | self._proper_words(chunks)
        prose = "\n".join(c.text for c in chunks if c.kind != "chart")
        carry: Header | None = None  # a listing may continue into the next chunk
        for chunk in chunks:
            listing, carry = self._listings(chunk, known, prose, carry)
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
        if _HAS_CJK.search(sentence):
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
        if not _HAS_CJK.search(name):
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
        if name.endswith(_ORG_SUFFIXES) and len(name) > 2:
            return True
        return any(t in _NAME_TAGS or not self._jieba.has_word(w) for w, t in self._jieba.tag(name))

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
                if obj and _key(obj) != _key(subject):
                    found.append(_raw(subject, obj, rtype, ev))
        return found

    def _earlier_subject(self, before: str) -> str:
        """The name opening the nearest earlier clause of the sentence that opens with a noun run
        followed by its predicate ("中关村科金/率先/布局…").  Clauses opening with a preposition,
        verb or number ("作为…提供商", "2023年10月") are passed over; a noun run that is not a
        name ("报告显示") stops the search."""
        for clause in reversed(_CLAUSE_BREAK.split(before)[:-1]):
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
        if (name.endswith(_ORG_SUFFIXES) and len(name) > 2) or name in self.lexicon:
            return True
        for word in words:
            tags = {t for _, t in self._jieba.tag(word)}
            known = self._jieba.has_word(word)
            if known and not tags & _NAME_TAGS and not re.search(r"[A-Za-z]", word):
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
        if name.startswith(("《", "“")) or not _HAS_CJK.match(name[0]):
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
        if not x or not y or _key(x) == _key(y):
            return []
        if match.group("v") or _PRODUCT_WORDS.search(z):
            return [_raw(y, x, "released", ev)]
        label = z.strip()[:8]
        return [_raw(x, y, "attribute", ev, label=label)] if label and label not in lx.GENERIC else []

    def _en_relations(self, sentence: str, ev: Evidence) -> list[RawRelation]:
        found: list[RawRelation] = []
        if not _EN_CUE.search(sentence):
            return found
        for match in _EN_ACTIVE.finditer(sentence):
            subject, verb, obj = en_trim(match.group(1)), match.group(2), en_trim(match.group(3))
            if self._name_like(subject, True) and self._name_like(obj, False):
                found.append(_raw(subject, obj, lx.EN_TRIGGERS[verb], ev))
        for match in _EN_PASSIVE.finditer(sentence):
            obj, subject = en_trim(match.group(1)), en_trim(match.group(2))
            if self._name_like(subject, True) and self._name_like(obj, False):
                found.append(_raw(subject, obj, "released", ev))
        for pattern in (_EN_POSSESSIVE, _EN_POSSESSIVE_PRE):
            for match in pattern.finditer(sentence):
                if pattern is _EN_POSSESSIVE and match.group("by"):
                    continue  # "X's Y, launched by Z": the maker follows; the passive pattern's job
                subject, obj = en_trim(match.group(1)), en_trim(match.group(2))
                if subject.casefold() in _EN_PLACES:
                    continue
                if self._name_like(subject, True) and self._name_like(obj, False):
                    found.append(_raw(subject, obj, "released", ev))
        return found

    # -- listings ----------------------------------------------------------------------------

    def _listings(
        self, chunk: Chunk, known: set[str], prose: str = "", carry: Header | None = None
    ) -> tuple[Extraction, Header | None]:
        out = Extraction()
        header = carry
        lines = self._rejoin_cells([ln.strip() for ln in chunk.text.splitlines()], known)
        pending = ""  # a wrapped organisation cell waiting for its product cell on the next line
        for line, wrapped in lines:
            if not line or is_rule(line):
                continue
            cells = cells_of(line)
            found = find_header(cells)
            if found:
                header, pending = found, ""
                continue
            if header is None:
                continue
            if pending and len(cells) == 1 and len(header.names) == 2:
                cells, pending = [pending, cells[0]], ""
                line = " ".join(cells)
            elif wrapped and len(cells) == 1 and len(header.names) == 2 and header.org == 0:
                pending = cells[0]  # "中科院自动化研究" + "所", then "紫东太初" on its own line
                continue
            elif len(cells) == 1 and len(header.names) == 2 and not _CLAUSE_BREAK.search(line):
                cells = self._split_glued(cells[0], known, prose)
            bare = " ".join(cell_name(c) for c in cells)  # "言犀（ChatRhino）" is a cell, not a clause
            if len(cells) != len(header.names) or (len(cells) == 2 and _CLAUSE_BREAK.search(bare)):
                header = None if len(line) > 40 else header
                continue
            rows = self._row(header, cells, Evidence(chunk.chunk_id, chunk.doc_id, line))
            out.relations.extend(rows)
            if rows:  # "云雀大模型（豆包）": the bracketed name is the same thing's other name
                columns: tuple[tuple[int, EntityType], ...] = (
                    (header.org, "org"),
                    (header.product, "product"),
                )
                for j, etype in columns:
                    alias = self._cell_alias(cells[j])
                    if alias:
                        out.aliases.append((alias, cell_name(cells[j])))
                        out.mentions.append(EntityMention(alias, etype, rows[0].evidence, "table"))
        return out, header

    def _cell_alias(self, cell: str) -> str:
        """A cell's bracketed name when it looks like a name, not a note: "豆包" and "ChatRhino"
        are kept; "开源", "2023年", "70亿参数" and clauses are not."""
        alias = cell_alias(cell)
        if not alias or len(alias) > self.max_name_chars or alias.casefold() in lx.CELL_NOTES:
            return ""
        if alias in lx.GENERIC or alias in lx.NULL_VALUES or _DATE_OR_NUMBER.search(alias):
            return ""
        if _CLAUSE_BREAK.search(alias) or (re.search(r"\d", alias) and _HAS_CJK.search(alias)):
            return ""  # "70亿参数", "2023年": figures, not names
        if not _HAS_CJK.search(alias):
            return alias if self._name_like(alias, subject=True) and alias[0].isalnum() else ""
        tags = self._jieba.tag(alias)
        if any(t[0] in "vadpcmqru" and not t.startswith(("vn", "nr", "ns", "nt", "nz")) for _, t in tags):
            return ""  # "已开源", "支持多模态": a remark, not a name
        return alias if self._name_like(alias, subject=True) else ""

    def _rejoin_cells(self, lines: list[str], known: set[str]) -> list[tuple[str, bool]]:
        """Lines with a cell's wrapped tail joined back: (line, whether a tail was joined).

        PDF extraction breaks a long cell over lines ("中科院自动化研究" / "所").  A line of one or
        two Chinese characters is a tail when it completes the previous line's last word — the
        join forms one dictionary word across the break — into an organisation ending
        ("研究所", "实验室") or into a name seen elsewhere in the document.
        """
        out: list[tuple[str, bool]] = []
        for line in lines:
            prev = next((i for i in range(len(out) - 1, -1, -1) if out[i][0]), -1)
            if prev >= 0 and self._is_cell_tail(out[prev][0], line, known):
                out[prev] = (out[prev][0] + line, True)
                continue
            out.append((line, False))
        return out

    def _is_cell_tail(self, before: str, line: str, known: set[str]) -> bool:
        if not 1 <= len(line) <= 2 or not all(_HAS_CJK.match(ch) for ch in line) or not before:
            return False
        if not _HAS_CJK.match(before[-1]) or _SENT_PUNCT.search(before):
            return False
        last = cells_of(before)[-1]
        joined = last + line
        if joined in known:
            return True
        if not line.endswith(_CELL_TAIL_ENDINGS):
            return False
        tokens = self._jieba.cut(joined)
        return len(tokens) > 1 and len(tokens[-1]) > len(line)  # the tail glues to the word before

    def _proper_words(self, chunks: Sequence[Chunk]) -> set[str]:
        """Dictionary words tagged as names in the document's prose — seams for glued rows."""
        words: set[str] = set()
        for chunk in chunks:
            if chunk.kind != "chart":
                words.update(w for w, t in self._jieba.tag(chunk.text) if len(w) >= 2 and t in _NAME_TAGS)
        return words

    def _split_glued(self, row: str, known: set[str], prose: str) -> list[str]:
        """Split a row whose two cells a cleaner glued ("京东言犀" under "公司 模型"): find the seam.

        The left cell is preferred to be a name seen elsewhere in the document, else one ending
        in an organisation suffix, else the first dictionary word of two or more characters.
        """
        if (
            not 3 <= len(row) <= 2 * self.max_name_chars
            or not _HAS_CJK.search(row)
            or _SENT_PUNCT.search(row)
        ):
            return [row]
        tokens = self._jieba.cut(row)
        best: tuple[int, int] = (0, 0)
        pos = 0
        for i, token in enumerate(tokens[:-1]):
            pos += len(token)
            left, right = row[:pos], row[pos:]
            if len(left) < 2 or len(left) > 12 or (len(right) < 2 and not right.isalnum()):
                continue
            score = 3 if left in known else 2 if left.endswith(_ORG_SUFFIXES) and len(left) > 2 else 0
            score = score or (1 if i == 0 else 0)
            score += (2 if right in known else 0) + (2 if len(left) >= 3 and left in prose else 0)
            if score >= best[0]:
                best = (score, pos)
        return [row[: best[1]], row[best[1] :]] if best[0] >= 2 else [row]

    def _row(self, header: Header, cells: list[str], ev: Evidence) -> list[RawRelation]:
        """One table row: org column —released→ product column; other short name cells become
        ``attribute`` edges of the product labelled by their header."""
        left, right = cell_name(cells[header.org]), cell_name(cells[header.product])
        if left in lx.NULL_VALUES or right in lx.NULL_VALUES or _key(left) == _key(right):
            return []
        if not self._name_like(left, True) or not self._name_like(right, True):
            return []
        if len(left) > self.max_name_chars or len(right) > self.max_name_chars:
            return []
        out = [_raw(left, right, "released", ev, source="table")]
        for j, cell in enumerate(cells):
            value = cell_name(cell)
            if j in (header.org, header.product) or len(value) > 12 or _DATE_OR_NUMBER.search(value):
                continue
            if header.names[j] in lx.FREE_TEXT_HEADERS or _CLAUSE_BREAK.search(value) or "，" in value:
                continue
            if value not in lx.NULL_VALUES and self._name_like(value, True) and _key(value) != _key(right):
                out.append(_raw(right, value, "attribute", ev, label=header.names[j][:12], source="table"))
        return out

    # -- POS entities ------------------------------------------------------------------------

    def _pos_entities(self, sentence: str, ev: Evidence) -> list[EntityMention]:
        found: list[EntityMention] = []
        seen: set[str] = set()
        tokens = [] if TRADITIONAL.search(sentence) else self._jieba.tag(sentence)  # tags fail on 繁体
        merged = merge_org_tokens(merge_person_tokens(tokens))
        for i, (word, tag) in enumerate(merged):
            etype = self._pos_type(word, tag)
            if etype and word not in seen and not self._inside_longer_name(merged, i, etype):
                seen.add(word)
                found.append(EntityMention(word, etype, ev, "pos"))
        chinese = len(_HAS_CJK.findall(sentence)) > len(sentence) // 4
        titles = [m.span() for m in TITLE_SPAN.finditer(sentence)]
        for start, end in en_name_spans(sentence):
            if any(a <= start < b for a, b in titles):
                continue  # words of a quoted title or an expansion in brackets, not names
            before = sentence[start - 1] if start > 0 else ""
            if chinese and before and _HAS_CJK.match(before) and before not in CJK_BEFORE_NAME:
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
            and _HAS_CJK.match(before[0][-1]) is not None
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
        if len(name) < 2 or (_HAS_CJK.search(name) and len(_HAS_CJK.findall(name)) < 2 and len(name) < 3):
            return False
        if name.casefold() in lx.EN_STOP or name.isdigit() or re.fullmatch(r"[\d.%年月日]+", name):
            return False
        if name.startswith(("《", "“")):
            return not subject
        if not _HAS_CJK.search(name):
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
            (_HAS_CJK.match(line[0]) and _HAS_CJK.match(out[-1][-1]))
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
    parts = _CLAUSE_BREAK.split(text)
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


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold()


def _raw(
    src: str, dst: str, rtype: str, ev: Evidence, label: str = "", source: str = "pattern"
) -> RawRelation:
    src_type: EntityType = "org" if rtype in ("released", "acquired", "invested_in", "provides") else "other"
    dst_type: EntityType = "product" if rtype == "released" else "org" if rtype == "acquired" else "other"
    return RawRelation(src.strip(), dst.strip(), rtype, ev, src_type, dst_type, label, source)
