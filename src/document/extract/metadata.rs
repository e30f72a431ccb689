//! Who issued the report and which years it is about.
//!
//! The issuing organization comes from the most authoritative place that names it: portal
//! metadata (发布机构), then the title, the red header, the signature, and only then the body,
//! where the most frequent `XX街道 / XX乡 / XX镇 / XX街` wins. The report year is the year reported
//! ON (the title's year), never the issue year of the document number.

use crate::document::result::{IssuingOrganization, Section};
use crate::document::structure::Structured;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("static regex"));
static REPORT_AS_FOLLOWS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"现(?:将|对|就|把)[^。]{0,20}?((?:19|20)\d{2})\s*年[^。]{0,40}?(?:报告|汇报|总结)(?:如下)?")
        .expect("static regex")
});
/// Organ words between or after place names: 某某区人民政府东湖街道办事处, 中共某某镇委员会.
const ORGAN_WORDS: &[&str] = &[
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "政府",
    "工作委员会",
    "党工委",
    "委员会",
    "办事处",
    "党委",
];

/// Administrative levels, longest first, with the level they report (traditional script
/// mapped to simplified: the name itself keeps its script).
const LEVELS: &[(&str, &str)] = &[
    ("特别行政区", "省"),
    ("自治区", "省"),
    ("自治州", "市"),
    ("自治县", "县"),
    ("自治旗", "县"),
    ("街道", "街道"),
    ("省", "省"),
    ("市", "市"),
    ("州", "市"),
    ("盟", "市"),
    ("地区", "市"),
    ("区", "区"),
    ("區", "区"),
    ("县", "县"),
    ("縣", "县"),
    ("旗", "县"),
    ("乡", "乡"),
    ("鄉", "乡"),
    ("镇", "镇"),
    ("鎮", "镇"),
];

/// Characters a place name never contains: a segment with one of them is a department or a
/// phrase (住房和城乡建设局 is not a 乡).
const NOT_IN_PLACE: &[char] = &[
    '和', '与', '及', '的', '局', '委', '办', '厅', '部', '会', '院', '所', '心', '为', '在', '对',
    '是', '了', '于', '将', '把', '我', '全', '各', '本', '该', '其', '建', '设', '法', '治', '级',
    '府', '政', '人', '民',
];

/// County-level and higher places whose names contain a character of [`NOT_IN_PLACE`]
/// (福建省, 和平区, 天心区, 本溪市): without this list their names would end a chain early
/// and leave the place above them as the issuer. The names with such a character from the
/// national list of administrative divisions (民政部 codes as published in the `cpca` 0.5.5
/// package's `adcodes.csv`, MIT), county level and up, 87 in all.
#[rustfmt::skip]
const KNOWN_PLACES: &[&str] = &[
    "万全区", "东昌府区", "久治县", "于洪区", "于田县", "于都县", "云和县", "仁和区", "会东县",
    "会同县", "会宁县", "会昌县", "会泽县", "会理县", "全南县", "全州县", "全椒县", "共和县",
    "兴和县", "南和县", "南部县", "同心县", "呼和浩特市", "和县", "和布克赛尔蒙古自治县",
    "和平区", "和平县", "和政县", "和林格尔县", "和田县", "和田地区", "和田市", "和硕县",
    "和静县", "和顺县", "和龙市", "四会市", "回民区", "天全县", "天心区", "太和区", "太和县",
    "富民县", "将乐县", "平和县", "府谷县", "建华区", "建始县", "建宁县", "建平县", "建德市",
    "建昌县", "建水县", "建湖县", "建瓯市", "建邺区", "建阳区", "忻府区", "惠民县", "政和县",
    "新会区", "新和县", "新建区", "新民市", "无为县", "本溪市", "本溪满族自治县", "民丰县",
    "民乐县", "民勤县", "民和回族土族自治县", "民权县", "永和县", "治多县", "法库县", "泰和县",
    "爱民区", "犍为县", "福建省", "禹会区", "裕民县", "西和县", "迭部县", "长治县", "长治市",
    "隆林各族自治县", "龙胜各族自治县",
];

