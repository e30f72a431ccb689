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
    Regex::new(r"现将[^。]{0,20}?((?:19|20)\d{2})\s*年[^。]{0,40}?(?:报告|汇报)(?:如下)?")
        .expect("static regex")
});
/// An organization name at the start of a string: place name plus an organ suffix.
static ORG_AT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:中共)?[\p{Han}]{1,14}?(?:街道办事处|街道工作委员会|街道党工委|街道|乡人民政府|镇人民政府|人民政府|乡|镇)(?:人民政府|办事处|工作委员会|党工委|党委|委员会)?")
        .expect("static regex")
});

/// Organ suffixes stripped to reach the bare place name.
const ORGAN_SUFFIXES: &[&str] = &[
    "工作委员会",
    "党工委",
    "委员会",
    "办事处",
    "人民政府",
    "党委",
    "政府",
];

/// Bare place name plus level: 中共新县金兰山街道工作委员会 -> 金兰山街道, 东坝乡人民政府 -> 东坝乡,
/// 珠吉街 -> 珠吉街道. None when the name has no 街道/乡/镇 level.
pub fn normalize_org(name: &str) -> Option<String> {
    let mut n = name.trim().trim_start_matches("中共").to_string();
    loop {
        let before = n.len();
        for s in ORGAN_SUFFIXES {
            if let Some(x) = n.strip_suffix(s) {
                n = x.to_string();
            }
        }
        if n.len() == before {
            break;
        }
    }
    if n.ends_with('街') {
        n.push('道');
    }
    let level = ["街道", "乡", "镇"].into_iter().find(|l| n.ends_with(l))?;
    // Drop higher-level place names (新县金兰山街道 -> 金兰山街道), keeping at least two characters.
    let base_len = n.chars().count() - level.chars().count();
    let chars: Vec<char> = n.chars().collect();
    let mut cut = 0;
    for (i, c) in chars[..base_len].iter().enumerate() {
        if matches!(c, '省' | '市' | '区' | '县' | '州' | '盟' | '旗') && base_len - (i + 1) >= 2
        {
            cut = i + 1;
        }
    }
    Some(chars[cut..].iter().collect())
}

pub fn admin_level(normalized: Option<&str>, names: &[String]) -> Option<String> {
    let pick = |s: &str| {
        for l in ["街道", "乡", "镇"] {
            if s.ends_with(l) {
                return Some(l.to_string());
            }
        }
        None
    };
    if let Some(l) = normalized.and_then(pick) {
        return Some(l);
    }
    for n in names {
        let mut s = n.as_str();
        for suf in ORGAN_SUFFIXES {
            s = s.strip_suffix(suf).unwrap_or(s);
        }
        for l in ["县", "区", "市", "省"] {
            if s.ends_with(l) {
                return Some(l.to_string());
            }
        }
    }
    None
}

/// Organization names in a title: everything before 关于 or before the year, split on spaces;
/// or a name right after a leading year (2021年度常庄街道法治政府建设工作报告).
pub fn orgs_in_title(title: &str) -> Vec<String> {
    let head = if let Some(i) = title.find("关于") {
        &title[..i]
    } else if let Some(m) = YEAR.find(title) {
        if m.start() > 0 {
            &title[..m.start()]
        } else {
            let rest = title[m.end()..].trim_start_matches('度');
            return ORG_AT_START
                .find(rest)
                .map(|m| vec![m.as_str().to_string()])
                .unwrap_or_default();
        }
    } else {
        return ORG_AT_START
            .find(title)
            .map(|m| vec![m.as_str().to_string()])
            .unwrap_or_default();
    };
    head.split(|c: char| c.is_whitespace() || c == '、')
        .map(str::trim)
        .filter(|s| !s.is_empty() && ORG_AT_START.is_match(s))
        .map(str::to_string)
        .collect()
}

/// The most frequent township-level name in the body.
pub fn org_in_body(text: &str) -> Option<String> {
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
            if !stem.chars().all(crate::document::normalize::is_cjk)
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

pub struct OrgInputs<'a> {
    pub web_org: Option<&'a str>,
    pub title: Option<&'a str>,
    pub red_header: Option<&'a str>,
    pub signature_orgs: &'a [String],
    pub body: &'a str,
}

pub fn issuing_organization(i: &OrgInputs<'_>) -> IssuingOrganization {
    let (names, source): (Vec<String>, &str) = if let Some(w) = i.web_org {
        (vec![w.to_string()], "web_metadata")
    } else if let Some(names) = i.title.map(orgs_in_title).filter(|n| !n.is_empty()) {
        (names, "title")
    } else if let Some(r) = i.red_header {
        (vec![r.trim_end_matches("文件").to_string()], "red_header")
    } else if !i.signature_orgs.is_empty() {
        (i.signature_orgs.to_vec(), "signature")
    } else if let Some(b) = org_in_body(i.body) {
        (vec![b], "body")
    } else {
        (vec![], "")
    };
    let normalized = names.iter().find_map(|n| normalize_org(n));
    IssuingOrganization {
        joint: names.len() > 1,
        normalized,
        source: (!source.is_empty()).then(|| source.to_string()),
        names,
    }
}

fn first_year(s: &str) -> Option<i32> {
    YEAR.captures(s).and_then(|c| c[1].parse().ok())
}

/// The year reported on.
pub fn report_year(
    title: Option<&str>,
    web_title: Option<&str>,
    opening: &[&str],
    sections: &[Section],
) -> Option<i32> {
    if let Some(y) = title
        .and_then(first_year)
        .or_else(|| web_title.and_then(first_year))
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
pub fn plan_year(
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
pub fn opening_paragraphs<'a>(
    blocks: &'a [crate::document::model::Block],
    s: &Structured,
) -> Vec<&'a str> {
    let start = s.title_blocks.map_or(0, |(_, e)| e + 1);
    blocks[start.min(blocks.len())..s.body_start.max(start).min(blocks.len())]
        .iter()
        .filter(|b| !b.in_table)
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
        assert_eq!(normalize_org("某某区司法局"), None);
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
    fn body_frequency() {
        let body = "2024年,翠苑街道在区委领导下。西湖区翠苑街道成立专班。翠苑街道将继续。社区街道乡村振兴。";
        assert_eq!(org_in_body(body).as_deref(), Some("翠苑街道"));
        let body = "珠吉街应完成拆违任务。珠吉街共拆除126宗。我街推进。";
        assert_eq!(org_in_body(body).as_deref(), Some("珠吉街"));
    }
}
