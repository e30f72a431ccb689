//! The words around a number that turn it into a fact: units (longest match first, with the
//! words a unit character must not start), qualifiers, and the nouns that imply a unit.
//!
//! Everything here is a static table, so the scanner only does `starts_with` / `ends_with` on
//! `&str` slices and never allocates.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What a unit measures; decides the fact's `kind` and whether the number may be an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnitClass {
    /// 次 人 件 个 … : a count (kind omitted).
    Count,
    /// 小时 天 个月 … : a count only when the clause ends with it ("培训12小时"); before a noun it
    /// is an attribute ("24小时值班制度").
    Duration,
    /// 公里 吨 米 …: a measured quantity (kind omitted).
    Measure,
    /// 元 美元 …
    Money,
    /// 平方米 亩 公顷 …
    Area,
    /// % ‰ 成 倍
    Ratio,
    /// 个百分点: always a difference between two rates.
    Points,
    /// 分: a score, only at the end of a clause ("得分95分").
    Score,
}

impl UnitClass {
    pub(super) fn kind(self) -> Option<&'static str> {
        match self {
            UnitClass::Count | UnitClass::Duration | UnitClass::Measure => None,
            UnitClass::Money => Some("amount"),
            UnitClass::Area => Some("area"),
            UnitClass::Ratio => Some("ratio"),
            UnitClass::Points => Some("change"),
            UnitClass::Score => Some("score"),
        }
    }

    /// Units that are facts only when nothing but the clause end follows them.
    pub(super) fn needs_clause_end(self) -> bool {
        matches!(self, UnitClass::Duration | UnitClass::Score)
    }
}

pub(super) struct Unit {
    pub text: &'static str,
    pub class: UnitClass,
    /// When the text right after the unit starts with one of these, the character is the start
    /// of another word (人民, 处罚, 场所), not a unit, and the number is no fact.
    pub not_before: &'static [&'static str],
}

