//! Indicator sheets -> facts.
//!
//! An indicator sheet lists one measure per row: a name column (指标 / 指标名称 / 项目 / 事项 /
//! 内容 …), a value column (完成数 / 完成值 / 实际完成 / 数值 / 2023年 …), usually a unit column
//! (单位 / 计量单位) and sometimes a target column (目标值 / 计划数). Headers are recognised by
//! what they contain, after removing spaces and a bracketed unit (`完成数（件）`), so the many
//! spellings found in practice need no list of exact names.
//!
//! Which column is the value: a 完成 / 实际 column first; else the latest year column
//! (`2024年` over `2023年`); else the leftmost generic one (数值, 数量, 合计, …). Change columns
//! (同比, 增长, 比上年) and remarks are never values.
//!
//! Each row with a name and a numeric value gives one [`Fact`]:
//! - `value`: the number, with 万 / 亿 / 千 in the unit or the value expanded exactly
//!   (45.15 万元 -> 451500, unit 元, `value_text` `45.15万`);
//! - `unit`: from the unit column, else the value header's bracket (`金额（万元）`), else the
//!   value's own suffix (`228件`), else a caption such as `单位：万元`, else the name's bracket
//!   (`调解成功率（%）`); `%` gives kind `ratio`, 元 `amount`, 平方米 / 亩 / 公顷 `area`;
//! - `source`: the name cell, the value cell and the unit as written, joined by single spaces:
//!   `行政复议案件 43 件`, `处罚金额 45.15 万元`, `调解成功率 100 %` (no unit: `结案率 95%`).
//!   It is not a substring of the text blocks (those join cells with tabs).
//! - `table_cell`: `table` = index in `tables[]`, `row` = index in that table's `rows`
//!   (0 = the first row under the header), `column` = the value column.
//!
//! A target column gives a second fact per row with kind `target`. Text values (完成, —, 是)
//! and dates give no fact.

use crate::document::result::{Fact, Table, TableCell};
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Serial,
    Name,
    Unit,
    /// `strength`: 3 完成/实际, 2 a year column, 1 generic.
    Value {
        strength: u8,
        year: i32,
    },
    Target,
    Ignored,
    Other,
}

struct Column {
    role: Role,
    /// A unit written in the header's brackets.
    unit: Option<String>,
}

static HEADER_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)[(\[【]([^()\[\]【】]{1,8})[)\]】]$").expect("static regex")
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^((?:19|20)\d{2})(?:年度?)?(.*)$").expect("static regex"));
static CAPTION_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:计量|金额)?单位\s*[:：]\s*([^\s,，;；)）]{1,8})").expect("static regex")
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([+-]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([万亿千])?\s*([%‰])?\s*(\D{0,6})$")
        .expect("static regex")
});

/// Full-width forms to ASCII and whitespace removed, for matching headers and values.
fn fold(s: &str) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    for c in s.chars() {
        let m = match c {
            '０'..='９' | '．' | '，' | '％' | '－' | '＋' | '（' | '）' | '［' | '］' =>
            {
                changed |= !matches!(c, '（' | '）' | '［' | '］');
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c if c.is_whitespace() => continue,
            c => c,
        };
        out.push(m);
    }
    (out, changed)
}

