//! Which legally required parts of the annual report a level-1 section covers.
//!
//! The content list comes from 《法治政府建设与责任落实督察工作规定》: measures and achievements,
//! shortcomings and their causes, the principal leaders' duties as first responsible persons,
//! next year's plans (all mandatory), and other matters (optional). Headings paraphrase and
//! misspell these (`改造推进…第一责任人职责`), so matching is on stable key words, and one
//! heading may cover two parts (`三、存在的问题及下一步工作打算`).

use crate::document::result::{Compliance, Section, PROFILE};

pub(crate) const MEASURES: &str = "measures_achievements";
pub(crate) const SHORTCOMINGS: &str = "shortcomings_causes";
pub(crate) const DUTIES: &str = "first_responsible_duties";
pub(crate) const PLANS: &str = "next_year_plans";
pub(crate) const OTHER: &str = "other_matters";

pub(crate) const MANDATORY: [&str; 4] = [MEASURES, SHORTCOMINGS, DUTIES, PLANS];
pub(crate) const ALL: [&str; 5] = [MEASURES, SHORTCOMINGS, DUTIES, PLANS, OTHER];

fn any(t: &str, words: &[&str]) -> bool {
    words.iter().any(|w| t.contains(w))
}

/// Parts a level-1 heading names explicitly, in canonical order. `report_year` lets
/// `2023年工作计划` in a report on 2022 count as next year's plans.
pub(crate) fn parts_named(title: &str, report_year: Option<i32>) -> Vec<&'static str> {
    let t = title;
    let mut parts = Vec::new();
    let duties = t.contains("第一责任人")
        || (any(t, &["主要负责人", "党政负责人", "主要领导"]) && any(t, &["职责", "履行", "履职"]));
    let shortcomings = any(
        t,
        &[
            "不足",
            "存在问题",
            "存在的问题",
            "问题和",
            "问题及",
            "短板",
            "差距",
            "薄弱",
            "困难和问题",
        ],
    ) || (t.contains("问题") && t.contains("原因"));
    let next_year = report_year.map(|y| format!("{}年", y + 1));
    let plans_words = any(
        t,
        &[
            "下一年",
            "下一步",
            "下步",
            "明年",
            "今后",
            "工作计划",
            "工作安排",
            "主要安排",
            "工作打算",
            "打算",
            "改进思路",
            "改进措施",
            "工作思路",
            "努力方向",
            "展望",
            "工作设想",
        ],
    ) || (next_year.as_deref().is_some_and(|y| t.contains(y))
        && any(t, &["计划", "安排", "思路", "措施", "打算", "重点"]));
    let other = any(
        t,
        &["其他需要报告", "其他事项", "其他情况", "需要报告的其他"],
    );
    let measures = !plans_words
        && !duties
        && any(
            t,
            &[
                "举措",
                "成效",
                "成绩",
                "做法",
                "主要工作",
                "工作情况",
                "开展情况",
                "推进情况",
                "取得",
                "措施",
                "工作开展",
            ],
        );
    if measures {
        parts.push(MEASURES);
    }
    if shortcomings {
        parts.push(SHORTCOMINGS);
    }
    if duties {
        parts.push(DUTIES);
    }
    if plans_words {
        parts.push(PLANS);
    }
    if other {
        parts.push(OTHER);
    }
    parts
}

/// Assigns `required_parts` to every level-1 section. A topical heading that names no part
/// (`一、强化统筹谋划,夯实法治建设基础`) reports measures as long as no shortcomings or plans
/// section has come before it: that is how reports without part headings are written.
pub(crate) fn assign(sections: &mut [Section], report_year: Option<i32>) {
    let mut after_measures_zone = false;
    for s in sections.iter_mut() {
        let mut parts = parts_named(&s.title, report_year);
        if parts.is_empty() && !after_measures_zone {
            parts.push(MEASURES);
        }
        if parts.iter().any(|p| *p == SHORTCOMINGS || *p == PLANS) {
            after_measures_zone = true;
        }
        s.required_parts = parts.into_iter().map(str::to_string).collect();
    }
}