const fn u(text: &'static str, class: UnitClass, not_before: &'static [&'static str]) -> Unit {
    Unit {
        text,
        class,
        not_before,
    }
}

use UnitClass::*;

/// The unit lexicon. Order does not matter: [`UNITS_BY_FIRST_CHAR`] sorts it.
static UNITS: &[Unit] = &[
    // people and events
    u("人次", Count, &[]),
    u("人", Count, &["民"]),
    u(
        "名",
        Count,
        &["单", "称", "义", "誉", "录", "额", "片", "牌", "次"],
    ),
    u("位", Count, &["置", "于", "居", "列", "数"]),
    u("户次", Count, &[]),
    u("户", Count, &["籍", "口", "外", "型", "主"]),
    u("家次", Count, &[]),
    u(
        "家",
        Count,
        &["长", "属", "乡", "具", "电", "政", "园", "风"],
    ),
    u("个", Count, &[]),
    u("件次", Count, &[]),
    u("件", Count, &[]),
    u("次", Count, &["日", "序", "要", "级", "生"]),
    u("场次", Count, &[]),
    u("场", Count, &["所", "地", "景", "馆", "合", "域"]),
    u("期次", Count, &[]),
    u("期", Count, &["间", "限", "满", "待", "望", "末", "初"]),
    u("起", Count, &["草", "步", "点", "始", "码", "见", "来"]),
    u("项", Count, &[]),
    u("宗", Count, &["旨", "教", "族", "亲"]),
    u("台次", Count, &[]),
    u("台", Count, &["账", "风", "湾", "阶", "面", "上"]),
    u("条次", Count, &[]),
    u("条", Count, &["例", "件", "款", "线", "幅", "理", "约"]),
    u("张册", Count, &[]),
    u("张", Count, &["贴", "挂", "扬", "力"]),
    u("册", Count, &[]),
    u(
        "本",
        Count,
        &[
            "年", "次", "单", "级", "地", "街", "镇", "乡", "区", "市", "部", "辖", "届", "期",
            "人", "着", "领", "身", "质", "科", "村", "社", "县",
        ],
    ),
    u("份", Count, &["额", "子"]),
    u(
        "所",
        Count,
        &["属", "有", "在", "得", "以", "长", "需", "谓", "述"],
    ),
    u(
        "处",
        Count,
        &["罚", "理", "置", "室", "长", "分", "于", "在", "级", "事"],
    ),
    u("座", Count, &["谈", "位", "右"]),
    u(
        "支",
        Count,
        &["持", "付", "出", "部", "撑", "援", "柱", "书"],
    ),
    u("队", Count, &["伍", "员", "长", "列", "形"]),
    u("批次", Count, &[]),
    u(
        "批",
        Count,
        &["准", "复", "示", "评", "判", "注", "发", "办"],
    ),
    u("篇", Count, &["章", "幅"]),
    u("部门", Count, &[]),
    u(
        "部",
        Count,
        &["署", "分", "件", "位", "长", "队", "委", "属"],
    ),
    u("幅", Count, &["度"]),
    u("块", Count, &[]),
    u("套", Count, &["餐"]),
    u("辆次", Count, &[]),
    u("辆", Count, &[]),
    u("架次", Count, &[]),
    u("艘", Count, &[]),
    u("间", Count, &["隔", "断", "接"]),
    u("栋", Count, &[]),
    u("幢", Count, &[]),
    u(
        "面",
        Count,
        &[
            "向", "积", "对", "临", "貌", "上", "前", "的", "料", "试", "谈", "子",
        ],
    ),
    u("封", Count, &["闭", "控", "存", "锁", "堵", "条", "装"]),
    u("种", Count, &["植", "养", "子"]),
    u("类", Count, &["似", "别", "型"]),
    u("例", Count, &["如", "会", "行", "外", "子"]),
    u("轮", Count, &["流", "岗", "换", "值"]),
    u("遍", Count, &[]),
    u("节", Count, &["日", "点", "约", "能", "假", "目"]),
    u("堂", Count, &[]),
    u("门", Count, &["户", "口", "前", "槛", "类", "诊", "店"]),
    u("组", Count, &["织", "建", "成", "长", "团", "合"]),
    u("卷", Count, &[]),
    u("学时", Count, &[]),
    u("课时", Count, &[]),
    // durations
    u("个小时", Duration, &[]),
    u("小时", Duration, &[]),
    u("分钟", Duration, &[]),
    u("秒", Duration, &[]),
    u("天", Duration, &[]),
    u("个工作日", Duration, &[]),
    u("工作日", Duration, &[]),
    u("个月", Duration, &[]),
    // measures
    u("公里", Measure, &[]),
    u("千米", Measure, &[]),
    u("米", Measure, &[]),
    u("吨", Measure, &[]),
    u("千克", Measure, &[]),
    u("公斤", Measure, &[]),
    u("立方米", Measure, &[]),
    u("千瓦时", Measure, &[]),
    u("千瓦", Measure, &[]),
    // money
    u("元", Money, &["旦", "素", "宵"]),
    u("美元", Money, &[]),
    u("港元", Money, &[]),
    u("欧元", Money, &[]),
    // area
    u("平方米", Area, &[]),
    u("平米", Area, &[]),
    u("㎡", Area, &[]),
    u("平方公里", Area, &[]),
    u("平方千米", Area, &[]),
    u("亩", Area, &[]),
    u("公顷", Area, &[]),
    // rates
    u("%", Ratio, &[]),
    u("％", Ratio, &[]),
    u("‰", Ratio, &[]),
    u("倍", Ratio, &[]),
    u(
        "成",
        Ratio,
        &[
            "立", "员", "为", "功", "效", "果", "本", "熟", "交", "绩", "型", "年", "都", "长",
            "就", "品", "分", "人", "风", "了", "规", "套", "片", "批", "色", "全",
        ],
    ),
    u("个百分点", Points, &[]),
    u("百分点", Points, &[]),
    u("分", Score, &[]),
];

/// The lexicon by first character, each bucket longest first, so 人次 wins over 人 and
/// 个百分点 over 个, and a lookup compares only the few units that can match.
static UNITS_BY_FIRST_CHAR: LazyLock<HashMap<char, Vec<&'static Unit>>> = LazyLock::new(|| {
    let mut by_first: HashMap<char, Vec<&Unit>> = HashMap::new();
    for unit in UNITS {
        let first = unit.text.chars().next().expect("units are not empty");
        by_first.entry(first).or_default().push(unit);
    }
    for bucket in by_first.values_mut() {
        bucket.sort_by_key(|u| std::cmp::Reverse(u.text.len()));
    }
    by_first
});

/// `s.ends_with(w)`, comparing the last byte first: most candidates fail there, without a
/// `memcmp` call (this runs for every word list on every number).
pub(super) fn ends_with_word(s: &str, w: &str) -> bool {
    s.as_bytes().last() == w.as_bytes().last() && s.ends_with(w)
}

/// The unit written at the start of `rest`, if any, and whether its guard words rule it out.
/// Returns `None` when nothing matches; `Some(Err(()))` when a unit matched but is the start of
/// another word (then the number is no fact at all: falling back to a shorter unit would be a
/// guess).
pub(super) fn unit_at(rest: &str) -> Option<Result<&'static Unit, ()>> {
    let first = rest.chars().next()?;
    let unit = UNITS_BY_FIRST_CHAR
        .get(&first)?
        .iter()
        .find(|u| rest.starts_with(u.text))?;
    let after = &rest[unit.text.len()..];
    if unit.not_before.iter().any(|w| after.starts_with(w)) {
        Some(Err(()))
    } else {
        Some(Ok(unit))
    }
}

/// Units beginning with a character that is also a multiplier (千米 is a unit, not 千 + 米).
pub(super) fn unit_starts_with_multiplier(rest: &str) -> bool {
    ["千米", "千克", "千瓦"].iter().any(|u| rest.starts_with(u))
}