fn classify(header: &str) -> Column {
    let (h, _) = fold(header);
    let (base, unit) = match HEADER_UNIT.captures(&h) {
        Some(c) if !c[1].is_empty() => (c[1].to_string(), Some(c[2].to_string())),
        _ => (h.clone(), None),
    };
    let b = base.as_str();
    let has = |words: &[&str]| words.iter().any(|w| b.contains(w));
    let role = if b.is_empty() {
        Role::Other
    } else if matches!(
        b.to_lowercase().as_str(),
        "序号" | "序" | "编号" | "行次" | "排序" | "no" | "no." | "#"
    ) {
        Role::Serial
    } else if matches!(
        b,
        "单位" | "计量单位" | "计算单位" | "统计单位" | "度量单位"
    ) {
        Role::Unit
    } else if has(&[
        "同比",
        "环比",
        "增长",
        "增幅",
        "增减",
        "比上年",
        "较上年",
        "变化",
        "增速",
        "排名",
    ]) || has(&[
        "备注", "说明", "注释", "来源", "责任", "牵头", "部门", "负责",
    ]) {
        Role::Ignored
    } else if has(&["目标", "计划", "预期", "任务数", "指导值", "考核值"]) {
        Role::Target
    } else if let Some(c) = YEAR.captures(b) {
        let year: i32 = c[1].parse().unwrap_or(0);
        let rest = &c[2];
        let generic = [
            "",
            "完成",
            "完成数",
            "完成值",
            "实际",
            "实际完成",
            "实际值",
            "数值",
            "数据",
            "数",
            "值",
            "情况",
            "完成情况",
        ];
        if generic.contains(&rest) {
            Role::Value { strength: 2, year }
        } else {
            Role::Other
        }
    } else if has(&["完成", "实际", "实绩", "实现"]) {
        Role::Value {
            strength: 3,
            year: 0,
        }
    } else if [
        "值", "数", "数量", "数值", "数据", "额", "金额", "合计", "总计", "累计", "总数", "结果",
        "统计",
    ]
    .iter()
    .any(|w| b.ends_with(w))
        || matches!(b, "本年" | "本期" | "当年" | "全年" | "年度")
    {
        Role::Value {
            strength: 1,
            year: 0,
        }
    } else if has(&[
        "指标", "项目", "事项", "名称", "内容", "类别", "类型", "分类",
    ]) || matches!(b, "统计项" | "数据项" | "考核项" | "工作")
    {
        Role::Name
    } else {
        Role::Other
    };
    Column { role, unit }
}

/// A number as written in a cell.
#[derive(Debug, PartialEq)]
struct Written {
    /// ASCII digits, sign, point and exponent, separators removed.
    digits: String,
    /// 万 / 亿 / 千 written after the number.
    scale: Option<char>,
    percent: Option<char>,
    /// Text after the number, e.g. 件 in `228件`.
    suffix: String,
    qualifier: Option<String>,
    /// The cell used full-width digits or signs.
    full_width: bool,
}

const PREFIX_QUALIFIERS: [&str; 9] = [
    "不少于",
    "不低于",
    "超过",
    "约",
    "近",
    "逾",
    "超",
    "达",
    "仅",
];
const SUFFIX_QUALIFIERS: [&str; 4] = ["以上", "左右", "余", "多"];

fn parse_written(cell: &str) -> Option<Written> {
    let (mut s, full_width) = fold(cell);
    let mut qualifier = None;
    for q in PREFIX_QUALIFIERS {
        if let Some(rest) = s.strip_prefix(q) {
            qualifier = Some(q.to_string());
            s = rest.to_string();
            break;
        }
    }
    let c = NUMBER.captures(&s)?;
    let mut suffix = c[4].to_string();
    if qualifier.is_none() {
        for q in SUFFIX_QUALIFIERS {
            if let Some(rest) = suffix.strip_prefix(q) {
                qualifier = Some(q.to_string());
                suffix = rest.to_string();
                break;
            }
        }
    }
    // A suffix is a unit only if it looks like one (no punctuation, no date parts).
    if suffix
        .chars()
        .any(|ch| ch.is_ascii_punctuation() || "年月日时:：/".contains(ch))
    {
        return None;
    }
    Some(Written {
        digits: c[1].replace(',', ""),
        scale: c.get(2).and_then(|m| m.as_str().chars().next()),
        percent: c.get(3).and_then(|m| m.as_str().chars().next()),
        suffix,
        qualifier,
        full_width,
    })
}