pub(crate) fn compliance(sections: &[Section]) -> Compliance {
    let present: Vec<String> = ALL
        .iter()
        .filter(|p| {
            sections
                .iter()
                .any(|s| s.required_parts.iter().any(|q| q == *p))
        })
        .map(|p| p.to_string())
        .collect();
    let missing = MANDATORY
        .iter()
        .filter(|p| !present.iter().any(|q| q == *p))
        .map(|p| p.to_string())
        .collect();
    let optional_absent = if present.iter().any(|p| p == OTHER) {
        vec![]
    } else {
        vec![OTHER.to_string()]
    };
    Compliance {
        profile: PROFILE.into(),
        applicable: true,
        present_required_parts: present,
        missing_required_parts: missing,
        optional_parts_absent: optional_absent,
    }
}

/// The profile does not apply (the document is not an annual report): no part is present or
/// missing, and no section claims one.
pub(crate) fn not_applicable(sections: &mut [Section]) -> Compliance {
    fn clear(nodes: &mut [Section]) {
        for n in nodes {
            n.required_parts.clear();
            clear(&mut n.children);
        }
    }
    clear(sections);
    Compliance {
        profile: PROFILE.into(),
        applicable: false,
        present_required_parts: vec![],
        missing_required_parts: vec![],
        optional_parts_absent: vec![],
    }
}

/// Whether a document is a 法治政府建设 annual report, the one kind of document the required
/// parts apply to: its title (when it has one) names a report (报告, or 情况/总结/汇报; not a
/// plan, rules or a 解读) about 法治 or 依法行政;
/// without a title, its opening says what it reports on.
pub(crate) fn is_annual_report(title: Option<&str>, kind: Option<&str>, opening: &str) -> bool {
    let about_law = |t: &str| {
        ["法治", "依法行政", "法治政府", "法治建设"]
            .iter()
            .any(|w| t.contains(w))
    };
    match (title, kind) {
        (_, Some(k)) if k != "报告" => false,
        (Some(t), _) => about_law(t) && crate::document::head::names_a_report(t),
        (None, _) => about_law(opening),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_map_to_parts() {
        let y = Some(2022);
        let cases: &[(&str, &[&str])] = &[
            ("2022年推进法治政府建设的主要举措和成效", &[MEASURES]),
            ("2022年度推进法治政府建设存在的不足和原因", &[SHORTCOMINGS]),
            ("法治政府建设工作存在问题和不足", &[SHORTCOMINGS]),
            (
                "2022年度党政主要负责人改造推进法治建设第一责任人职责,加强法治政府建设的有关情况",
                &[DUTIES],
            ),
            ("2023年度推进法治政府建设的主要安排", &[PLANS]),
            ("2023年法治政府建设工作改进思路", &[PLANS]),
            ("2023年度改进措施及工作计划", &[PLANS]),
            ("存在的问题及下一步工作打算", &[SHORTCOMINGS, PLANS]),
            ("其他需要报告的情况", &[OTHER]),
            ("强化统筹谋划,夯实法治建设基础", &[]),
        ];
        for (title, want) in cases {
            assert_eq!(parts_named(title, y), want.to_vec(), "{title}");
        }
    }

    fn section(title: &str) -> Section {
        Section {
            level: 1,
            number: "一、".into(),
            style: crate::document::result::NumberStyle::ChineseDunhao,
            title: title.into(),
            short_title: title.into(),
            raw: title.into(),
            heading_delimiter: crate::document::result::HeadingDelimiter::Line,
            line: 1,
            bracket_width: None,
            bold: false,
            markdown_heading: None,
            required_parts: vec![],
            enumeration_markers: vec![],
            text: String::new(),
            children: vec![],
        }
    }

    #[test]
    fn topical_sections_are_measures_until_a_later_part_starts() {
        let mut s = vec![
            section("强化统筹谋划"),
            section("加强规范管理"),
            section("存在的不足和原因"),
            section("其他工作"),
        ];
        assign(&mut s, Some(2022));
        assert_eq!(s[0].required_parts, vec![MEASURES]);
        assert_eq!(s[1].required_parts, vec![MEASURES]);
        assert!(s[3].required_parts.is_empty());
        let c = compliance(&s);
        assert_eq!(c.present_required_parts, vec![MEASURES, SHORTCOMINGS]);
        assert_eq!(c.missing_required_parts, vec![DUTIES, PLANS]);
        assert_eq!(c.optional_parts_absent, vec![OTHER]);
    }
}