/// The level a whole place name ends with (和田地区 -> 市, 本溪满族自治县 -> 县).
fn level_of_suffix(name: &str) -> Option<&'static str> {
    LEVELS
        .iter()
        .find(|(w, _)| name.ends_with(w))
        .map(|&(_, level)| level)
}

/// One place in a chain: its name as written (with the level word) and its level.
#[derive(Debug, Clone, PartialEq)]
struct Place {
    name: String,
    level: &'static str,
}

/// The level word at the start of `s`, if any.
fn level_at(s: &str) -> Option<(&'static str, &'static str)> {
    LEVELS.iter().find(|(w, _)| s.starts_with(w)).copied()
}

fn placeable(c: &char) -> bool {
    crate::document::lex::is_cjk(*c) && !NOT_IN_PLACE.contains(c)
}

/// The chain of places an organization name starts with: 西安市未央区 -> [西安市, 未央区],
/// 鲤城区人民政府金龙街道办事处 -> [鲤城区, 金龙街道] (organ words between places skipped).
/// Among the ways to cut the name it takes the one that covers the most of it (城区街道 is one
/// 街道: 城区 + 街道 leaves the 街道 without a name), then the one with more places (新县 +
/// 金兰山街道, not one 新县金兰山街道).
fn place_chain(name: &str) -> Vec<Place> {
    place_chain_covering(name).1
}