/// `digits` x 10^exp, shifting the decimal point in the text so 45.15 x 10^4 is exactly 451500.
fn scaled(digits: &str, exp: u32) -> Option<f64> {
    if exp == 0 || digits.contains(['e', 'E']) {
        return digits
            .parse::<f64>()
            .ok()
            .map(|v| v * 10f64.powi(exp as i32));
    }
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let take = (exp as usize).min(frac.len());
    let mut s = format!("{int}{}", &frac[..take]);
    s.extend(std::iter::repeat_n('0', exp as usize - take));
    if take < frac.len() {
        s.push('.');
        s.push_str(&frac[take..]);
    }
    s.parse().ok()
}

fn scale_exp(c: char) -> u32 {
    match c {
        '万' => 4,
        '亿' => 8,
        '千' => 3,
        _ => 0,
    }
}

/// A unit as written -> (unit reported, power of ten folded into the value, kind).
fn unit_kind(unit: &str) -> (String, u32, Option<&'static str>) {
    let (u, _) = fold(unit);
    if matches!(u.as_str(), "%" | "百分比" | "百分率") {
        return ("%".into(), 0, Some("ratio"));
    }
    if u == "‰" {
        return ("‰".into(), 0, Some("ratio"));
    }
    let (exp, base) = match u.chars().next() {
        Some(c @ ('万' | '亿' | '千')) if u.chars().count() > 1 => {
            (scale_exp(c), u[c.len_utf8()..].to_string())
        }
        _ => (0, u.clone()),
    };
    let kind = match base.as_str() {
        "元" => Some("amount"),
        "平方米" | "㎡" | "m²" | "m2" | "亩" | "公顷" | "平方公里" | "平方千米" => {
            Some("area")
        }
        _ => None,
    };
    (base, exp, kind)
}

pub(crate) fn facts(table_index: usize, table: &Table, captions: &[String]) -> Vec<Fact> {
    let columns: Vec<Column> = table.header.iter().map(|h| classify(h)).collect();
    let value_col = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.role {
            Role::Value { strength, year } => Some((strength, year, std::cmp::Reverse(i), i)),
            _ => None,
        })
        .max()
        .map(|t| t.3);
    let Some(value_col) = value_col else {
        return Vec::new();
    };
    let unit_col = columns.iter().position(|c| c.role == Role::Unit);
    let target_col = columns.iter().position(|c| c.role == Role::Target);
    let caption_unit = captions
        .iter()
        .find_map(|c| CAPTION_UNIT.captures(c).map(|m| m[1].to_string()));
    let named = columns.iter().position(|c| c.role == Role::Name);
    // A name column and a 数值 column alone make any list (名称 / 数值); an indicator sheet
    // also says what is measured: a unit column or unit, a 完成 / year column, or 指标.
    let strong = matches!(columns[value_col].role, Role::Value { strength, .. } if strength >= 2);
    let indicator = unit_col.is_some()
        || strong
        || columns[value_col].unit.is_some()
        || caption_unit.is_some()
        || named.is_some_and(|i| table.header[i].contains("指标"));
    if !indicator {
        return Vec::new();
    }
    // No name header: the first plain column left of the value.
    let name_col = named.or_else(|| {
        columns[..value_col]
            .iter()
            .position(|c| c.role == Role::Other)
    });
    let Some(name_col) = name_col else {
        return Vec::new();
    };

    let mut out = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let name = row.get(name_col).map_or("", |s| s.trim());
        if name.is_empty() {
            continue;
        }
        let unit_cell = unit_col
            .and_then(|c| row.get(c))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty());
        for (col, is_target) in [(Some(value_col), false), (target_col, true)] {
            let Some(col) = col else { continue };
            let Some(cell) = row.get(col).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
                continue;
            };
            let fact = fact_from_cell(
                name,
                cell,
                unit_cell,
                columns[col].unit.as_deref(),
                caption_unit.as_deref(),
                TableCell {
                    table: table_index,
                    row: r,
                    column: col,
                },
            );
            if let Some(mut f) = fact {
                if is_target {
                    f.kind = Some("target".into());
                }
                out.push(f);
            }
        }
    }
    out
}

