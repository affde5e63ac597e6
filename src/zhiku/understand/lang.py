"""Language of a question, and an English → Chinese glossary for searching Chinese text.

Detection is a character count, which is enough to tell Chinese from English and needs no
model.  The glossary lets an English question find Chinese evidence without a translation model.

>>> detect_language("2022年全省光伏装机容量是多少？")
'zh'
>>> detect_language("What is the expected size of Europe's battery market in 2030?")
'en'
"""

from __future__ import annotations

import re

from zhiku.types import Language

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> Language:
    """``zh`` when Chinese characters carry the text, else ``en``.

    A Latin word counts as about two Chinese characters, so "Google发布的Gemma模型包括哪几种参数规模？"
    is Chinese while "What does 智谱 build?" is English.  Empty text defaults to Chinese.
    """
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if cjk == 0:
        return "en" if words else "zh"
    return "zh" if cjk >= 2 * words else "en"


_CJK_ANY = re.compile(r"[\u3400-\u9fff]")
_LATIN_ANY = re.compile(r"[A-Za-z]")


def reply_language(text: str, default: Language) -> Language:
    """The language to reply in, by the safety wrapper's stricter rule: any Chinese character
    means Chinese (a refusal must reach a Chinese reader even in a mostly English request),
    else any Latin letter means English, else ``default``.

    >>> reply_language("How do I make 炸药?", "en")
    'zh'
    """
    if _CJK_ANY.search(text):
        return "zh"
    if _LATIN_ANY.search(text):
        return "en"
    return default


# A small English → Chinese glossary so an English question can find Chinese evidence without a
# translation model.  Business/report vocabulary plus the commonest places and units; a word maps
# to alternatives, any of which counts as a match.
_GLOSSARY: dict[str, tuple[str, ...]] = {
    "china": ("中国", "我国", "国内"),
    "chinese": ("中国", "国内"),
    "us": ("美国",),
    "usa": ("美国",),
    "america": ("美国",),
    "american": ("美国",),
    "united states": ("美国",),
    "japan": ("日本",),
    "korea": ("韩国",),
    "europe": ("欧洲",),
    "european": ("欧洲", "欧盟"),
    "india": ("印度",),
    "beijing": ("北京",),
    "shanghai": ("上海",),
    "shenzhen": ("深圳",),
    "hong kong": ("香港",),
    "global": ("全球",),
    "world": ("全球", "世界"),
    "ai": ("人工智能", "ai"),
    "artificial intelligence": ("人工智能",),
    "industry": ("产业", "行业"),
    "market": ("市场",),
    "size": ("规模",),
    "scale": ("规模",),
    "projected": ("预计",),
    "expected": ("预计",),
    "forecast": ("预计", "预测"),
    "growth": ("增长", "增速"),
    "rate": ("率",),
    "cagr": ("复合增长率",),
    "compound": ("复合",),
    "annual": ("年",),
    "share": ("占比", "份额"),
    "proportion": ("占比", "比例"),
    "percentage": ("占比", "比例"),
    "revenue": ("收入", "营收"),
    "investment": ("投资",),
    "financing": ("融资",),
    "funding": ("融资",),
    "valuation": ("估值",),
    "company": ("公司", "企业"),
    "companies": ("公司", "企业"),
    "enterprise": ("企业",),
    "enterprises": ("企业",),
    "unicorn": ("独角兽",),
    "unicorns": ("独角兽",),
    "ipo": ("ipo", "上市"),
    "listed": ("上市",),
    "chip": ("芯片",),
    "chips": ("芯片",),
    "computing": ("算力", "计算"),
    "compute": ("算力",),
    "power": ("算力", "能力"),
    "intelligent": ("智能",),
    "model": ("模型",),
    "models": ("模型",),
    "large": ("大",),
    "llm": ("大模型",),
    "data": ("数据",),
    "service": ("服务",),
    "services": ("服务",),
    "basic": ("基础",),
    "cloud": ("云",),
    "edge": ("边缘", "端侧"),
    "device": ("端侧", "设备"),
    "application": ("应用",),
    "applications": ("应用",),
    "medical": ("医疗",),
    "healthcare": ("医疗",),
    "finance": ("金融",),
    "education": ("教育",),
    "government": ("政府", "政务"),
    "policy": ("政策",),
    "regulation": ("办法", "规定", "条例"),
    "measures": ("办法",),
    "generative": ("生成式",),
    "effect": ("生效", "施行"),
    "effective": ("生效", "施行"),
    "established": ("成立",),
    "founded": ("成立", "创立"),
    "launched": ("发布", "推出"),
    "released": ("发布",),
    "released by": ("发布",),
    "users": ("用户",),
    "customers": ("客户",),
    "clients": ("客户",),
    "institutions": ("机构",),
    "parameters": ("参数",),
    "performance": ("性能",),
    "training": ("训练",),
    "inference": ("推理",),
    "vision": ("视觉",),
    "speech": ("语音",),
    "language": ("语言",),
    "autonomous": ("自动",),
    "driving": ("驾驶",),
    "robot": ("机器人",),
    "robots": ("机器人",),
    "core": ("核心",),
    "total": ("总",),
    "number": ("数量",),
    "population": ("人口",),
    "capital": ("首都",),
    "president": ("总统", "主席"),
    "ceo": ("ceo", "首席执行官"),
    "founder": ("创始人",),
    "year": ("年",),
    "billion": ("亿",),
    "million": ("万",),
    "trillion": ("万亿",),
    "yuan": ("元",),
    "rmb": ("元", "人民币"),
    "dollars": ("美元",),
    "percent": ("%",),
    "first batch": ("第一批", "首批"),
    "second batch": ("第二批",),
    "third batch": ("第三批",),
    "fourth batch": ("第四批",),
    "filings": ("备案",),
    "filing": ("备案",),
    "filed": ("备案",),
    "registration": ("备案",),
    "registered": ("备案",),
    "approved": ("获批", "批准"),
    "approval": ("获批", "批准"),
}


def glossary_terms(text: str) -> dict[str, tuple[str, ...]]:
    """English words/phrases of ``text`` that the glossary can render in Chinese."""
    low = text.lower()
    found: dict[str, tuple[str, ...]] = {}
    for phrase, zh in _GLOSSARY.items():
        if re.search(rf"\b{re.escape(phrase)}\b", low):
            found[phrase] = zh
    return found


def glossary_expand(text: str) -> str:
    """An English question plus the Chinese renderings of its glossary words, for lexical search.

    >>> glossary_expand("AI industry size in China")
    'AI industry size in China 人工智能 ai 产业 行业 规模 中国 我国 国内'
    """
    if detect_language(text) != "en":
        return text
    extra = [zh for alts in glossary_terms(text).values() for zh in alts]
    return " ".join([text, *dict.fromkeys(extra)]) if extra else text