/// [`place_chain`] with the number of characters of `name` it covers from the start.
fn place_chain_covering(name: &str) -> (usize, Vec<Place>) {
    let chars: Vec<char> = name.chars().take(60).collect();
    let n = chars.len();
    // Byte offset of each character: the cuts below are slices of `name`, not new strings.
    let offs: Vec<usize> = name
        .char_indices()
        .map(|(b, _)| b)
        .take(n)
        .chain(std::iter::once(
            name.char_indices().nth(n).map_or(name.len(), |(b, _)| b),
        ))
        .collect();
    let text = |a: usize, b: usize| -> &str { &name[offs[a]..offs[b]] };
    /// One step of the best chain from a position: `k` characters consumed, and the place
    /// they make (None for an organ word between places): its level and whether 道 is added.
    #[derive(Clone, Copy, Default)]
    struct Step {
        cov: usize,
        places: usize,
        k: usize,
        place: Option<(&'static str, bool)>,
    }
    // best[i]: the best chain starting at i (cov = characters covered, places = how many).
    let mut best: Vec<Step> = vec![Step::default(); n + 1];
    for i in (0..n).rev() {
        let rest = text(i, n);
        let mut choice = Step::default();
        let offer = |k: usize, place: Option<(&'static str, bool)>, choice: &mut Step| {
            let next = best[i + k];
            if place.is_none() && next.places == 0 {
                return; // An organ word counts only between two places.
            }
            let cand = Step {
                cov: next.cov + k,
                places: next.places + usize::from(place.is_some()),
                k,
                place,
            };
            if (cand.cov, cand.places) > (choice.cov, choice.places) {
                *choice = cand;
            }
        };
        for w in ORGAN_WORDS {
            if rest.starts_with(w) {
                offer(w.chars().count(), None, &mut choice);
            }
        }
        for known in KNOWN_PLACES {
            if rest.starts_with(known) {
                let level = level_of_suffix(known).map(|l| (l, false));
                offer(known.chars().count(), level, &mut choice);
            }
        }
        // A township inside a chain may carry a phrase character (某县和平镇人民政府,
        // 某区人民政府建设街道办事处) when an organ word or the end of the name follows it, so
        // that the chain does not stop at the county above it. A department's phrase (住房和
        // 城乡建设局) is followed by neither.
        if i > 0 {
            for base in 2..=4usize {
                if i + base >= n || !crate::document::lex::is_cjk(chars[i + base - 1]) {
                    break;
                }
                let Some((word, level)) = level_at(text(i + base, n)) else {
                    continue;
                };
                if !matches!(level, "街道" | "镇" | "乡") {
                    continue;
                }
                let k = base + word.chars().count();
                let after = text(i + k, n);
                if after.is_empty() || ORGAN_WORDS.iter().any(|w| after.starts_with(w)) {
                    offer(k, Some((level, false)), &mut choice);
                }
            }
        }
        for base in 1..=8usize {
            if i + base >= n || !placeable(&chars[i + base - 1]) {
                break;
            }
            let Some((word, level)) = level_at(text(i + base, n)) else {
                continue;
            };
            // One-character bases only for counties and districts (赵县, 寿县, 城区).
            if base == 1 && !matches!(level, "县" | "区") {
                continue;
            }
            offer(
                base + word.chars().count(),
                Some((level, false)),
                &mut choice,
            );
        }
        // A place name that ends in 街 stands for its 街道 at the end of the name or before an
        // organ word (南关街, 珠吉街办事处).
        for base in 2..=6usize {
            if i + base >= n || !placeable(&chars[i + base - 1]) {
                break;
            }
            if chars[i + base] != '街' {
                continue;
            }
            let after = text(i + base + 1, n);
            if !(after.is_empty() || ORGAN_WORDS.iter().any(|w| after.starts_with(w))) {
                continue;
            }
            offer(base + 1, Some(("街道", true)), &mut choice);
        }
        best[i] = choice;
    }
    let mut places = Vec::with_capacity(best[0].places);
    let mut i = 0;
    while i < n && best[i].k > 0 {
        let st = best[i];
        if let Some((level, add_dao)) = st.place {
            let mut name = text(i, i + st.k).to_string();
            if add_dao {
                name.push('道');
            }
            places.push(Place { name, level });
        }
        i += st.k;
    }
    (best[0].cov, places)
}

/// The name with `中共` removed.
fn strip_party(name: &str) -> &str {
    let n = name.trim();
    n.strip_prefix("中国共产党")
        .or_else(|| n.strip_prefix("中共"))
        .unwrap_or(n)
}

/// Bare place name plus level, at the lowest level the name states: 中共新县金兰山街道工作委员会
/// -> 金兰山街道, 某某市某区人民政府东湖街道办事处 -> 东湖街道, 珠吉街 -> 珠吉街道, 西安市未央区 ->
/// 未央区, 某县司法局 -> 某县, 陕西省人民政府办公厅 -> 陕西省. None when the name starts with no
/// place (国务院, 区司法局).
pub(super) fn normalize_org(name: &str) -> Option<String> {
    place_chain(strip_party(name)).pop().map(|p| p.name)
}

/// What follows a bare level word in an organ's name: 区司法局, 市人民政府, 县委办公室.
static ORG_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:市|区|县|區|縣|省)(?:人民政府|政府|委|[\p{Han}]{1,8}?(?:局|办|委员会|办公室|厅|部))",
    )
    .expect("static regex")
});

/// The level of a name: its lowest place's, or that of a bare level word it starts with
/// (区司法局 -> 区).
fn level_of(name: &str) -> Option<&'static str> {
    let n = strip_party(name);
    if let Some(p) = place_chain(n).pop() {
        return Some(p.level);
    }
    level_at(n).filter(|_| ORG_TAIL.is_match(n)).map(|(_, l)| l)
}

pub(super) fn admin_level(normalized: Option<&str>, names: &[String]) -> Option<String> {
    normalized
        .and_then(level_of)
        .or_else(|| names.iter().find_map(|n| level_of(n)))
        .map(str::to_string)
}

