"""Word lists of the small extractor: relation triggers, generic nouns, table headers.

They are language knowledge, not data: which verbs express "released", which nouns are too
generic to be an entity ("公司", "模型", "platform"), which table headers name an organisation
or a product column.  Kept apart so the extractor reads as rules, not lists.
"""

from __future__ import annotations

# Chinese trigger verb → relation type (longest first when matching).
ZH_TRIGGERS: dict[str, str] = {
    "正式发布": "released",
    "发布": "released",
    "推出": "released",
    "开源": "released",
    "上线": "released",
    "研发": "released",
    "研发出": "released",
    "打造": "released",
    "全资收购": "acquired",
    "收购": "acquired",
    "并购": "acquired",
    "领投": "invested_in",
    "投资": "invested_in",
    "注资": "invested_in",
    "战略投资": "invested_in",
    "携手": "partnered_with",
}

EN_TRIGGERS: dict[str, str] = {
    "released": "released",
    "launched": "released",
    "unveiled": "released",
    "introduced": "released",
    "open-sourced": "released",
    "open sourced": "released",
    "debuted": "released",
    "announced": "released",
    "developed": "released",
    "acquired": "acquired",
    "bought": "acquired",
    "invested in": "invested_in",
    "partnered with": "partnered_with",
    "provides": "provides",
    "offers": "provides",
}

# Passive English: "<product> … developed by <org>".
EN_PASSIVE = ("developed by", "released by", "launched by", "built by", "made by", "created by", "from")

# Words that can never be an entity on their own (subjects or objects).
GENERIC: frozenset[str] = frozenset(
    """
    公司 企业 厂商 机构 团队 政府 用户 客户 开发者 我们 他们 它们 其 该 该公司 本公司 业内 国内 海外 国外
    行业 平台 产品 服务 模型 大模型 系列 版本 新版 技术 方案 解决方案 应用 能力 功能 工具 系统 数据 报告 文件
    政策 标准 公告 通知 意见 办法 规定 措施 计划 项目 成果 芯片 芯 算力 数据集 论文 白皮书 指南 框架 架构
    巨头 头部 互联网 科技 科技公司 科技巨头 大厂 双方 各方 多家 众多 部分 相关 更多 一批 首批 第一批 一系列 多个 多款
    一款 全新 新一代 最新 自研 首个 首款 行业大模型 通用大模型 垂直大模型 生成式 人工智能 AI AIGC 中国 全球 国家
    上市公司 国家队 球队 主队 客队 吉祥物 结构 官方 作者 网络 实验 实验室 研究 助力 核心 核心能力 速度 角色 信息 内容 场景 业务 市场 领域 体系 生态 模式 形式 方式 结果 效果 价值 目标 需求 问题 支持 基础 资源 资金 融资
    the a an its their this that these it they we new model models product products service services company companies
    platform platforms data report version
    """.split()
)

# Heads that make a noun phrase descriptive ("基座模型", "核心能力"), not a name, as a subject.
HEAD_GENERIC = frozenset(
    """
    模型 大模型 能力 技术 产品 平台 方案 解决方案 行业 领域 市场 服务 数据 系统 应用 场景 业务 生态 体系 模式
    股权 风险 产业 资本 客户 用户 商家 企业 厂商 机构 团队 政府 部门 角色 核心 速度 效果 成本 价值 助力 资源 工具 架构 框架
    """.split()
)

# Modifiers skipped before an object ("发布了新一代自研的X").
ZH_OBJECT_PREFIX = (
    "了",
    "过",
    "的",
    "一款",
    "多款",
    "一个",
    "多个",
    "一系列",
    "新一代",
    "新版",
    "全新",
    "最新",
    "自研",
    "自主研发",
    "首个",
    "首款",
    "旗下",
    "其",
    "名为",
    "自家",
)

# Adverbs and time phrases skipped between a subject and its verb ("百度于2023年3月正式发布").
ZH_SUBJECT_TAIL = (
    r"(?:于|在)?(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:初|底|末|中旬|上旬|下旬|年初|年底)?",
    r"(?:正式|近日|日前|今日|此前|随后|也|已经|已|再度|再次|陆续|相继|首次|率先|还|又|将|曾|先后|同时|"
    r"共同|联合|宣布|官宣|分别|均|都|亦|再|于|在|成功|重磅|正式宣布)$",
)

# Table / listing headers: organisation-like and product-like columns.
ORG_HEADERS = frozenset(
    "公司 企业 厂商 机构 单位 研发机构 研发单位 发布方 发布机构 研发方 开发方 公司名称 企业名称 厂商名称 "
    "company companies vendor developer organization organisation publisher".split()
)
PRODUCT_HEADERS = frozenset("模型 大模型 模型名称 产品 产品名称 品牌 model models product products".split())

# Notes a table cell may carry in brackets after a name ("通义千问（开源）"): not other names.
CELL_NOTES = frozenset(
    """
    开源 闭源 内测 公测 开放 上线 下线 已下线 预览 预览版 测试版 试用 商用 免费 收费 付费 国产 国内 海外 国外
    已发布 未发布 计划中 即将发布 更新 升级 新版 旧版 原 原名 简称 全称 下同 注 备注 暂定 待定 多模态 文本 图像 视频
    beta alpha preview open-source closed-source free paid
    """.split()
)