fn fact_from_cell(
    name: &str,
    cell: &str,
    unit_cell: Option<&str>,
    header_unit: Option<&str>,
    caption_unit: Option<&str>,
    at: TableCell,
) -> Option<Fact> {
    let w = parse_written(cell)?;
    let name_unit = HEADER_UNIT
        .captures(&fold(name).0)
        .map(|c| c[2].to_string());
    // The unit as written, and whether it was written apart from the value.
    let (unit_written, separate) = if let Some(p) = w.percent {
        (Some(p.to_string()), false)
    } else if let Some(u) = unit_cell {
        (Some(u.to_string()), true)
    } else if let Some(u) = header_unit {
        (Some(u.to_string()), true)
    } else if !w.suffix.is_empty() {
        (Some(w.suffix.clone()), false)
    } else if let Some(u) = caption_unit {
        (Some(u.to_string()), true)
    } else {
        (name_unit, true)
    };
    let (unit, unit_exp, kind) = match unit_written.as_deref() {
        Some(u) => {
            let (u, e, k) = unit_kind(u);
            (Some(u).filter(|u| !u.is_empty()), e, k)
        }
        None => (None, 0, None),
    };
    let value_exp = w.scale.map_or(0, scale_exp);
    let value = scaled(&w.digits, unit_exp + value_exp)?;
    if !value.is_finite() {
        return None;
    }
    let value_text = if w.full_width {
        Some(cell.to_string())
    } else if unit_exp + value_exp > 0 {
        let scale = ['千', '万', '亿']
            .into_iter()
            .find(|&c| scale_exp(c) == unit_exp + value_exp)
            .map(String::from)
            .unwrap_or_default();
        Some(format!("{}{}", w.digits, scale))
    } else {
        None
    };
    let mut source = format!("{name} {cell}");
    if separate {
        if let Some(u) = unit_written.as_deref() {
            source.push(' ');
            source.push_str(u);
        }
    }
    Some(Fact {
        value,
        unit,
        source,
        value_text,
        qualifier: w.qualifier,
        kind: kind.map(String::from),
        unit_implicit: false,
        unit_missing: false,
        per: None,
        section: None,
        table_cell: Some(at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            sheet: Some("s".into()),
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn headers_are_recognised_by_what_they_contain() {
        let role = |h: &str| classify(h).role;
        assert_eq!(role("指标名称"), Role::Name);
        assert_eq!(role("项 目"), Role::Name);
        assert_eq!(role("单位"), Role::Unit);
        assert_eq!(role("计量单位"), Role::Unit);
        assert_eq!(role("责任单位"), Role::Ignored);
        assert!(matches!(role("完成数"), Role::Value { strength: 3, .. }));
        assert!(matches!(role("实际完成"), Role::Value { strength: 3, .. }));
        assert!(matches!(
            role("2023年"),
            Role::Value {
                strength: 2,
                year: 2023
            }
        ));
        assert!(matches!(role("数值"), Role::Value { strength: 1, .. }));
        assert!(matches!(role("指标值"), Role::Value { strength: 1, .. }));
        assert_eq!(role("目标值"), Role::Target);
        assert_eq!(role("2024年计划数"), Role::Target);
        assert_eq!(role("同比增长"), Role::Ignored);
        assert_eq!(role("序号"), Role::Serial);
        let c = classify("金额（万元）");
        assert!(matches!(c.role, Role::Value { .. }));
        assert_eq!(c.unit.as_deref(), Some("万元"));
    }

    #[test]
    fn numbers_as_written() {
        let w = parse_written("３．２万").unwrap();
        assert_eq!(
            (w.digits.as_str(), w.scale, w.full_width),
            ("3.2", Some('万'), true)
        );
        let w = parse_written("228件").unwrap();
        assert_eq!(w.suffix, "件");
        let w = parse_written("约1,200余人").unwrap();
        assert_eq!(
            (w.digits.as_str(), w.qualifier.as_deref()),
            ("1200", Some("约"))
        );
        assert_eq!(parse_written("57%").unwrap().percent, Some('%'));
        assert_eq!(parse_written("2024-12-31"), None);
        assert_eq!(parse_written("2024年12月"), None);
        assert_eq!(parse_written("完成"), None);
        assert_eq!(parse_written("—"), None);
        assert_eq!(scaled("45.15", 4), Some(451500.0));
        assert_eq!(scaled("1.23456", 4), Some(12345.6));
        assert_eq!(scaled("3", 8), Some(300000000.0));
    }

    #[test]
    fn indicator_rows_become_facts() {
        let t = table(
            &["序号", "指标", "单位", "完成数", "目标值"],
            &[
                &["1", "行政复议案件", "件", "43", ""],
                &["2", "处罚金额", "万元", "45.15", "50"],
                &["3", "调解成功率", "%", "100", ""],
                &["4", "新建公园面积", "平方米", "1200", ""],
                &["5", "工作进展", "", "完成", ""],
                &["", "", "", "", ""],
            ],
        );
        let f = facts(2, &t, &[]);
        assert_eq!(f.len(), 5, "{f:#?}");
        assert_eq!(f[0].value, 43.0);
        assert_eq!(f[0].unit.as_deref(), Some("件"));
        assert_eq!(f[0].source, "行政复议案件 43 件");
        assert_eq!(f[0].kind, None);
        assert_eq!(
            f[0].table_cell,
            Some(TableCell {
                table: 2,
                row: 0,
                column: 3
            })
        );
        assert_eq!(f[1].value, 451500.0);
        assert_eq!(f[1].unit.as_deref(), Some("元"));
        assert_eq!(f[1].value_text.as_deref(), Some("45.15万"));
        assert_eq!(f[1].kind.as_deref(), Some("amount"));
        assert_eq!(f[1].source, "处罚金额 45.15 万元");
        assert_eq!(f[2].value, 500000.0);
        assert_eq!(f[2].kind.as_deref(), Some("target"));
        assert_eq!(f[2].table_cell.as_ref().unwrap().column, 4);
        assert_eq!(f[3].kind.as_deref(), Some("ratio"));
        assert_eq!(f[3].unit.as_deref(), Some("%"));
        assert_eq!(f[4].kind.as_deref(), Some("area"));
    }

    #[test]
    fn latest_year_column_and_caption_unit() {
        let t = table(
            &["项目", "2022年", "2023年", "同比增长"],
            &[&["培训经费", "10", "12.5", "25%"]],
        );
        let f = facts(0, &t, &["单位：万元".to_string()]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].value, 125000.0);
        assert_eq!(f[0].source, "培训经费 12.5 万元");
        assert_eq!(f[0].table_cell.as_ref().unwrap().column, 2);
    }

    #[test]
    fn value_suffix_and_name_bracket_units() {
        let t = table(
            &["指标", "数据"],
            &[&["审查合同", "228件"], &["败诉率（%）", "57"]],
        );
        let f = facts(0, &t, &[]);
        assert_eq!(f[0].unit.as_deref(), Some("件"));
        assert_eq!(f[0].source, "审查合同 228件");
        assert_eq!(f[1].unit.as_deref(), Some("%"));
        assert_eq!(f[1].kind.as_deref(), Some("ratio"));
    }

    #[test]
    fn ordinary_tables_give_no_facts() {
        let t = table(&["姓名", "职务", "电话"], &[&["张三", "科长", "12345"]]);
        assert!(facts(0, &t, &[]).is_empty());
        let t = table(&["日期", "数量"], &[&["2024-01-01", "3"]]);
        assert!(facts(0, &t, &[]).is_empty());
        // A name and a number with nothing saying what is measured: a list, not indicators.
        let t = table(&["名称", "数值"], &[&["甲", "42"]]);
        assert!(facts(0, &t, &[]).is_empty());
    }
}