/// The level a document states of itself when it names no place: `我镇` / `我县` (the most
/// frequent such self-reference), or a bare `县人民政府` / `省政府` as the subject of the
/// `现将…报告如下` sentence. Only a level: the place stays unknown.
pub(crate) fn self_level(text: &str) -> Option<&'static str> {
    static SELF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"我(街道|乡|镇|县|区|市|省|縣|區|鄉|鎮)").expect("static regex")
    });
    static REPORTING_ORGAN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"现将(街道|乡|镇|县|区|市|省)(?:人民政府|政府|办事处)").expect("static regex")
    });
    if let Some(c) = REPORTING_ORGAN.captures(text) {
        return level_at(c.get(1)?.as_str()).map(|(_, l)| l);
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for c in SELF.captures_iter(text) {
        let Some((_, level)) = c.get(1).and_then(|m| level_at(m.as_str())) else {
            continue;
        };
        match counts.iter_mut().find(|(l, _)| *l == level) {
            Some((_, n)) => *n += 1,
            None => counts.push((level, 1)),
        }
    }
    // The most frequent; a tie is no answer (我区 and 我市 as often: which one is the issuer?).
    let best = counts.iter().map(|&(_, n)| n).max()?;
    let mut top = counts.iter().filter(|&&(_, n)| n == best);
    let (level, _) = top.next()?;
    top.next().is_none().then_some(*level)
}

/// Whether a name is an organization: it starts with a place, or ends with an organ word
/// (国务院, 区司法局, 市委办公室).
fn is_org_name(s: &str) -> bool {
    let s = strip_party(s);
    s.chars().count() >= 2
        && s.chars().count() <= 40
        && (normalize_org(s).is_some()
            || ORG_TAIL.is_match(s)
            || [
                "国务院",
                "政府",
                "委员会",
                "办公室",
                "办公厅",
                "局",
                "厅",
                "委",
                "部",
                "院",
                "办事处",
                "党委",
                "党工委",
                "室",
            ]
            .iter()
            .any(|w| s.ends_with(w)))
}

/// The place chain a string starts with, as written (with organ words between places).
fn leading_place(s: &str) -> Option<String> {
    let (cov, chain) = place_chain_covering(s);
    (!chain.is_empty()).then(|| s.chars().take(cov).collect())
}

/// Organization names in a title: everything before 关于 or before the year, split on spaces;
/// the place right after 关于 (关于安庆市2020年度…); or a name right after a leading year
/// (2021年度常庄街道法治政府建设工作报告).
pub(super) fn orgs_in_title(title: &str) -> Vec<String> {
    // A page's `【栏目】` prefix is not part of the issuer's name.
    let title = crate::document::head::strip_column_prefix(title.trim())
        .trim_start_matches(['《', '“', '"']);
    // 某办公室印发《…》的通知: the issuer is who 印发/转发 it, not the document it carries.
    let carried = ["印发《", "转发《", "批转《", "印發《", "轉發《"]
        .iter()
        .filter_map(|w| title.find(w))
        .min();
    if let Some(i) = carried.filter(|&i| i > 0) {
        return split_joint(&title[..i])
            .into_iter()
            .filter(|s| is_org_name(s))
            .collect();
    }
    let head = if let Some(i) = title.find("关于").or_else(|| title.find("關於")) {
        if i == 0 {
            let after = &title["关于".len()..];
            let upto = YEAR.find(after).map_or(after, |m| &after[..m.start()]);
            return leading_place(upto).into_iter().collect();
        }
        &title[..i]
    } else if let Some(m) = YEAR.find(title).or_else(|| BARE_YEAR.find(title)) {
        if m.start() > 0 {
            &title[..m.start()]
        } else {
            let rest = title[m.end()..].trim_start_matches('度');
            return leading_place(rest).into_iter().collect();
        }
    } else {
        return leading_place(title).into_iter().collect();
    };
    split_joint(head)
        .into_iter()
        .filter(|s| is_org_name(s))
        .collect()
}