/// Multipliers after the digits, longest first, with their power of ten.
pub(super) const MULTIPLIERS: &[(&str, u32)] = &[
    ("万亿", 12),
    ("千万", 7),
    ("百万", 6),
    ("亿", 8),
    ("万", 4),
    ("千", 3),
];

/// Qualifiers written right before the number, longest first, each with the characters that,
/// written just before it, make it part of another word (最近, 节约).
pub(super) const PREFIX_QUALIFIERS: &[(&str, &[char])] = &[
    ("不少于", &[]),
    ("不低于", &[]),
    ("不超过", &[]),
    ("不多于", &[]),
    ("不足", &[]),
    ("将近", &[]),
    ("接近", &[]),
    ("大约", &[]),
    ("超过", &[]),
    ("多达", &[]),
    ("至少", &[]),
    ("突破", &[]),
    (
        "约",
        &[
            '节', '签', '预', '制', '契', '公', '条', '邀', '履', '违', '相', '特', '婚',
        ],
    ),
    ("近", &['最', '附', '临', '靠', '亲', '贴', '就', '远']),
    ("逾", &[]),
    ("超", &['赶', '高']),
    ("仅", &[]),
];

/// Qualifiers right after the digits (before the unit): 100余场, 90多宗.
pub(super) const NUMBER_SUFFIX_QUALIFIERS: &[&str] = &["余", "多"];

/// Qualifiers right after the unit: 95%以上, 300人左右, 5%以下.
pub(super) const UNIT_SUFFIX_QUALIFIERS: &[&str] = &["以上", "左右", "以下", "以内"];

/// Words between a noun and its number that carry no meaning for the fact (人数为114).
pub(super) const CONNECTORS: &[&str] = &[
    "已达到",
    "达到",
    "已达",
    "共计",
    "累计",
    "合计",
    "总计",
    "总数",
    "为",
    "达",
    "共",
    "是",
    "有",
    "了",
    "已",
    ":",
    "：",
    " ",
];

/// Nouns whose number is a count of an implied unit: 普及人数超过4.2万 -> 人.
pub(super) const IMPLICIT_UNITS: &[(&str, &str)] = &[
    ("人数", "人"),
    ("人次", "人次"),
    ("户数", "户"),
    ("件数", "件"),
    ("次数", "次"),
    ("场次", "场次"),
    ("家数", "家"),
    ("宗数", "宗"),
    ("起数", "起"),
    ("项数", "项"),
    ("个数", "个"),
];

/// Nouns whose bare number is money (维护群众利益540万): kind amount, unit missing.
pub(super) const MONEY_NOUNS: &[&str] = &[
    "金额",
    "资金",
    "经费",
    "损失",
    "利益",
    "收入",
    "罚款",
    "罚金",
    "罚没款",
    "投资",
    "投入",
    "补助",
    "补贴",
    "费用",
    "产值",
    "营收",
    "税收",
    "价值",
    "款项",
    "赔偿",
    "赔偿金",
    "欠薪",
    "工资",
    "支出",
    "预算",
    "标的额",
    "投资额",
    "营业额",
    "交易额",
    "涉案额",
    "总额",
    "奖金",
    "资产",
    "债务",
];

/// Nouns whose bare number is a score: 考核得分95.5 -> 分.
pub(super) const SCORE_NOUNS: &[&str] = &["得分", "评分", "分数"];

/// Verbs that make the number a change between two periods when written right before it.
pub(super) const CHANGE_WORDS: &[&str] = &[
    "增长率",
    "增长",
    "下降",
    "减少",
    "提高",
    "提升",
    "上升",
    "降低",
    "增加",
    "缩短",
    "压缩",
    "下滑",
    "回落",
    "增幅",
    "降幅",
    "涨幅",
    "增速",
];

/// Words that make a number in the same clause a goal rather than a result.
pub(super) const TARGET_WORDS: &[&str] = &["力争", "争取", "目标", "预计", "预期"];

/// Words after which a number is a rank, not a count (排名第3 is caught by 第 already).
pub(super) const RANK_WORDS: &[&str] = &["排名", "名列", "位列", "位居", "排第", "排在"];

/// Averages written before the number: 人均办案12件 is 12 per person, not 12 in all.
pub(super) const AVERAGE_MARKERS: &[&str] = &["人均", "户均", "平均每人", "平均每户"];

/// `每` + a scale + a population (每千人, 每万人, 每百户): the per part of a density.
pub(super) fn per_population(context: &str) -> Option<&str> {
    let at = context.find('每')?;
    let rest = &context[at..];
    let mut chars = rest.char_indices().skip(1);
    let (_, scale) = chars.next()?;
    let (i, population) = chars.next()?;
    (matches!(scale, '十' | '百' | '千' | '万') && matches!(population, '人' | '户' | '名'))
        .then(|| &rest[..i + population.len_utf8()])
}
