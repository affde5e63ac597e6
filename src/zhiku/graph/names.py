"""Telling names from words: person-name merging, Latin names in Chinese text, bilingual aliases.

Part of the small extractor (``zhiku.graph.extract_small``): jieba's tags split transliterated
names ("马修/·/瑞恩"), glue particles onto unknown words ("吴心伯称") and call abstract nouns
organisations; these helpers repair or reject such pieces before they become nodes.

>>> merge_person_tokens([("马修", "nr"), ("·", "x"), ("瑞恩", "nr")])
[('马修·瑞恩', 'nrm')]
"""

from __future__ import annotations

import re

from zhiku.graph import lexicon as lx

_PERSON_TAGS = frozenset({"nr", "nrt", "nrfg"})
_NAME_GLUE = frozenset({"·", "•", "・"})
# Shared by the sentence patterns and the listing reader.
HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
SENT_PUNCT = re.compile(r"[？！。?!；;，,]")
DATE_OR_NUMBER = re.compile(r"^[\d\s.,%年月日\-/—~～]+$|\d{4}年|\d+月")
CLAUSE_BREAK = re.compile(r"[，,、：:“”\"（）()《》【】\[\]]")
NAME_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg", "eng"})
ORG_SUFFIXES = (
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
LEAD_NOISE = tuple("对在被向据让由与和是以")
TAIL_NOISE = tuple("称说讲等对以在和与是的")


def merge_person_tokens(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ "马修/·/瑞恩" → "马修·瑞恩", "佩/洛希" → "佩洛希", "吴心伯称" → "吴心伯": whole names, not pieces."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        word, tag = tokens[i]
        if tag not in _PERSON_TAGS and not (
            len(word) == 1 and tag in ("zg", "g") and _next_is_person(tokens, i)
        ):
            out.append((word, tag))
            i += 1
            continue
        parts = [word]
        i += 1
        while i < len(tokens):
            w, t = tokens[i]
            glue = (
                w in _NAME_GLUE
                and i + 1 < len(tokens)
                and (tokens[i + 1][1] in _PERSON_TAGS or CJK_NAME.fullmatch(tokens[i + 1][0]) is not None)
            )
            if glue:  # the part after the dot belongs to the name whatever its tag ("凯特·布兰/切特")
                parts.extend((w, tokens[i + 1][0]))
                i += 2
            elif t in _PERSON_TAGS or (len(w) == 1 and t in ("zg", "g")):
                parts.append(w)
                i += 1
            else:
                break
        if len(parts) > 1 and _stray_last_char(tokens, i):
            parts.append(tokens[i][0])  # "依斯迈/沙比/里、": the name's last character, left alone
            i += 1
        name = "".join(parts)
        if len(name) > 2 and name.startswith(LEAD_NOISE):
            name = name[1:]
        if len(name) > 2 and name.endswith(TAIL_NOISE):
            name = name[:-1]
        out.append((name, "nr" if len(parts) == 1 else "nrm"))
    return out


def _stray_last_char(tokens: list[tuple[str, str]], i: int) -> bool:
    """A single nominal character between a multi-part name and a break belongs to the name."""
    if i >= len(tokens):
        return False
    word, tag = tokens[i]
    after = tokens[i + 1][0] if i + 1 < len(tokens) else ""
    return (
        len(word) == 1
        and CJK_NAME.fullmatch(word) is not None
        and word not in TAIL_NOISE
        and tag in ("f", "n", "ng", "ns", "nr", "nrt", "g")
        and (not after or not CJK_NAME.match(after[0]))
    )


def merge_org_tokens(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ "广东省/文旅厅" → "广东省文旅厅", "弗吉尼亚/理工大学" → one organisation, not a place and a fragment."""
    out: list[tuple[str, str]] = []
    for word, tag in tokens:
        if tag == "nt" and out and out[-1][1] in ("ns", "nt", "nsm") and word.endswith(NT_ENDINGS):
            prev, _ = out.pop()
            out.append((prev + word, "ntm"))
        else:
            out.append((word, tag))
    return out


def _next_is_person(tokens: list[tuple[str, str]], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1][1] in _PERSON_TAGS


def en_name_in_chinese(name: str, after: str) -> bool:
    """In Chinese text a Latin word is a name when it looks like one (CamelCase, digits, an acronym)
    and is not the first half of a mixed name ("BOSS直聘", "日日新SenseNova" are found whole)."""
    if after and HAS_CJK.match(after[0]) and not after.startswith(_CJK_AFTER_NAME):
        return False
    if " " in name:
        return True
    return len(name) >= 3 or any(c.isdigit() for c in name)


def distinctive(word: str) -> bool:
    camel = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
    return camel or any(c.isdigit() for c in word) or (word.isupper() and len(word) >= 2)


NT_ENDINGS = (
    *"院所校局部委会社报台队厅处署行司团馆园厂店",
    "大学",
    "学院",
    "银行",
    "集团",
    "公司",
    "协会",
    "中心",
    "政府",
    "联盟",
    "组织",
    "基金",
    "实验室",
)
TRADITIONAL = re.compile(r"[於這為個們時來會國說對與後從學灣書記強讓發體機開關動們區]")
TITLE_SPAN = re.compile(r"《[^》]*》|[（(][^）)]*[）)]")
CJK_NAME = re.compile(r"[\u4e00-\u9fff·•・]+")
CJK_BEFORE_NAME = frozenset("的是在和与及等、布出源购资用了将为被对从向让由自于即如和与")
_CJK_AFTER_NAME = (
    *"的是在和与及等、发推开于将也已还为被对从向让由自都又并",
    "模型",
    "大模",
    "系列",
    "平台",
    "公司",
)
EN_NAME = re.compile(r"(?<![A-Za-z0-9\-])[A-Z][A-Za-z0-9.\-+]*(?:[ ][A-Z0-9][A-Za-z0-9.\-+]*)*")


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)?", re.I)


_OF_NAME = re.compile(r" of (?:the )?(?=[A-Z])")


def en_name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised runs (``EN_NAME``), with "<head> of <name>" joined into one:
    "the Cyberspace Administration of China" gives one span, not "Cyberspace Administration" and
    "China" (a place inside an organisation's name is not mentioned on its own)."""
    spans = [m.span() for m in EN_NAME.finditer(text)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        head = text[start:end].split()[-1].casefold()
        joint = _OF_NAME.match(text, end)
        if (
            i + 1 < len(spans)
            and joint is not None
            and joint.end() == spans[i + 1][0]
            and any(form in lx.EN_ORG_HEADS for form in _singulars(head))
        ):
            out.append((start, spans[i + 1][1]))
            i += 2
            continue
        out.append((start, end))
        i += 1
    return out


def en_name_ok(name: str, sentence_start: bool) -> bool:
    """Names like "Sora", "ERNIE Bot", "GPT-4" — not stop words, dates ("December 7th"), a
    capitalised first word, or a phrase of common words ("Management", "Scaling LAW")."""
    words = name.split()
    if all(
        w.casefold().rstrip(".") in lx.EN_STOP or w.casefold() in lx.EN_MONTHS or _ORDINAL.fullmatch(w)
        for w in words
    ):
        return False
    if en_common_phrase(words):
        return False
    if sentence_start and len(words) == 1 and name.casefold() in lx.EN_COMMON_START:
        return False
    if words[0].casefold() in lx.EN_STOP and words[0].isupper() and len(words) > 1 and words[1][0].isdigit():
        return False  # "RMB 3.4", "CAGR 46.3": a unit and a number
    return len(re.findall(r"[A-Za-z]", name)) >= 2


def en_common_phrase(words: list[str]) -> bool:
    """Every word is a common English word and none carries a proper-noun signal (digits, an
    inner capital as in "OpenAI"/"SoC", an acronym that is not itself a word): title words
    ("Interim Measures", "Generative AI Services") and concepts ("Scaling LAW"), not names."""
    return bool(words) and all(_plain_word(w) for w in words)


def _plain_word(word: str) -> bool:
    if any(c.isdigit() for c in word) or (any(c.isupper() for c in word[1:]) and not word.isupper()):
        return False
    folded = word.casefold().strip(".,:;'’\"“”")
    if folded in lx.EN_STOP or folded in lx.EN_COMMON_START:
        return True
    return any(form in lx.EN_COMMON_WORDS for form in _singulars(folded))


def _singulars(word: str) -> tuple[str, ...]:
    """ "services" → service, "activities" → activity, "measures" → measure (and the word itself)."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        forms.append(word[:-1])
    return tuple(forms)


_EN_TRIM = frozenset("in on at the a an its their then later model models of for and to by with".split())


def en_trim(phrase: str) -> str:
    words = phrase.split()
    while words and words[-1].casefold() in _EN_TRIM:
        words.pop()
    while words and (
        words[0].casefold() in _EN_TRIM
        or words[0].casefold() in lx.EN_COMMON_START
        or (len(words) > 1 and words[0].isupper() and words[0].casefold() in lx.EN_STOP)
    ):
        words.pop(0)
    return " ".join(words).rstrip(".")


_ALIAS = re.compile(
    r"([^\s，,。（(]{2,20})[（(](?:以下)?(?:简称|下称)[:：]?[“\"]?([^”\"）)]{2,12})[”\"]?[）)]"
)


_PAREN_NAME = re.compile(
    r"([A-Z][A-Za-z0-9.\-+]*(?: [A-Z0-9][A-Za-z0-9.\-+]*){0,3}) ?[（(]([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})[）)]"
    r"|([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})[（(]([A-Z][A-Za-z0-9.\-+]*(?: [A-Z0-9][A-Za-z0-9.\-+]*){0,3})[）)]"
)


_ALSO_CUE_ZH = r"(?:英文名称|英文名|英文简称|外文名|又称|也称|亦称|又名|别名|别称)[:：为是]?\s*"
# "X（英文名Y）", "X（又称Y）" and "X，又称Y"/"X，英文名为Y": another name of the same thing.
_EN_PHRASE = r"[A-Z][A-Za-z0-9.\-+]*(?: [A-Z0-9][A-Za-z0-9.\-+]*){0,4}"
_ALSO_ZH = re.compile(
    r"("
    + _EN_PHRASE
    + r"|[^\s，,。；;（(]{2,20})(?:[（(]"
    + _ALSO_CUE_ZH
    + r"[“\"]?([^”\"（()），,。；;]{2,24}?)[”\"]?[）)]"
    r"|[，,]" + _ALSO_CUE_ZH + r"[“\"]?([^”\"（()），,。；;]{2,24}?)[”\"]?(?=[，,。；;（(]|$))"
)
_ALIAS_CUE = re.compile(_ALSO_CUE_ZH + r"|also known as|also called|a\.k\.a\.|aka|formerly known as")
# "Moonshot AI, also known as 月之暗面", "Zhipu AI (also known as Zhipu)".
_ALSO_EN = re.compile(
    r"(" + _EN_PHRASE + r"|[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})\s*[,(（]\s*"
    r"(?:also known as|also called|a\.k\.a\.|aka|formerly known as)\s+"
    r"[“\"]?(" + _EN_PHRASE + r"|[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})"
)


def find_aliases(sentence: str) -> list[tuple[str, str]]:
    """Aliases: "X（简称Y）", bilingual names "ERNIE Bot (文心一言)" / "文心一言（ERNIE Bot）", and
    "X（英文名Y）" / "X，又称Y" / "X, also known as Y"."""
    if "(" not in sentence and "（" not in sentence and not _ALIAS_CUE.search(sentence):
        return []  # every pattern needs a bracket or a cue word: most sentences have neither
    found = [(m.group(2), m.group(1)) for m in _ALIAS.finditer(sentence)]
    for m in _PAREN_NAME.finditer(sentence):
        en, zh = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if en.casefold() not in lx.EN_STOP and zh not in lx.GENERIC:
            found.append((en, zh))
    for m in _ALSO_ZH.finditer(sentence):
        found.append(((m.group(2) or m.group(3)).strip(), m.group(1)))
    for m in _ALSO_EN.finditer(sentence):
        found.append((m.group(2).rstrip("."), m.group(1)))
    return [
        (a, f)
        for a, f in found
        if a not in lx.GENERIC and f not in lx.GENERIC and a.casefold() not in lx.EN_STOP and a != f
    ]