/// Issuers split on spaces and 、, and where written one after the other without a space
/// (中共某市委办公室某市人民政府办公室): cut after an organ word where an organization of the same
/// place begins.
fn split_joint(head: &str) -> Vec<String> {
    const ENDS: &[&str] = &["办公室", "办公厅", "人民政府", "委员会", "委", "办事处"];
    let mut out = Vec::new();
    for part in head.split(|c: char| c.is_whitespace() || c == '、') {
        let mut rest = part.trim();
        'cut: while !rest.is_empty() {
            for (i, _) in rest.char_indices().skip(2) {
                let (left, right) = rest.split_at(i);
                // The party committee and the government of one place; a name that goes on
                // to a lower place (某区人民政府东湖街道办事处) is one organization.
                if ENDS.iter().any(|w| left.ends_with(w))
                    && is_org_name(right)
                    && normalize_org(right).is_some_and(|r| normalize_org(left) == Some(r))
                {
                    out.push(left.to_string());
                    rest = right;
                    continue 'cut;
                }
            }
            out.push(rest.to_string());
            break;
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// A year written without 年 before the report words: 沅江路街道2024法治政府建设年度报告.
static BARE_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:19|20)\d{2}(?:年度?)?").expect("static regex"));

/// The organization the opening paragraph is about: the subject of its first clauses
/// (`2022年,清河县人民政府坚持…`, `一年来,周溪乡在县委…`, `…领导下,龙华区司法局坚持…`).
pub(super) fn org_subject(opening: &str) -> Option<String> {
    let head: String = opening.chars().take(200).collect();
    for clause in head.split(['，', ',', '。', '：', ':', '；', ';']).take(4) {
        let c = clause.trim();
        let c = YEAR
            .find(c)
            .filter(|m| m.start() == 0)
            .map_or(c, |m| c[m.end()..].trim_start_matches('度'));
        let c = c.trim_start_matches(['一', '年', '来', '以']);
        if ["在", "根据", "按照", "得益于", "对照", "为", "围绕", "今年"]
            .iter()
            .any(|w| c.starts_with(w))
        {
            continue;
        }
        if c.contains(['《', '》']) {
            continue;
        }
        let Some(place) = leading_place(c) else {
            continue;
        };
        // Keep the organ words that follow the place: 清河县人民政府, 龙华区司法局.
        let rest = &c[place.len()..];
        let organ = ORGAN_AFTER_PLACE.find(rest).map_or("", |m| m.as_str());
        return Some(format!("{place}{organ}"));
    }
    None
}

static ORGAN_AFTER_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:人民政府办公室|人民政府办公厅|人民政府|政府|办事处|党工委|党委|[\p{Han}]{1,6}?(?:局|办公室))")
        .expect("static regex")
});

/// The most frequent township-level name in the body.
pub(super) fn org_in_body(text: &str) -> Option<String> {
    const STOP_FIRST: &str = "在为是由对向和与及了将把被从于到以全本我各该每其此该这有年月日";
    const STOP_ANY: &str = "区县市省";
    const NOT_PLACES: &[&str] = &[
        "社区", "城乡", "乡村", "乡镇", "镇街", "街道", "村镇", "城镇",
    ];
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (i, c) in text.match_indices(['街', '乡', '镇']) {
        let next = text[i + c.len()..].chars().next();
        let suffix = match (c, next) {
            ("街", Some('道')) => "街道",
            ("街", Some('头' | '区' | '巷' | '面' | '办' | '坊' | '市' | '边' | '上')) => {
                continue
            }
            ("街", _) => "街",
            // 乡村 / 乡镇 / 镇街 are common nouns.
            (_, Some('村' | '镇' | '街' | '级' | '土' | '贤' | '情')) => continue,
            (s, _) => s,
        };
        let before: Vec<char> = text[..i].chars().rev().take(3).collect();
        for len in [3usize, 2] {
            if before.len() < len {
                continue;
            }
            let stem: String = before[..len].iter().rev().collect();
            let first = before[len - 1];
            if !stem.chars().all(crate::document::lex::is_cjk)
                || STOP_FIRST.contains(first)
                || stem.chars().any(|c| STOP_ANY.contains(c))
            {
                continue;
            }
            let name = format!("{stem}{suffix}");
            if NOT_PLACES
                .iter()
                .any(|p| name.ends_with(p) && name.chars().count() <= 2)
            {
                continue;
            }
            // Keep the earliest position for a stable tie-break.
            let e = counts.entry(name).or_insert((0, i));
            e.0 += 1;
            break;
        }
    }
    counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= 2)
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map(|(name, _)| name)
}

