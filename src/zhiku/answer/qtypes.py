"""What kind of answer a question expects: a number, a date, a name, a list — or free text.

The extractive reader uses this to look for a span of the right shape ("2137亿元" for 多少,
"2023年3月31日" for 哪天) and to refuse when the evidence holds no such span.  Rules are
ordered: the most specific cue wins (占比 → percent before 多少 → number).

>>> detect_question_type("2023年有多少家AI公司进入IPO阶段？").kind
'number'
>>> detect_question_type("2023年有多少家AI公司进入IPO阶段？").unit
'家'
>>> detect_question_type("When did the rule take effect?").kind
'date'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from zhiku.answer.lang import detect_language
from zhiku.types import Language

AnswerKind = Literal["number", "date", "person", "place", "entity", "list", "other"]
DateGrain = Literal["", "year", "month", "day"]


@dataclass(frozen=True)
class QuestionType:
    """The expected answer shape.

    ``unit`` is the measure word the question names (家, 倍, %, 人 …) or "" when any unit fits;
    ``grain`` says how precise a date must be; ``cue`` is the matched question word, which the
    reader removes from the query terms.
    """

    kind: AnswerKind
    unit: str = ""
    grain: DateGrain = ""
    cue: str = ""
    language: Language = "zh"
    units: tuple[str, ...] = ()  # units the measured quantity usually takes (体长 → 厘米, 米 …)
    alias: bool = False  # "又称什么/叫什么": the answer follows 又称/又名/简称
    head: str = ""  # the noun after 哪个/什么 ("哪个组" → 组): the answer is often "…组"
    category: str = ""  # the noun the question asks about ("超级碗冠军是谁" → 冠军): "NFL冠军" restates it
    counted: str = ""  # the noun counted by 多少 when it is no measure word ("多少语种" → 语种)

    @property
    def typed(self) -> bool:
        """Typed questions need a span of their kind; free-text ones only a good sentence."""
        return self.kind in ("number", "date")


_ZH_PERCENT = re.compile(
    r"占比|比例|比重|百分之几|百分比|份额|增长率|增速|增幅|渗透率|复合增长|率(?:是|为)?(?:多少|几)|"
    r"(?:增长|上涨|下降|下跌|提升|提高|降低)了?多少(?![亿万元美人家个倍])"
)
_ZH_MEASURE = re.compile(
    r"(?:多少|几)(个百分点|倍|家|个|人|名|位|次|种|项|款|台|辆|件|部|座|所|条|张|只|份|岁|年|天|元|美元|吨|米|公里)"
)
_ZH_NUMBER = re.compile(
    r"多少|几成|多大|多高|多长|多重|多远|多久|多快|多深|多宽|几(?![乎何])|哪一[集期届季场轮]"
)
# Search-style queries without a question word ("2022年特斯拉交付量") still ask for a figure.
_ZH_METRIC = re.compile(
    r"(?:规模|产值|营收|收入|利润|交付量|销量|销售额|票房|GDP|人口|市值|估值|增长|涨幅|跌幅|数量|人数|总数|次数|"
    r"排名|名次|得分|比分|分数|点数|震级|金额|价格|成本|产量|[出进]口量|发送量|人次|出生率|死亡率|失业率|通胀率)[？?]?$"
)
_ZH_DATE_YEAR = re.compile(r"哪一?年|何年|哪个年份|什么年份|几几年")
_ZH_DATE_MONTH = re.compile(r"哪个月|几月(?!\d)")
_ZH_DATE = re.compile(
    r"何时|哪天|哪一天|什么时候|什么时间|几月几日|几月几号|几号|几日|日期|哪个日子|何日|"
    r"(?:开始|结束|举行|举办|发布|上映|开幕|闭幕|下水|发射|成立|上市|发售|生效|施行|实施)?(?<!多长)(?<!多少)时间[？?]?$"
)
_ZH_LIST = re.compile(r"哪些|哪几|哪两|哪三|哪四|有什么(?:样的)?(?:产品|类型|国家|公司)|包括什么|包含什么")
_ZH_PERSON = re.compile(
    r"谁|哪位|哪个人|什么人|哪名|最佳(?:男|女)?(?:主角|配角|演员|导演|编剧)|"
    r"第[一二三四五六七八九十\d]+任(?:行政长官|总统|总理|主席|市长|首相|秘书长)[？?]?$|(?:主演|导演|作者|创始人|成员|得主|主持人|歌手)(?:是|有)?[？?]?$"
)
_ZH_PLACE = re.compile(
    r"哪里|哪儿|何地|何处|在哪(?![个一些家支所部款种类项只位条届名])|什么地方|哪个国家|哪国|哪座城市|哪个城市|哪个省|什么城市|哪个地区|"
    r"举办地|举行地|地点[？?]?$|所在地|(?:举办|主办|研发|所属)国(?:家)?[？?]?$"
)
_ZH_ENTITY = re.compile(
    r"哪家|哪个|哪一个|哪款|哪部|哪种|哪支|哪队|哪所|哪只|哪类|哪项|什么公司|什么机构|什么名字|叫什么|名称是|称为什么|"
    r"什么(?:品牌|产品|型号|奖|电影|游戏|组织|职位|颜色|语言|类型|专业|学校|团队|球队|作品|称号|软件|系统|平台|模型|芯片)|"
    r"(?:口号|主题|标语|主题曲|物质|药物|病毒|名称)是什么|"
    r"(?:冠军|亚军|季军|得主|最佳\w{1,6}|吉祥物)(?:是)?[？?]?$"
)

_EN_PERCENT = re.compile(
    r"\bwhat (?:percentage|percent|share|proportion|fraction|ratio)\b|\bcagr\b|"
    r"\b(?:growth|birth|death|unemployment|inflation|interest|penetration) rate\b"
)
_EN_NUMBER = re.compile(
    r"\bhow (?:many|much|large|big|high|long|far|fast|old)\b|"
    r"\bwhat (?:is|was|will be|are|were)? ?(?:the )?(?:\w+ ){0,2}"
    r"(?:size|scale|value|number|amount|revenue|price|cost|count|total|growth)\b"
)
_EN_DATE_YEAR = re.compile(r"\b(?:what|which) year\b|\bin which year\b")
_EN_DATE = re.compile(
    r"^\s*when\b|\bwhen (?:did|was|were|will|is|does)\b|\b(?:what|which) (?:date|day|month)\b"
)
_EN_LIST = re.compile(
    r"\bwhich (?:\w+ )?(?:are|were)\b|\bwhat are the\b|\blist\b|\bwhat (?:\w+ )?(?:include|includes)\b"
)
_EN_PERSON = re.compile(r"^\s*who\b|\bwho (?:is|was|are|were|did|founded|leads|led)\b|\bwhich person\b")
_EN_PLACE = re.compile(
    r"^\s*where\b|\bwhich (?:city|country|province|region|place)\b|\bhost (?:city|country)\b"
)
_EN_ENTITY = re.compile(
    r"\bwhich\b|\bwhat (?:company|organization|organisation|product|model|chip|brand|name)\b"
)

_EN_UNITS = {"how many times": "倍"}


_ZH_ALIAS = re.compile(
    r"(?:又|也|还|亦|或)?(?:被)?(?:称为|称作|叫做?|名为|称)什么|别名|又名|别称|简称|俗称|全称|原名|本名|英文名|谥号|字号"
)
_ZH_NOT_PERSON = re.compile(r"冠军|亚军|季军|主席国|东道主|球队|哪个队|公司|政党|组织|机构|赢得|获胜")
_METRIC_UNITS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(
            r"体长|身长|长度|多长(?!时间)|身高|高度|多高|宽度|多宽|深度|多深|距离|多远|海拔|直径|半径|全长|翼展"
        ),
        ("厘米", "公分", "毫米", "米", "公里", "千米", "英尺", "英寸", "公尺", "km", "cm", "mm", "m"),
    ),
    (re.compile(r"体重|重量|多重|质量|产量|总产"), ("克", "千克", "公斤", "吨", "斤", "磅", "kg", "g")),
    (re.compile(r"震级|级别|等级"), ("级",)),
    (re.compile(r"点数|收盘|指数"), ("点",)),
    (re.compile(r"面积"), ("平方", "公顷", "亩", "km²")),
    (re.compile(r"人口|人数|员工|居民|人次"), ("人", "万", "亿", "人次")),
    (
        re.compile(r"(?<!人)数量"),
        (
            "个",
            "名",
            "位",
            "人",
            "家",
            "只",
            "辆",
            "台",
            "座",
            "所",
            "部",
            "项",
            "件",
            "种",
            "款",
            "支",
            "架",
            "艘",
            "万",
            "亿",
        ),
    ),
    (
        re.compile(
            r"多少钱|价格|售价|票价|金额|融资|收入|收益|营收|营业额|产值|市值|估值|规模|投资|成本|GDP|票房|销售额|"
            r"经费|支出|开支|花费|消费额|预算|拨款|罚款|赔偿"
        ),
        (
            "元",
            "亿",
            "万",
            "美元",
            "美金",
            "欧元",
            "港元",
            "港币",
            "日元",
            "英镑",
            "billion",
            "million",
            "yuan",
            "dollar",
        ),
    ),
    (re.compile(r"温度|气温"), ("℃", "度", "°")),
    (re.compile(r"多久|多长时间|时长|寿命|历时|存在了"), ("年", "个月", "天", "小时", "分钟", "秒", "周")),
)


def detect_question_type(question: str, language: Language | None = None) -> QuestionType:
    """Classify the expected answer of ``question`` (Chinese or English)."""
    from dataclasses import replace

    lang = language or detect_language(question)
    if lang == "en":
        return _detect_en(question.lower())
    qt = _detect_zh(question)
    if qt.kind == "number":
        for pattern, units in _METRIC_UNITS:
            if pattern.search(question):
                return replace(qt, units=units)
        if qt.cue in ("多少", "几") and not qt.unit:
            return replace(qt, counted=_counted_noun(question, qt.cue))
    if qt.kind in ("entity", "other") and _ZH_ALIAS.search(question):
        return replace(qt, kind="entity", alias=True)
    if qt.kind == "person" and _ZH_NOT_PERSON.search(question):
        qt = replace(qt, kind="entity")  # "冠军是谁" is often a team, "主席国是谁" a country
    if qt.kind == "entity" and not qt.alias:
        return replace(qt, head=_head_noun(question), category=_category_noun(question, qt.cue))
    return qt


def _word_after(text: str, stop: frozenset[str]) -> str:
    """The first word of ``text`` when it is 1–3 Chinese characters and not in ``stop``, else ""."""
    import rjieba

    words = rjieba.cut(text)
    word = words[0] if words else ""
    return word if re.fullmatch(r"[\u4e00-\u9fff]{1,3}", word) and word not in stop else ""


def _counted_noun(question: str, cue: str) -> str:
    """The noun right after 多少/几 ("覆盖了多少语种" → 语种), or ""."""
    return _word_after(question[question.find(cue) + len(cue) :], _NOT_COUNTED)


_NOT_COUNTED = frozenset("是 的 了 呢 吗 钱 亿 万 千 百".split())


def _category_noun(question: str, cue: str) -> str:
    """The noun right before the question word, or ending a search-style query ("…冠军是谁" → 冠军)."""
    import rjieba

    named = cue.removesuffix("是什么")
    if re.fullmatch(r"冠军|亚军|季军|得主|吉祥物|口号|主题|标语|主题曲|物质|药物|病毒|名称", named):
        return named  # the cue holds the category itself ("春节档票房冠军", "口号是什么")
    at = question.find(cue) if cue else -1
    if at <= 0:
        at = len(question.rstrip("？?。. "))
    words = [w for w in rjieba.cut(question[:at].rstrip("是的为叫")) if w.strip()]
    word = words[-1] if words else ""
    return word if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", word) else ""


_ZH_WHICH = re.compile(r"(?:哪一?|什么)[个支所家部款种类项只位座条届名]?")


def _head_noun(question: str) -> str:
    """The noun right after 哪个/哪支/什么 ("哪个组" → 组, "哪支球队" → 球队), or ""."""
    if genre := _ZH_GENRE.search(question):  # "什么类型的电视剧" is answered by "刑侦剧"
        return "片" if genre.group(1) in ("电影", "影片", "片") else "剧"
    m = _ZH_WHICH.search(question)
    return _word_after(question[m.end() :], _NOT_HEADS) if m else ""


_ZH_GENRE = re.compile(r"(?:什么|哪种|哪类)(?:类型|题材|种类)的?(电视剧|网剧|电影|影片|剧|片)")
_NOT_HEADS = frozenset("是 在 的 了 时候 时间 地方 原因 意思 样 样的 么 型 类 类型 种类 别".split())


def _detect_zh(q: str) -> QuestionType:
    if m := _ZH_DATE_YEAR.search(q):
        return QuestionType("date", grain="year", cue=m.group(0))
    if m := _ZH_DATE.search(q):
        return QuestionType("date", grain="day", cue=m.group(0))
    if m := _ZH_DATE_MONTH.search(q):
        return QuestionType("date", grain="month", cue=m.group(0))
    if m := _ZH_PERCENT.search(q):
        return QuestionType("number", unit="%", cue=m.group(0))
    if m := _ZH_LIST.search(q):
        return QuestionType("list", cue=m.group(0))
    if m := _ZH_MEASURE.search(q):
        return QuestionType("number", unit=m.group(1), cue=m.group(0))
    if m := _ZH_PERSON.search(q):
        return QuestionType("person", cue=m.group(0))
    if m := _ZH_PLACE.search(q):
        return QuestionType("place", cue=m.group(0))
    if m := _ZH_NUMBER.search(q):
        return QuestionType("number", cue=m.group(0))
    if m := _ZH_ENTITY.search(q):
        return QuestionType("entity", cue=m.group(0))
    if m := _ZH_METRIC.search(q):
        return QuestionType("number", unit="%" if m.group(0).rstrip("？?").endswith("率") else "")
    return QuestionType("other")


def _detect_en(q: str) -> QuestionType:
    if m := _EN_DATE_YEAR.search(q):
        return QuestionType("date", grain="year", cue=m.group(0), language="en")
    if m := _EN_DATE.search(q):
        return QuestionType("date", grain="day", cue=m.group(0).strip(), language="en")
    if m := _EN_PERCENT.search(q):
        return QuestionType("number", unit="%", cue=m.group(0), language="en")
    if "how many times" in q:
        return QuestionType("number", unit=_EN_UNITS["how many times"], cue="how many times", language="en")
    if m := _EN_NUMBER.search(q):
        return QuestionType("number", cue=m.group(0), language="en")
    if m := _EN_PERSON.search(q):
        return QuestionType("person", cue=m.group(0).strip(), language="en")
    if m := _EN_PLACE.search(q):
        return QuestionType("place", cue=m.group(0).strip(), language="en")
    if m := _EN_LIST.search(q):
        return QuestionType("list", cue=m.group(0), language="en")
    if m := _EN_ENTITY.search(q):
        return QuestionType("entity", cue=m.group(0), language="en")
    return QuestionType("other", language="en")


@dataclass(frozen=True)
class Term:
    """A query term; it matches a sentence when any alternative occurs in it.

    ``critical`` terms (years, places, people, organisations, Latin names) qualify the question:
    evidence about 中国 does not answer a question about 美国.  ``ngram`` terms are Chinese
    character pairs and triples, a segmentation-proof view of the question that also rewards
    phrases kept together (智能算力市场 rather than 人工智能 … 市场).
    """

    alternatives: tuple[str, ...]
    critical: bool = False
    ngram: int = 0  # 0 for a word; 2 or 3 for a Chinese character n-gram
    role: str = ""  # "year", "place", "name", "latin" for critical terms


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    language: Language
    qtype: QuestionType
    terms: tuple[Term, ...]
    years: tuple[str, ...]

    @property
    def tokens(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.ngram)

    def ngrams(self, n: int) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.ngram == n)

    @property
    def critical(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.critical)


_ZH_STOP = frozenset(
    "的 了 是 在 有 和 与 及 或 为 被 由 将 对 从 中 上 下 把 给 让 向 于 以 而 并 也 都 又 就 这 那 其 该 此 之 "
    "多少 什么 哪 哪些 哪个 哪家 哪里 哪儿 哪位 哪天 哪年 哪一年 几 吗 呢 吧 啊 请问 是否 怎么 怎样 如何 为什么 为何 谁 "
    "何时 什么时候 多大 多高 多长 多久 一个 一种 哪种 哪款 哪部 哪一 哪两 哪三 哪几 叫 叫做 称为 名字 时候 "
    "达到 是多少 多 少 个 年 月 日 第 第几 最 请 能 会 要 可以 主要 进行 相关 以及 通过 所 着 过 等 "
    "预计 截至 截止 根据 目前 已经 其中 分别 大约 约 何时 何地 何处 多远 多重 多快 几月 几号 几日 哪天 哪里 "
    "哪儿 哪一天 哪国 哪位 哪部 哪支 哪队 哪所 哪类 哪项 什么样 怎么样 具体".split()
)
_EN_STOP = frozenset(
    "a an the of in on at to for from by with and or is are was were be been being do does did what which who "
    "whom whose when where why how many much that this these those it its as into about than their there "
    "will would could should can may might has have had i you we they he she what's s".split()
)
_CRITICAL_TAGS = {"ns": "place", "nr": "name", "nrt": "name", "nrfg": "name", "nt": "name", "j": "name"}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NORM_SPACE = re.compile(r"\s+")


def analyse_question(question: str, language: Language | None = None) -> QuestionAnalysis:
    """Question type, weighted query terms and the qualifiers the evidence must share."""
    import unicodedata

    import rjieba

    from zhiku.answer.lang import glossary_terms

    text = unicodedata.normalize("NFKC", question).strip()
    lang = language or detect_language(text)
    qtype = detect_question_type(text, lang)
    years = tuple(dict.fromkeys(_YEAR.findall(text)))
    terms: list[Term] = [Term((y,), critical=True, role="year") for y in years]
    seen = set(years)
    glossary = glossary_terms(text) if lang == "en" else {}
    for phrase, zh in glossary.items():
        if " " in phrase:
            seen.update(phrase.split())
            terms.append(
                Term((phrase, *zh), critical=zh[0] in _PLACES, role="place" if zh[0] in _PLACES else "")
            )
    content = text
    for word, tag in rjieba.tag(content):
        w = word.strip().lower()
        if not w or w in seen or re.fullmatch(r"[\W_]+", w) or w in _ZH_STOP or w in _EN_STOP:
            continue
        if len(w) == 1 and not re.match(r"[a-z0-9]", w) and tag not in _CRITICAL_TAGS:
            continue
        seen.add(w)
        terms.append(_token_term(w, tag, lang, glossary.get(w, ())))
    for run in _CJK_RUN.findall(_strip_stop(content)):
        for n in (2, 3):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                if gram not in seen:
                    seen.add(gram)
                    terms.append(Term((gram,), ngram=n))
    return QuestionAnalysis(text, lang, qtype, tuple(terms), years)


_PLACES = frozenset({"中国", "美国", "日本", "韩国", "欧洲", "印度", "北京", "上海", "深圳", "香港"})


def _token_term(word: str, tag: str, lang: Language, zh: tuple[str, ...]) -> Term:
    if lang == "en":
        place = bool(zh) and zh[0] in _PLACES
        return Term((word, *zh), critical=place, role="place" if place else "")
    if re.fullmatch(r"[a-z][a-z0-9\-\.]*", word):
        return Term((word,), critical=len(word) >= 2, role="latin")
    if re.search(r"\d", word):
        return Term((word,), critical=bool(re.search(r"[a-z]", word)), role="latin")
    role = _CRITICAL_TAGS.get(tag, "")
    return Term((word,), critical=bool(role) and len(word) >= 2, role=role)


def _strip_stop(text: str) -> str:
    """Stop words become breaks; neighbouring content words stay joined for the n-grams."""
    import rjieba

    return "".join(w if w.strip() and w not in _ZH_STOP else " " for w in rjieba.cut(text))


_COORD = re.compile(r"和|与|以及|及")
_CONJ = frozenset({"和", "与", "以及", "及"})
_NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz", "j", "eng"})
_ITEM_TAGS = _NAME_TAGS | {"n", "t", "m", "a", "z", "f", "zg", "b", "nw"}
# Questions about the two items together (their relation, a comparison) must stay whole.
_JOINT = re.compile(
    r"关系|区别|差异|差别|比较|对比|相比|之间|谁更|融合|合作|协同|协作|配合|互动|共同|联合|异同|相同|不同|结合"
    r"|哪(?:个|一个)[^？?，,]{0,6}?(?:更|高|低|大|小|多|少|强|弱|快|慢|好|早|晚)"
)
_MAX_ITEM = 3  # tokens per coordinated item


def split_coordinated(question: str) -> list[str]:
    """One question per coordinated item: "上海和北京2021年的GDP分别是多少？" → the 上海 … and the 北京 … question.

    Items may be several words ("成都大运会和杭州亚运会开幕时间", "最佳女主角和最佳男主角"): the
    right item runs to the first word that parallels the word before the conjunction (same
    ending character, else the same part of speech), and the left item takes as many words.
    Applies to Chinese questions whose items are years, names, words with a shared ending, or
    that say 分别; a question about the items together (关系, 区别, 哪个…) is returned whole.
    """
    import rjieba

    if detect_language(question) != "zh" or not _COORD.search(question) or _JOINT.search(question):
        return [question]
    tags = _merge_years([(w, t) for w, t in rjieba.tag(question) if w.strip()])
    for i in range(1, len(tags) - 1):
        if tags[i][0] not in _CONJ:
            continue
        items = _align(tags, i)
        if items is None or not _parallel(*items, says_each="分别" in question):
            items = _attributes(tags, i, says_each="分别" in question)
        if items is None:
            continue
        (left, _), (right, _) = items
        joined = f"{left}{tags[i][0]}{right}"
        if joined not in question:
            continue
        base = question.replace("分别", "")
        first = left + "年" if re.fullmatch(r"\d{4}", left) and right.endswith("年") else left
        return [base.replace(joined, first, 1), base.replace(joined, _year_swapped(left, right), 1)]
    return [question]


def _merge_years(tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ "2022" + "年" → "2022年" (tag t), so a year is one item."""
    out: list[tuple[str, str]] = []
    for word, tag in tags:
        if word == "年" and out and re.fullmatch(r"\d{4}", out[-1][0]):
            out[-1] = (out[-1][0] + "年", "t")
        else:
            out.append((word, "t" if re.fullmatch(r"\d{4}年?", word) else tag))
    return out