# What an organisation's unit adds to its name ("阿里云", "腾讯集团", "Baidu Cloud"): the relation
# answerer counts such a unit's releases as the organisation's own.
ORG_UNIT_SUFFIXES = frozenset(
    (
        *"云 智能云 集团 集团公司 科技 公司 有限公司 股份 控股 研究院 实验室 网络".split(),
        *(" " + w for w in "Cloud Group Inc Inc. Technologies Technology Research Labs AI".split()),
    )
)

# Cell values meaning "no value" in a listing.
NULL_VALUES = frozenset("未公布 未知 无 暂无 待定 - — -- N/A n/a NA none".split())

# ASCII tokens that are concepts or filler, not names, when found by POS.
EN_STOP = frozenset(
    """
    ai aigc agi api app apps it ip ipo b c to of for and the in on at by with from is are was as or vs
    nlp cv llm llms gpu cpu saas paas iaas maas baas roi cagr kpi bi hr ceo cto pc os ui ux id qa faq
    e i n l s k m g t x y d ok level part model point link open inc ltd co top new token tokens know how
    know-how copilot agent bot chatbot diffusion transformer rnn cnn moe rag asr tts ocr 3d 2d 4k 5g
    rmb usd cny eur jpy hkd gbp www com cn pdf html company companies source note table figure chart
    """.split()
)

# Places accepted from POS tags even though they are dictionary words (a small gazetteer).
PLACES = frozenset(
    """
    中国 美国 日本 韩国 英国 法国 德国 意大利 西班牙 俄罗斯 印度 加拿大 澳大利亚 新加坡 以色列 阿联酋 沙特
    巴西 欧洲 亚洲 非洲 北美 拉丁美洲 东南亚 中东 香港 澳门 台湾 北京 上海 天津 重庆 广州 深圳 杭州 南京
    苏州 成都 武汉 西安 合肥 长沙 郑州 青岛 厦门 济南 广东 浙江 江苏 山东 四川 湖北 湖南 河南 河北 安徽
    福建 北京市 上海市 深圳市 杭州市 广东省 浙江省 江苏省 中关村 雄安 粤港澳大湾区 长三角 珠三角
    """.split()
)

EN_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday".split()
)

# Capitalised only because they start a sentence.
EN_COMMON_START = frozenset(
    """
    in on at by for from with after before during since when while the a an this that these those it its
    there here what which who how why where some many most all both each every other such as if but and or
    however meanwhile also then later today yesterday company companies according according to
    """.split()
)

# Common English nouns and adjectives of titles, headings, chart labels and concepts: a
# capitalised phrase made only of these ("Management", "Generative AI Services", "Scaling LAW",
# "Task Force") is a title fragment or a concept, not a name; one other word ("Cyberspace
# Administration", "Alibaba Cloud") or a proper-noun signal (digits, CamelCase) makes it a name.
# Plural forms are folded ("services" → "service") before the lookup.
EN_COMMON_WORDS = frozenset(
    """
    management administration administrative measure rule regulation law act policy provision guideline
    standard framework declaration statement strategy plan program programme project initiative action
    report survey study research review index outlook overview summary introduction conclusion background
    analysis result method approach figure table chart source note appendix chapter section part page
    content abstract reference workshop conference forum summit session meeting task force group team
    committee commission council association federation society institute university academy center centre
    school college department ministry bureau agency authority office division unit organization
    organisation technology application system network software hardware device computing compute cloud
    intelligence artificial generative machine learning deep neural language large small foundation
    scaling training inference wireless mobile digital smart internet web online security privacy safety
    information innovation development industry industrial market economy economic business enterprise
    customer user product solution platform infrastructure chip semiconductor vision speech image video
    text search engine assistant access interface processing analytics automation robot robotics
    autonomous driving vehicle energy health healthcare medical finance financial banking education
    government public private national international global regional local central general interim key
    main major future shared next second third final annual total average growth share size revenue
    value scale trend rate level quality performance capacity demand supply investment funding capital
    cost price service model data women men people human social media news press world community
    country state city province region capital mankind era age year month week day time
    """.split()
)

# Heads of English organisation names built as "<head> of <name>": "Cyberspace Administration of
# China", "Bank of China", "University of Hong Kong" are one name, not a head and a place.
EN_ORG_HEADS = frozenset(
    """
    administration ministry department bureau office commission council committee association federation
    society institute institution university academy college school center centre bank agency authority
    board court museum league union republic kingdom
    """.split()
)

# Table columns holding free text, never entity names.
FREE_TEXT_HEADERS = frozenset(
    "说明 备注 描述 简介 介绍 特点 特色 亮点 定位 note notes description remark remarks comment".split()
)

# Words of a relation question that say what is asked, not which passage it is about
# ("Which companies released models in the first batch of filings?" → first batch, filings).
QUESTION_FRAME = frozenset(
    """
    哪些 哪家 哪个 哪一家 什么 公司 企业 厂商 机构 单位 发布 推出 开发 研发 开源 上线 打造 大模型 模型 产品 服务
    中有 之中 其中 当中 包括 分别 都有 名单 清单 列表 有哪些 是 的 了 过 在 中 有 都 和 与 及
    which what who whom companies company firms firm vendors vendor organisations organizations organisation
    organization released release launched launch developed develop announced announce unveiled introduced
    built made models model products product services service in the of a an at on for did do does have has
    were was are is be been by with their its any and or to from that those these this among large language
    ai llm llms list name names
    """.split()
)