pub(super) struct OrgInputs<'a> {
    pub title: Option<&'a str>,
    pub red_header: Option<&'a str>,
    /// 发布机构 / 发文机关 / 制发机构: who issued it, as the portal states.
    pub web_issuer: Option<&'a str>,
    pub signature_orgs: &'a [String],
    /// 来源 / 信息来源 / 发布单位: often the publishing department, a weaker witness.
    pub web_source: Option<&'a str>,
    /// The subject of the opening sentence ([`org_subject`]).
    pub subject: Option<String>,
    pub body: &'a str,
}

/// The issuer from the most authoritative place that names one: the title, the red header,
/// portal 发布机构, the signature, portal 来源, the opening sentence's subject, then the body's most
/// frequent township name. When the title or red header names an issuer without its place
/// (区司法局), a later witness counts only if it names that organ with its place (九龙坡区司法局);
/// a weaker source that names no place is kept only when no later source names one. The same organization named twice is one issuer.
pub(super) fn issuing_organization(i: &OrgInputs<'_>) -> IssuingOrganization {
    let red = i.red_header.map(|r| {
        r.trim_end_matches(['文', '件'])
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    // Evaluated in order and only as far as needed: the body count reads the whole text.
    type Witness<'w> = Box<dyn FnOnce() -> Option<Vec<String>> + 'w>;
    let candidates: [(Witness<'_>, &str); 7] = [
        (Box::new(|| i.title.map(orgs_in_title)), "title"),
        (Box::new(|| red), "red_header"),
        (
            Box::new(|| i.web_issuer.map(|w| vec![w.to_string()])),
            "web_metadata",
        ),
        (Box::new(|| Some(i.signature_orgs.to_vec())), "signature"),
        (
            Box::new(|| i.web_source.map(|w| vec![w.to_string()])),
            "web_metadata",
        ),
        (Box::new(|| i.subject.clone().map(|o| vec![o])), "body"),
        (Box::new(|| org_in_body(i.body).map(|o| vec![o])), "body"),
    ];
    let mut fallback: Option<(Vec<String>, &str)> = None;
    let mut named_organ: Option<String> = None;
    for (witness, source) in candidates {
        let Some(mut names) = witness().filter(|n| !n.is_empty()) else {
            continue;
        };
        names.retain(|n| is_org_name(n));
        names.dedup();
        if names.is_empty() {
            continue;
        }
        let normalized = names.iter().find_map(|n| normalize_org(n));
        if normalized.is_none() {
            // The title and the red header name the issuer itself: when it names no place
            // (区司法局), no later witness may put one in its mouth.
            if matches!(source, "title" | "red_header") && named_organ.is_none() {
                // Later witnesses may only name the same organ with its place: 区司法局 in the
                // title, 九龙坡区司法局 in 发布机构.
                named_organ = names
                    .first()
                    .map(|n| strip_party(n).chars().skip(1).collect::<String>());
            }
            fallback.get_or_insert((names, source));
            continue;
        }
        if let Some(organ) = named_organ.as_deref() {
            if !names.iter().any(|n| n.ends_with(organ)) {
                continue;
            }
        }
        return IssuingOrganization {
            joint: names.len() > 1,
            normalized,
            source: Some(source.to_string()),
            names,
        };
    }
    match fallback {
        Some((names, source)) => IssuingOrganization {
            joint: names.len() > 1,
            normalized: None,
            source: Some(source.to_string()),
            names,
        },
        None => IssuingOrganization::default(),
    }
}

/// The year a title names: `2024年`, or a bare `2024` before the report words
/// (沅江路街道2024法治政府建设年度报告).
fn title_year(s: &str) -> Option<i32> {
    first_year(s).or_else(|| {
        let m = BARE_YEAR.find(s)?;
        let before_digit = s[..m.start()].ends_with(|c: char| c.is_ascii_digit());
        let after_digit = s[m.end()..].starts_with(|c: char| c.is_ascii_digit());
        (!before_digit && !after_digit)
            .then(|| s[m.start()..m.start() + 4].parse().ok())
            .flatten()
    })
}

fn first_year(s: &str) -> Option<i32> {
    YEAR.captures(s).and_then(|c| c[1].parse().ok())
}

/// The year reported on.
pub(super) fn report_year(
    title: Option<&str>,
    web_title: Option<&str>,
    opening: &[&str],
    sections: &[Section],
) -> Option<i32> {
    if let Some(y) = title
        .and_then(title_year)
        .or_else(|| web_title.and_then(title_year))
    {
        return Some(y);
    }
    for p in opening {
        if let Some(c) = REPORT_AS_FOLLOWS.captures(p) {
            return c[1].parse().ok();
        }
    }
    for s in sections {
        if s.required_parts.iter().any(|p| {
            p == super::parts::MEASURES
                || p == super::parts::SHORTCOMINGS
                || p == super::parts::DUTIES
        }) {
            if let Some(y) = first_year(&s.title) {
                return Some(y);
            }
        }
    }
    // An opening paragraph that starts with the year: 2024年,翠苑街道在区委……
    opening.first().and_then(|p| {
        let c = YEAR.captures(p)?;
        (c.get(0)?.start() == 0)
            .then(|| c[1].parse().ok())
            .flatten()
    })
}

/// The year of the plans part, and whether the document states it.
pub(super) fn plan_year(
    report_year: Option<i32>,
    sections: &[Section],
    paragraphs: &[&str],
) -> (Option<i32>, Option<bool>) {
    let plans: Vec<&Section> = sections
        .iter()
        .filter(|s| s.required_parts.iter().any(|p| p == super::parts::PLANS))
        .collect();
    for s in &plans {
        if let Some(y) = first_year(&s.title) {
            return (Some(y), Some(true));
        }
    }
    if let Some(ry) = report_year {
        let next = format!("{}年", ry + 1);
        for p in paragraphs {
            let mut from = 0;
            while let Some(i) = p[from..].find(&next) {
                let at = from + i + next.len();
                let window: String = p[at..].chars().take(12).collect();
                if ["将", "计划", "拟", "力争", "要", "继续", "着力", "重点"]
                    .iter()
                    .any(|w| window.contains(w))
                {
                    return (Some(ry + 1), Some(true));
                }
                from = at;
            }
        }
        if !plans.is_empty() {
            return (Some(ry + 1), Some(false));
        }
    }
    (None, None)
}

/// Convenience for the assembling step.
pub(super) fn opening_paragraphs<'a>(
    blocks: &'a [crate::document::model::Block],
    s: &Structured,
) -> Vec<&'a str> {
    let start = s.title_blocks.map_or(0, |(_, e)| e + 1);
    blocks[start.min(blocks.len())..s.body_start.max(start).min(blocks.len())]
        .iter()
        // The addressee line (县委、县政府：) is not the opening.
        .filter(|b| !b.in_table && super::gbt9704::addressee_line(b.text.trim()).is_none())
        .map(|b| b.text.as_str())
        .take(5)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_names() {
        assert_eq!(
            normalize_org("中共新县金兰山街道工作委员会").as_deref(),
            Some("金兰山街道")
        );
        assert_eq!(
            normalize_org("新县金兰山街道办事处").as_deref(),
            Some("金兰山街道")
        );
        assert_eq!(normalize_org("东坝乡人民政府").as_deref(), Some("东坝乡"));
        assert_eq!(normalize_org("珠吉街").as_deref(), Some("珠吉街道"));
        assert_eq!(normalize_org("城区街道").as_deref(), Some("城区街道"));
        // A county department names its county; a bare level word names no place.
        assert_eq!(normalize_org("某某区司法局").as_deref(), Some("某某区"));
        assert_eq!(normalize_org("区司法局"), None);
        assert_eq!(normalize_org("国务院"), None);
        assert_eq!(
            normalize_org("某某市某某区人民政府东湖街道办事处").as_deref(),
            Some("东湖街道")
        );
        assert_eq!(normalize_org("西安市未央区").as_deref(), Some("未央区"));
        assert_eq!(
            normalize_org("陕西省人民政府办公厅").as_deref(),
            Some("陕西省")
        );
        assert_eq!(
            normalize_org("成都市住房和城乡建设局").as_deref(),
            Some("成都市")
        );
        assert_eq!(
            admin_level(None, &["区司法局".to_string()]).as_deref(),
            Some("区")
        );
        assert_eq!(admin_level(Some("東城區"), &[]).as_deref(), Some("区"));
        // Places whose names hold a phrase character: known counties and up, and townships
        // inside a chain before an organ word.
        for (name, place) in [
            ("福建省福州市鼓楼区温泉街道", "温泉街道"),
            ("湖南省长沙市天心区坡子街街道办事处", "坡子街街道"),
            ("中共长沙市天心区委", "天心区"),
            ("辽宁省本溪市", "本溪市"),
            ("法库县人民政府", "法库县"),
            ("某某县和平镇人民政府", "和平镇"),
            ("某某区人民政府建设街道办事处", "建设街道"),
            ("某某县住房和城乡建设局", "某某县"),
        ] {
            assert_eq!(normalize_org(name).as_deref(), Some(place), "{name}");
        }
        assert_eq!(admin_level(Some("和田地区"), &[]).as_deref(), Some("市"));
    }

    #[test]
    fn levels_a_document_states_of_itself() {
        assert_eq!(
            self_level("2024年，我乡积极作为。现将我乡2024年度情况汇报如下"),
            Some("乡")
        );
        assert_eq!(
            self_level("现将县人民政府2022年法治政府建设工作情况报告如下"),
            Some("县")
        );
        assert_eq!(
            self_level("今年以来，我镇认真落实县委要求，我镇干部"),
            Some("镇")
        );
        assert_eq!(self_level("我区按照我市部署"), None, "a tie names no level");
        assert_eq!(self_level("全面推进依法行政"), None);
    }

    #[test]
    fn names_in_titles() {
        assert_eq!(
            orgs_in_title("东坝乡人民政府2022年法治政府建设情况报告"),
            vec!["东坝乡人民政府"]
        );
        assert_eq!(
            orgs_in_title("2021年度常庄街道法治政府建设工作报告"),
            vec!["常庄街道"]
        );
        assert_eq!(
            orgs_in_title("中共新县金兰山街道工作委员会 新县金兰山街道办事处 关于2022年度法治政府建设工作情况的报告"),
            vec!["中共新县金兰山街道工作委员会", "新县金兰山街道办事处"]
        );
    }

    #[test]
    fn issuers_of_a_carried_document() {
        assert_eq!(
            orgs_in_title("中共某某市委办公室某某市人民政府办公室印发《关于全面推进政务公开工作的实施意见》的通知"),
            vec!["中共某某市委办公室", "某某市人民政府办公室"]
        );
        assert_eq!(
            orgs_in_title("《中共某某区委某某区人民政府关于加强法治建设的意见》解读"),
            vec!["中共某某区委", "某某区人民政府"]
        );
    }

    #[test]
    fn body_frequency() {
        let body = "2024年,翠苑街道在区委领导下。西湖区翠苑街道成立专班。翠苑街道将继续。社区街道乡村振兴。";
        assert_eq!(org_in_body(body).as_deref(), Some("翠苑街道"));
        let body = "珠吉街应完成拆违任务。珠吉街共拆除126宗。我街推进。";
        assert_eq!(org_in_body(body).as_deref(), Some("珠吉街"));
    }
}