def _align(tags: list[tuple[str, str]], i: int) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """The (text, head tag) of the left and right items around the conjunction at ``i``."""
    head, head_tag = tags[i - 1]
    if head_tag not in _ITEM_TAGS:
        return None
    right = tags[i + 1 : i + 1 + _MAX_ITEM]
    k = next((n for n, (w, _) in enumerate(right, 1) if w[-1] == head[-1] and len(w) > 1), None)
    by_ending = k is not None
    k = k or next((n for n, (_, t) in enumerate(right, 1) if t == head_tag), None)
    k = k or next((n for n, (_, t) in enumerate(right, 1) if {t, head_tag} <= _NAME_TAGS), None)
    if k is None and re.search(r"\d{4}$", head) and right and re.fullmatch(r"\d{4}年?", right[0][0]):
        k = 1  # "EMNLP2022和2023"
    if k is None:
        return None
    while not by_ending and head_tag == "n" and k < len(right) and right[k][1] == right[k - 1][1] == "n":
        k += 1  # a compound noun runs on: "最佳 电视 动画"
    if any(t not in _ITEM_TAGS for _, t in right[:k]):
        return None
    opener = right[0][0]
    mirror = next((j for j in range(i - 1, max(-1, i - 1 - _MAX_ITEM), -1) if tags[j][0] == opener), None)
    if mirror is not None:
        start = mirror  # the left item opens with the same word: "最佳女主角和最佳男主角"
    else:
        start = i - 1
        while start > 0 and i - start < k and tags[start - 1][1] in _ITEM_TAGS:
            start -= 1
    if start > 0 and len(tags[start - 1][0]) == 1 and tags[start - 1][1] == head_tag in _NAME_TAGS:
        start -= 1  # a name the tokenizer cut short: "布" + "林肯"
    left = "".join(w for w, _ in tags[start:i])
    return (left, head_tag), ("".join(w for w, _ in right[:k]), right[k - 1][1])


