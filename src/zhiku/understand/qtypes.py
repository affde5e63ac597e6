"""What kind of answer a question expects: a number, a date, a name, a list — or free text.

The extractive reader uses this to look for a span of the right shape ("2137亿元" for 多少,
"2031年5月17日" for 哪天) and to refuse when the evidence holds no such span.  Rules are
ordered: the most specific cue wins (占比 → percent before 多少 → number).

>>> detect_question_type("2021年有多少家企业进入上市辅导？").kind
'number'
>>> detect_question_type("2021年有多少家企业进入上市辅导？").unit
'家'
>>> detect_question_type("When did the rule take effect?").kind
'date'
"""

from __future__ import annotations

import re
from dataclasses import replace

from zhiku.types import Language, QuestionType
from zhiku.understand.lang import detect_language

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
# Besides named metrics, the shape of the closing word says a figure is asked: any rate (…率),
# amount (…额), quantity (…量, but not 质量/力量), count (人数, 票数) or price (…价); not 成绩,
# which in sport is a placing (亚军, 八强) as often as a figure.
_ZH_METRIC = re.compile(
    r"(?:规模|产值|营收|收入|利润|票房|GDP|人口|市值|估值|增长|涨幅|跌幅|排名|名次|得分|比分|分数|点数|震级|"
    r"金额|价格|成本|人次|用时|时速|速度|温度|面积|长度|高度|深度|海拔|寿命|"
    r"[\u4e00-\u9fff]率|[\u4e00-\u9fff]额|(?![质力])[\u4e00-\u9fff]量|[人次总户票件场]数|[售股房油票单]价)[？?]?$"
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
    (re.compile(r"人口|人数|员工|居民|人次|人员|职工|学生|游客|用户|会员"), ("人", "万", "亿", "人次")),
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