_NOMINAL = frozenset({"n", "vn", "v", "nz", "nr", "nrt", "ns", "nt", "j", "eng"})
_ASKS = re.compile(r"^(?:[？?]|是|分别|多少|几|谁|什么|哪|在哪|有哪些|如何|$)")


def _attributes(
    tags: list[tuple[str, str]], i: int, says_each: bool
) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """Two single words the question asks about ("国葬时间和地点？", "主演和导演是谁？").

    The tagger often calls such nouns verbs (导演, 收入, 高考), so any nominal tag will do, but
    only where the question asks about both right after them (or says 分别): "研究和开发投入"
    names one thing and stays whole.
    """
    (left, lt), (right, rt) = tags[i - 1], tags[i + 1]
    if lt not in _NOMINAL - {"v"} or rt not in _NOMINAL or len(left) < 2 or len(right) < 2:
        return None
    k = 1
    while rt == "n" and i + 1 + k < len(tags) and tags[i + 1 + k][1] == "n" and k < _MAX_ITEM:
        k += 1  # "标准版 国区 价格"
    after = "".join(w for w, _ in tags[i + 1 + k :])
    if not (says_each or _ASKS.match(after)):
        return None
    return (left, lt), ("".join(w for w, _ in tags[i + 1 : i + 1 + k]), tags[i + k][1])


def _year_swapped(left: str, right: str) -> str:
    """ "EMNLP2022和2023": the second item is "EMNLP2023", not a bare "2023"."""
    stem = re.fullmatch(r"(.*\D)((?:19|20)\d{2})", left)
    if stem and re.fullmatch(r"(?:19|20)\d{2}", right):
        return stem.group(1) + right
    return right


def _parallel(left: tuple[str, str], right: tuple[str, str], says_each: bool) -> bool:
    (lw, lt), (rw, rt) = left, right
    years = all(re.search(r"(?:19|20)\d{2}年?$", w) for w in (lw, rw))
    names = lt in _NAME_TAGS and rt in _NAME_TAGS
    shared_ending = len(lw) > 1 and len(rw) > 1 and lw[-1] == rw[-1]
    return years or names or shared_ending or (says_each and lt == rt)
